/**
 * Several clients editing one checklist under random interleavings of sends, deliveries,
 * dropped connections, lost batches and reloads must all end where the server is.
 */
import { describe, expect, it } from 'vitest';
import { keyForSlot } from './ordering';
import type { Item } from './protocol';
import { FakeServer } from './testing/fakeServer';
import { TestClient, settle } from './testing/harness';

function rng(seed: number) {
  let s = seed % 2147483647 || 1;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

function pick<T>(random: () => number, list: readonly T[]): T | undefined {
  return list.length ? list[Math.floor(random() * list.length)] : undefined;
}

// Refusals, and (`refused_earlier`) refusals whose reject was lost with a connection.
const EXPECTED_PROBLEMS = new Set(['not_found', 'conflict', 'refused_earlier']);

function randomOp(client: TestClient, random: () => number, n: number): void {
  const items = client.items();
  const item = pick(random, items);
  const roll = random();
  if (roll < 0.3 || !item) {
    const at = Math.floor(random() * (items.length + 1));
    const position = keyForSlot(items[at - 1]?.position ?? null, items[at]?.position ?? null);
    client.engine.submit('item.create', { id: `it-${client.memberId}-${n}`, checklist_id: 1, kind: 'need', title: `t${n}`, position });
  } else if (roll < 0.6) {
    client.engine.submit('item.update', { id: item.id, title: `t${n}`, base_version: item.updated_seq || undefined });
  } else if (roll < 0.8) {
    const others = items.filter((i) => i.id !== item.id);
    const at = Math.floor(random() * (others.length + 1));
    const position = keyForSlot(others[at - 1]?.position ?? null, others[at]?.position ?? null);
    client.engine.submit('item.move', { id: item.id, position });
  } else if (roll < 0.93) {
    client.engine.submit('item.delete', { id: item.id });
  } else {
    client.engine.submit('item.restore', { id: item.id });
  }
}

function run(seed: number, steps: number): { clients: TestClient[]; server: FakeServer } {
  const random = rng(seed);
  const server = new FakeServer();
  server.snapshotThreshold = 8;
  const clients = [1, 2, 3].map((memberId) => new TestClient(server, { memberId }));
  clients.forEach((c) => c.connect());
  for (let n = 0; n < steps; n += 1) {
    const index = Math.floor(random() * clients.length);
    const client = clients[index] as TestClient;
    const roll = random();
    if (roll < 0.3) randomOp(client, random, n);
    else if (roll < 0.55) client.conn?.pump(1);
    else if (roll < 0.85) client.deliver(1);
    else if (roll < 0.9) {
      if (client.conn) client.disconnect();
      else client.connect();
    } else if (roll < 0.93 && client.conn?.helloed) server.loseNextBatch(client.conn);
    else if (roll < 0.95) {
      // A reload: a new engine over the same storage and client_id.
      client.disconnect();
      const reloaded = new TestClient(server, {
        store: client.store,
        clientId: client.outbox.clientId,
        memberId: client.memberId,
      });
      reloaded.connect();
      clients[index] = reloaded;
    } else if (roll < 0.97) {
      const target = pick(random, server.liveItems());
      if (target) server.commitExternal('item.update', { id: target.id, detail: `ext${n}` });
    }
  }
  for (const c of clients) if (!c.conn) c.connect();
  settle(clients);
  return { clients, server };
}

describe('convergence', () => {
  it.each(Array.from({ length: 40 }, (_, i) => i + 1))('seed %i: every client ends at the server state', (seed) => {
    const { clients, server } = run(seed, 400);
    const truth: Item[] = server.liveItems();
    expect(truth.length).toBeGreaterThan(0);
    for (const client of clients) {
      expect(client.state.pending).toEqual([]);
      expect(client.items()).toEqual(truth);
      expect(client.state.seq).toBe(server.seq);
      for (const problem of client.state.problems) expect(EXPECTED_PROBLEMS).toContain(problem.code);
    }
  });
});

describe('the random runs', () => {
  it('do meet gaps, catch-ups, snapshots and refusals (else they would prove little)', () => {
    let gaps = 0;
    let problems = 0;
    let resumes = 0;
    let snapshots = 0;
    for (let seed = 1; seed <= 10; seed += 1) {
      const { clients } = run(seed, 400);
      for (const c of clients) {
        gaps += c.reconnects.filter((r) => r.startsWith('gap')).length;
        problems += c.state.problems.length;
        resumes += c.received.filter((t) => t === 'welcome:events').length;
        snapshots += c.received.filter((t) => t === 'snapshot').length;
      }
    }
    expect(gaps).toBeGreaterThan(0);
    expect(problems).toBeGreaterThan(0);
    expect(resumes).toBeGreaterThan(0);
    expect(snapshots).toBeGreaterThan(10);
  });
});
