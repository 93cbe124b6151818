/**
 * The sync engine: confirmed state at `seq`, plus the outbox's pending ops applied on top.
 *
 * - `events` must continue exactly at `seq + 1`; otherwise a gap was found and the engine asks
 *   the transport to reconnect, sending `hello{last_seq}` to be caught up.
 * - An event carrying this client's (client_id, op_id) confirms that pending op; `ack` (a
 *   duplicate) drops it once the state has reached the ack's seq, or, when that seq is null
 *   (refused earlier, reason lost), drops it with a problem; `reject` drops it and records a
 *   problem for the person to see, except `unavailable`: the op stays, and is resent in order
 *   after the reconnect that follows (the server closes with 1013).
 * - A `snapshot` replaces the confirmed state; pending ops are applied again on top.
 * - After `welcome` every pending op is sent again, in op id order (the server skips those it
 *   has handled already and answers them with `ack`).
 *
 * It knows nothing of sockets or views: a Transport carries messages, and listeners are told
 * when `state` (an immutable object) has been replaced.
 */

import { Outbox, type PendingOp } from './outbox';
import { predict, type OpArgs, type OpKind, type PredictContext } from './ops';
import {
  applyPresence,
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  RETRYABLE_REJECT_CODES,
  type Ack,
  type ClientMessage,
  type EventsMessage,
  type Item,
  type PresenceEntry,
  type Reject,
  type ServerMessage,
  type Snapshot,
  type Welcome,
} from './protocol';
import { EMPTY_TABLES, TablesDraft, tablesFromSnapshot, type Tables } from './state';

export type LinkState = 'offline' | 'connecting' | 'syncing' | 'live' | 'failed';

export interface OpProblem {
  id: number;
  /** The op that was refused (null when the server could not tell which). */
  op: PendingOp | null;
  code: string;
  message: string;
  field: string | null;
}

/** My change replaced someone else's recent change to these fields. */
export interface OverwriteNotice {
  id: number;
  itemId: string;
  fields: string[];
}

export interface EngineState {
  readonly link: LinkState;
  /** Why the link failed for good (a close the person has to act on). */
  readonly failure: string | null;
  readonly seq: number;
  readonly clientId: string;
  readonly memberId: number | null;
  /** What the server has confirmed. */
  readonly confirmed: Tables;
  /** Confirmed state with every pending op applied: what the person sees. */
  readonly tables: Tables;
  readonly pending: readonly PendingOp[];
  readonly presence: readonly PresenceEntry[];
  readonly problems: readonly OpProblem[];
  readonly notices: readonly OverwriteNotice[];
  /** False when pending ops could not be written to storage. */
  readonly persistent: boolean;
}

export interface Transport {
  send(message: ClientMessage): boolean;
  /** Drop this connection and open a new one (after the backoff delay when `backoff`). */
  reconnect(reason: string, backoff: boolean): void;
  /** The connection is established: reset the backoff. */
  healthy(): void;
}

export interface EngineOptions {
  workshopId: number;
  outbox: Outbox;
  memberId?: number | null;
  /** Confirmed state saved earlier (hello then asks only for what happened since). */
  initial?: { seq: number; tables: Tables } | null;
}

export type SubmitResult = { ok: true; op: PendingOp } | { ok: false; problem: OpProblem };

const KEEP_DELETED = 200;
const KEEP_MESSAGES = 20;
const encoder = new TextEncoder();

export class SyncEngine {
  readonly workshopId: number;
  private readonly outbox: Outbox;
  private transport: Transport | null = null;
  private confirmed: Tables;
  private seq: number;
  private memberId: number | null;
  private welcomed = false;
  private link: LinkState = 'offline';
  private failure: string | null = null;
  private presence: PresenceEntry[] = [];
  private myPresence: { checklist_id: number | null; editing_item_id: string | null } | null = null;
  private problems: OpProblem[] = [];
  private notices: OverwriteNotice[] = [];
  private messageIds = 0;
  /** Ops acknowledged as done at a seq this client has not reached yet: op id -> seq. */
  private readonly acked = new Map<number, number>();
  /** Last values of deleted items, for an optimistic restore. */
  private readonly deleted = new Map<string, Item>();
  private current: EngineState;
  private readonly listeners = new Set<(state: EngineState) => void>();

  constructor(options: EngineOptions) {
    this.workshopId = options.workshopId;
    this.outbox = options.outbox;
    this.memberId = options.memberId ?? null;
    this.confirmed = options.initial?.tables ?? EMPTY_TABLES;
    this.seq = options.initial?.seq ?? 0;
    this.current = this.build(this.view());
  }

  get state(): EngineState {
    return this.current;
  }

  subscribe(listener: (state: EngineState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  attach(transport: Transport): void {
    this.transport = transport;
  }

  // -- link lifecycle (called by the socket) -------------------------------------------
  connecting(): void {
    this.welcomed = false;
    this.setLink('connecting');
  }

  opened(): void {
    this.welcomed = false;
    this.send({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      workshop_id: this.workshopId,
      client_id: this.outbox.clientId,
      last_seq: this.seq,
    });
    this.setLink('syncing');
  }

  closed(fatal: string | null = null): void {
    this.welcomed = false;
    this.presence = [];
    this.failure = fatal;
    this.setLink(fatal ? 'failed' : 'offline');
  }

  // -- server messages -----------------------------------------------------------------
  receive(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome':
        return this.onWelcome(message);
      case 'snapshot':
        return this.onSnapshot(message);
      case 'events':
        return this.onEvents(message);
      case 'ack':
        return this.onAck(message);
      case 'reject':
        return this.onReject(message);
      case 'presence':
        this.presence = applyPresence(this.presence, message);
        return this.publish(false);
      case 'pong':
      case 'notice':
        return;
    }
  }

  private onWelcome(welcome: Welcome): void {
    this.welcomed = true;
    this.memberId = welcome.member_id;
    this.failure = null;
    this.outbox.seen(welcome.last_op_id);
    this.transport?.healthy();
    for (const op of this.outbox.pending) this.sendOp(op);
    if (this.myPresence) this.send({ type: 'presence', ...this.myPresence });
    this.link = welcome.mode === 'snapshot' ? 'syncing' : 'live';
    this.publish(false);
  }

  private onSnapshot(snapshot: Snapshot): void {
    if (!this.welcomed) return;
    // A snapshot mid-stream (the server resyncs a connection when an event spans checklists
    // not everyone may read) carries no op ids: resend the pending ops, so those it already
    // holds come back as `ack{seq}` and the others are handled as usual.
    const midStream = this.link === 'live';
    const next = tablesFromSnapshot(snapshot);
    for (const [id, item] of Object.entries(this.confirmed.item)) {
      if (!next.item[id]) this.rememberDeleted(item);
    }
    this.confirmed = next;
    this.seq = snapshot.seq;
    this.link = 'live';
    this.outbox.remove(this.reachedAcks());
    if (midStream) for (const op of this.outbox.pending) this.sendOp(op);
    this.publish(true);
  }

  private onEvents(batch: EventsMessage): void {
    if (!this.welcomed || batch.to <= this.seq) return;
    if (batch.from !== this.seq + 1) {
      this.welcomed = false;
      this.transport?.reconnect(`gap: expected seq ${this.seq + 1}, got ${batch.from}`, false);
      return;
    }
    const draft = new TablesDraft(this.confirmed, (entity, row) => {
      if (entity === 'item') this.rememberDeleted(row as unknown as Item);
    });
    const mine: number[] = [];
    const redacted: string[] = [];
    for (const event of batch.events) {
      draft.applyAll(event.changes);
      for (const change of event.changes as readonly { entity: string; id: unknown }[]) {
        if (change.entity === 'redaction') redacted.push(String(change.id));
      }
      if (event.client_id !== this.outbox.clientId || event.op_id === null) continue;
      mine.push(event.op_id);
      for (const change of event.changes) {
        if ('overwrote' in change && change.overwrote?.length) {
          this.notices = this.keep([
            ...this.notices,
            { id: ++this.messageIds, itemId: String(change.id), fields: change.overwrote },
          ]);
        }
      }
    }
    this.confirmed = draft.finish();
    this.seq = batch.to;
    this.outbox.remove([...mine, ...this.reachedAcks()]);
    for (const id of redacted) this.dropCopies(id);
    this.publish(true);
  }

  /**
   * A facilitator redacted personal details from row `id` (an item or a comment): the
   * confirmed state already holds the redacted text; drop every other copy this client keeps
   * of the old one: unsent changes to its text (in memory and in storage), the last values
   * of a deleted item, and refused ops shown as problems.
   */
  private dropCopies(id: string): void {
    const carriesText = (op: PendingOp) =>
      (op.args.id === id || op.args.item_id === id) &&
      ['title', 'detail', 'body'].some((field) => typeof op.args[field] === 'string');
    this.outbox.remove(this.outbox.pending.filter(carriesText).map((op) => op.op_id));
    this.deleted.delete(id);
    this.problems = this.problems.filter((p) => !(p.op && carriesText(p.op)));
  }

  private onAck(ack: Ack): void {
    if (ack.seq === null) {
      // Refused on an earlier connection whose reject was lost: say so, the reason is gone.
      const op = this.outbox.pending.find((o) => o.op_id === ack.op_id);
      if (!op) return;
      this.outbox.remove([op.op_id]);
      this.addProblem(op, 'refused_earlier', 'this change was refused earlier; the reason was not kept', null);
      this.publish(true);
    } else if (typeof ack.seq === 'number' && ack.seq > this.seq) {
      // Its event is still on the way: keep showing the change until it arrives.
      this.acked.set(ack.op_id, ack.seq);
    } else {
      this.settle([ack.op_id]);
    }
  }

  /** Acknowledged ops whose seq the confirmed state has reached (forgotten once returned). */
  private reachedAcks(): number[] {
    const done: number[] = [];
    for (const [opId, seq] of this.acked) {
      if (seq <= this.seq) {
        done.push(opId);
        this.acked.delete(opId);
      }
    }
    return done;
  }

  private onReject(reject: Reject): void {
    const op = this.outbox.pending.find((o) => o.op_id === reject.op_id) ?? null;
    if (op && RETRYABLE_REJECT_CODES.has(reject.code)) {
      // Not recorded by the server, which closes this socket before any later op: send
      // nothing more on it, and resend everything pending, in order, on the next one.
      this.welcomed = false;
      this.transport?.reconnect(`server busy: ${reject.message}`, true);
      this.publish(false);
      return;
    }
    if (op) this.outbox.remove([op.op_id]);
    this.addProblem(op, reject.code, reject.message, reject.field ?? null);
    this.publish(op !== null);
  }

  private settle(opIds: number[]): void {
    if (this.outbox.remove(opIds).length > 0) this.publish(true);
  }

  // -- local changes -------------------------------------------------------------------
  submit<K extends OpKind>(kind: K, args: OpArgs[K]): SubmitResult {
    const size = encoder.encode(JSON.stringify({ type: 'op', op_id: 2 ** 53, kind, args })).length;
    if (size > MAX_MESSAGE_BYTES) {
      const problem = this.addProblem(
        { op_id: 0, kind, args: { ...args } },
        'too_large',
        `this change is too large to send (${Math.ceil(size / 1024)} KB; the limit is ${MAX_MESSAGE_BYTES / 1024} KB)`,
        null,
      );
      this.publish(false);
      return { ok: false, problem };
    }
    const op = this.outbox.add(kind, args);
    if (this.welcomed) this.sendOp(op);
    this.publish(true);
    return { ok: true, op };
  }

  setPresence(checklistId: number | null, editingItemId: string | null): void {
    const next = { checklist_id: checklistId, editing_item_id: editingItemId };
    const last = this.myPresence;
    if (last && last.checklist_id === checklistId && last.editing_item_id === editingItemId) return;
    this.myPresence = next;
    if (this.welcomed) this.send({ type: 'presence', ...next });
  }

  dismissProblem(id: number): void {
    this.problems = this.problems.filter((p) => p.id !== id);
    this.publish(false);
  }

  dismissNotice(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
    this.publish(false);
  }

  /** Last known values of an item that is deleted now (confirmed or pending). */
  deletedItem(id: string): Item | undefined {
    return this.deleted.get(id);
  }

  // -- internals -----------------------------------------------------------------------
  private sendOp(op: PendingOp): void {
    this.send({ type: 'op', op_id: op.op_id, kind: op.kind, args: op.args });
  }

  private send(message: ClientMessage): void {
    this.transport?.send(message);
  }

  private addProblem(op: PendingOp | null, code: string, message: string, field: string | null): OpProblem {
    const problem = { id: ++this.messageIds, op, code, message, field };
    this.problems = this.keep([...this.problems, problem]);
    return problem;
  }

  private keep<T>(list: T[]): T[] {
    return list.length > KEEP_MESSAGES ? list.slice(-KEEP_MESSAGES) : list;
  }

  private rememberDeleted(item: Item): void {
    this.deleted.delete(item.id);
    this.deleted.set(item.id, item);
    if (this.deleted.size > KEEP_DELETED) {
      const oldest = this.deleted.keys().next().value;
      if (oldest !== undefined) this.deleted.delete(oldest);
    }
  }

  /** Confirmed state with the pending ops applied in op id order. */
  private view(): Tables {
    const pending = this.outbox.pending;
    if (pending.length === 0) return this.confirmed;
    const deletedNow = new Map(this.deleted);
    const draft = new TablesDraft(this.confirmed, (entity, row) => {
      if (entity === 'item') deletedNow.set(String(row.id), row as unknown as Item);
    });
    const ctx: PredictContext = {
      workshopId: this.workshopId,
      memberId: this.memberId,
      deletedItems: deletedNow,
      rows: (entity) => Object.values(draft.table(entity)),
    };
    const read: Parameters<typeof predict>[2] = (entity, id) => draft.get(entity, id);
    for (const op of pending) draft.applyAll(predict(op.kind, op.args, read, ctx));
    return draft.finish();
  }

  private setLink(link: LinkState): void {
    this.link = link;
    this.publish(false);
  }

  private build(tables: Tables): EngineState {
    return {
      link: this.link,
      failure: this.failure,
      seq: this.seq,
      clientId: this.outbox.clientId,
      memberId: this.memberId,
      confirmed: this.confirmed,
      tables,
      pending: this.outbox.pending,
      presence: this.presence,
      problems: this.problems,
      notices: this.notices,
      persistent: this.outbox.persistent,
    };
  }

  private publish(dataChanged: boolean): void {
    this.current = this.build(dataChanged ? this.view() : this.current.tables);
    for (const listener of this.listeners) listener(this.current);
  }
}
