/** A client (engine + outbox) wired to a FakeServer, with every delivery step in the test's hands. */

import { SyncEngine, type Transport } from '../engine';
import { MemoryStore, Outbox, mintId, type KeyValueStore } from '../outbox';
import type { ClientMessage, ServerMessage } from '../protocol';
import type { Tables } from '../state';
import { FakeServer, type FakeConnection } from './fakeServer';

export interface TestClientOptions {
  store?: KeyValueStore;
  clientId?: string;
  memberId?: number;
  initial?: { seq: number; tables: Tables } | null;
}

export class TestClient implements Transport {
  readonly engine: SyncEngine;
  readonly outbox: Outbox;
  readonly store: KeyValueStore;
  readonly memberId: number;
  conn: FakeConnection | null = null;
  readonly reconnects: string[] = [];
  /** Close codes of connections the server ended. */
  readonly serverCloses: number[] = [];
  /** Every message the client sent, for assertions. */
  readonly sent: ClientMessage[] = [];
  /** The type of every message the client received. */
  readonly received: string[] = [];

  constructor(
    readonly server: FakeServer,
    options: TestClientOptions = {},
  ) {
    this.store = options.store ?? new MemoryStore();
    this.memberId = options.memberId ?? 1;
    const scope = { workshopId: 1, memberId: this.memberId };
    this.outbox = new Outbox(this.store, scope, options.clientId ?? mintId());
    this.engine = new SyncEngine({ workshopId: 1, outbox: this.outbox, initial: options.initial ?? null });
    this.engine.attach(this);
  }

  get state() {
    return this.engine.state;
  }

  connect(): void {
    this.conn = this.server.connect(this.memberId);
    this.engine.connecting();
    this.engine.opened();
  }

  disconnect(): void {
    this.conn?.close();
    this.conn = null;
    this.engine.closed();
  }

  // Transport
  send(message: ClientMessage): boolean {
    this.sent.push(message);
    if (!this.conn?.open) return false;
    this.conn.inbound.push(JSON.parse(JSON.stringify(message)) as ClientMessage);
    return true;
  }

  reconnect(reason: string): void {
    this.reconnects.push(reason);
    this.disconnect();
    this.connect();
  }

  healthy(): void {}

  /** Hands up to `count` server messages to the engine. */
  deliver(count = Infinity): number {
    let delivered = 0;
    while (count-- > 0 && this.conn?.outbound.length) {
      const conn = this.conn;
      const message = JSON.parse(JSON.stringify(conn.outbound.shift())) as ServerMessage;
      delivered += 1;
      this.received.push(message.type === 'welcome' ? `welcome:${message.mode}` : message.type);
      this.engine.receive(message);
    }
    const closing = this.conn?.closing;
    if (this.conn && closing && this.conn.outbound.length === 0) {
      this.serverCloses.push(closing.code);
      this.disconnect();
    }
    return delivered;
  }

  /** Runs both directions until nothing moves. */
  sync(): void {
    for (let i = 0; i < 1000; i += 1) {
      const before = (this.conn?.inbound.length ?? 0) + (this.conn?.outbound.length ?? 0);
      if (before === 0 && !this.conn?.closing) return;
      this.conn?.pump();
      this.deliver();
    }
    throw new Error('sync did not settle');
  }

  items() {
    return Object.values(this.state.tables.item).sort((a, b) =>
      a.position < b.position ? -1 : a.position > b.position ? 1 : a.id < b.id ? -1 : 1,
    );
  }
}

export function settle(clients: TestClient[]): void {
  for (let round = 0; round < 1000; round += 1) {
    let moved = 0;
    for (const c of clients) {
      moved += (c.conn?.inbound.length ?? 0) + (c.conn?.outbound.length ?? 0);
      c.conn?.pump();
      c.deliver();
    }
    if (moved === 0) return;
  }
  throw new Error('clients did not settle');
}
