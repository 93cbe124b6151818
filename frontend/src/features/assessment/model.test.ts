import { describe, expect, it } from 'vitest';
import type { PublicItem, PublicTheme } from '../edition/types';
import { answeredPercent, fieldsOf, needingReview, progressOf, reportUrl, validDate } from './model';
import type { Entry } from './types';

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
