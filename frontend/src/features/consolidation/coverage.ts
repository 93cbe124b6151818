/**
 * The coverage matrix, themes × groups: how many items each group raised under each theme,
 * how many of those are merged into the consolidated list, and which are still unhandled
 * (live, not merged, not parked): the facilitator's to-do list.
 *
 * The same rule as GET /api/workshops/{id}/coverage, computed live from the state: an item
 * counts under every theme it carries; an item with no theme counts in the "no theme" row.
 */

import type { Item, Theme } from '../../sync/protocol';
import { themeTree } from '../checklist/model';
import type { GroupColumn } from './model';

export interface CoverageCell {
  raised: number;
  consolidated: number;
  /** Unhandled item ids, in the group's order. */
  unhandled: string[];
}

export interface CoverageRow {
  /** Null: items without a theme. */
  key: string | null;
  label: string;
  cells: CoverageCell[];
}

export interface Coverage {
  rows: CoverageRow[];
  /** Per group: every item counted once. */
  totals: CoverageCell[];
}

export function isUnhandled(item: Item): boolean {
  return !item.merged_into && item.status !== 'parked';
}

function emptyCell(): CoverageCell {
  return { raised: 0, consolidated: 0, unhandled: [] };
}

function count(cell: CoverageCell, item: Item): void {
  cell.raised += 1;
  if (item.merged_into) cell.consolidated += 1;
  else if (isUnhandled(item)) cell.unhandled.push(item.id);
}

/** Coverage of the groups' items; `noTheme` labels the row of items without a theme. */
export function coverage(columns: readonly GroupColumn[], themes: readonly Theme[], noTheme: string): Coverage {
  const ordered = themeTree(themes).flatMap((node) => [node.theme, ...node.children]);
  const rows: CoverageRow[] = ordered.map((t) => ({ key: t.key, label: t.label, cells: columns.map(emptyCell) }));
  const untagged: CoverageRow = { key: null, label: noTheme, cells: columns.map(emptyCell) };
  const byKey = new Map(rows.map((row) => [row.key, row]));
  const totals = columns.map(emptyCell);
  columns.forEach((column, c) => {
    for (const item of column.items) {
      count(totals[c] as CoverageCell, item);
      const known = (item.themes ?? []).filter((k) => byKey.has(k));
      if (known.length === 0) count(untagged.cells[c] as CoverageCell, item);
      for (const key of new Set(known)) count(byKey.get(key)?.cells[c] as CoverageCell, item);
    }
  });
  if (untagged.cells.some((cell) => cell.raised > 0)) rows.push(untagged);
  return { rows, totals };
}

/** Every unhandled item id, by group then document order, each once. */
export function todoList(result: Coverage): string[] {
  return result.totals.flatMap((cell) => cell.unhandled);
}
