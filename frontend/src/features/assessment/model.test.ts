import { describe, expect, it } from 'vitest';
import sharedText from '../../../../tests/fixtures/assessment_progress_cases.json?raw';
import type { PublicItem, PublicTheme } from '../edition/types';
import { answeredPercent, BLANK, fieldsOf, needingReview, progressOf, reportUrl, STATUSES, validDate } from './model';
import type { Entry, Status } from './types';

const themes: PublicTheme[] = [
  { key: 'identification', label: 'Identification of victims', parent: null, prefix: 'ID' },
  { key: 'screening', label: 'Screening', parent: 'identification', prefix: 'SC' },
  { key: 'durable', label: 'Durable solutions', parent: null, prefix: 'DS' },
];

const item = (code: string, theme: string, position: number): PublicItem => ({
  code,
  kind: 'response',
  title: code,
  detail: '',
  themes: [theme],
  actors: [],
  references: [],
  agreement: null,
  raised_by: [],
  position,
});

const items = [item('ID-01', 'identification', 1), item('SC-01', 'screening', 2), item('DS-01', 'durable', 3)];

const entry = (over: Partial<Entry>): Entry => ({
  status: null,
  evidence: '',
  agency: '',
  target_date: null,
  needs_review: false,
  updated_at: '2026-11-29T17:00:00Z',
  ...over,
});

describe('assessment model', () => {
  it('counts answers per top-level theme and in total', () => {
    const { rows, total } = progressOf(items, themes, {
      'ID-01': entry({ status: 'in_place' }),
      'SC-01': entry({ status: 'not_yet' }),
    });
    expect(rows.map((r) => [r.theme, r.total, r.in_place, r.not_yet, r.unanswered])).toEqual([
      ['identification', 2, 1, 1, 0],
      ['durable', 1, 0, 0, 1],
    ]);
    expect([total.total, total.unanswered]).toEqual([3, 1]);
    expect(answeredPercent(total)).toBe(66);
    expect(answeredPercent(rows[0]!)).toBe(100);
  });

  it('reads an entry into fields, blank when there is none', () => {
    expect(fieldsOf(undefined)).toEqual({ status: null, evidence: '', agency: '', target_date: null });
    expect(fieldsOf(entry({ status: 'partly', target_date: '' })).target_date).toBeNull();
  });

  it('accepts only real days as target dates', () => {
    expect(validDate('')).toBe(true);
    expect(validDate('2027-02-28')).toBe(true);
    expect(validDate('2027-02-30')).toBe(false);
    expect(validDate('28/02/2027')).toBe(false);
  });

  it('lists the items a carry-over marked for review, in order', () => {
    const entries = { 'DS-01': entry({ needs_review: true }), 'ID-01': entry({ needs_review: true }) };
    expect(needingReview(items, entries)).toEqual(['ID-01', 'DS-01']);
  });

  it('addresses the gap report', () => {
    expect(reportUrl('s3cr3t', 'xlsx')).toBe('/api/public/assessments/s3cr3t/report/xlsx');
  });
});

/** The cases the server's count is tested against too (tests/assessments/test_progress_cases.py). */
interface SharedCase {
  name: string;
  items: { code: string; themes: string[] }[];
  answers: Record<string, Status | null>;
  rows: Record<string, string | number | null>[];
}

const shared = JSON.parse(sharedText) as {
  themes: Omit<PublicTheme, 'prefix'>[];
  cases: SharedCase[];
};

describe('progress by theme, on the cases the server shares', () => {
  const sharedThemes: PublicTheme[] = shared.themes.map((theme) => ({ ...theme, prefix: '' }));
  const counted = ['theme', 'total', ...STATUSES, 'unanswered'] as const;

  it('has cases, each naming every status', () => {
    expect(shared.cases.length).toBeGreaterThan(4);
    for (const c of shared.cases) for (const row of c.rows) expect(Object.keys(row), c.name).toEqual([...counted]);
  });

  it.each(shared.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const items = c.items.map((found, i) => ({ ...item(found.code, '', i), themes: found.themes }));
    const entries = Object.fromEntries(Object.entries(c.answers).map(([code, status]) => [code, { ...BLANK, status }]));
    const { rows, total } = progressOf(items, sharedThemes, entries);
    expect(rows.map((row) => Object.fromEntries(counted.map((key) => [key, row[key]])))).toEqual(c.rows);
    expect(total.total).toBe(c.items.length);
  });
});
