/** A WebSocket stand-in that tests open, feed and close by hand. */

import type { ClientMessage, ServerMessage } from '../protocol';
import type { WebSocketLike } from '../socket';

export class FakeWebSocket implements WebSocketLike {
  static readonly all: FakeWebSocket[] = [];
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly sent: ClientMessage[] = [];
  closedWith: { code?: number; reason?: string } | null = null;

  constructor(readonly url: string) {
    FakeWebSocket.all.push(this);
  }

  static latest(): FakeWebSocket {
    const ws = FakeWebSocket.all.at(-1);
    if (!ws) throw new Error('no socket was opened');
    return ws;
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data) as ClientMessage);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }

  // -- driven by the test ----------------------------------------------------------------
  serverOpens(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  serverSends(message: ServerMessage | string): void {
    this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) });
  }

  serverCloses(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}
