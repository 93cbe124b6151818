import { describe, expect, it } from 'vitest';
import { coverage, todoList } from './coverage';
import { themes, workshop } from './fixtures';
import { groupColumns } from './model';

describe('coverage', () => {
  it('counts raised and consolidated items per theme and group, and lists the unhandled ones', () => {
    const result = coverage(groupColumns(workshop()), themes, 'No theme');
    // Columns: Group B (b1 merged, b2), then Group A (a1, a2 merged, a3 untagged, a4 parked).
    expect(result.rows.map((r) => [r.key, r.cells.map((c) => [c.raised, c.consolidated, c.unhandled])])).toEqual([
      ['identification', [[1, 1, []], [2, 1, ['a1']]]],
      ['protection', [[1, 0, ['b2']], [1, 0, []]]],
      ['children', [[0, 0, []], [1, 1, []]]],
      [null, [[0, 0, []], [1, 0, ['a3']]]],
    ]);
    expect(result.totals.map((c) => [c.raised, c.consolidated])).toEqual([
      [2, 1],
      [4, 1],
    ]);
    expect(todoList(result)).toEqual(['b2', 'a1', 'a3']);
  });

  it('leaves out the no-theme row when every item has a theme', () => {
    const tables = workshop();
    delete (tables.item as Record<string, unknown>)['a3'];
    const result = coverage(groupColumns(tables), themes, 'No theme');
    expect(result.rows.map((r) => r.key)).toEqual(['identification', 'protection', 'children']);
  });

  it('goes down as items are merged', () => {
    const tables = workshop();
    const before = todoList(coverage(groupColumns(tables), themes, '-'));
    const after = { ...tables, item: { ...tables.item, b2: { ...tables.item['b2']!, merged_into: 'k1' } } };
    expect(before).toContain('b2');
    expect(todoList(coverage(groupColumns(after), themes, '-'))).not.toContain('b2');
  });
});
