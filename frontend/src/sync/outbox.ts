/**
 * The outbox: ops that the server has not confirmed yet, persisted per workshop and member
 * so they survive a reload or a crash, with the client_id they were sent under and the last
 * op id minted. Op ids strictly increase per client_id; the server skips any op id at or
 * below the last one it handled for that client_id.
 *
 * Two tabs must never share a client_id (their op ids would collide), so a tab claims one
 * with a Web Lock that the browser releases when the tab closes, reloads or crashes. A later
 * tab adopts an unclaimed client_id, and with it any ops still waiting in its outbox.
 */

import { type OpArgs, type OpKind } from './ops';

export interface PendingOp {
  op_id: number;
  kind: string;
  args: Record<string, unknown>;
}

/** The part of `Storage` the sync layer uses (localStorage in the browser). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export class MemoryStore implements KeyValueStore {
  readonly data = new Map<string, string>();
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.data.set(key, value);
  }
  removeItem(key: string): void {
    this.data.delete(key);
  }
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A random URL-safe id (16 characters = 96 bits), valid as an item, comment or client id. */
export function mintId(length = 16): string {
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  let out = '';
  for (const byte of bytes) out += ID_ALPHABET[byte & 63];
  return out;
}

/** An id whose order follows the time it was minted (to the millisecond), then chance. */
export function mintSortableId(now: number = Date.now()): string {
  return now.toString(36).padStart(9, '0') + mintId(11);
}

export interface OutboxScope {
  workshopId: number;
  memberId: number;
}

function indexKey(scope: OutboxScope): string {
  return `rt:clients:${scope.workshopId}:${scope.memberId}`;
}

function outboxKey(scope: OutboxScope, clientId: string): string {
  return `rt:outbox:${scope.workshopId}:${clientId}`;
}

interface Saved {
  lastOpId: number;
  pending: PendingOp[];
}

function readJson<T>(store: KeyValueStore, key: string): T | null {
  try {
    const text = store.getItem(key);
    return text === null ? null : (JSON.parse(text) as T);
  } catch {
    return null;
  }
}

export class Outbox {
  private ops: PendingOp[];
  private last: number;
  /** False once a write to storage failed (full or blocked): pending ops live in memory only. */
  persistent = true;

  constructor(
    private readonly store: KeyValueStore,
    private readonly scope: OutboxScope,
    readonly clientId: string,
  ) {
    const saved = readJson<Saved>(store, outboxKey(scope, clientId));
    this.ops = Array.isArray(saved?.pending) ? saved.pending.filter(isPendingOp) : [];
    this.ops.sort((a, b) => a.op_id - b.op_id);
    const lastPending = this.ops.at(-1)?.op_id ?? 0;
    this.last = Math.max(Number(saved?.lastOpId) || 0, lastPending);
  }

  get pending(): readonly PendingOp[] {
    return this.ops;
  }

  get lastOpId(): number {
    return this.last;
  }

  add<K extends OpKind>(kind: K, args: OpArgs[K]): PendingOp {
    this.last += 1;
    const op: PendingOp = { op_id: this.last, kind, args: { ...args } };
    this.ops = [...this.ops, op];
    this.save();
    return op;
  }

  /** Drops confirmed or refused ops; returns the ones it removed. */
  remove(opIds: Iterable<number>): PendingOp[] {
    const gone = new Set(opIds);
    const removed = this.ops.filter((op) => gone.has(op.op_id));
    if (removed.length > 0) {
      this.ops = this.ops.filter((op) => !gone.has(op.op_id));
      this.save();
    }
    return removed;
  }

  /** The server has handled op ids up to `opId` for this client: never mint those again. */
  seen(opId: number): void {
    if (opId > this.last) {
      this.last = opId;
      this.save();
    }
  }

  private save(): void {
    const saved: Saved = { lastOpId: this.last, pending: this.ops };
    try {
      this.store.setItem(outboxKey(this.scope, this.clientId), JSON.stringify(saved));
      this.persistent = true;
    } catch {
      this.persistent = false;
    }
  }
}

function isPendingOp(value: unknown): value is PendingOp {
  const op = value as PendingOp;
  return (
    typeof op === 'object' &&
    op !== null &&
    Number.isSafeInteger(op.op_id) &&
    op.op_id > 0 &&
    typeof op.kind === 'string' &&
    typeof op.args === 'object' &&
    op.args !== null
  );
}

/** The subset of `navigator.locks` used here. */
export interface LockManagerLike {
  request(
    name: string,
    options: { ifAvailable: boolean },
    callback: (lock: unknown) => Promise<void> | void,
  ): Promise<unknown>;
}

function knownClients(store: KeyValueStore, scope: OutboxScope): string[] {
  const ids = readJson<unknown>(store, indexKey(scope));
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}

/**
 * Picks the client_id this tab sends under: an unclaimed one this browser used before in
 * this workshop (its outbox comes with it), or a new one. With `locks` the claim lasts until
 * the tab goes away; without, the first known id is used (one tab at a time).
 */
export async function claimClientId(
  store: KeyValueStore,
  scope: OutboxScope,
  locks: LockManagerLike | null,
): Promise<string> {
  const known = knownClients(store, scope);
  // Prefer outboxes holding unsent ops, so nothing waits for a tab that never comes back.
  const waiting = (id: string) => (readJson<Saved>(store, outboxKey(scope, id))?.pending?.length ?? 0) > 0;
  const candidates = [...known.filter(waiting), ...known.filter((id) => !waiting(id))];
  if (!locks) {
    const id = candidates[0] ?? mintId();
    if (!known.includes(id)) remember(store, scope, [...known, id]);
    return id;
  }
  for (const id of candidates) {
    if (await tryHold(locks, scope, id)) return id;
  }
  const id = mintId();
  remember(store, scope, [...known, id]);
  await tryHold(locks, scope, id);
  return id;
}

function remember(store: KeyValueStore, scope: OutboxScope, ids: string[]): void {
  try {
    store.setItem(indexKey(scope), JSON.stringify(ids));
  } catch {
    // Storage is full or blocked: this tab still works, its outbox just won't outlive it.
  }
}

function tryHold(locks: LockManagerLike, scope: OutboxScope, id: string): Promise<boolean> {
  return new Promise((resolve) => {
    void locks.request(`rt:client:${scope.workshopId}:${id}`, { ifAvailable: true }, (lock) => {
      resolve(lock !== null);
      // Holding the lock for the tab's lifetime: the promise never settles.
      return lock === null ? undefined : new Promise<void>(() => {});
    });
  });
}

// -- the confirmed state, cached so a reload while offline still shows the checklist ----

export function stateKey(scope: OutboxScope): string {
  return `rt:state:${scope.workshopId}:${scope.memberId}`;
}

export function loadCached<T>(store: KeyValueStore, scope: OutboxScope): T | null {
  return readJson<T>(store, stateKey(scope));
}

export function saveCached(store: KeyValueStore, scope: OutboxScope, value: unknown): boolean {
  try {
    store.setItem(stateKey(scope), JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}
