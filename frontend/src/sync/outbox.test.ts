import { describe, expect, it } from 'vitest';
import { CLIENT_ID_PATTERN } from './protocol';
import { MemoryStore, Outbox, claimClientId, mintId, type KeyValueStore, type LockManagerLike } from './outbox';

const scope = { workshopId: 7, memberId: 3 };

/** Web Locks as a browser gives them: held until the holder's tab goes away. */
class FakeLocks implements LockManagerLike {
  readonly held = new Set<string>();
  async request(name: string, _options: { ifAvailable: boolean }, callback: (lock: unknown) => unknown) {
    if (this.held.has(name)) return callback(null);
    this.held.add(name);
    return callback({ name });
  }
  /** A tab closed or reloaded: its locks are released. */
  release(): void {
    this.held.clear();
  }
}

class FullStore extends MemoryStore {
  override setItem(): void {
    throw new DOMException('quota', 'QuotaExceededError');
  }
}

describe('mintId', () => {
  it('makes ids the server accepts for items, comments and clients', () => {
    const ids = new Set(Array.from({ length: 200 }, () => mintId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(CLIENT_ID_PATTERN);
  });
});

describe('Outbox', () => {
  it('mints strictly increasing op ids that survive a reload', () => {
    const store = new MemoryStore();
    const outbox = new Outbox(store, scope, 'client-aaaa');
    outbox.add('item.delete', { id: 'item-0001' });
    outbox.add('item.delete', { id: 'item-0002' });
    outbox.remove([1, 2]);
    const reloaded = new Outbox(store, scope, 'client-aaaa');
    expect(reloaded.pending).toEqual([]);
    expect(reloaded.add('item.delete', { id: 'item-0003' }).op_id).toBe(3);
  });

  it('never reuses an op id the server reports as handled', () => {
    const outbox = new Outbox(new MemoryStore(), scope, 'client-aaaa');
    outbox.seen(41);
    expect(outbox.add('item.delete', { id: 'item-0001' }).op_id).toBe(42);
  });

  it('keeps working in memory when storage is full, and says so', () => {
    const outbox = new Outbox(new FullStore() as KeyValueStore, scope, 'client-aaaa');
    outbox.add('item.delete', { id: 'item-0001' });
    expect(outbox.pending).toHaveLength(1);
    expect(outbox.persistent).toBe(false);
  });

  it('ignores a damaged saved outbox', () => {
    const store = new MemoryStore();
    store.setItem('rt:outbox:7:client-aaaa', '{"pending":[{"op_id":"x"}, 5], "lastOpId": 9}');
    const outbox = new Outbox(store, scope, 'client-aaaa');
    expect(outbox.pending).toEqual([]);
    expect(outbox.lastOpId).toBe(9);
  });
});

describe('claimClientId', () => {
  it('gives two open tabs different client ids, and a reloaded tab its old one back', async () => {
    const store = new MemoryStore();
    const locks = new FakeLocks();
    const first = await claimClientId(store, scope, locks);
    const second = await claimClientId(store, scope, locks);
    expect(second).not.toBe(first);
    locks.release();
    const outbox = new Outbox(store, scope, second);
    outbox.add('item.delete', { id: 'item-0001' });
    // After the reload the id with unsent ops is taken first.
    expect(await claimClientId(store, scope, locks)).toBe(second);
    expect(await claimClientId(store, scope, locks)).toBe(first);
  });

  it('without Web Locks, keeps to one client id', async () => {
    const store = new MemoryStore();
    const id = await claimClientId(store, scope, null);
    expect(await claimClientId(store, scope, null)).toBe(id);
  });

  it('keeps separate ids per member', async () => {
    const store = new MemoryStore();
    const a = await claimClientId(store, scope, null);
    const b = await claimClientId(store, { ...scope, memberId: 4 }, null);
    expect(a).not.toBe(b);
  });
});
