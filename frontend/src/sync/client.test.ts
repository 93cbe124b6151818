import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveClient } from './client';
import { MemoryStore } from './outbox';
import { FakeServer } from './testing/fakeServer';
import { FakeNetwork } from './testing/network';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function client(network: FakeNetwork, store = new MemoryStore()) {
  return new LiveClient({
    workshopId: 1,
    memberId: 1,
    clientId: 'client-0001',
    store,
    url: 'ws://test/api/ws',
    create: network.create,
    random: () => 0.5,
  });
}

const add = (c: LiveClient, id: string, title: string) =>
  c.submit('item.create', { id, checklist_id: 1, kind: 'need', title });

describe('LiveClient', () => {
  it('joins with a snapshot and confirms a new item', () => {
    const network = new FakeNetwork(new FakeServer());
    const c = client(network);
    c.start();
    network.flush();
    expect(c.state.link).toBe('live');
    add(c, 'item-0001', 'Safe houses');
    expect(c.state.pending).toHaveLength(1);
    network.flush();
    expect(c.state.pending).toHaveLength(0);
    expect(network.server.liveItems().map((i) => i.title)).toEqual(['Safe houses']);
  });

  it('keeps working through a drop and resends everything in order after reconnecting', () => {
    const network = new FakeNetwork(new FakeServer());
    const c = client(network);
    c.start();
    network.flush();
    add(c, 'item-0001', 'Sent, but the answer is lost');
    network.sockets.forEach((ws) => ws.conn?.pump()); // committed on the server
    network.drop();
    expect(c.state.link).toBe('offline');
    add(c, 'item-0002', 'Typed offline');
    c.submit('item.update', { id: 'item-0002', detail: 'and edited offline' });
    expect(c.state.pending).toHaveLength(3);

    vi.advanceTimersByTime(60_000); // retries fail while the network is down
    network.flush();
    network.up = true;
    c.wake();
    network.flush();
    expect(c.state.link).toBe('live');
    expect(c.state.pending).toHaveLength(0);
    expect(network.server.liveItems()).toMatchObject([
      { id: 'item-0001' },
      { id: 'item-0002', detail: 'and edited offline' },
    ]);
    expect(Object.keys(c.state.tables.item).sort()).toEqual(['item-0001', 'item-0002']);
  });

  it('after a reload, starts from the saved state and asks only for what it missed', () => {
    const store = new MemoryStore();
    const server = new FakeServer();
    const network = new FakeNetwork(server);
    const first = client(network, store);
    first.start();
    network.flush();
    add(first, 'item-0001', 'Before the reload');
    network.flush();
    vi.advanceTimersByTime(1000); // saved
    network.drop();
    add(first, 'item-0002', 'Typed just before the reload');
    first.stop();

    server.commitExternal('item.create', { id: 'remote-001', checklist_id: 1, kind: 'need', title: 'Meanwhile' });
    network.up = true;
    const second = client(network, store);
    expect(Object.keys(second.state.tables.item).sort()).toEqual(['item-0001', 'item-0002']);
    second.start();
    network.flush();
    const hello = [...network.sockets][0]?.sent[0];
    expect(hello).toMatchObject({ type: 'hello', last_seq: 1 });
    expect(Object.keys(second.state.tables.item).sort()).toEqual(['item-0001', 'item-0002', 'remote-001']);
    expect(second.state.pending).toHaveLength(0);
  });

  it('drops the socket when the browser reports it is offline, and reconnects on wake', () => {
    const network = new FakeNetwork(new FakeServer());
    const c = client(network);
    c.start();
    network.flush();
    c.offline();
    expect(c.state.link).toBe('offline');
    expect(network.sockets.size).toBe(0);
    add(c, 'item-0001', 'Typed offline');
    c.wake();
    network.flush();
    expect(c.state.link).toBe('live');
    expect(c.state.pending).toHaveLength(0);
  });

  it('stops and says why on a close the person must act on', () => {
    const network = new FakeNetwork(new FakeServer());
    const c = client(network);
    c.start();
    network.flush();
    [...network.sockets][0]?.serverCloses(4003, 'not a member of this workshop');
    expect(c.state.link).toBe('failed');
    expect(c.state.failure).toBe('forbidden');
  });
});
