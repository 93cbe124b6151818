import { describe, expect, it } from 'vitest';
import type { Dismissal } from '../../sync/protocol';
import type { Tables } from '../../sync/state';
import { item, themes, workshop } from './fixtures';
import {
  consolidatedItems,
  draggedIds,
  groupColumns,
  groupLabels,
  itemRefs,
  mergeablePicks,
  mergedRef,
  dismissedPairs,
  dismissedSuggestions,
  openSuggestions,
  parseDragged,
  similarTo,
  sourceRows,
  themeRows,
  togglePick,
} from './model';

describe('group refs', () => {
  it('letters groups like the export, skipping K', () => {
    expect(groupLabels(12)).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'L', 'M']);
    expect(groupLabels(26).slice(-2)).toEqual(['Z', 'AA']);
  });

  it('orders groups by position and numbers every item, merged or not', () => {
    const columns = groupColumns(workshop());
    expect(columns.map((c) => [c.label, c.group.name])).toEqual([
      ['A', 'Group B'],
      ['B', 'Group A'],
    ]);
    const refs = itemRefs(columns);
    expect(refs.get('b1')).toBe('A1');
    expect(refs.get('a2')).toBe('B2');
    expect(refs.get('a4')).toBe('B4');
    expect(refs.has('k1')).toBe(false);
  });
});

describe('merged state', () => {
  it('names the consolidated item a source went into', () => {
    const tables = workshop();
    expect(mergedRef(tables.item['a2']!, tables.item)).toBe('K1');
    expect(mergedRef(tables.item['a1']!, tables.item)).toBeNull();
    // Without merged_ref in the values, the target's own ref is used.
    expect(mergedRef({ ...tables.item['a1']!, merged_into: 'k1' }, tables.item)).toBe('K1');
  });

  it('lists sources with their ref, group and staleness', () => {
    const tables = workshop();
    const refs = itemRefs(groupColumns(tables));
    const rows = sourceRows(tables.item['k1']!, tables, refs);
    expect(rows.map((r) => [r.ref, r.groupName, r.source.stale, r.item?.title])).toEqual([
      ['B2', 'Group A', false, 'a2'],
      ['A1', 'Group B', true, 'b1'],
    ]);
  });

  it('keeps only picks that can still be merged', () => {
    expect(mergeablePicks(['a1', 'a2', 'k1', 'gone', 'b2'], workshop())).toEqual(['a1', 'b2']);
    expect(togglePick(['a1'], 'b2')).toEqual(['a1', 'b2']);
    expect(togglePick(['a1', 'b2'], 'a1')).toEqual(['b2']);
  });

  it('reads the consolidated list in order', () => {
    const base = workshop();
    const tables = { ...base, item: { ...base.item, k0: item('k0', 99, '0', { ref: 'K2' }) } };
    expect(consolidatedItems(tables).map((i) => i.id)).toEqual(['k0', 'k1']);
  });
});

describe('the board by theme', () => {
  it('files each item once, under its first theme, sub-themes after their parent', () => {
    const rows = themeRows(groupColumns(workshop()), themes, 'No theme');
    expect(rows.map((r) => [r.key, r.cells.map((cell) => cell.map((i) => i.id))])).toEqual([
      ['identification', [['b1'], ['a1']]],
      ['protection', [['b2'], ['a4']]],
      ['children', [[], ['a2']]],
      [null, [[], ['a3']]],
    ]);
  });
});

function withDismissals(tables: Tables, ...rows: Dismissal[]): Tables {
  return { ...tables, dismissal: Object.fromEntries(rows.map((d) => [d.id, d])) };
}

describe('suggestions', () => {
  const cluster = (ids: string[], refs: string[]) => ({ item_ids: ids, refs, score: 0.8, reason: 'shared: shelter' });

  it('drops merged, deleted and dismissed items and clusters left with one', () => {
    const tables = workshop();
    const clusters = [
      cluster(['a1', 'b2'], ['B1', 'A2']),
      cluster(['a1', 'b1'], ['B1', 'A1']),
      cluster(['a1', 'a3', 'b1'], ['B1', 'B3', 'A1']),
      cluster(['a3', 'gone'], ['B3', 'Z9']),
    ];
    const open = openSuggestions(clusters, tables);
    expect(open.map((s) => s.itemIds)).toEqual([
      ['a1', 'b2'],
      ['a1', 'a3'],
    ]);
    expect(open[1]?.refs).toEqual(['B1', 'B3']);
  });

  it('hides every suggestion holding two items a dismissal keeps apart', () => {
    const clusters = [
      cluster(['a1', 'b2'], ['B1', 'A2']),
      cluster(['a3', 'b2'], ['B3', 'A2']),
      cluster(['a1', 'a3', 'a4'], ['B1', 'B3', 'B4']),
    ];
    const tables = withDismissals(workshop(), { id: 'd1', item_ids: ['a1', 'a3', 'b2'], created_seq: 7 });
    // The third holds a1 and a3, which were dismissed together (with b2).
    expect(openSuggestions(clusters, tables)).toEqual([]);
    const other = withDismissals(workshop(), { id: 'd2', item_ids: ['a3', 'b2'], created_seq: 8 });
    expect(openSuggestions(clusters, other).map((s) => s.itemIds)).toEqual([
      ['a1', 'b2'],
      ['a1', 'a3', 'a4'],
    ]);
    expect([...dismissedPairs(tables.dismissal)].sort()).toEqual(['a1,a3', 'a1,b2', 'a3,b2']);
  });

  it('lists dismissed suggestions latest first, unsent ones on top, with refs', () => {
    const tables = withDismissals(
      workshop(),
      { id: 'd1', item_ids: ['a1', 'b2'], created_seq: 7 },
      { id: 'd2', item_ids: ['a3', 'gone'], created_seq: 9 },
      { id: 'local:a1,a3', item_ids: ['a1', 'a3'], created_seq: 0 },
    );
    const refs = itemRefs(groupColumns(tables));
    const listed = dismissedSuggestions(tables, refs);
    expect(listed.map((d) => d.refs)).toEqual([
      ['B1', 'B3'],
      ['B3', '?'],
      ['B1', 'A2'],
    ]);
    expect(listed[0]?.itemIds).toEqual(['a1', 'a3']);
  });

  it('lists the nearest items to one that still exist', () => {
    const tables = workshop();
    const similar = { B1: [['A2', 0.7], ['Z9', 0.6], ['B3', 0.4]] as [string, number][] };
    const ids = { B1: 'a1', A2: 'b2', B3: 'a3', Z9: 'gone' };
    expect(similarTo('a1', similar, ids, tables).map((s) => [s.id, s.score])).toEqual([
      ['b2', 0.7],
      ['a3', 0.4],
    ]);
    expect(similarTo('k1', similar, ids, tables)).toEqual([]);
  });
});

describe('dragging', () => {
  it('carries every pick when a picked item is dragged, else the item alone', () => {
    expect(draggedIds(['a1', 'b2'], 'b2')).toEqual(['a1', 'b2']);
    expect(draggedIds(['a1', 'b2'], 'a3')).toEqual(['a3']);
  });

  it('reads only a list of ids from a drop', () => {
    expect(parseDragged(JSON.stringify(['a1', 'b2']))).toEqual(['a1', 'b2']);
    expect(parseDragged('["a1", 3, null]')).toEqual(['a1']);
    expect(parseDragged('Shelters for men')).toEqual([]);
    expect(parseDragged('{"a": 1}')).toEqual([]);
    expect(parseDragged(undefined)).toEqual([]);
  });
});
