/** Pure helpers behind the facilitator's publish panel. */

import type { PublishedEdition } from '../edition/types';

/**
 * The editions `known` and those of `found` (the server's list, a live event from another
 * facilitator or the command line, one's own) it lacks, each once, newest first.
 */
export function knownEditions(
  known: readonly PublishedEdition[],
  found: readonly PublishedEdition[],
): PublishedEdition[] {
  const byNumber = new Map(known.map((e) => [e.number, e]));
  for (const edition of found) if (!byNumber.has(edition.number)) byNumber.set(edition.number, edition);
  return byNumberDesc([...byNumber.values()]);
}

/** Newest first. */
export function byNumberDesc(editions: readonly PublishedEdition[]): PublishedEdition[] {
  return [...editions].sort((a, b) => b.number - a.number);
}

/** The number the next edition will get. */
export function nextNumber(editions: readonly PublishedEdition[]): number {
  return editions.reduce((top, e) => Math.max(top, e.number), 0) + 1;
}

/** The full public address to hand out (the server gives the path, `/e/{slug}`). */
export function publicLink(origin: string, url: string): string {
  return new URL(url, origin).href;
}
