/**
 * One live connection at a time to `/api/ws`, reopened after it drops.
 *
 * Reconnects wait an exponential backoff with jitter (reset once the server welcomes us);
 * a heartbeat pings a quiet connection and drops it when no answer comes, since a dead
 * hotel Wi-Fi link can look open for minutes. Closes the person must act on (forbidden, not
 * found, protocol too old) stop the reconnecting.
 */

import { FATAL_CLOSE_CODES, parseServerMessage, type ClientMessage, type ServerMessage } from './protocol';

export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

export interface CloseInfo {
  code: number;
  reason: string;
  /** Set when reconnecting cannot help. */
  fatal: boolean;
  /** When the next attempt starts, or null when none is planned. */
  retryInMs: number | null;
}

export interface SocketHandlers {
  connecting(): void;
  open(): void;
  message(message: ServerMessage): void;
  closed(info: CloseInfo): void;
}

export interface SocketOptions {
  url: string;
  create?: WebSocketFactory;
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  pingEveryMs?: number;
  pongTimeoutMs?: number;
}

const OPEN = 1;

/** Exponential backoff with jitter: half of the capped delay fixed, half random. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const capped = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(capped / 2 + (random() * capped) / 2);
}

export class LiveSocket {
  private ws: WebSocketLike | null = null;
  private attempt = 0;
  private stopped = true;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private pongTimer: ReturnType<typeof setTimeout> | null = null;
  private lastHeard = 0;
  private readonly create: WebSocketFactory;
  private readonly random: () => number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly pingEveryMs: number;
  private readonly pongTimeoutMs: number;

  constructor(
    private readonly options: SocketOptions,
    private readonly handlers: SocketHandlers,
  ) {
    this.create = options.create ?? ((url) => new WebSocket(url) as unknown as WebSocketLike);
    this.random = options.random ?? Math.random;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.pingEveryMs = options.pingEveryMs ?? 20_000;
    this.pongTimeoutMs = options.pongTimeoutMs ?? 10_000;
  }

  get connected(): boolean {
    return this.ws !== null && this.ws.readyState === OPEN;
  }

  start(): void {
    this.stopped = false;
    if (!this.ws && !this.retryTimer) this.open();
  }

  stop(): void {
    this.stopped = true;
    this.clearRetry();
    this.drop(1000, 'closed by the page');
  }

  send(message: ClientMessage): boolean {
    if (!this.ws || this.ws.readyState !== OPEN) return false;
    try {
      this.ws.send(JSON.stringify(message));
      return true;
    } catch {
      return false;
    }
  }

  /** The server welcomed us: the next drop starts the backoff from the beginning. */
  healthy(): void {
    this.attempt = 0;
  }

  /** Drops this connection and opens another, at once or after the backoff delay. */
  reconnect(reason: string, backoff: boolean): void {
    if (this.stopped) return;
    this.drop(1000, reason.slice(0, 120));
    this.clearRetry();
    if (backoff) this.scheduleRetry(1000, reason);
    else this.open();
  }

  /** Connects now if waiting to retry (the browser came back online), else checks the link. */
  wake(): void {
    if (this.stopped) return;
    if (this.retryTimer) {
      this.clearRetry();
      this.open();
    } else if (this.connected) {
      this.ping();
    }
  }

  // -- internals -----------------------------------------------------------------------
  private open(): void {
    this.handlers.connecting();
    let ws: WebSocketLike;
    try {
      ws = this.create(this.options.url);
    } catch {
      this.scheduleRetry(1006, 'could not open a connection');
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.lastHeard = Date.now();
      this.startHeartbeat();
      this.handlers.open();
    };
    ws.onmessage = (event) => {
      this.lastHeard = Date.now();
      if (typeof event.data !== 'string') return;
      const message = parseServerMessage(event.data);
      if (message) this.handlers.message(message);
    };
    ws.onerror = () => {}; // a close event follows with the code
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.detach();
      if (this.stopped) return;
      if (FATAL_CLOSE_CODES.has(event.code)) {
        this.stopped = true;
        this.handlers.closed({ code: event.code, reason: event.reason, fatal: true, retryInMs: null });
        return;
      }
      this.scheduleRetry(event.code, event.reason);
    };
  }

  private scheduleRetry(code: number, reason: string): void {
    const delay = backoffDelay(this.attempt, this.baseDelayMs, this.maxDelayMs, this.random);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.open();
    }, delay);
    this.handlers.closed({ code, reason, fatal: false, retryInMs: delay });
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastHeard >= this.pingEveryMs) this.ping();
    }, this.pingEveryMs);
  }

  private ping(): void {
    if (this.pongTimer || !this.send({ type: 'ping' })) return;
    const sentAt = Date.now();
    this.pongTimer = setTimeout(() => {
      this.pongTimer = null;
      if (this.lastHeard < sentAt && this.ws) {
        this.drop(4000, 'no answer to ping');
        this.scheduleRetry(1006, 'the connection stopped answering');
      }
    }, this.pongTimeoutMs);
  }

  private stopHeartbeat(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.pingTimer = this.pongTimer = null;
  }

  /** Forgets the current connection without waiting for its close event. */
  private drop(code: number, reason: string): void {
    const ws = this.ws;
    if (!ws) return;
    this.detach();
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try {
      ws.close(code, reason);
    } catch {
      // already closing
    }
  }

  private detach(): void {
    this.stopHeartbeat();
    this.ws = null;
  }
}
