/**
 * A live client for one workshop: the engine, its outbox, the socket, and the saved copy of
 * the confirmed state (so a reload while offline still shows the checklist and only asks the
 * server for what happened since). Framework-free; the stores bind it to views.
 */

import { SyncEngine, type EngineState, type SubmitResult } from './engine';
import type { OpArgs, OpKind } from './ops';
import { Outbox, loadCached, saveCached, type KeyValueStore, type OutboxScope } from './outbox';
import { CloseCode, ENTITY_NAMES, PROTOCOL_VERSION } from './protocol';
import { LiveSocket, type SocketOptions } from './socket';
import type { Tables } from './state';

export interface LiveClientOptions extends Omit<SocketOptions, 'url'> {
  workshopId: number;
  memberId: number;
  clientId: string;
  store: KeyValueStore;
  url: string;
  /** Delay before the confirmed state is saved after it changes. */
  saveDelayMs?: number;
}

interface CachedState {
  protocol: number;
  seq: number;
  tables: Tables;
}

function readCache(store: KeyValueStore, scope: OutboxScope): CachedState | null {
  const cached = loadCached<CachedState>(store, scope);
  if (!cached || cached.protocol !== PROTOCOL_VERSION || !Number.isSafeInteger(cached.seq)) return null;
  if (typeof cached.tables !== 'object' || cached.tables === null) return null;
  return ENTITY_NAMES.every((e) => typeof cached.tables[e] === 'object') ? cached : null;
}

export function describeClose(code: number, reason: string): string {
  switch (code) {
    case CloseCode.FORBIDDEN:
      return 'forbidden';
    case CloseCode.NOT_FOUND:
      return 'not_found';
    case CloseCode.PROTOCOL_TOO_OLD:
      return 'protocol_too_old';
    default:
      return reason || `closed (${code})`;
  }
}

export class LiveClient {
  readonly engine: SyncEngine;
  private readonly socket: LiveSocket;
  private readonly scope: OutboxScope;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private savedSeq: number;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly options: LiveClientOptions) {
    this.scope = { workshopId: options.workshopId, memberId: options.memberId };
    const outbox = new Outbox(options.store, this.scope, options.clientId);
    const cached = readCache(options.store, this.scope);
    this.savedSeq = cached?.seq ?? 0;
    this.engine = new SyncEngine({
      workshopId: options.workshopId,
      memberId: options.memberId,
      outbox,
      initial: cached,
    });
    this.socket = new LiveSocket(options, {
      connecting: () => this.engine.connecting(),
      open: () => this.engine.opened(),
      message: (message) => this.engine.receive(message),
      closed: (info) => this.engine.closed(info.fatal ? describeClose(info.code, info.reason) : null),
    });
    this.engine.attach(this.socket);
  }

  get state(): EngineState {
    return this.engine.state;
  }

  start(): void {
    this.unsubscribe = this.engine.subscribe((state) => this.scheduleSave(state));
    this.socket.start();
  }

  stop(): void {
    this.unsubscribe?.();
    this.socket.stop();
    this.saveNow();
  }

  /** The browser is back online or the page visible again: connect or check at once. */
  wake(): void {
    this.socket.wake();
  }

  /** The browser says it lost the network: the open socket is most likely dead. */
  offline(): void {
    this.socket.reconnect('the browser is offline', true);
  }

  submit<K extends OpKind>(kind: K, args: OpArgs[K]): SubmitResult {
    return this.engine.submit(kind, args);
  }

  saveNow(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    const state = this.engine.state;
    if (state.seq === this.savedSeq) return;
    const cached: CachedState = { protocol: PROTOCOL_VERSION, seq: state.seq, tables: state.confirmed };
    if (saveCached(this.options.store, this.scope, cached)) this.savedSeq = state.seq;
  }

  private scheduleSave(state: EngineState): void {
    if (state.seq === this.savedSeq || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.saveNow(), this.options.saveDelayMs ?? 1000);
  }
}
