/** Bridges FakeWebSockets to a FakeServer; `flush()` moves every message both ways. */

import type { ClientMessage } from '../protocol';
import type { FakeConnection, FakeServer } from './fakeServer';
import { FakeWebSocket } from './fakeWebSocket';

class BridgedSocket extends FakeWebSocket {
  conn: FakeConnection | null = null;

  constructor(
    url: string,
    private readonly network: FakeNetwork,
  ) {
    super(url);
  }

  override send(data: string): void {
    super.send(data);
    this.conn?.inbound.push(JSON.parse(data) as ClientMessage);
  }

  override close(code?: number, reason?: string): void {
    super.close(code, reason);
    this.conn?.close();
    this.network.sockets.delete(this);
  }
}

export class FakeNetwork {
  readonly sockets = new Set<BridgedSocket>();
  /** While down, new sockets never open. */
  up = true;

  constructor(
    readonly server: FakeServer,
    private readonly memberId = 1,
  ) {}

  readonly create = (url: string) => {
    const ws = new BridgedSocket(url, this);
    this.sockets.add(ws);
    return ws;
  };

  flush(): void {
    for (let round = 0; round < 100; round += 1) {
      let moved = 0;
      for (const ws of [...this.sockets]) {
        if (ws.readyState === 0) {
          if (!this.up) {
            this.sockets.delete(ws);
            ws.serverCloses(1006);
            continue;
          }
          ws.conn = this.server.connect(this.memberId);
          ws.serverOpens();
          moved += 1;
        }
        const conn = ws.conn;
        if (!conn?.open) continue;
        moved += conn.inbound.length + conn.outbound.length;
        conn.pump();
        for (const message of conn.outbound.splice(0)) ws.serverSends(message);
      }
      if (moved === 0) return;
    }
    throw new Error('network did not settle');
  }

  /** The Wi-Fi drops: every connection dies without a clean close. */
  drop(): void {
    this.up = false;
    for (const ws of [...this.sockets]) {
      this.sockets.delete(ws);
      ws.conn?.close();
      ws.serverCloses(1006);
    }
  }
}
