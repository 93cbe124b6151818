import { describe, expect, it } from 'vitest';
import type { Item } from '../../sync/protocol';
import { formatValue, historyEntries, restoreFields, type HistoryEvent } from './history';

const item: Item = {
  id: 'i1',
  checklist_id: 1,
  kind: 'need',
  title: 'Interpreters on call',
  detail: '',
  themes: ['identification'],
  actors: [],
  references: [],
  position: 'a0',
  status: 'open',
  flags: [],
  created_by: 3,
  updated_seq: 9,
  merged_into: null,
};

const events: HistoryEvent[] = (
  [
  {
    seq: 4,
    actor: 3,
    kind: 'item.create',
    at: '2026-11-29T15:00:00Z',
    changes: [{ entity: 'item', id: 'i1', values: { ...item, title: 'Interpreters', themes: [] } }],
  },
  { seq: 5, actor: 3, kind: 'item.move', at: null, changes: [{ entity: 'item', id: 'i1', values: { position: 'a1' } }] },
  {
    seq: 6,
    actor: null,
    kind: 'item.update',
    at: '2026-11-29T15:01:00Z',
    changes: [
      { entity: 'item', id: 'other', values: { title: 'Not this one' } },
      { entity: 'item', id: 'i1', values: { title: 'Interpreters on call', themes: ['identification'] } },
    ],
  },
  { seq: 8, actor: 4, kind: 'item.delete', at: null, changes: [{ entity: 'item', id: 'i1', deleted: true }] },
  { seq: 9, actor: 4, kind: 'item.restore', at: null, changes: [{ entity: 'item', id: 'i1', values: { ...item } }] },
  ] satisfies Omit<HistoryEvent, 'client_id' | 'op_id'>[]
).map((event) => ({ client_id: null, op_id: null, ...event }));

describe('item history', () => {
  it('lists the changed fields of this item, newest first, marking the current values', () => {
    const entries = historyEntries(events, 'i1', item);
    expect(entries.map((e) => [e.seq, e.what])).toEqual([
      [9, 'restored'],
      [8, 'deleted'],
      [6, 'changed'],
      [4, 'created'],
    ]);
    const changed = entries[2]!;
    expect(changed.actor).toBeNull();
    expect(changed.fields).toEqual([
      { name: 'title', value: 'Interpreters on call', current: true },
      { name: 'themes', value: ['identification'], current: true },
    ]);
    const created = entries[3]!;
    expect(created.fields.find((f) => f.name === 'title')).toEqual({ name: 'title', value: 'Interpreters', current: false });
    expect(created.fields.find((f) => f.name === 'themes')).toEqual({ name: 'themes', value: [], current: false });
    expect(created.fields.map((f) => f.name)).not.toContain('position');
  });

  it('restores one old value as an item.update field', () => {
    expect(restoreFields({ name: 'title', value: 'Interpreters', current: false })).toEqual({ title: 'Interpreters' });
    const themes = ['a', 'b'];
    const fields = restoreFields({ name: 'themes', value: themes, current: false });
    expect(fields).toEqual({ themes: ['a', 'b'] });
    expect(fields.themes).not.toBe(themes);
  });

  it('shows values on one line', () => {
    expect(formatValue(['a', 'b'])).toBe('a, b');
    expect(formatValue([])).toBe('—');
    expect(formatValue('')).toBe('—');
    expect(formatValue('text')).toBe('text');
  });

  it('lists a redaction of this item as its own entry, with the kinds removed and no values', () => {
    const redaction: HistoryEvent = {
      seq: 10,
      actor: 7,
      kind: 'safeguards.redact',
      at: '2026-11-29T16:00:00Z',
      client_id: null,
      op_id: null,
      changes: [
        { entity: 'item', id: 'i1', values: { detail: 'Call [redacted]', flags: [], updated_seq: 10 } },
        { entity: 'redaction', id: 'i1', values: { of: 'item', kinds: ['phone', 'name', 'something_new'] } },
      ],
    };
    const entries = historyEntries([...events, redaction], 'i1', item);
    expect(entries[0]).toEqual({ seq: 10, at: '2026-11-29T16:00:00Z', actor: 7, what: 'redacted', fields: [], kinds: ['phone', 'name'] });
    expect(entries).toHaveLength(5);
    // A comment's redaction in the same checklist, or another item's, is not this item's history.
    const comment = { ...redaction, changes: [{ entity: 'redaction', id: 'i1', values: { of: 'comment', kinds: ['phone'] } }] };
    const other = { ...redaction, changes: [{ entity: 'redaction', id: 'i2', values: { of: 'item', kinds: ['phone'] } }] };
    expect(historyEntries([comment, other], 'i1', item)).toEqual([]);
  });

  it('has nothing for an item without events', () => {
    expect(historyEntries([], 'i1', item)).toEqual([]);
  });
});
