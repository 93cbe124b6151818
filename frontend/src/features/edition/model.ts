/**
 * Pure helpers behind the public edition page: the filter and its place in the address, the
 * themed sections, download addresses, provenance and change lists.
 */

import type {
  Change,
  ChangeKind,
  DownloadFormat,
  Kind,
  PublicItem,
  PublicTheme,
} from './types';

export const KINDS: readonly Kind[] = ['need', 'response', 'practice'];
export const FORMATS: readonly DownloadFormat[] = ['pdf', 'html', 'docx', 'xlsx', 'csv', 'md', 'json'];
export const CHANGE_KINDS: readonly ChangeKind[] = ['added', 'removed', 'reworded', 'retagged', 'merged', 'split'];

export interface EditionFilter {
  theme: string | null;
  kind: Kind | null;
  actor: string | null;
}

export const NO_FILTER: EditionFilter = { theme: null, kind: null, actor: null };

const isKind = (value: string | null): value is Kind => KINDS.includes(value as Kind);

/** The filter a shared address carries (`?theme=&kind=&actor=`); unknown kinds are dropped. */
export function parseFilter(search: string): EditionFilter {
  const params = new URLSearchParams(search);
  const text = (name: string) => params.get(name)?.trim() || null;
  const kind = text('kind');
  return { theme: text('theme'), kind: isKind(kind) ? kind : null, actor: text('actor') };
}

/** The query string of a filter, in a fixed order, without the `?` (empty for no filter). */
export function filterQuery(filter: EditionFilter): string {
  const params = new URLSearchParams();
  if (filter.theme) params.set('theme', filter.theme);
  if (filter.kind) params.set('kind', filter.kind);
  if (filter.actor) params.set('actor', filter.actor);
  return params.toString();
}

/** The filter with one choice changed; a kind that is not one of KINDS means any kind. */
export function withChoice(filter: EditionFilter, name: keyof EditionFilter, value: string | null): EditionFilter {
  if (name === 'kind') return { ...filter, kind: isKind(value) ? value : null };
  return { ...filter, [name]: value };
}

export function isFiltered(filter: EditionFilter): boolean {
  return filter.theme !== null || filter.kind !== null || filter.actor !== null;
}

/** The address of the edition page showing this filter. */
export function editionPath(slug: string, filter: EditionFilter = NO_FILTER): string {
  const query = filterQuery(filter);
  return `/e/${encodeURIComponent(slug)}${query ? `?${query}` : ''}`;
}

/** The download of the edition in `format`, narrowed by the filter when one is set. */
export function downloadUrl(slug: string, format: DownloadFormat, filter: EditionFilter = NO_FILTER): string {
  const query = filterQuery(filter);
  return `/api/public/editions/${encodeURIComponent(slug)}/download/${format}${query ? `?${query}` : ''}`;
}

/** Theme keys a filter on `key` accepts: the theme and its sub-themes. */
export function themeFamily(key: string, themes: readonly PublicTheme[]): Set<string> {
  const family = new Set([key]);
  for (const theme of themes) if (theme.parent === key) family.add(theme.key);
  return family;
}

export function matchesFilter(item: PublicItem, filter: EditionFilter, themes: readonly PublicTheme[]): boolean {
  if (filter.kind && item.kind !== filter.kind) return false;
  if (filter.actor && !item.actors.includes(filter.actor)) return false;
  if (filter.theme) {
    const family = themeFamily(filter.theme, themes);
    if (!item.themes.some((key) => family.has(key))) return false;
  }
  return true;
}

function comparePosition(a: PublicItem, b: PublicItem): number {
  return a.position - b.position || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}

export interface Section {
  /** The top-level theme, or null for items without a theme. */
  theme: PublicTheme | null;
  items: PublicItem[];
}

/**
 * Items under the top-level theme of their first known theme, in the themes' order, each
 * section in the items' order; items without a known theme come last.
 */
export function sectionsOf(items: readonly PublicItem[], themes: readonly PublicTheme[]): Section[] {
  const byKey = new Map(themes.map((t) => [t.key, t]));
  // The first theme the edition knows decides, as in the server's progress and documents.
  const rootOf = (keys: readonly string[]): PublicTheme | null => {
    const theme = keys.map((key) => byKey.get(key)).find((found) => found !== undefined);
    if (!theme) return null;
    return (theme.parent !== null ? byKey.get(theme.parent) : undefined) ?? theme;
  };
  const buckets = new Map<string | null, PublicItem[]>();
  for (const item of [...items].sort(comparePosition)) {
    const root = rootOf(item.themes);
    const key = root?.key ?? null;
    buckets.set(key, [...(buckets.get(key) ?? []), item]);
  }
  const sections: Section[] = [];
  for (const theme of themes) {
    const found = buckets.get(theme.key);
    if (theme.parent === null && found) sections.push({ theme, items: found });
  }
  const loose = buckets.get(null);
  if (loose) sections.push({ theme: null, items: loose });
  return sections;
}

/** Themes as options: each top-level theme followed by its sub-themes (marked as such). */
export function themeOptions(themes: readonly PublicTheme[]): { theme: PublicTheme; sub: boolean }[] {
  const out: { theme: PublicTheme; sub: boolean }[] = [];
  for (const root of themes.filter((t) => t.parent === null)) {
    out.push({ theme: root, sub: false });
    for (const child of themes.filter((t) => t.parent === root.key)) out.push({ theme: child, sub: true });
  }
  return out;
}

/** The actors that occur in the items, in `order` (the vocabulary), then any others. */
export function actorsUsed(items: readonly PublicItem[], order: readonly string[]): string[] {
  const used = new Set(items.flatMap((i) => i.actors));
  return [...order.filter((a) => used.has(a)), ...[...used].filter((a) => !order.includes(a)).sort()];
}

/** "Group 2, Group 4 and Group 5" in the reader's language. */
export function listText(names: readonly string[], locale: string): string {
  return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(names);
}

/** Changes in the order of CHANGE_KINDS, each kind's changes by code. */
export function changesByKind(changes: readonly Change[]): { kind: ChangeKind; changes: Change[] }[] {
  return CHANGE_KINDS.map((kind) => ({
    kind,
    changes: changes.filter((c) => c.change === kind).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)),
  })).filter((group) => group.changes.length > 0);
}

/** A date (`YYYY-MM-DD` or an ISO timestamp) as the reader writes dates. */
export function formatDate(value: string | null | undefined, locale: string): string {
  if (!value) return '';
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = new Date(day ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: day ? 'UTC' : undefined }).format(date);
}

/** The workshop's dates: one day, or a range. */
export function dateRange(start: string | null, end: string | null, locale: string): string {
  if (!start) return formatDate(end, locale);
  if (!end || end === start) return formatDate(start, locale);
  const a = new Date(`${start}T00:00:00Z`);
  const b = new Date(`${end}T00:00:00Z`);
  if (Number.isNaN(a.getTime()) || Number.isNaN(b.getTime())) return `${start} – ${end}`;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).formatRange(a, b);
}

/** Organisers as one line, whether the server sends a list or a text. */
export function organisersText(organisers: readonly string[], locale: string): string {
  return organisers.length ? listText(organisers, locale) : '';
}
