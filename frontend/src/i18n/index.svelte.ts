/** The active locale as Svelte state, so every `t(...)` in a template follows a change. */

import { availableLocales, pickLocale, translate, translatePlural, type Locale, type MessageKey, type Params } from './catalogue';

const STORAGE_KEY = 'rt:locale';

function initialLocale(): Locale {
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

let locale = $state<Locale>(initialLocale());

export function getLocale(): Locale {
  return locale;
}

export function setLocale(next: Locale): void {
  locale = next;
  document.documentElement.lang = next;
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
