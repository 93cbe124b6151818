import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../sync/outbox';
import { announcementMark, dismissKey, readDismissed, saveDismissed, visibleAnnouncement } from './announcement';

describe('announcement banner', () => {
  it('shows the current announcement until this person dismisses it', () => {
    const store = new MemoryStore();
    const key = dismissKey(3, 7);
    const at = '2026-11-29T15:00:00Z';
    expect(visibleAnnouncement('Back at 3', at, readDismissed(store, key))).toBe('Back at 3');
    saveDismissed(store, key, announcementMark('Back at 3', at));
    expect(visibleAnnouncement('Back at 3', at, readDismissed(store, key))).toBeNull();
    // a new announcement shows again, even within the same second; another person's mark is their own
    expect(visibleAnnouncement('Lunch', '2026-11-29T15:05:00Z', readDismissed(store, key))).toBe('Lunch');
    expect(visibleAnnouncement('Lunch', at, readDismissed(store, key))).toBe('Lunch');
    expect(readDismissed(store, dismissKey(3, 8))).toBeNull();
  });

  it('shows nothing when there is no announcement', () => {
    expect(visibleAnnouncement('', null, null)).toBeNull();
    expect(visibleAnnouncement(undefined, undefined, null)).toBeNull();
  });

  it('survives storage that refuses', () => {
    const broken = {
      getItem: () => {
        throw new Error('blocked');
      },
      setItem: () => {
        throw new Error('blocked');
      },
    };
    expect(readDismissed(broken, 'k')).toBeNull();
    expect(() => saveDismissed(broken, 'k', 'x')).not.toThrow();
  });
});
