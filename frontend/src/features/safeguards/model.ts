/**
 * The review queue's pure parts: a flagged text cut into plain and found segments (the
 * server says where, by offsets; it never sends the details separately), and how many
 * items the live state holds back.
 */

import type { Tables } from '../../sync/state';
import type { PersonalKind } from './detect';

export interface Finding {
  kind: PersonalKind;
  field?: string | null;
  start?: number | null;
  end?: number | null;
}

export interface Segment {
  text: string;
  kind: PersonalKind | null;
}

export const HELD_BACK_FLAG = 'personal_data';

/** `text` cut at the findings that point into `field` (overlapping or stale ones are skipped). */
export function segments(text: string, field: string, findings: readonly Finding[]): Segment[] {
  const inField = findings
    .filter((f) => f.field === field && f.start != null && f.end != null)
    .map((f) => ({ kind: f.kind, start: f.start as number, end: f.end as number }))
    .filter((f) => f.start < f.end && f.end <= text.length)
    .sort((a, b) => a.start - b.start);
  const out: Segment[] = [];
  let at = 0;
  for (const f of inField) {
    if (f.start < at) continue;
    if (f.start > at) out.push({ text: text.slice(at, f.start), kind: null });
    out.push({ text: text.slice(f.start, f.end), kind: f.kind });
    at = f.end;
  }
  if (at < text.length || out.length === 0) out.push({ text: text.slice(at), kind: null });
  return out;
}

/** Live items flagged as possible personal data (held back from publication). */
export function heldBackCount(tables: Tables): number {
  return Object.values(tables.item).filter((item) => item.flags?.includes(HELD_BACK_FLAG)).length;
}

/** A key that changes whenever a flag may have come or gone: refetch the queue then. */
export function queueVersion(tables: Tables): string {
  const items = Object.values(tables.item)
    .filter((item) => item.flags?.includes(HELD_BACK_FLAG))
    .map((item) => `${item.id}@${item.updated_seq}`)
    .sort();
  const comments = Object.values(tables.comment).map((c) => c.updated_seq ?? 0);
  return `${items.join(',')}|${comments.length}:${Math.max(0, ...comments)}`;
}
