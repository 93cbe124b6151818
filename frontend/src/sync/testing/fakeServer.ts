/**
 * An in-memory server implementing the live protocol's contract, for tests: a gapless log,
 * de-duplication by (client_id, op_id) that also remembers refused ops, catch-up with
 * `events{from,to}` or a snapshot, `ack{seq}` for duplicates (seq null: refused), `reject`
 * with a code (after `unavailable` it closes with 1013 and handles nothing more), presence.
 * Checklist ops follow backend/roundtable/checklists/ops.py closely enough to converge.
 *
 * Delivery is manual in both directions, so tests choose every interleaving.
 */

import { keyBetween } from '../ordering';
import type {
  Change,
  Checklist,
  ClientMessage,
  Comment,
  Item,
  Member,
  ServerEvent,
  ServerMessage,
  Snapshot,
  Workshop,
} from '../protocol';

const WORKSHOP: Workshop = {
  id: 1,
  title: 'Roundtable',
  starts_on: null,
  ends_on: null,
  venue: '',
  organisers: [],
  description: '',
  attribution: 'named',
  phase: 'breakout',
  reveal: false,
  vote_budget: 5,
  breakout_ends_at: null,
  announcement: '',
  announced_at: null,
};

class Rejected extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

export class FakeConnection {
  /** Client -> server messages not yet handled. */
  readonly inbound: ClientMessage[] = [];
  /** Server -> client messages not yet delivered. */
  readonly outbound: ServerMessage[] = [];
  open = true;
  /** Set when the server closes this connection: the client sees the close after the
   * messages already queued. */
  closing: { code: number; reason: string } | null = null;
  helloed = false;
  clientId = '';
  lastDelivered = 0;
  memberId: number;

  constructor(
    private readonly server: FakeServer,
    memberId: number,
  ) {
    this.memberId = memberId;
  }

  /** Handles up to `count` queued client messages. */
  pump(count = Infinity): void {
    while (count-- > 0 && this.open && !this.closing && this.inbound.length > 0) {
      this.server.handle(this, this.inbound.shift() as ClientMessage);
    }
  }

  /** The server ends the connection; what the client sent after is never handled. */
  closeWith(code: number, reason: string): void {
    this.closing = { code, reason };
    this.inbound.length = 0;
  }

  close(): void {
    this.open = false;
    this.inbound.length = 0;
    this.outbound.length = 0;
    this.server.leave(this);
  }
}

export class FakeServer {
  seq = 0;
  readonly items = new Map<string, Item & { deleted?: boolean; field_seqs?: Record<string, [number, string]> }>();
  readonly log: { event: ServerEvent; scope: number | null }[] = [];
  readonly comments = new Map<string, Comment & { deleted?: boolean }>();
  /** Votes by `${member_id}:${item_id}`. */
  readonly votes = new Map<string, { id: number; item_id: string; checklist_id: number; member_id: number; count: number }>();
  voteBudget = 5;
  private voteIds = 0;
  readonly clients = new Map<string, number>();
  readonly connections = new Set<FakeConnection>();
  readonly checklists: Checklist[] = [
    { id: 1, group_id: 1, title: 'Group A' },
    { id: 2, group_id: 2, title: 'Group B' },
  ];
  readonly members: Member[] = [
    { id: 1, display_name: 'Ana', role: 'participant', group_id: 1, number: 1 },
    { id: 2, display_name: 'Budi', role: 'participant', group_id: 1, number: 2 },
  ];
  /** Catch-up beyond this many events is answered with a snapshot. */
  snapshotThreshold = 500;
  /** The next ops are refused with these codes, whatever they are. */
  readonly forcedRejects: string[] = [];
  private presence = new Map<FakeConnection, { checklist_id: number | null; editing_item_id: string | null }>();

  connect(memberId = 1): FakeConnection {
    const conn = new FakeConnection(this, memberId);
    this.connections.add(conn);
    return conn;
  }

  leave(conn: FakeConnection): void {
    this.connections.delete(conn);
    this.presence.delete(conn);
  }

  liveItems(): Item[] {
    return [...this.items.values()]
      .filter((i) => !i.deleted)
      .map(({ deleted: _d, field_seqs: _f, ...item }) => item)
      .sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : a.id < b.id ? -1 : 1));
  }

  /** A server-side write not coming from any connection (REST, another process). */
  commitExternal(kind: string, args: Record<string, unknown>, scope: number | null = 1): void {
    this.commit(null, null, kind, args, scope, 99);
  }

  /** An event the client is not allowed to see (another group's checklist). */
  commitInvisible(): void {
    this.seq += 1;
    const event = { seq: this.seq, client_id: null, op_id: null, actor: null, kind: 'item.update', changes: [], at: null };
    this.log.push({ event, scope: 2 });
    this.broadcast();
  }

  handle(conn: FakeConnection, message: ClientMessage): void {
    if (!conn.helloed) {
      if (message.type !== 'hello') throw new Error('expected hello');
      return this.hello(conn, message.client_id, message.last_seq);
    }
    switch (message.type) {
      case 'op':
        return this.op(conn, message.op_id, message.kind, message.args);
      case 'presence':
        this.presence.set(conn, { checklist_id: message.checklist_id, editing_item_id: message.editing_item_id });
        return this.sendPresence();
      case 'ping':
        conn.outbound.push({ type: 'pong' });
        return;
      case 'hello':
        conn.outbound.push({ type: 'reject', op_id: null, code: 'invalid', message: 'type: hello was already received' });
    }
  }

  private hello(conn: FakeConnection, clientId: string, lastSeq: number): void {
    conn.helloed = true;
    conn.clientId = clientId;
    const head = this.seq;
    const snapshot = lastSeq === 0 || head - lastSeq > this.snapshotThreshold || lastSeq > head;
    conn.outbound.push({
      type: 'welcome',
      protocol: 1,
      head_seq: head,
      last_op_id: this.clients.get(clientId) ?? 0,
      mode: snapshot ? 'snapshot' : 'events',
      member_id: conn.memberId,
    });
    if (snapshot) {
      conn.outbound.push(this.snapshot());
      conn.lastDelivered = head;
    } else {
      conn.lastDelivered = lastSeq;
      this.deliver(conn);
    }
  }

  snapshot(): Snapshot {
    return {
      type: 'snapshot',
      seq: this.seq,
      workshop: WORKSHOP,
      themes: [],
      groups: [],
      members: this.members,
      checklists: this.checklists.filter((c) => c.id === 1),
      items: this.liveItems().filter((i) => i.checklist_id === 1),
      comments: [...this.comments.values()].filter((c) => !c.deleted).map(({ deleted: _d, ...c }) => c),
      votes: [...this.votes.values()].map((v) => ({ ...v })),
    };
  }

  private op(conn: FakeConnection, opId: number, kind: string, args: Record<string, unknown>): void {
    const last = this.clients.get(conn.clientId) ?? 0;
    if (opId <= last) {
      // The seq of the op's event, or null when it had been refused.
      const seq = this.log.find((e) => e.event.client_id === conn.clientId && e.event.op_id === opId)?.event.seq;
      conn.outbound.push({ type: 'ack', op_id: opId, duplicate: true, seq: seq ?? null });
      return;
    }
    try {
      const forced = this.forcedRejects.shift();
      if (forced === 'unavailable') throw new Rejected('unavailable', 'the database is unavailable');
      if (forced) throw new Rejected(forced, `refused (${forced})`);
      this.commit(conn.clientId, opId, kind, args, 1, conn.memberId);
    } catch (error) {
      if (!(error instanceof Rejected)) throw error;
      if (error.code !== 'unavailable') this.clients.set(conn.clientId, opId);
      conn.outbound.push({ type: 'reject', op_id: opId, code: error.code, message: error.message, field: error.field });
      if (error.code === 'unavailable') conn.closeWith(1013, 'database unavailable');
    }
  }

  private commit(
    clientId: string | null,
    opId: number | null,
    kind: string,
    args: Record<string, unknown>,
    scope: number | null,
    actor: number,
  ): void {
    const seq = this.seq + 1;
    const changes = this.apply(kind, args, seq, clientId ?? '', actor);
    this.seq = seq;
    if (clientId !== null && opId !== null) this.clients.set(clientId, opId);
    this.log.push({ event: { seq, client_id: clientId, op_id: opId, actor, kind, changes, at: null }, scope });
    this.broadcast();
  }

  private apply(kind: string, args: Record<string, unknown>, seq: number, clientId: string, actor: number): Change[] {
    const id = String(args.id ?? '');
    const item = this.items.get(id);
    const live = item && !item.deleted ? item : undefined;
    switch (kind) {
      case 'item.create': {
        if (item) throw new Rejected('conflict', `args.id: an item '${id}' exists already`, 'args.id');
        const title = String(args.title ?? '').trim();
        if (!title) throw new Rejected('invalid', 'args.title: String should have at least 1 character', 'args.title');
        const last = this.liveItems().at(-1)?.position ?? null;
        const created: Item = {
          id,
          checklist_id: Number(args.checklist_id),
          kind: args.kind as Item['kind'],
          title,
          detail: String(args.detail ?? '').trim(),
          themes: (args.themes as string[]) ?? [],
          actors: (args.actors as string[]) ?? [],
          references: [],
          position: (args.position as string) ?? keyBetween(last, null),
          status: 'open',
          flags: [],
          created_by: actor,
          updated_seq: seq,
          merged_into: null,
        };
        this.items.set(id, { ...created, field_seqs: {} });
        return [{ entity: 'item', id, values: { ...created } }];
      }
      case 'item.update': {
        if (!live) throw new Rejected('not_found', `item ${id} does not exist in this workshop`);
        const fields = Object.fromEntries(
          Object.entries(args).filter(([k]) => !['id', 'base_version', 'if_version'].includes(k)),
        ) as Record<string, unknown>;
        if (typeof fields.title === 'string') fields.title = fields.title.trim();
        if (fields.title === '') throw new Rejected('invalid', 'args.title: may not be empty', 'args.title');
        const overwrote: string[] = [];
        const seqs = live.field_seqs ?? {};
        const base = args.base_version as number | undefined;
        for (const [name, value] of Object.entries(fields)) {
          const prior = seqs[name];
          const current = (live as unknown as Record<string, unknown>)[name];
          if (base !== undefined && prior && prior[0] > base && prior[1] !== clientId && current !== value) {
            overwrote.push(name);
          }
          (live as unknown as Record<string, unknown>)[name] = value;
          seqs[name] = [seq, clientId];
        }
        live.field_seqs = seqs;
        live.updated_seq = seq;
        const change: Change = { entity: 'item', id, values: { updated_seq: seq, ...fields } };
        if (overwrote.length) change.overwrote = overwrote;
        return [change];
      }
      case 'item.move':
        if (!live) throw new Rejected('not_found', `item ${id} does not exist in this workshop`);
        live.position = String(args.position);
        live.updated_seq = seq;
        return [{ entity: 'item', id, values: { position: live.position, updated_seq: seq } }];
      case 'item.delete':
        if (!live) throw new Rejected('not_found', `item ${id} does not exist in this workshop`);
        live.deleted = true;
        live.updated_seq = seq;
        return [{ entity: 'item', id, deleted: true }];
      case 'item.restore': {
        if (!item) throw new Rejected('not_found', `item ${id} does not exist in this workshop`);
        if (!item.deleted) throw new Rejected('conflict', `args.id: item ${id} is not deleted`, 'args.id');
        item.deleted = false;
        item.updated_seq = seq;
        const { deleted: _d, field_seqs: _f, ...values } = item;
        return [{ entity: 'item', id, values }];
      }
      case 'comment.create': {
        const on = this.items.get(String(args.item_id));
        if (!on || on.deleted) throw new Rejected('not_found', `item ${String(args.item_id)} does not exist in this workshop`);
        if (this.comments.has(id)) throw new Rejected('conflict', `args.id: a comment '${id}' exists already`, 'args.id');
        const comment: Comment = {
          id,
          item_id: on.id,
          author_id: actor,
          body: String(args.body).trim(),
          created_seq: seq,
          updated_seq: seq,
        };
        this.comments.set(id, { ...comment });
        return [{ entity: 'comment', id, values: { ...comment } }];
      }
      case 'comment.update':
      case 'comment.delete': {
        const comment = this.comments.get(id);
        if (!comment || comment.deleted) throw new Rejected('not_found', `comment ${id} does not exist in this workshop`);
        if (comment.author_id !== actor) throw new Rejected('forbidden', 'you can only change your own comments');
        comment.updated_seq = seq;
        if (kind === 'comment.delete') {
          comment.deleted = true;
          return [{ entity: 'comment', id, deleted: true }];
        }
        comment.body = String(args.body).trim();
        return [{ entity: 'comment', id, values: { body: comment.body, updated_seq: seq } }];
      }
      case 'vote.set': {
        const on = this.items.get(String(args.item_id));
        if (!on || on.deleted) throw new Rejected('not_found', `item ${String(args.item_id)} does not exist in this workshop`);
        const key = `${actor}:${on.id}`;
        const count = Number(args.count);
        const vote = this.votes.get(key);
        let used = 0;
        for (const v of this.votes.values()) if (v.member_id === actor && !this.items.get(v.item_id)?.deleted) used += v.count;
        const left = this.voteBudget - (used - (vote?.count ?? 0));
        if (count > left) {
          throw new Rejected('over_budget', `args.count: ${count} votes exceed your budget; you have ${left} left`, 'args.count');
        }
        if (count === 0) {
          if (!vote) throw new Rejected('invalid', 'args.count: you have no votes on this item to remove', 'args.count');
          this.votes.delete(key);
          return [{ entity: 'vote', id: vote.id, deleted: true }];
        }
        const saved = vote ?? { id: ++this.voteIds, item_id: on.id, checklist_id: on.checklist_id, member_id: actor, count };
        saved.count = count;
        this.votes.set(key, saved);
        return [{ entity: 'vote', id: saved.id, values: { ...saved } }];
      }
      default:
        throw new Rejected('unknown_op', `kind: unknown op kind '${kind}'`, 'kind');
    }
  }

  private broadcast(): void {
    for (const conn of this.connections) if (conn.helloed && conn.open) this.deliver(conn);
  }

  /** Sends a connection everything after its last delivered seq that it may see. */
  deliver(conn: FakeConnection): void {
    const covered = this.log.filter((e) => e.event.seq > conn.lastDelivered);
    if (covered.length === 0) return;
    const visible = covered.filter((e) => e.scope === null || e.scope === 1).map((e) => e.event);
    if (visible.length === 0) return; // like the server: the next batch's `from` covers these
    conn.outbound.push({ type: 'events', from: conn.lastDelivered + 1, to: this.seq, events: visible });
    conn.lastDelivered = this.seq;
  }

  /** Loses the next batch on the way (a bug or a proxy): the client must spot the gap. */
  loseNextBatch(conn: FakeConnection): void {
    conn.lastDelivered = this.seq + 1;
  }

  private sendPresence(): void {
    const entries = [...this.presence.entries()].map(([conn, p], i) => ({
      session: `s${i}`,
      member_id: conn.memberId,
      ...p,
    }));
    for (const conn of this.connections) if (conn.helloed) conn.outbound.push({ type: 'presence', entries });
  }
}
