/** The active locale as Svelte state, so every `t(...)` in a template follows a change. */

import {
  availableLocales,
  loadCatalogue,
  pickLocale,
  translate,
  translatePlural,
  type Locale,
  type MessageKey,
  type Params,
} from './catalogue';

const STORAGE_KEY = 'rt:locale';

function wantedLocale(): Locale {
  const offered = availableLocales().map((l) => l.code);
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    const match = offered.find((l) => l === saved);
    if (match) return match;
  } catch {
    // storage blocked: use the browser's languages
  }
  return pickLocale(navigator.languages ?? [navigator.language], offered);
}

/** English until `startLocale` has the reader's catalogue: a locale is set once its words are here. */
let locale = $state<Locale>('en');

export function getLocale(): Locale {
  return locale;
}

function show(next: Locale): void {
  locale = next;
  document.documentElement.lang = next;
}

/**
 * Loads the catalogue of the reader's language (stored, or the browser's) and switches to it;
 * the app awaits this before it first draws, so nobody sees English flash by. Offline without
 * that catalogue, the page is English for now.
 */
export async function startLocale(): Promise<void> {
  const wanted = wantedLocale();
  try {
    await loadCatalogue(wanted);
    show(wanted);
  } catch (error) {
    console.warn(`the ${wanted} catalogue could not be loaded; showing English`, error);
    show('en');
  }
}

/** Switches to `next` once its catalogue is here, and remembers it; rejects when it cannot load. */
export async function setLocale(next: Locale): Promise<void> {
  await loadCatalogue(next);
  show(next);
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // not remembered; fine
  }
}

export function t(key: MessageKey, params?: Params): string {
  return translate(locale, key, params);
}

export function tn(base: string, n: number, params?: Params): string {
  return translatePlural(locale, base, n, params);
}
