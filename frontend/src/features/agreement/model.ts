/**
 * The agreement round (phase `review`): each participant marks a consolidated item on a
 * graded scale and may write a reservation; the facilitator sees the distribution and records
 * the outcome. The rules mirror the backend's agreement ops (DESIGN.md §5a).
 */

import type { Agreement, AgreementLevel, Checklist, Item, Member, Workshop } from '../../sync/protocol';
import type { Table } from '../../sync/state';

/** From most to least agreement. */
export const LEVELS: readonly AgreementLevel[] = ['full', 'reservations', 'stand_aside', 'disagree'];

export const MAX_RESERVATION = 2000;

/** May this member mark their agreement with items of this checklist? */
export function canAgree(member: Member | undefined, workshop: Workshop | undefined, checklist: Checklist | undefined): boolean {
  if (!member || !workshop || !checklist) return false;
  return (
    (member.role === 'participant' || member.role === 'facilitator') &&
    workshop.phase === 'review' &&
    checklist.group_id === null
  );
}

export interface Tally {
  counts: Record<AgreementLevel, number>;
  total: number;
  /** Reservations written, each with its level (no names: the screen may show them to anyone). */
  reservations: { level: AgreementLevel; text: string }[];
  /** My own mark, if any. */
  mine: Agreement | undefined;
}

function emptyCounts(): Record<AgreementLevel, number> {
  return { full: 0, reservations: 0, stand_aside: 0, disagree: 0 };
}

/** The distribution of agreement per item (only items that still exist count). */
export function tallies(agreements: Table<Agreement>, items: Table<Item>, me: number | null): Map<string, Tally> {
  const out = new Map<string, Tally>();
  for (const row of Object.values(agreements)) {
    if (!items[row.item_id] || !LEVELS.includes(row.level)) continue;
    let tally = out.get(row.item_id);
    if (!tally) {
      tally = { counts: emptyCounts(), total: 0, reservations: [], mine: undefined };
      out.set(row.item_id, tally);
    }
    tally.counts[row.level] += 1;
    tally.total += 1;
    const text = (row.reservation ?? '').trim();
    if (text) tally.reservations.push({ level: row.level, text });
    if (me !== null && row.member_id === me) tally.mine = row;
  }
  for (const tally of out.values()) {
    tally.reservations.sort((a, b) => LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level) || (a.text < b.text ? -1 : 1));
  }
  return out;
}

export const NO_TALLY: Tally = Object.freeze({
  counts: Object.freeze(emptyCounts()),
  total: 0,
  reservations: [],
  mine: undefined,
}) as Tally;

/**
 * The level a facilitator would most likely record: the lowest level anyone chose, so a
 * single disagreement is never papered over (consensus practice: any objection counts).
 */
export function suggestedOutcome(tally: Tally): AgreementLevel | null {
  for (let i = LEVELS.length - 1; i >= 0; i -= 1) {
    const level = LEVELS[i] as AgreementLevel;
    if (tally.counts[level] > 0) return level;
  }
  return null;
}

/** Each level's share of the marks, in whole percent (for the bar's widths). */
export function shares(tally: Tally): Record<AgreementLevel, number> {
  const out = emptyCounts();
  if (tally.total === 0) return out;
  for (const level of LEVELS) out[level] = Math.round((tally.counts[level] / tally.total) * 100);
  return out;
}

/** What an item card of the consolidated checklist needs for the agreement round. */
export interface AgreementView {
  tallies: ReadonlyMap<string, Tally>;
  /** May I mark my agreement now? */
  canAgree: boolean;
  /** Facilitators see the distribution and record the outcome. */
  canRecord: boolean;
  set: (item: Item, level: AgreementLevel, reservation: string) => void;
  clear: (item: Item) => void;
  record: (item: Item, level: AgreementLevel | null, note: string) => void;
}
