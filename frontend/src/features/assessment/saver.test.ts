import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BLANK } from './model';
import { EntrySaver, type SaveState } from './saver';
import type { Entry, EntryFields } from './types';

function entryOf(fields: EntryFields): Entry {
  return { ...fields, needs_review: false, updated_at: '2026-11-29T17:00:00Z' };
}

/** A server whose answers the test releases one by one. */
function harness() {
  const calls: { code: string; fields: EntryFields; resolve: () => void; reject: (e: Error) => void }[] = [];
  const states: [string, SaveState['state']][] = [];
  const saved: [string, Entry][] = [];
  const saver = new EntrySaver(
    (code, fields) =>
      new Promise<Entry>((resolve, reject) => {
        calls.push({ code, fields, resolve: () => resolve(entryOf(fields)), reject });
      }),
    {
      state: (code, s) => states.push([code, s.state]),
      saved: (code, entry) => saved.push([code, entry]),
    },
    500,
  );
  return { saver, calls, states, saved };
}

const flushPromises = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('EntrySaver', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => vi.useRealTimers());

  it('sends a choice at once and reports saving then saved', async () => {
    const { saver, calls, states, saved } = harness();
    saver.change('ID-01', { ...BLANK, status: 'partly' }, BLANK, { now: true });
    expect(calls.map((c) => [c.code, c.fields.status])).toEqual([['ID-01', 'partly']]);
    calls[0]!.resolve();
    await vi.runAllTimersAsync();
    expect(states).toEqual([
      ['ID-01', 'pending'],
      ['ID-01', 'saving'],
      ['ID-01', 'saved'],
    ]);
    expect(saved[0]![1].status).toBe('partly');
    expect(saver.unsaved).toEqual([]);
  });

  it('waits for a pause in typing and sends only the last text', async () => {
    const { saver, calls } = harness();
    saver.change('ID-01', { ...BLANK, evidence: 'Na' }, BLANK);
    vi.advanceTimersByTime(300);
    saver.change('ID-01', { ...BLANK, evidence: 'National referral' }, BLANK);
    vi.advanceTimersByTime(499);
    expect(calls).toHaveLength(0);
    expect(saver.unsaved).toEqual(['ID-01']);
    vi.advanceTimersByTime(1);
    expect(calls.map((c) => c.fields.evidence)).toEqual(['National referral']);
  });

  it('sends what changed while a request was out once it returns', async () => {
    const { saver, calls, states } = harness();
    saver.change('ID-01', { ...BLANK, status: 'not_yet' }, BLANK, { now: true });
    saver.change('ID-01', { ...BLANK, status: 'in_place' }, BLANK, { now: true });
    expect(calls).toHaveLength(1);
    calls[0]!.resolve();
    await flushPromises();
    expect(calls.map((c) => c.fields.status)).toEqual(['not_yet', 'in_place']);
    calls[1]!.resolve();
    await flushPromises();
    expect(states.at(-1)).toEqual(['ID-01', 'saved']);
    expect(saver.unsaved).toEqual([]);
  });

  it('keeps a failed change, says why, and sends it again on retry', async () => {
    const { saver, calls, states } = harness();
    saver.change('TH-02', { ...BLANK, agency: 'Ministry of Social Affairs' }, BLANK);
    void saver.flush('TH-02');
    calls[0]!.reject(new Error('the server could not be reached'));
    await flushPromises();
    expect(states.at(-1)).toEqual(['TH-02', 'failed']);
    expect(saver.unsaved).toEqual(['TH-02']);
    const retried = saver.flush('TH-02');
    expect(calls.map((c) => c.fields.agency)).toEqual(['Ministry of Social Affairs', 'Ministry of Social Affairs']);
    calls[1]!.resolve();
    await retried;
    expect(states.at(-1)).toEqual(['TH-02', 'saved']);
  });

  it('sends nothing when the values are back to what is stored', () => {
    const { saver, calls, states } = harness();
    const stored = { ...BLANK, evidence: 'Law 21/2007' };
    saver.change('ID-01', { ...stored, evidence: 'Law 21/2007 art. 5' }, stored);
    saver.change('ID-01', stored, stored);
    vi.advanceTimersByTime(1000);
    expect(calls).toHaveLength(0);
    expect(states.at(-1)).toEqual(['ID-01', 'saved']);
  });
});
