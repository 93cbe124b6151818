/**
 * An item's history as people read it: the events that changed it (from
 * `GET /api/workshops/{id}/items/{item_id}/history`, oldest first, actors already hidden as
 * the attribution policy requires), turned into entries of changed fields, newest first,
 * each old value restorable with an ordinary `item.update`.
 *
 * A facilitator's redaction (`safeguards.redact`) is an entry of its own: which kinds of
 * detail were removed, when and (as the policy allows) by whom. The server has already put
 * `[redacted]` in place of the details in every earlier value, so nothing here can show them.
 */

import type { EventPublic } from '../../api/generated';
import type { Item } from '../../sync/protocol';
import { isPersonalKind, type PersonalKind } from '../safeguards/detect';

/** An event as the history endpoint renders it. */
export type HistoryEvent = EventPublic;

export const RESTORABLE = ['title', 'detail', 'kind', 'themes', 'actors', 'references', 'status'] as const;
export type RestorableField = (typeof RESTORABLE)[number];
export type RestoreFields = Partial<Pick<Item, RestorableField>>;

export interface FieldChange {
  name: RestorableField;
  value: unknown;
  /** The item holds this value now: nothing to restore. */
  current: boolean;
}

export interface HistoryEntry {
  seq: number;
  at: string | null;
  actor: number | null;
  what: 'created' | 'changed' | 'deleted' | 'restored' | 'redacted';
  fields: FieldChange[];
  /** For a redaction: the kinds of detail removed (those this client knows). */
  kinds: PersonalKind[];
}

export const REDACT_KIND = 'safeguards.redact';

/** The kinds of detail a redaction event says it removed from this item, or null when it is not one. */
function redactedKinds(event: HistoryEvent, itemId: string): PersonalKind[] | null {
  if (event.kind !== REDACT_KIND) return null;
  for (const change of event.changes) {
    const values = (change.values ?? {}) as { of?: unknown; kinds?: unknown };
    if (change.entity === 'redaction' && change.id === itemId && values.of === 'item') {
      return Array.isArray(values.kinds) ? values.kinds.filter(isPersonalKind) : [];
    }
  }
  return null;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}

function isRestorable(name: string): name is RestorableField {
  return (RESTORABLE as readonly string[]).includes(name);
}

/** The entries for one item, newest first; events that touched none of its shown fields are left out. */
export function historyEntries(events: readonly HistoryEvent[], itemId: string, current: Item | undefined): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (const event of events) {
    const kinds = redactedKinds(event, itemId);
    if (kinds !== null) {
      // The item's new text is already on screen; the entry says what happened, not what it was.
      entries.push({ seq: event.seq, at: event.at, actor: event.actor, what: 'redacted', fields: [], kinds });
      continue;
    }
    for (const change of event.changes) {
      if (change.entity !== 'item' || change.id !== itemId) continue;
      const what =
        change.deleted === true
          ? 'deleted'
          : event.kind === 'item.create'
            ? 'created'
            : event.kind === 'item.restore'
              ? 'restored'
              : 'changed';
      const values = (change.values ?? {}) as Record<string, unknown>;
      const fields: FieldChange[] = Object.entries(values)
        .filter(([name]) => isRestorable(name))
        .map(([name, value]) => ({
          name: name as RestorableField,
          value,
          current: current !== undefined && sameValue(current[name as RestorableField], value),
        }));
      if (fields.length || what === 'deleted' || what === 'restored') {
        entries.push({ seq: event.seq, at: event.at, actor: event.actor, what, fields, kinds: [] });
      }
    }
  }
  return entries.reverse();
}

/** The `item.update` fields that put one old value back. */
export function restoreFields(change: FieldChange): RestoreFields {
  return { [change.name]: Array.isArray(change.value) ? [...change.value] : change.value } as RestoreFields;
}

/** A value in one line: lists joined, an empty value shown as a dash. */
export function formatValue(value: unknown): string {
  if (Array.isArray(value)) return value.length ? value.join(', ') : '—';
  if (value === null || value === undefined || value === '') return '—';
  return String(value);
}
