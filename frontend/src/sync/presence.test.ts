import { describe, expect, it } from 'vitest';

import { applyPresence, type PresenceEntry } from './protocol';

const at = (session: string, checklist: number | null, editing: string | null = null): PresenceEntry => ({
  session,
  member_id: Number(session.slice(1)),
  checklist_id: checklist,
  editing_item_id: editing,
});

describe('applyPresence', () => {
  it('takes a whole list as it is', () => {
    const list = [at('s1', 1), at('s2', null)];
    expect(applyPresence([at('s9', 3)], { type: 'presence', entries: list })).toEqual(list);
  });

  it('adds, moves and removes by session for a delta', () => {
    const before = [at('s1', 1), at('s2', null), at('s3', 2)];
    const after = applyPresence(before, {
      type: 'presence',
      delta: true,
      entries: [at('s2', 1, 'item-a'), at('s4', null)],
      gone: ['s3'],
    });
    expect(after).toEqual([at('s1', 1), at('s2', 1, 'item-a'), at('s4', null)]);
    expect(before).toHaveLength(3); // the previous list is left as it was
  });

  it('ignores a gone session it never had', () => {
    const before = [at('s1', 1)];
    expect(applyPresence(before, { type: 'presence', delta: true, entries: [], gone: ['s7'] })).toEqual(before);
  });
});
