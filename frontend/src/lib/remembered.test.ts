import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../sync/outbox';
import { ApiError } from './http';
import { forgetRemembered, remembered } from './remembered';

class ListedStore extends MemoryStore {
  get length(): number {
    return this.data.size;
  }
  key(i: number): string | null {
    return [...this.data.keys()][i] ?? null;
  }
}

const offline = () => Promise.reject(new ApiError(0, 'network', 'the server could not be reached'));

describe('remembered', () => {
  it('answers from the server and keeps the answer', async () => {
    const store = new MemoryStore();
    expect(await remembered(store, 'me', async () => ({ id: 7 }))).toEqual({ id: 7 });
    expect(await remembered(store, 'me', offline)).toEqual({ id: 7 });
  });

  it('keeps only what keep() leaves', async () => {
    const store = new MemoryStore();
    await remembered(store, 'me', async () => ({ id: 7, csrf_token: 'secret' }), ({ id }) => ({ id, csrf_token: '' }));
    expect(await remembered(store, 'me', offline)).toEqual({ id: 7, csrf_token: '' });
  });

  it('fails offline when nothing was kept', async () => {
    await expect(remembered(new MemoryStore(), 'me', offline)).rejects.toMatchObject({ code: 'network' });
  });

  it('forgets on 401 and never hides other server answers', async () => {
    const store = new MemoryStore();
    await remembered(store, 'me', async () => ({ id: 7 }));
    await expect(remembered(store, 'me', () => Promise.reject(new ApiError(403, 'forbidden', 'no')))).rejects.toMatchObject({
      status: 403,
    });
    expect(await remembered(store, 'me', offline)).toEqual({ id: 7 });
    await expect(remembered(store, 'me', () => Promise.reject(new ApiError(401, 'unauthenticated', 'no')))).rejects.toMatchObject({
      status: 401,
    });
    await expect(remembered(store, 'me', offline)).rejects.toMatchObject({ code: 'network' });
  });

  it('forgets everything it kept on sign-out, and nothing else', async () => {
    const store = new ListedStore();
    store.setItem('rt:outbox:1:abc', '[]');
    await remembered(store, 'me', async () => ({ id: 7 }));
    await remembered(store, 'membership:3', async () => ({ id: 9 }));
    forgetRemembered(store);
    expect([...store.data.keys()]).toEqual(['rt:outbox:1:abc']);
  });
});
