/**
 * The last answer to a question the app must ask before it can show anything ("who am I?",
 * "which member am I in this workshop?"), kept so that a reload without a network still opens
 * the checklist from its saved state. Only a network failure falls back to the kept answer;
 * any answer from the server replaces it, and "not signed in" (401) forgets it.
 */

import type { KeyValueStore } from '../sync/outbox';
import { ApiError } from './http';

const PREFIX = 'rt:remembered:';

export async function remembered<T extends object>(
  store: KeyValueStore,
  key: string,
  load: () => Promise<T>,
  /** Leaves out what must not be kept (e.g. a CSRF token). */
  keep: (value: T) => T = (value) => value,
): Promise<T> {
  try {
    const value = await load();
    write(store, key, keep(value));
    return value;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'network') {
      const kept = read<T>(store, key);
      if (kept !== null) return kept;
    } else if (error instanceof ApiError && error.status === 401) {
      store.removeItem(PREFIX + key);
    }
    throw error;
  }
}

/** Keeps an answer that arrived another way (e.g. signing in answers "who am I?"). */
export function remember(store: KeyValueStore, key: string, value: object): void {
  write(store, key, value);
}

/** Forgets every kept answer (on sign-out, so a shared computer keeps nothing of the member). */
export function forgetRemembered(store: KeyValueStore & { readonly length?: number; key?(i: number): string | null }): void {
  if (typeof store.key !== 'function' || typeof store.length !== 'number') return;
  const keys: string[] = [];
  for (let i = 0; i < store.length; i++) {
    const key = store.key(i);
    if (key?.startsWith(PREFIX)) keys.push(key);
  }
  for (const key of keys) store.removeItem(key);
}

function write(store: KeyValueStore, key: string, value: unknown): void {
  try {
    store.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // Storage full or refused: the app still works online.
  }
}

function read<T>(store: KeyValueStore, key: string): T | null {
  const raw = store.getItem(PREFIX + key);
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null ? (value as T) : null;
  } catch {
    return null;
  }
}
