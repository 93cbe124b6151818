import { describe, expect, it } from 'vitest';
import { SyncEngine } from './engine';
import { MemoryStore, Outbox } from './outbox';
import { keyBetween, keyForSlot } from './ordering';
import { FakeServer } from './testing/fakeServer';
import { TestClient, settle } from './testing/harness';

function live(server = new FakeServer(), options = {}) {
  const client = new TestClient(server, options);
  client.connect();
  client.sync();
  return client;
}

function create(client: TestClient, id: string, title: string, position?: string) {
  return client.engine.submit('item.create', {
    id,
    checklist_id: 1,
    kind: 'need',
    title,
    ...(position ? { position } : {}),
  });
}

const titles = (client: TestClient) => client.items().map((i) => i.title);

describe('optimistic apply and acknowledgement', () => {
  it('shows a new item at once and confirms it when its event returns', () => {
    const client = live();
    create(client, 'item-0001', 'Shelters for men', 'V');
    expect(titles(client)).toEqual(['Shelters for men']);
    expect(client.state.pending).toHaveLength(1);
    expect(client.state.confirmed.item['item-0001']).toBeUndefined();

    client.sync();
    expect(client.state.pending).toHaveLength(0);
    expect(client.state.confirmed.item['item-0001']?.updated_seq).toBe(1);
    expect(client.state.seq).toBe(1);
    expect(client.store.getItem(`rt:outbox:1:${client.outbox.clientId}`)).toContain('"pending":[]');
  });

  it('keeps rows that did not change identical across events', () => {
    const client = live();
    create(client, 'item-0001', 'One', 'V');
    create(client, 'item-0002', 'Two', 'k');
    client.sync();
    const first = client.state.tables.item['item-0001'];
    client.engine.submit('item.update', { id: 'item-0002', title: 'Two!' });
    client.sync();
    expect(client.state.tables.item['item-0001']).toBe(first);
  });

  it('lets an item created offline be edited, moved and sent in order', () => {
    const server = new FakeServer();
    const client = new TestClient(server);
    create(client, 'offline-1', 'Draft', 'V');
    client.engine.submit('item.update', { id: 'offline-1', title: 'Interpreters at screening' });
    client.engine.submit('item.move', { id: 'offline-1', position: 'k' });
    expect(client.state.link).toBe('offline');
    expect(client.items()[0]).toMatchObject({ title: 'Interpreters at screening', position: 'k' });

    client.connect();
    client.sync();
    expect(client.state.pending).toHaveLength(0);
    expect(server.liveItems()).toMatchObject([{ id: 'offline-1', title: 'Interpreters at screening', position: 'k' }]);
    expect(client.items()).toEqual(server.liveItems());
  });

  it('undoes a delete with item.restore, optimistically and on the server', () => {
    const client = live();
    create(client, 'item-0001', 'Legal aid', 'V');
    client.sync();
    client.engine.submit('item.delete', { id: 'item-0001' });
    expect(client.items()).toEqual([]);
    client.engine.submit('item.restore', { id: 'item-0001' });
    expect(titles(client)).toEqual(['Legal aid']);
    client.sync();
    expect(titles(client)).toEqual(['Legal aid']);
    expect(client.server.liveItems()).toHaveLength(1);
  });
});

describe('reorder', () => {
  it('moves an item between two others and keeps the order once confirmed', () => {
    const client = live();
    create(client, 'item-000a', 'A', 'F');
    create(client, 'item-000b', 'B', 'V');
    create(client, 'item-000c', 'C', 'k');
    client.sync();
    client.engine.submit('item.move', { id: 'item-000c', position: keyBetween('F', 'V') });
    expect(titles(client)).toEqual(['A', 'C', 'B']);
    client.sync();
    expect(titles(client)).toEqual(['A', 'C', 'B']);
    expect(client.state.confirmed.item['item-000c']?.position).toBe('N');
  });

  it('settles two concurrent moves of one item by server order', () => {
    const server = new FakeServer();
    const a = live(server);
    create(a, 'item-000a', 'A', 'F');
    create(a, 'item-000b', 'B', 'V');
    create(a, 'item-000c', 'C', 'k');
    a.sync();
    const b = live(server, { memberId: 2 });
    a.engine.submit('item.move', { id: 'item-000a', position: keyForSlot('V', 'k') });
    b.engine.submit('item.move', { id: 'item-000a', position: keyForSlot('k', null) });
    b.conn?.pump(); // b's move reaches the server first
    a.conn?.pump();
    settle([a, b]);
    expect(titles(a)).toEqual(['B', 'A', 'C']);
    expect(titles(b)).toEqual(titles(a));
  });
});

describe('reconnect', () => {
  it('sends hello with last_seq and resends pending ops in order after welcome', () => {
    const server = new FakeServer();
    const client = live(server);
    create(client, 'item-0001', 'One', 'V');
    client.sync();
    client.disconnect();
    create(client, 'item-0002', 'Two', 'k');
    client.engine.submit('item.update', { id: 'item-0001', detail: 'more' });
    expect(client.state.pending.map((o) => o.op_id)).toEqual([2, 3]);

    client.sent.length = 0;
    client.connect();
    client.sync();
    expect(client.sent[0]).toMatchObject({ type: 'hello', last_seq: 1, client_id: client.outbox.clientId });
    expect(client.sent.slice(1).map((m) => (m.type === 'op' ? m.op_id : m.type))).toEqual([2, 3]);
    expect(client.state.pending).toHaveLength(0);
    expect(client.items()).toEqual(server.liveItems());
  });

  it('does not apply twice an op whose event was lost with the connection', () => {
    const server = new FakeServer();
    const client = live(server);
    create(client, 'item-0001', 'One', 'V');
    client.conn?.pump(); // committed; the event is on its way...
    client.disconnect(); // ...and lost
    expect(client.state.pending).toHaveLength(1);

    client.connect();
    client.sync();
    expect(server.seq).toBe(1);
    expect(client.state.pending).toHaveLength(0);
    expect(client.items()).toEqual(server.liveItems());
  });

  it('drops a pending op the server answers with ack{duplicate}', () => {
    const server = new FakeServer();
    const client = live(server);
    create(client, 'item-0001', 'One', 'V');
    client.conn?.pump();
    // The welcome comes from a server that handled op 1 but whose events we skip over.
    client.disconnect();
    const conn = server.connect();
    client.conn = conn;
    client.engine.opened();
    conn.pump();
    conn.outbound.length = 0; // lose the welcome's catch-up, keep the handshake state
    client.engine.receive({ type: 'welcome', protocol: 1, head_seq: 1, last_op_id: 1, mode: 'events', member_id: 1 });
    conn.pump();
    expect(conn.outbound).toEqual([{ type: 'ack', op_id: 1, duplicate: true, seq: 1 }]);
    client.deliver();
    // Done, but its event (seq 1) has not arrived: the change stays on screen meanwhile.
    expect(client.state.pending).toHaveLength(1);
    expect(titles(client)).toEqual(['One']);
    server.commitExternal('item.update', { id: 'item-0001', title: 'One!' });
    client.sync(); // a gap, a catch-up from seq 0, and the op's event with it
    expect(client.state.pending).toHaveLength(0);
    expect(titles(client)).toEqual(['One!']);
  });

  it('takes a snapshot when too far behind, then applies pending ops over it', () => {
    const server = new FakeServer();
    server.snapshotThreshold = 2;
    const client = live(server);
    create(client, 'item-0001', 'Mine', 'V');
    client.sync();
    client.disconnect();
    for (let i = 0; i < 3; i += 1) {
      server.commitExternal('item.create', { id: `remote-00${i}`, checklist_id: 1, kind: 'response', title: `R${i}` });
    }
    client.engine.submit('item.update', { id: 'item-0001', title: 'Mine, edited offline' });

    client.connect();
    client.conn?.pump(1); // hello only
    client.deliver(2); // welcome + snapshot
    expect(client.state.seq).toBe(4);
    expect(client.state.confirmed.item['remote-000']).toBeDefined();
    expect(client.state.tables.item['item-0001']?.title).toBe('Mine, edited offline');
    expect(client.state.confirmed.item['item-0001']?.title).toBe('Mine');
    client.sync();
    expect(client.items()).toEqual(server.liveItems());
  });
});

describe('a snapshot mid-stream', () => {
  it('confirms the pending ops it already holds (the server resends no event for them)', () => {
    const server = new FakeServer();
    const client = live(server);
    create(client, 'item-0001', 'Mine', 'V');
    client.conn?.pump(); // the server applies the op ...
    client.conn!.outbound.length = 0; // ... but sends a snapshot instead of its event
    client.conn!.outbound.push(server.snapshot());
    client.deliver();
    expect(client.state.confirmed.item['item-0001']?.title).toBe('Mine');
    client.sync();
    expect(client.state.pending).toHaveLength(0);
    expect(server.liveItems()).toHaveLength(1);
  });
});

describe('gaps', () => {
  it('reconnects with hello{last_seq} when a batch does not continue at last_seq + 1', () => {
    const server = new FakeServer();
    const client = live(server);
    server.commitExternal('item.create', { id: 'remote-001', checklist_id: 1, kind: 'need', title: 'One', position: 'V' });
    client.sync();
    server.loseNextBatch(client.conn!);
    server.commitExternal('item.create', { id: 'remote-002', checklist_id: 1, kind: 'need', title: 'Two', position: 'k' });
    server.commitExternal('item.create', { id: 'remote-003', checklist_id: 1, kind: 'need', title: 'Three', position: 's' });
    client.sent.length = 0;
    client.sync();
    expect(client.reconnects).toEqual(['gap: expected seq 2, got 3']);
    expect(client.sent[0]).toMatchObject({ type: 'hello', last_seq: 1 });
    expect(titles(client)).toEqual(['One', 'Two', 'Three']);
    expect(client.state.seq).toBe(3);
  });

  it('treats events it may not see, covered by from/to, as no gap', () => {
    const server = new FakeServer();
    const client = live(server);
    server.commitInvisible();
    server.commitInvisible();
    server.commitExternal('item.create', { id: 'remote-001', checklist_id: 1, kind: 'need', title: 'One' });
    client.sync();
    expect(client.reconnects).toEqual([]);
    expect(client.state.seq).toBe(3);
  });
});

describe('reject', () => {
  it('removes the op, undoes its guess and keeps the reason for the person', () => {
    const server = new FakeServer();
    const client = live(server);
    create(client, 'item-0001', 'One', 'V');
    client.sync();
    server.forcedRejects.push('forbidden');
    client.engine.submit('item.update', { id: 'item-0001', title: 'Changed' });
    expect(titles(client)).toEqual(['Changed']);
    client.sync();
    expect(titles(client)).toEqual(['One']);
    expect(client.state.pending).toHaveLength(0);
    expect(client.state.problems).toMatchObject([{ code: 'forbidden', op: { kind: 'item.update' } }]);
    client.engine.dismissProblem(client.state.problems[0]!.id);
    expect(client.state.problems).toEqual([]);
  });

  it('answers a resend of a refused op with ack, so it is not tried twice', () => {
    const server = new FakeServer();
    const client = live(server);
    client.engine.submit('item.update', { id: 'missing-1', title: 'x' });
    client.conn?.pump();
    client.disconnect(); // the reject is lost
    client.connect();
    client.sync();
    expect(client.state.pending).toHaveLength(0);
    expect(server.seq).toBe(0);
  });

  it('resends in order, under the same op ids, the ops the server could not take (1013)', () => {
    const server = new FakeServer();
    const client = live(server);
    server.forcedRejects.push('unavailable');
    create(client, 'item-0001', 'One', 'V');
    client.engine.submit('item.update', { id: 'item-0001', title: 'One, edited' });
    client.sync();
    expect(client.reconnects).toHaveLength(1);
    expect(client.state.problems).toEqual([]);
    expect(server.liveItems().map((i) => i.title)).toEqual(['One, edited']);
    expect(client.outbox.lastOpId).toBe(2);
    expect(client.state.pending).toHaveLength(0);
  });

  it('keeps pending ops through a 1013 close that came without a reject', () => {
    const server = new FakeServer();
    const client = live(server);
    create(client, 'item-0001', 'One', 'V');
    client.engine.submit('item.update', { id: 'item-0001', title: 'Two' });
    client.conn?.closeWith(1013, 'database unavailable');
    client.sync();
    expect(client.serverCloses).toEqual([1013]);
    expect(client.state.link).toBe('offline');
    expect(titles(client)).toEqual(['Two']);
    client.connect();
    client.sync();
    expect(server.liveItems().map((i) => i.title)).toEqual(['Two']);
    expect(client.state.pending).toHaveLength(0);
  });

  it('drops with a problem an op the server says it refused earlier (ack seq null)', () => {
    const server = new FakeServer();
    const client = live(server);
    server.forcedRejects.push('forbidden');
    client.engine.submit('item.update', { id: 'missing-1', title: 'Lost reason' });
    client.conn?.pump();
    client.disconnect(); // the reject is lost
    client.connect();
    client.sync();
    expect(client.state.pending).toHaveLength(0);
    expect(client.state.problems).toMatchObject([{ code: 'refused_earlier', op: { args: { title: 'Lost reason' } } }]);
  });

  it('keeps an acknowledged op until the state reaches the seq of its event', () => {
    const server = new FakeServer();
    const client = live(server);
    create(client, 'item-0001', 'One', 'V');
    const [op] = client.state.pending;
    client.engine.receive({ type: 'ack', op_id: op!.op_id, duplicate: true, seq: 1 });
    expect(client.state.pending).toHaveLength(1);
    expect(titles(client)).toEqual(['One']);
    client.sync();
    expect(client.state.seq).toBe(1);
    expect(client.state.pending).toHaveLength(0);
  });

  it('counts an ack without a seq (an older server) as done', () => {
    const client = live();
    create(client, 'item-0001', 'One', 'V');
    const [op] = client.state.pending;
    client.engine.receive({ type: 'ack', op_id: op!.op_id, duplicate: true });
    expect(client.state.pending).toHaveLength(0);
  });

  it('refuses locally an op too large to send', () => {
    const client = live();
    const result = create(client, 'item-0001', 'x'.repeat(70_000));
    expect(result.ok).toBe(false);
    expect(client.state.pending).toHaveLength(0);
    expect(client.state.problems[0]?.code).toBe('too_large');
  });
});

describe('conflicts', () => {
  it('tells a person when their edit replaced someone else’s recent change', () => {
    const server = new FakeServer();
    const a = live(server);
    create(a, 'item-0001', 'One', 'V');
    a.sync();
    const b = live(server, { memberId: 2 });
    const seen = b.state.confirmed.item['item-0001']!.updated_seq;
    a.engine.submit('item.update', { id: 'item-0001', title: 'From A', base_version: seen });
    b.engine.submit('item.update', { id: 'item-0001', title: 'From B', base_version: seen });
    a.conn?.pump();
    settle([a, b]);
    expect(b.state.notices).toMatchObject([{ itemId: 'item-0001', fields: ['title'] }]);
    expect(a.state.notices).toEqual([]);
    expect(titles(a)).toEqual(['From B']);
  });
});

describe('persistence', () => {
  it('keeps pending ops and op ids across a reload', () => {
    const store = new MemoryStore();
    const server = new FakeServer();
    const first = new TestClient(server, { store, clientId: 'client-aaaa' });
    create(first, 'item-0001', 'Typed before the reload', 'V');
    create(first, 'item-0002', 'And this', 'k');

    const outbox = new Outbox(store, { workshopId: 1, memberId: 1 }, 'client-aaaa');
    expect(outbox.pending.map((o) => o.op_id)).toEqual([1, 2]);
    const engine = new SyncEngine({ workshopId: 1, outbox });
    expect(Object.keys(engine.state.tables.item).sort()).toEqual(['item-0001', 'item-0002']);
    expect(outbox.add('item.delete', { id: 'item-0002' }).op_id).toBe(3);
  });
});

describe('votes and comments', () => {
  const myVotes = (client: TestClient) =>
    Object.values(client.state.tables.vote)
      .filter((v) => v.member_id === 1)
      .map((v) => [v.item_id, v.count]);

  it('shows a vote at once under a local id, then the server’s vote in its place', () => {
    const server = new FakeServer();
    const client = live(server);
    create(client, 'item-0001', 'One', 'V');
    client.sync();
    client.engine.submit('vote.set', { item_id: 'item-0001', count: 1 });
    client.engine.submit('vote.set', { item_id: 'item-0001', count: 2 });
    expect(Object.keys(client.state.tables.vote)).toEqual(['local:item-0001']);
    expect(myVotes(client)).toEqual([['item-0001', 2]]);

    client.sync();
    expect(Object.keys(client.state.tables.vote)).toEqual(['1']);
    expect(myVotes(client)).toEqual([['item-0001', 2]]);
    client.engine.submit('vote.set', { item_id: 'item-0001', count: 0 });
    expect(myVotes(client)).toEqual([]);
    client.sync();
    expect(client.state.confirmed.vote).toEqual({});
  });

  it('takes back a vote over the budget when the server refuses it', () => {
    const server = new FakeServer();
    server.voteBudget = 1;
    const client = live(server);
    create(client, 'item-0001', 'One', 'V');
    create(client, 'item-0002', 'Two', 'k');
    client.sync();
    client.engine.submit('vote.set', { item_id: 'item-0001', count: 1 });
    client.engine.submit('vote.set', { item_id: 'item-0002', count: 1 });
    expect(myVotes(client)).toHaveLength(2);
    client.sync();
    expect(myVotes(client)).toEqual([['item-0001', 1]]);
    expect(client.state.problems).toMatchObject([{ code: 'over_budget', op: { kind: 'vote.set' } }]);
  });

  it('lets a comment written offline be edited and deleted before it is sent', () => {
    const server = new FakeServer();
    const client = live(server);
    create(client, 'item-0001', 'One', 'V');
    client.sync();
    client.disconnect();
    client.engine.submit('comment.create', { id: 'comment-001', item_id: 'item-0001', body: ' First ' });
    client.engine.submit('comment.create', { id: 'comment-002', item_id: 'item-0001', body: 'Second' });
    client.engine.submit('comment.update', { id: 'comment-001', body: 'First, edited' });
    client.engine.submit('comment.delete', { id: 'comment-002' });
    expect(Object.values(client.state.tables.comment).map((c) => [c.id, c.body, c.author_id])).toEqual([
      ['comment-001', 'First, edited', 1],
    ]);

    client.connect();
    client.sync();
    expect(client.state.pending).toHaveLength(0);
    expect(client.state.confirmed.comment['comment-001']).toMatchObject({ body: 'First, edited', created_seq: 2 });
    expect(client.state.confirmed.comment['comment-002']).toBeUndefined();
  });
});
