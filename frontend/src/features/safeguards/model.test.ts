import { describe, expect, it } from 'vitest';

import { EMPTY_TABLES, type Tables } from '../../sync/state';
import { findSpans } from './detect';
import { heldBackCount, segments } from './model';

describe('segments', () => {
  it('cuts a text at the server’s findings', () => {
    const text = 'Call her aunt on +66 81 234 5678 tonight';
    const findings = findSpans(text).map((s) => ({ ...s, field: 'detail' }));
    expect(segments(text, 'detail', findings)).toEqual([
      { text: 'Call her aunt on ', kind: null },
      { text: '+66 81 234 5678', kind: 'phone' },
      { text: ' tonight', kind: null },
    ]);
    expect(segments(text, 'title', findings)).toEqual([{ text, kind: null }]);
  });

  it('skips findings that no longer fit the text (edited since)', () => {
    expect(segments('short', 'title', [{ kind: 'phone', field: 'title', start: 2, end: 40 }])).toEqual([
      { text: 'short', kind: null },
    ]);
  });
});

describe('heldBackCount', () => {
  it('counts items flagged personal_data', () => {
    const item = (id: string, flags: string[]) => ({ id, flags }) as unknown as Tables['item'][string];
    const tables = { ...EMPTY_TABLES, item: { a: item('a', ['personal_data']), b: item('b', []) } } as Tables;
    expect(heldBackCount(tables)).toBe(1);
  });
});
