/** The browser's localStorage, or a memory stand-in where it is refused (private modes, quotas). */

import { MemoryStore, type KeyValueStore } from '../sync/outbox';

export function browserStore(): KeyValueStore {
  try {
    const probe = 'rt:probe';
    localStorage.setItem(probe, '1');
    localStorage.removeItem(probe);
    return localStorage;
  } catch {
    return new MemoryStore();
  }
}
