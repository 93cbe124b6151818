/** Pure helpers behind the assessment screen: entries, progress by theme, report addresses. */

import { sectionsOf } from '../edition/model';
import type { PublicItem, PublicTheme } from '../edition/types';
import type { Entry, EntryFields, Status, ThemeProgress } from './types';

export const STATUSES: readonly Status[] = ['in_place', 'partly', 'not_yet', 'not_applicable'];

export const BLANK: EntryFields = { status: null, evidence: '', agency: '', target_date: null };

/** The editable part of an entry, blank for an item not answered yet. */
export function fieldsOf(entry: Entry | undefined): EntryFields {
  if (!entry) return { ...BLANK };
  return {
    status: entry.status,
    evidence: entry.evidence ?? '',
    agency: entry.agency ?? '',
    target_date: entry.target_date || null,
  };
}

export function sameFields(a: EntryFields, b: EntryFields): boolean {
  return a.status === b.status && a.evidence === b.evidence && a.agency === b.agency && a.target_date === b.target_date;
}

/** A target date as the date field gives it: `YYYY-MM-DD` naming a real day, or empty. */
export function validDate(value: string): boolean {
  if (value === '') return true;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.getUTCMonth() === Number(m[2]) - 1 && date.getUTCDate() === Number(m[3]);
}

/**
 * Progress per top-level theme (the sections of the edition page), counted from the entries as
 * they are now, so the figures follow every answer; a last row totals them.
 */
export function progressOf(
  items: readonly PublicItem[],
  themes: readonly PublicTheme[],
  entries: Readonly<Record<string, EntryFields | undefined>>,
): { rows: ThemeProgress[]; total: ThemeProgress } {
  const blank = (theme: string | null, label: string): ThemeProgress => ({
    theme,
    label,
    total: 0,
    in_place: 0,
    partly: 0,
    not_yet: 0,
    not_applicable: 0,
    unanswered: 0,
  });
  const total = blank(null, '');
  const rows = sectionsOf(items, themes).map((section) => {
    const row = blank(section.theme?.key ?? null, section.theme?.label ?? '');
    for (const item of section.items) {
      const status = entries[item.code]?.status ?? null;
      for (const target of [row, total]) {
        target.total += 1;
        if (status === null) target.unanswered += 1;
        else target[status] += 1;
      }
    }
    return row;
  });
  return { rows, total };
}

/** Share of items answered (any status), 0-100, rounded down so 100 means all. */
export function answeredPercent(row: ThemeProgress): number {
  return row.total === 0 ? 0 : Math.floor(((row.total - row.unanswered) * 100) / row.total);
}

export function reportUrl(secret: string, format: 'pdf' | 'xlsx'): string {
  return `/api/public/assessments/${encodeURIComponent(secret)}/report/${format}`;
}

/** Codes of the items a carry-over marked for review, in the items' order. */
export function needingReview(items: readonly PublicItem[], entries: Readonly<Record<string, Entry | undefined>>): string[] {
  return items.filter((i) => entries[i.code]?.needs_review).map((i) => i.code);
}
