/**
 * Saves assessment entries as the reader works: a choice goes at once, typing after a pause.
 * One request per item at a time; what changed while a request was out goes in the next one,
 * so the last thing typed is always what is stored. A failed save keeps the draft and says why,
 * until a retry or the next change sends it again. Knows nothing of Svelte (tested with Vitest).
 */

import { sameFields } from './model';
import type { Entry, EntryFields } from './types';

export type SaveState =
  | { state: 'saved' }
  | { state: 'pending' }
  | { state: 'saving' }
  | { state: 'failed'; message: string };

export type Put = (code: string, fields: EntryFields) => Promise<Entry>;

export interface SaverEvents {
  state: (code: string, state: SaveState) => void;
  saved: (code: string, entry: Entry) => void;
}

interface Slot {
  draft: EntryFields;
  stored: EntryFields;
  timer: ReturnType<typeof setTimeout> | null;
  busy: boolean;
}

export const TYPING_PAUSE_MS = 700;

export class EntrySaver {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly put: Put,
    private readonly events: SaverEvents,
    private readonly pauseMs = TYPING_PAUSE_MS,
  ) {}

  /** Records the reader's latest values for `code` (`stored`: what the server holds now). */
  change(code: string, draft: EntryFields, stored: EntryFields, { now = false } = {}): void {
    const slot = this.slots.get(code) ?? { draft, stored, timer: null, busy: false };
    slot.draft = draft;
    // While a request is out, `stored` becomes what it sent once it returns.
    if (!slot.busy) slot.stored = stored;
    this.slots.set(code, slot);
    if (slot.timer !== null) clearTimeout(slot.timer);
    slot.timer = null;
    if (sameFields(draft, slot.stored) && !slot.busy) {
      this.events.state(code, { state: 'saved' });
      return;
    }
    this.events.state(code, { state: 'pending' });
    if (now) void this.send(code);
    else slot.timer = setTimeout(() => void this.send(code), this.pauseMs);
  }

  /** Sends whatever is waiting for `code` now (leaving a field, a retry). */
  flush(code: string): Promise<void> {
    const slot = this.slots.get(code);
    if (!slot) return Promise.resolve();
    if (slot.timer !== null) clearTimeout(slot.timer);
    slot.timer = null;
    return this.send(code);
  }

  /** Items with a change not stored yet (to warn before the page is left). */
  get unsaved(): string[] {
    return [...this.slots].filter(([, s]) => s.busy || !sameFields(s.draft, s.stored)).map(([code]) => code);
  }

  private async send(code: string): Promise<void> {
    const slot = this.slots.get(code);
    if (!slot || slot.busy || sameFields(slot.draft, slot.stored)) return;
    const sent = slot.draft;
    slot.busy = true;
    this.events.state(code, { state: 'saving' });
    try {
      const entry = await this.put(code, sent);
      slot.stored = sent;
      this.events.saved(code, entry);
    } catch (error) {
      slot.busy = false;
      this.events.state(code, { state: 'failed', message: error instanceof Error ? error.message : String(error) });
      return;
    }
    slot.busy = false;
    if (!sameFields(slot.draft, slot.stored)) {
      // Changed while the request was out: send the newer values too.
      if (slot.timer === null) await this.send(code);
      else this.events.state(code, { state: 'pending' });
      return;
    }
    this.events.state(code, { state: 'saved' });
  }
}
