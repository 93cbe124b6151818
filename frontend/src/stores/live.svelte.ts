/**
 * Binds a LiveClient (src/sync) to Svelte: `state` is the engine's immutable state, replaced
 * with `$state.raw` on every change, so views re-render from one consistent snapshot.
 */

import { LiveClient } from '../sync/client';
import type { EngineState, SubmitResult } from '../sync/engine';
import type { OpArgs, OpKind } from '../sync/ops';
import { browserStore } from '../lib/storage';
import { claimClientId, type LockManagerLike } from '../sync/outbox';
import type { Item } from '../sync/protocol';

export class LiveStore {
  state: EngineState;
  readonly workshopId: number;
  readonly memberId: number;
  private readonly client: LiveClient;
  private readonly stopListening: () => void;

  constructor(workshopId: number, memberId: number, client: LiveClient) {
    this.state = $state.raw(client.state);
    this.workshopId = workshopId;
    this.memberId = memberId;
    this.client = client;
    const unsubscribe = client.engine.subscribe((state) => (this.state = state));
    const wake = () => client.wake();
    const offline = () => client.offline();
    const onVisible = () => {
      if (document.visibilityState === 'visible') client.wake();
    };
    const save = () => client.saveNow();
    window.addEventListener('online', wake);
    window.addEventListener('offline', offline);
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('pagehide', save);
    this.stopListening = () => {
      unsubscribe();
      window.removeEventListener('online', wake);
      window.removeEventListener('offline', offline);
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('pagehide', save);
    };
    client.start();
  }

  submit<K extends OpKind>(kind: K, args: OpArgs[K]): SubmitResult {
    return this.client.submit(kind, args);
  }

  setPresence(checklistId: number | null, editingItemId: string | null): void {
    this.client.engine.setPresence(checklistId, editingItemId);
  }

  dismissProblem(id: number): void {
    this.client.engine.dismissProblem(id);
  }

  dismissNotice(id: number): void {
    this.client.engine.dismissNotice(id);
  }

  deletedItem(id: string): Item | undefined {
    return this.client.engine.deletedItem(id);
  }

  close(): void {
    this.stopListening();
    this.client.stop();
  }
}

function socketUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/ws`;
}

const open = new Map<string, Promise<LiveStore>>();

/** The live connection for a workshop as a member; one per tab, shared by every screen. */
export function openLive(workshopId: number, memberId: number): Promise<LiveStore> {
  const key = `${workshopId}:${memberId}`;
  let store = open.get(key);
  if (!store) {
    store = (async () => {
      const storage = browserStore();
      const scope = { workshopId, memberId };
      const locks = (navigator as Navigator & { locks?: LockManagerLike }).locks ?? null;
      const clientId = await claimClientId(storage, scope, locks);
      const client = new LiveClient({ workshopId, memberId, clientId, store: storage, url: socketUrl() });
      return new LiveStore(workshopId, memberId, client);
    })();
    open.set(key, store);
  }
  return store;
}

export function closeAllLive(): void {
  for (const store of open.values()) void store.then((s) => s.close());
  open.clear();
}
