import { describe, expect, it } from 'vitest';
import { findDismissal, predict, type PredictContext } from '../../sync/ops';
import { applyChanges, type Tables } from '../../sync/state';
import { workshop } from './fixtures';
import { openSuggestions } from './model';

/** What the person sees right after sending an op: its guess applied to `tables`. */
function guess(tables: Tables, kind: string, args: Record<string, unknown>): Tables {
  const ctx: PredictContext = {
    workshopId: 1,
    memberId: 5,
    rows: (entity) => Object.values(tables[entity]),
    deletedItems: new Map(),
  };
  return applyChanges(tables, predict(kind, args, (entity, id) => tables[entity][String(id)], ctx));
}

const clusters = [
  { item_ids: ['a1', 'b2'], refs: ['B1', 'A2'], score: 0.8, reason: 'both mention: shelters' },
  { item_ids: ['a1', 'a3'], refs: ['B1', 'B3'], score: 0.6, reason: 'both mention: interpreters' },
];

describe('dismissing a suggestion', () => {
  it('hides it at once, before the server answers, and undo brings it back', () => {
    const before = workshop();
    expect(openSuggestions(clusters, before)).toHaveLength(2);
    const dismissed = guess(before, 'consolidation.dismiss', { item_ids: ['b2', 'a1'] });
    expect(Object.values(dismissed.dismissal).map((d) => d.item_ids)).toEqual([['a1', 'b2']]);
    expect(openSuggestions(clusters, dismissed).map((s) => s.itemIds)).toEqual([['a1', 'a3']]);
    const undone = guess(dismissed, 'consolidation.undismiss', { item_ids: ['a1', 'b2'] });
    expect(undone.dismissal).toEqual({});
    expect(openSuggestions(clusters, undone)).toHaveLength(2);
  });

  it('guesses nothing for a set dismissed already, and undoes the confirmed row whatever its name', () => {
    const confirmed: Tables = {
      ...workshop(),
      dismissal: { srv1: { id: 'srv1', item_ids: ['a1', 'b2'], created_seq: 12 } },
    };
    const ctx = { rows: <E extends keyof Tables>(entity: E) => Object.values(confirmed[entity]) } as Pick<PredictContext, 'rows'>;
    expect(findDismissal(['b2', 'a1'], ctx)?.id).toBe('srv1');
    expect(findDismissal(['a1'], ctx)).toBeUndefined();
    expect(guess(confirmed, 'consolidation.dismiss', { item_ids: ['b2', 'a1'] })).toBe(confirmed);
    expect(guess(confirmed, 'consolidation.undismiss', { item_ids: ['b2', 'a1'] }).dismissal).toEqual({});
    // Another facilitator's dismissal arrives as an event: the suggestion goes from this board too.
    expect(openSuggestions(clusters, confirmed).map((s) => s.itemIds)).toEqual([['a1', 'a3']]);
  });
});
