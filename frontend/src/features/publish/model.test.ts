import { describe, expect, it } from 'vitest';
import type { PublishedEdition } from '../edition/types';
import { byNumberDesc, knownEditions, nextNumber, publicLink } from './model';

const edition = (number: number): PublishedEdition => ({
  number,
  title: `Edition ${number}`,
  notes: '',
  slug: `slug-${number}-xxxxxxxx`,
  published_at: '2026-11-29T17:00:00Z',
  url: `/e/slug-${number}-xxxxxxxx`,
  items: 3,
});

describe('publish panel model', () => {
  it('numbers the next edition after the highest', () => {
    expect(nextNumber([])).toBe(1);
    expect(nextNumber([edition(1), edition(3), edition(2)])).toBe(4);
  });

  it('lists the newest first', () => {
    expect(byNumberDesc([edition(1), edition(3), edition(2)]).map((e) => e.number)).toEqual([3, 2, 1]);
  });

  it('adds editions found later (live, or one’s own) to those known, each once, newest first', () => {
    expect(knownEditions([edition(1)], []).map((e) => e.number)).toEqual([1]);
    expect(knownEditions([edition(1), edition(2)], [edition(3), edition(2)]).map((e) => e.number)).toEqual([3, 2, 1]);
    // Live before the list came (or the list failed): what arrived live still shows.
    expect(knownEditions([], [edition(1)]).map((e) => e.number)).toEqual([1]);
    expect(knownEditions([edition(2)], [])).toEqual([edition(2)]);
  });

  it('turns the public path into a link to hand out', () => {
    expect(publicLink('https://roundtable.example.org', '/e/abc_DEF-123')).toBe(
      'https://roundtable.example.org/e/abc_DEF-123',
    );
  });
});
