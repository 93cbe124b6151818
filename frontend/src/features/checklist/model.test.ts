import { describe, expect, it } from 'vitest';
import type { Checklist, Item, Member, Theme, Workshop } from '../../sync/protocol';
import { EMPTY_TABLES } from '../../sync/state';
import { item as row } from '../../lib/fixtures';
import {
  appendPosition,
  bySection,
  dropPosition,
  editRight,
  editorsByItem,
  initials,
  itemsOf,
  matches,
  movePosition,
  peopleHere,
  themeTree,
} from './model';
import { personalDataHints } from './personalData';

/** An item of checklist 1. */
const item = (id: string, position: string, extra: Partial<Item> = {}) => row(id, 1, position, extra);

const themes: Theme[] = [
  { id: 1, key: 'identification', label: 'Identification', description: '', parent_id: null, position: 'V' },
  { id: 2, key: 'screening', label: 'Screening', description: '', parent_id: 1, position: 'V' },
  { id: 3, key: 'protection', label: 'Protection', description: '', parent_id: null, position: 'k' },
];

describe('ordering within a section', () => {
  const section = [item('a', 'F'), item('b', 'V'), item('c', 'k')];

  it('appends after the last item', () => {
    expect(appendPosition(section) > 'k').toBe(true);
    expect(appendPosition([])).toBe('V');
  });

  it('moves up and down by one place', () => {
    const up = movePosition(section, 'c', -1) as string;
    expect(up > 'F' && up < 'V').toBe(true);
    const down = movePosition(section, 'a', 1) as string;
    expect(down > 'V' && down < 'k').toBe(true);
    expect(movePosition(section, 'a', -1)).toBeNull();
    expect(movePosition(section, 'c', 1)).toBeNull();
  });

  it('drops an item before or after another of its section', () => {
    const first = dropPosition(section, 'c', 'a', 'before') as string;
    expect(first < 'F').toBe(true);
    const middle = dropPosition(section, 'a', 'b', 'after') as string;
    expect(middle > 'V' && middle < 'k').toBe(true);
    const last = dropPosition(section, 'a', 'c', 'after') as string;
    expect(last > 'k').toBe(true);
    const between = dropPosition(section, 'c', 'b', 'before') as string;
    expect(between > 'F' && between < 'V').toBe(true);
  });

  it('does not move an item dropped where it already is, or from elsewhere', () => {
    expect(dropPosition(section, 'b', 'b', 'before')).toBeNull();
    expect(dropPosition(section, 'b', 'a', 'after')).toBeNull();
    expect(dropPosition(section, 'b', 'c', 'before')).toBeNull();
    expect(dropPosition(section, 'x', 'a', 'before')).toBeNull();
    expect(dropPosition(section, 'a', 'x', 'before')).toBeNull();
  });

  it('still moves when two items share a key', () => {
    const tied = [item('a', 'V'), item('b', 'V'), item('c', 'V')];
    const down = movePosition(tied, 'a', 1) as string;
    const reordered = [{ ...tied[0]!, position: down }, tied[1]!, tied[2]!].sort((x, y) =>
      x.position === y.position ? (x.id < y.id ? -1 : 1) : x.position < y.position ? -1 : 1,
    );
    expect(reordered.map((i) => i.id).indexOf('a')).toBeGreaterThan(0);
  });
});

describe('items and filters', () => {
  it('lists a checklist’s items by position, then id, and splits them by kind', () => {
    const tables = {
      ...EMPTY_TABLES,
      item: {
        b: item('b', 'V', { kind: 'response' }),
        a: item('a', 'V'),
        z: item('z', 'F', { checklist_id: 2 }),
        partial: { id: 'partial', position: 'A' } as unknown as Item,
      },
    };
    const items = itemsOf(tables, 1);
    expect(items.map((i) => i.id)).toEqual(['a', 'b']);
    expect(bySection(items).response.map((i) => i.id)).toEqual(['b']);
  });

  it('matches a theme with its sub-themes, and actors', () => {
    const screening = item('s', 'V', { themes: ['screening'], actors: ['health'] });
    expect(matches(screening, { theme: 'identification', actor: null }, themes)).toBe(true);
    expect(matches(screening, { theme: 'protection', actor: null }, themes)).toBe(false);
    expect(matches(screening, { theme: null, actor: 'health' }, themes)).toBe(true);
    expect(matches(screening, { theme: null, actor: 'judiciary' }, themes)).toBe(false);
  });

  it('builds the theme tree', () => {
    expect(themeTree(themes).map((n) => [n.theme.key, n.children.map((c) => c.key)])).toEqual([
      ['identification', ['screening']],
      ['protection', []],
    ]);
  });
});

describe('edit rights', () => {
  const workshop = { phase: 'breakout' } as Workshop;
  const mine: Checklist = { id: 1, group_id: 1, title: 'A' };
  const member = (role: Member['role'], group_id: number | null = 1) =>
    ({ id: 1, role, group_id, display_name: 'x', number: 1 }) as Member;

  it('follows access.py', () => {
    expect(editRight(member('participant'), workshop, mine)).toEqual({ ok: true });
    expect(editRight(member('participant', 2), workshop, mine)).toEqual({ ok: false, reason: 'other' });
    expect(editRight(member('observer'), workshop, mine)).toEqual({ ok: false, reason: 'observer' });
    expect(editRight(member('participant'), { phase: 'review' } as Workshop, mine)).toEqual({ ok: false, reason: 'phase' });
    expect(editRight(member('facilitator', null), { phase: 'review' } as Workshop, mine)).toEqual({ ok: true });
  });
});

describe('presence', () => {
  const presence = [
    { session: 'a', member_id: 2, checklist_id: 1, editing_item_id: 'x' },
    { session: 'b', member_id: 2, checklist_id: 1, editing_item_id: 'x' },
    { session: 'c', member_id: 1, checklist_id: 1, editing_item_id: 'x' },
    { session: 'd', member_id: 3, checklist_id: 2, editing_item_id: 'y' },
  ];
  it('lists people on a checklist once each', () => {
    expect(peopleHere(presence, 1)).toEqual([1, 2]);
  });
  it('shows who else is editing which item', () => {
    expect([...editorsByItem(presence, 1, 1)]).toEqual([['x', [2]]]);
  });
  it('makes initials', () => {
    expect(initials('Ana Lopez')).toBe('AL');
    expect(initials('Participant 7')).toBe('P7');
    expect(initials('  ')).toBe('?');
  });
});

describe('personal data hints', () => {
  it.each([
    ['Call her on +66 81 234 5678', ['phone']],
    ['write to somchai@example.org', ['email']],
    ['passport AB1234567 was kept', ['id_number']],
    ['a 14-year-old girl from the port', ['birth']],
    ['Korban bernama Siti, HP 0812-3456-7890', ['name', 'phone']],
    ['Train 200 officers by 2026-06-30', []],
    ['ACTIP Art. 14 applies', []],
  ])('%s', (text, kinds) => {
    expect(personalDataHints(text)).toEqual(kinds);
  });
});
