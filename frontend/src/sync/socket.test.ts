import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CloseCode } from './protocol';
import { LiveSocket, backoffDelay, type CloseInfo, type SocketHandlers } from './socket';
import { FakeWebSocket } from './testing/fakeWebSocket';

function setup(options: Partial<ConstructorParameters<typeof LiveSocket>[0]> = {}) {
  const events: string[] = [];
  const closes: CloseInfo[] = [];
  const messages: unknown[] = [];
  const handlers: SocketHandlers = {
    connecting: () => events.push('connecting'),
    open: () => events.push('open'),
    message: (m) => messages.push(m),
    closed: (info) => {
      events.push('closed');
      closes.push(info);
    },
  };
  const socket = new LiveSocket(
    { url: 'ws://test/api/ws', create: (url) => new FakeWebSocket(url), random: () => 0.5, ...options },
    handlers,
  );
  return { socket, events, closes, messages };
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.all.length = 0;
});
afterEach(() => vi.useRealTimers());

describe('backoffDelay', () => {
  it('doubles up to the cap, with jitter in the upper half', () => {
    expect(backoffDelay(0, 500, 30_000, () => 0)).toBe(250);
    expect(backoffDelay(0, 500, 30_000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 30_000, () => 1)).toBe(4000);
    expect(backoffDelay(20, 500, 30_000, () => 0)).toBe(15_000);
    expect(backoffDelay(20, 500, 30_000, () => 1)).toBe(30_000);
  });
});

describe('LiveSocket', () => {
  it('parses server frames and ignores junk', () => {
    const { socket, messages } = setup();
    socket.start();
    const ws = FakeWebSocket.latest();
    ws.serverOpens();
    ws.serverSends({ type: 'pong' });
    ws.serverSends('not json');
    ws.serverSends('{"type":"mystery"}');
    expect(messages).toEqual([{ type: 'pong' }]);
    expect(socket.send({ type: 'ping' })).toBe(true);
    expect(ws.sent).toEqual([{ type: 'ping' }]);
  });

  it('reconnects after a drop with growing delays, reset by healthy()', () => {
    const { socket, closes } = setup();
    socket.start();
    FakeWebSocket.latest().serverCloses(1006);
    expect(closes.at(-1)).toMatchObject({ fatal: false, retryInMs: 375 });
    vi.advanceTimersByTime(374);
    expect(FakeWebSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.all).toHaveLength(2);

    FakeWebSocket.latest().serverCloses(1006);
    expect(closes.at(-1)?.retryInMs).toBe(750);
    vi.advanceTimersByTime(750);
    const third = FakeWebSocket.latest();
    third.serverOpens();
    socket.healthy();
    third.serverCloses(CloseCode.SERVER_RESTART);
    expect(closes.at(-1)?.retryInMs).toBe(375);
  });

  it('stops for good on closes the person must act on', () => {
    const { socket, closes } = setup();
    socket.start();
    FakeWebSocket.latest().serverCloses(CloseCode.FORBIDDEN, 'not a member of this workshop');
    expect(closes).toEqual([{ code: 4003, reason: 'not a member of this workshop', fatal: true, retryInMs: null }]);
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.all).toHaveLength(1);
  });

  it('pings a quiet connection and drops it when no pong comes', () => {
    const { socket, closes } = setup({ pingEveryMs: 1000, pongTimeoutMs: 500 });
    socket.start();
    const ws = FakeWebSocket.latest();
    ws.serverOpens();
    vi.advanceTimersByTime(1000);
    expect(ws.sent).toEqual([{ type: 'ping' }]);
    ws.serverSends({ type: 'pong' });
    vi.advanceTimersByTime(1000);
    expect(ws.sent).toHaveLength(2);
    vi.advanceTimersByTime(500); // no pong this time
    expect(ws.closedWith?.code).toBe(4000);
    expect(closes.at(-1)).toMatchObject({ fatal: false, reason: 'the connection stopped answering' });
    vi.advanceTimersByTime(closes.at(-1)?.retryInMs ?? 0);
    expect(FakeWebSocket.all).toHaveLength(2);
  });

  it('reconnect() replaces the connection at once and ignores the old one', () => {
    const { socket, events } = setup();
    socket.start();
    const first = FakeWebSocket.latest();
    first.serverOpens();
    socket.reconnect('gap', false);
    expect(first.closedWith).toEqual({ code: 1000, reason: 'gap' });
    expect(FakeWebSocket.all).toHaveLength(2);
    first.serverCloses(1000); // late close of the old socket changes nothing
    expect(events).toEqual(['connecting', 'open', 'connecting']);
  });

  it('wake() connects at once while waiting to retry', () => {
    const { socket } = setup();
    socket.start();
    FakeWebSocket.latest().serverCloses(1006);
    socket.wake();
    expect(FakeWebSocket.all).toHaveLength(2);
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.all).toHaveLength(2);
  });

  it('stop() closes without reconnecting', () => {
    const { socket } = setup();
    socket.start();
    FakeWebSocket.latest().serverOpens();
    socket.stop();
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.all).toHaveLength(1);
    expect(socket.send({ type: 'ping' })).toBe(false);
  });
});
