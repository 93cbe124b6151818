import { describe, expect, it } from 'vitest';
import type { Item, PresenceEntry, Theme } from '../../sync/protocol';
import { EMPTY_TABLES, type Tables } from '../../sync/state';
import { activeByChecklist, checklistStats, groupRows, itemsByChecklist, membersByGroup } from './model';

const theme = (id: number, key: string, position: string): Theme => ({
  id,
  key,
  label: key.toUpperCase(),
  description: '',
  parent_id: null,
  position,
});

const item = (id: string, kind: Item['kind'], themes: string[], updated_seq: number, checklist_id = 1): Item => ({
  id,
  checklist_id,
  kind,
  title: id,
  detail: '',
  themes,
  actors: [],
  references: [],
  position: id,
  status: 'open',
  flags: [],
  created_by: null,
  updated_seq,
  merged_into: null,
});

describe('checklist stats', () => {
  const themes = [theme(1, 'identification', 'a'), theme(2, 'protection', 'b'), theme(3, 'durable', 'c')];

  it('counts items per kind and per theme, most used theme first', () => {
    const stats = checklistStats(
      [
        item('a', 'need', ['protection'], 5),
        item('b', 'need', ['identification', 'protection'], 9),
        item('c', 'response', [], 2),
        item('d', 'practice', ['durable', 'identification'], 7),
        item('e', 'practice', ['unknown-key'], 1),
      ],
      themes,
    );
    expect(stats.total).toBe(5);
    expect(stats.byKind).toEqual({ need: 2, response: 1, practice: 2 });
    expect(stats.byTheme.map((t) => [t.label, t.count])).toEqual([
      ['IDENTIFICATION', 2],
      ['PROTECTION', 2],
      ['DURABLE', 1],
      ['unknown-key', 1],
    ]);
    expect(stats.untagged).toBe(1);
    expect(stats.latest.map((i) => i.id)).toEqual(['b', 'd', 'a']);
  });

  it('is all zeros for an empty checklist', () => {
    expect(checklistStats([], themes)).toEqual({
      total: 0,
      byKind: { need: 0, response: 0, practice: 0 },
      byTheme: [],
      untagged: 0,
      latest: [],
    });
  });
});

describe('groups and people', () => {
  const tables: Tables = {
    ...EMPTY_TABLES,
    group: {
      '2': { id: 2, name: 'B', colour: '', focus_themes: [], position: 'b' },
      '1': { id: 1, name: 'A', colour: '', focus_themes: [], position: 'a' },
    },
    checklist: {
      '10': { id: 10, group_id: 1, title: 'A' },
      '11': { id: 11, group_id: 2, title: 'B' },
      '12': { id: 12, group_id: null, title: 'Consolidated' },
    },
    member: {
      '1': { id: 1, display_name: 'F', role: 'facilitator', group_id: null, number: 1 },
      '2': { id: 2, display_name: 'Ana', role: 'participant', group_id: 1, number: 2 },
      '3': { id: 3, display_name: 'Budi', role: 'observer', group_id: 1, number: 3 },
      '4': { id: 4, display_name: 'Chai', role: 'participant', group_id: 2, number: 4 },
    },
    item: {
      x: item('x', 'need', [], 1, 10),
      y: item('y', 'need', [], 1, 11),
      w: item('w', 'need', [], 1, 10),
    },
  };

  it('lists groups in their order with their checklists', () => {
    expect(groupRows(tables).map((r) => [r.group.name, r.checklist?.id])).toEqual([
      ['A', 10],
      ['B', 11],
    ]);
  });

  it('splits items by checklist in display order', () => {
    const byChecklist = itemsByChecklist(tables);
    expect(byChecklist.get(10)?.map((i) => i.id)).toEqual(['w', 'x']);
    expect(byChecklist.get(11)?.map((i) => i.id)).toEqual(['y']);
  });

  it('counts who joined each group, facilitators aside', () => {
    expect(Object.fromEntries(membersByGroup(tables))).toEqual({ 1: 2, 2: 1 });
  });

  it('tells who is on each checklist, once per person however many tabs', () => {
    const presence: PresenceEntry[] = [
      { session: 'a', member_id: 3, checklist_id: 10, editing_item_id: null },
      { session: 'b', member_id: 2, checklist_id: 10, editing_item_id: 'x' },
      { session: 'c', member_id: 2, checklist_id: 10, editing_item_id: null },
      { session: 'd', member_id: 4, checklist_id: null, editing_item_id: null },
    ];
    expect(Object.fromEntries(activeByChecklist(presence))).toEqual({ 10: [2, 3] });
  });
});
