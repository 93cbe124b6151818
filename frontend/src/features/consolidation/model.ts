/**
 * Pure helpers behind the consolidation board: the groups' items by theme, their refs (the
 * interchange export's A1, B3 …), what each is merged into, the consolidated list with its
 * sources, picking items by hand, and which suggestions are still open.
 */

import type { Checklist, Dismissal, Group, Item, ItemSource, Theme } from '../../sync/protocol';
import type { Tables } from '../../sync/state';
import { byPosition, themeTree } from '../checklist/model';

/** The consolidated list's prefix: a group never gets the letter K (exporter.group_labels). */
const CONSOLIDATED_PREFIX = 'K';

/** A … Z, AA, AB …, skipping K: the letters groups get, in their order. */
export function groupLabels(count: number): string[] {
  const out: string[] = [];
  for (let n = 1; out.length < count; n += 1) {
    let label = '';
    let rest = n;
    while (rest) {
      const digit = (rest - 1) % 26;
      rest = Math.floor((rest - 1) / 26);
      label = String.fromCharCode(65 + digit) + label;
    }
    if (label !== CONSOLIDATED_PREFIX) out.push(label);
  }
  return out;
}

function isItem(item: Item | undefined): item is Item {
  return item !== undefined && typeof item.title === 'string' && typeof item.kind === 'string';
}

export interface GroupColumn {
  group: Group;
  checklist: Checklist;
  label: string;
  /** The group's items in document order. */
  items: Item[];
}

/** The groups in their order (position, id), each with its checklist, letter and items. */
export function groupColumns(tables: Tables): GroupColumn[] {
  const checklists = Object.values(tables.checklist);
  const byChecklist = new Map<number, Item[]>();
  for (const item of Object.values(tables.item)) {
    if (!isItem(item)) continue;
    const list = byChecklist.get(item.checklist_id) ?? [];
    list.push(item);
    byChecklist.set(item.checklist_id, list);
  }
  const groups = Object.values(tables.group)
    .filter((g) => checklists.some((c) => c.group_id === g.id))
    .sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : a.id - b.id));
  const labels = groupLabels(groups.length);
  return groups.map((group, i) => {
    const checklist = checklists.find((c) => c.group_id === group.id) as Checklist;
    return {
      group,
      checklist,
      label: labels[i] as string,
      items: (byChecklist.get(checklist.id) ?? []).sort(byPosition),
    };
  });
}

/** Every group item's ref (A1, B3 …), numbered like the export: by position, merged or not. */
export function itemRefs(columns: readonly GroupColumn[]): Map<string, string> {
  const refs = new Map<string, string>();
  for (const column of columns) {
    column.items.forEach((item, i) => refs.set(item.id, `${column.label}${i + 1}`));
  }
  return refs;
}

export function consolidatedChecklist(tables: Tables): Checklist | undefined {
  return Object.values(tables.checklist).find((c) => c.group_id === null);
}

/** The consolidated list in display order. */
export function consolidatedItems(tables: Tables): Item[] {
  const checklist = consolidatedChecklist(tables);
  if (!checklist) return [];
  return Object.values(tables.item)
    .filter((i) => isItem(i) && i.checklist_id === checklist.id)
    .sort(byPosition);
}

/** A consolidated item's display number, or a placeholder while the server has not given one. */
export function refOf(item: Item): string {
  return item.ref ?? '…';
}

/** The ref ("K12") of the consolidated item a group item is merged into, or null. */
export function mergedRef(item: Item, items: Tables['item']): string | null {
  if (!item.merged_into) return null;
  return item.merged_ref ?? items[item.merged_into]?.ref ?? '…';
}

export interface SourceRow {
  source: ItemSource;
  /** The group item, or undefined when this client cannot see it. */
  item: Item | undefined;
  ref: string;
  groupName: string;
}

/** A consolidated item's sources with their items, refs and group names. */
export function sourceRows(item: Item, tables: Tables, refs: ReadonlyMap<string, string>): SourceRow[] {
  return (item.sources ?? []).map((source) => ({
    source,
    item: tables.item[source.id],
    ref: refs.get(source.id) ?? '?',
    groupName: source.group_id !== null ? (tables.group[String(source.group_id)]?.name ?? '') : '',
  }));
}

/** May this item be merged (a live group item not merged yet)? */
export function isMergeable(item: Item | undefined, consolidatedId: number | undefined): boolean {
  return isItem(item) && item.checklist_id !== consolidatedId && !item.merged_into;
}

/** The picked ids that can still be merged, in the order they were picked. */
export function mergeablePicks(picked: readonly string[], tables: Tables): string[] {
  const consolidatedId = consolidatedChecklist(tables)?.id;
  return picked.filter((id) => isMergeable(tables.item[id], consolidatedId));
}

export interface ThemeRow {
  /** Null for items without a theme. */
  key: string | null;
  label: string;
  /** Per column (same order as the columns): the column's items filed under this theme. */
  cells: Item[][];
}

/**
 * The board's rows: one per theme (in the taxonomy's order, sub-themes after their parent)
 * with each group's items filed under their first known theme, and a last row for items
 * without one. Rows with no items are left out; each item appears exactly once.
 */
export function themeRows(columns: readonly GroupColumn[], themes: readonly Theme[], noTheme: string): ThemeRow[] {
  const ordered = themeTree(themes).flatMap((node) => [node.theme, ...node.children]);
  const known = new Set(ordered.map((t) => t.key));
  const rows: ThemeRow[] = [
    ...ordered.map((t) => ({ key: t.key as string | null, label: t.label, cells: columns.map(() => [] as Item[]) })),
    { key: null, label: noTheme, cells: columns.map(() => [] as Item[]) },
  ];
  const index = new Map(rows.map((row, i) => [row.key, i]));
  columns.forEach((column, c) => {
    for (const item of column.items) {
      const key = (item.themes ?? []).find((k) => known.has(k)) ?? null;
      rows[index.get(key) as number]?.cells[c]?.push(item);
    }
  });
  return rows.filter((row) => row.cells.some((cell) => cell.length > 0));
}

export interface OpenSuggestion {
  refs: string[];
  itemIds: string[];
  score: number;
  reason: string;
}

/**
 * Suggestions still worth showing: a cluster whose items were merged (by accepting it or by
 * hand) or deleted is gone; one with some items merged keeps the others while two or more are
 * left; one holding two items that a dismissal keeps apart is gone (the server suggests them
 * together no more, whoever dismissed them).
 */
export function openSuggestions(
  clusters: readonly { refs: string[]; item_ids: string[]; score: number; reason: string }[],
  tables: Tables,
): OpenSuggestion[] {
  const consolidatedId = consolidatedChecklist(tables)?.id;
  const apart = dismissedPairs(tables.dismissal);
  const out: OpenSuggestion[] = [];
  for (const cluster of clusters) {
    const keep = cluster.item_ids.map((id, i) => [id, cluster.refs[i] ?? '?'] as const).filter(([id]) =>
      isMergeable(tables.item[id], consolidatedId),
    );
    if (keep.length < 2) continue;
    const itemIds = keep.map(([id]) => id);
    if (pairsOf(itemIds).some((pair) => apart.has(pair))) continue;
    out.push({ refs: keep.map(([, ref]) => ref), itemIds, score: cluster.score, reason: cluster.reason });
  }
  return out;
}

/** Every pair of items some dismissal keeps apart, as `suggestionKey` of the two. */
export function dismissedPairs(dismissals: Readonly<Record<string, Dismissal>>): Set<string> {
  const out = new Set<string>();
  for (const dismissal of Object.values(dismissals)) for (const pair of pairsOf(dismissal.item_ids)) out.add(pair);
  return out;
}

function pairsOf(ids: readonly string[]): string[] {
  const out: string[] = [];
  ids.forEach((a, i) => ids.slice(i + 1).forEach((b) => out.push(suggestionKey([a, b]))));
  return out;
}

export interface DismissedSuggestion {
  itemIds: string[];
  /** The items' refs (A1, B3 …), or "?" for one that is gone. */
  refs: string[];
  titles: string[];
}

/** The workshop's dismissed suggestions, the latest first (this client's unsent ones on top). */
export function dismissedSuggestions(tables: Tables, refs: ReadonlyMap<string, string>): DismissedSuggestion[] {
  const rows = Object.values(tables.dismissal).sort(
    (a, b) => (a.created_seq || Infinity) - (b.created_seq || Infinity) || a.id.localeCompare(b.id),
  );
  return rows.reverse().map((row) => ({
    itemIds: [...row.item_ids],
    refs: row.item_ids.map((id) => refs.get(id) ?? '?'),
    titles: row.item_ids.map((id) => tables.item[id]?.title ?? ''),
  }));
}

export function suggestionKey(itemIds: readonly string[]): string {
  return [...itemIds].sort().join(',');
}

/** Nearest items to one, by id, from the suggestion engine's refs (left out: gone or merged ones). */
export function similarTo(
  itemId: string,
  similar: Readonly<Record<string, [string, number][]>>,
  idsByRef: Readonly<Record<string, string>>,
  tables: Tables,
): { id: string; ref: string; score: number; item: Item }[] {
  const ref = Object.keys(idsByRef).find((r) => idsByRef[r] === itemId);
  if (!ref) return [];
  const out: { id: string; ref: string; score: number; item: Item }[] = [];
  for (const [otherRef, score] of similar[ref] ?? []) {
    const id = idsByRef[otherRef];
    const item = id ? tables.item[id] : undefined;
    if (id && isItem(item)) out.push({ id, ref: otherRef, score, item });
  }
  return out;
}

/** A score as people read it: 0.8234 → "82%". */
export function percent(score: number): string {
  return `${Math.round(score * 100)}%`;
}

export function togglePick(picked: readonly string[], id: string): string[] {
  return picked.includes(id) ? picked.filter((p) => p !== id) : [...picked, id];
}

/** What dragging an item carries: every picked item when it is one of them, else itself. */
export function draggedIds(picks: readonly string[], itemId: string): string[] {
  return picks.includes(itemId) ? [...picks] : [itemId];
}

/** The item ids a drop carries (the drag's JSON list), or none for anything else. */
export function parseDragged(data: string | undefined): string[] {
  try {
    const ids: unknown = JSON.parse(data || '[]');
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}
