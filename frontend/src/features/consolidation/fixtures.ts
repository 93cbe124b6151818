/** Small workshops in the state's own shape, for the consolidation and agreement tests. */

import { item } from '../../lib/fixtures';
import type { Checklist, Group, Item, Theme } from '../../sync/protocol';
import { EMPTY_TABLES, type Tables } from '../../sync/state';

export { item };

export const themes: Theme[] = [
  { id: 1, key: 'identification', label: 'Identification', description: '', parent_id: null, position: 'a' },
  { id: 2, key: 'children', label: 'Children', description: '', parent_id: 3, position: 'a' },
  { id: 3, key: 'protection', label: 'Protection', description: '', parent_id: null, position: 'b' },
];

function group(id: number, name: string, position: string): Group {
  return { id, name, colour: '', focus_themes: [], position };
}

const checklists: Checklist[] = [
  { id: 10, group_id: 1, title: 'Group A' },
  { id: 20, group_id: 2, title: 'Group B' },
  { id: 99, group_id: null, title: 'Consolidated' },
];

/**
 * Group A (checklist 10): a1 identification, a2 children+identification (merged into k1),
 * a3 no theme, a4 parked. Group B (checklist 20, first by position): b1 identification
 * (merged into k1), b2 protection.
 */
export function workshop(): Tables {
  const items: Item[] = [
    item('a1', 10, 'a', { themes: ['identification'] }),
    item('a2', 10, 'b', { themes: ['children', 'identification'], merged_into: 'k1', merged_ref: 'K1' }),
    item('a3', 10, 'c'),
    item('a4', 10, 'd', { themes: ['protection'], status: 'parked' }),
    item('b1', 20, 'a', { themes: ['identification'], merged_into: 'k1', merged_ref: 'K1' }),
    item('b2', 20, 'b', { themes: ['protection'] }),
    item('k1', 99, 'a', {
      ref: 'K1',
      themes: ['identification', 'children'],
      sources: [
        { id: 'a2', checklist_id: 10, group_id: 1, stale: false },
        { id: 'b1', checklist_id: 20, group_id: 2, stale: true },
      ],
    }),
  ];
  return {
    ...EMPTY_TABLES,
    theme: Object.fromEntries(themes.map((t) => [String(t.id), t])),
    // Group B comes first by position, though its id is higher.
    group: { '1': group(1, 'Group A', 'b'), '2': group(2, 'Group B', 'a') },
    checklist: Object.fromEntries(checklists.map((c) => [String(c.id), c])),
    item: Object.fromEntries(items.map((i) => [i.id, i])),
  };
}
