/** Pure helpers behind the facilitator's dashboard: what each group has written, who is there. */

import type { Checklist, Group, Item, Kind, PresenceEntry, Theme } from '../../sync/protocol';
import type { Tables } from '../../sync/state';
import { KINDS, byPosition } from '../checklist/model';

export const PHASES = ['setup', 'breakout', 'consolidation', 'review', 'published'] as const;

export interface ThemeCount {
  key: string;
  label: string;
  count: number;
}

export interface ChecklistStats {
  total: number;
  byKind: Record<Kind, number>;
  /** Themes in use, most used first (then in the taxonomy's order). */
  byTheme: ThemeCount[];
  /** Items with no theme at all. */
  untagged: number;
  /** The most recently changed items, newest first. */
  latest: Item[];
}

export function checklistStats(items: readonly Item[], themes: readonly Theme[], latest = 3): ChecklistStats {
  const byKind: Record<Kind, number> = { need: 0, response: 0, practice: 0 };
  const counts = new Map<string, number>();
  let untagged = 0;
  for (const item of items) {
    if (KINDS.includes(item.kind)) byKind[item.kind] += 1;
    const keys = new Set(item.themes ?? []);
    if (keys.size === 0) untagged += 1;
    for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const order = new Map(themes.map((t, i) => [t.key, i]));
  const labels = new Map(themes.map((t) => [t.key, t.label]));
  const byTheme = [...counts]
    .map(([key, count]) => ({ key, label: labels.get(key) ?? key, count }))
    .sort((a, b) => b.count - a.count || (order.get(a.key) ?? 1e9) - (order.get(b.key) ?? 1e9) || (a.key < b.key ? -1 : 1));
  const recent = [...items].sort((a, b) => b.updated_seq - a.updated_seq || byPosition(a, b)).slice(0, latest);
  return { total: items.length, byKind, byTheme, untagged, latest: recent };
}

/** Items per checklist, each list in display order. */
export function itemsByChecklist(tables: Tables): Map<number, Item[]> {
  const out = new Map<number, Item[]>();
  for (const item of Object.values(tables.item)) {
    if (typeof item.title !== 'string') continue;
    const list = out.get(item.checklist_id) ?? [];
    list.push(item);
    out.set(item.checklist_id, list);
  }
  for (const list of out.values()) list.sort(byPosition);
  return out;
}

export interface GroupRow {
  group: Group;
  checklist: Checklist | undefined;
}

/** The groups in their order, each with its checklist. */
export function groupRows(tables: Tables): GroupRow[] {
  const checklists = Object.values(tables.checklist);
  return Object.values(tables.group)
    .sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : a.id - b.id))
    .map((group) => ({ group, checklist: checklists.find((c) => c.group_id === group.id) }));
}

/** Who is on each checklist right now (member ids, each once), from the presence list. */
export function activeByChecklist(presence: readonly PresenceEntry[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const entry of presence) {
    if (entry.checklist_id === null) continue;
    const list = out.get(entry.checklist_id) ?? [];
    if (!list.includes(entry.member_id)) list.push(entry.member_id);
    out.set(entry.checklist_id, list);
  }
  for (const list of out.values()) list.sort((a, b) => a - b);
  return out;
}

/** Members who joined each group (observers included), by group id. */
export function membersByGroup(tables: Tables): Map<number, number> {
  const out = new Map<number, number>();
  for (const member of Object.values(tables.member)) {
    if (member.group_id !== null && member.role !== 'facilitator') {
      out.set(member.group_id, (out.get(member.group_id) ?? 0) + 1);
    }
  }
  return out;
}
