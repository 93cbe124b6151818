/**
 * Every string the app shows, by key, in English (en.ts), Bahasa Indonesia (id.ts) and Thai
 * (th.ts). Each catalogue has every key (TypeScript and a test hold them to it); a key missing
 * at run time still falls back to English.
 *
 * English is part of the app's entry script; the other catalogues are chunks of their own,
 * fetched by `loadCatalogue` when a reader picks (or has stored) their language, so a phone
 * only downloads the language it shows. Until a catalogue is loaded its messages read in
 * English: the app loads the stored language before it first draws anything.
 *
 * Keys ending in `.one` / `.other` are plural forms chosen with Intl.PluralRules (Indonesian
 * and Thai only ever use `.other`); `{name}` placeholders are filled from the params.
 */

import { en, type Catalogue, type MessageKey } from './en';

export type { Catalogue, MessageKey };

export type Locale = 'en' | 'id' | 'th';

export const LOCALES: readonly { code: Locale; name: string }[] = [
  { code: 'en', name: 'English' },
  { code: 'id', name: 'Bahasa Indonesia' },
  { code: 'th', name: 'ไทย' },
];

const loaders: Readonly<Record<Exclude<Locale, 'en'>, () => Promise<Catalogue>>> = {
  id: () => import('./id').then((module) => module.id),
  th: () => import('./th').then((module) => module.th),
};

/** Typed as partial so that a key missing at run time (a stale bundle) falls back to English. */
const catalogues: Record<Locale, Partial<Catalogue>> = { en, id: {}, th: {} };
const loading = new Map<Locale, Promise<void>>();

/**
 * Fetches the catalogue of `locale` once (English is always there). A failed fetch (offline)
 * rejects, and the next call tries again.
 */
export function loadCatalogue(locale: Locale): Promise<void> {
  if (locale === 'en' || isLoaded(locale)) return Promise.resolve();
  let pending = loading.get(locale);
  if (!pending) {
    pending = loaders[locale]().then(
      (catalogue) => {
        catalogues[locale] = catalogue;
      },
      (error: unknown) => {
        loading.delete(locale);
        throw error;
      },
    );
    loading.set(locale, pending);
  }
  return pending;
}

export function isLoaded(locale: Locale): boolean {
  return Object.keys(catalogues[locale]).length > 0;
}

/** The catalogue of a locale as loaded so far, for tests and tools. */
export function catalogueOf(locale: Locale): Partial<Catalogue> {
  return catalogues[locale];
}

/** The locales the app offers (English always first). */
export function availableLocales(): { code: Locale; name: string }[] {
  return [...LOCALES];
}

export type Params = Readonly<Record<string, string | number>>;

function fill(template: string, params: Params | undefined): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/**
 * Looks `key` up in `locale`, falling back to English, and fills in `params`. A key no
 * catalogue has (a stale bundle) shows as itself rather than breaking the page.
 */
export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  return fill(catalogues[locale][key] ?? (en as Partial<Catalogue>)[key] ?? key, params);
}

/** The plural form of `base` for `n` (`base.one` / `base.other`), with `{n}` filled in. */
export function translatePlural(locale: Locale, base: string, n: number, params?: Params): string {
  // An untranslated message falls back to English, and so do its plural rules.
  const rulesLocale = `${base}.other` in catalogues[locale] ? locale : 'en';
  const form = new Intl.PluralRules(rulesLocale).select(n);
  const key = (`${base}.${form}` in en ? `${base}.${form}` : `${base}.other`) as MessageKey;
  return translate(locale, key, { n, ...params });
}

export function isMessageKey(key: string): key is MessageKey {
  return key in en;
}

/** The best locale on offer for a list of preferences such as navigator.languages. */
export function pickLocale(preferred: readonly string[], offered: readonly Locale[] = ['en', 'id', 'th']): Locale {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    const code = base === 'in' ? 'id' : base;
    const match = offered.find((l) => l === code);
    if (match) return match;
  }
  return 'en';
}
