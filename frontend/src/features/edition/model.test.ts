import { describe, expect, it } from 'vitest';
import {
  actorsUsed,
  changesByKind,
  dateRange,
  downloadUrl,
  editionPath,
  filterQuery,
  listText,
  matchesFilter,
  NO_FILTER,
  parseFilter,
  sectionsOf,
  themeOptions,
  withChoice,
} from './model';
import type { Change, PublicItem, PublicTheme } from './types';

const themes: PublicTheme[] = [
  { key: 'frameworks', label: 'Regional frameworks', parent: null, prefix: 'RF' },
  { key: 'identification', label: 'Identification of victims', parent: null, prefix: 'ID' },
  { key: 'screening', label: 'Screening', parent: 'identification', prefix: 'SC' },
  { key: 'durable', label: 'Durable solutions', parent: null, prefix: 'DS' },
];

function item(code: string, over: Partial<PublicItem> = {}): PublicItem {
  return {
    code,
    kind: 'need',
    title: `Item ${code}`,
    detail: '',
    themes: [],
    actors: [],
    references: [],
    agreement: null,
    raised_by: [],
    position: 0,
    ...over,
  };
}

const items = [
  item('ID-02', { themes: ['screening'], actors: ['health'], kind: 'response', position: 2 }),
  item('ID-01', { themes: ['identification'], actors: ['government', 'civil_society'], position: 1 }),
  item('RF-01', { themes: ['frameworks'], actors: ['government'], kind: 'practice', position: 3 }),
  item('X-01', { themes: [], position: 4 }),
  item('DS-01', { themes: ['gone', 'durable'], position: 5 }),
];

describe('the filter in the address', () => {
  it('reads theme, kind and actor and drops unknown kinds', () => {
    expect(parseFilter('?theme=identification&kind=response&actor=health')).toEqual({
      theme: 'identification',
      kind: 'response',
      actor: 'health',
    });
    expect(parseFilter('kind=nonsense&theme=')).toEqual(NO_FILTER);
  });

  it('writes a query that reads back the same, empty when nothing is filtered', () => {
    const filter = { theme: 'durable', kind: 'need' as const, actor: 'survivors' };
    expect(filterQuery(filter)).toBe('theme=durable&kind=need&actor=survivors');
    expect(parseFilter(filterQuery(filter))).toEqual(filter);
    expect(filterQuery(NO_FILTER)).toBe('');
  });

  it('changes one choice at a time, and takes a kind it does not know for any kind', () => {
    const filter = withChoice(withChoice(NO_FILTER, 'theme', 'durable'), 'kind', 'practice');
    expect(filter).toEqual({ theme: 'durable', kind: 'practice', actor: null });
    expect(withChoice(filter, 'theme', null)).toEqual({ theme: null, kind: 'practice', actor: null });
    expect(withChoice(filter, 'kind', 'nonsense')).toEqual({ theme: 'durable', kind: null, actor: null });
  });

  it('builds page and download addresses with the filter', () => {
    expect(editionPath('aB3_-x')).toBe('/e/aB3_-x');
    expect(editionPath('aB3_-x', { ...NO_FILTER, theme: 'a b' })).toBe('/e/aB3_-x?theme=a+b');
    expect(downloadUrl('s1', 'xlsx', { ...NO_FILTER, kind: 'need' })).toBe(
      '/api/public/editions/s1/download/xlsx?kind=need',
    );
    expect(downloadUrl('s1', 'pdf')).toBe('/api/public/editions/s1/download/pdf');
  });
});

describe('filtering and sections', () => {
  it('a theme filter takes in its sub-themes', () => {
    const shown = items.filter((i) => matchesFilter(i, { ...NO_FILTER, theme: 'identification' }, themes));
    expect(shown.map((i) => i.code)).toEqual(['ID-02', 'ID-01']);
  });

  it('combines kind and actor', () => {
    const filter = { theme: null, kind: 'need' as const, actor: 'government' };
    expect(items.filter((i) => matchesFilter(i, filter, themes)).map((i) => i.code)).toEqual(['ID-01']);
  });

  it('groups items under their top-level theme in the themes order, the unthemed last', () => {
    const sections = sectionsOf(items, themes);
    expect(sections.map((s) => [s.theme?.key ?? null, s.items.map((i) => i.code)])).toEqual([
      ['frameworks', ['RF-01']],
      ['identification', ['ID-01', 'ID-02']],
      ['durable', ['DS-01']],
      [null, ['X-01']],
    ]);
  });

  it('lists sub-themes after their parent', () => {
    expect(themeOptions(themes).map((o) => `${o.sub ? '-' : ''}${o.theme.key}`)).toEqual([
      'frameworks',
      'identification',
      '-screening',
      'durable',
    ]);
  });

  it('offers only the actors in use, in the vocabulary order', () => {
    expect(actorsUsed(items, ['government', 'health', 'civil_society', 'survivors'])).toEqual([
      'government',
      'health',
      'civil_society',
    ]);
  });
});

describe('words', () => {
  it('joins group names the way each language does', () => {
    expect(listText(['Group 2', 'Group 4', 'Group 5'], 'en')).toBe('Group 2, Group 4, and Group 5');
    expect(listText(['Kelompok 2', 'Kelompok 4'], 'id')).toBe('Kelompok 2 dan Kelompok 4');
  });

  it('writes one day or a range', () => {
    expect(dateRange('2014-06-26', '2014-06-27', 'en-GB')).toMatch(/^26\s?–\s?27 June 2014$/);
    expect(dateRange('2014-06-26', null, 'en-GB')).toBe('26 June 2014');
    expect(dateRange(null, null, 'en')).toBe('');
  });

  it('sorts changes by kind, then code', () => {
    const changes: Change[] = [
      { code: 'ID-04', change: 'reworded', title: 'b', before: null, after: null, detail: '' },
      { code: 'ID-09', change: 'added', title: 'c', before: null, after: null, detail: '' },
      { code: 'ID-03', change: 'added', title: 'a', before: null, after: null, detail: '' },
    ];
    expect(changesByKind(changes).map((g) => [g.kind, g.changes.map((c) => c.code)])).toEqual([
      ['added', ['ID-03', 'ID-09']],
      ['reworded', ['ID-04']],
    ]);
  });
});
