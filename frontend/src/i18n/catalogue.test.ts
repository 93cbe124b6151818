import { beforeAll, describe, expect, it } from 'vitest';
import {
  LOCALES,
  availableLocales,
  catalogueOf,
  isLoaded,
  isMessageKey,
  loadCatalogue,
  pickLocale,
  translate,
  translatePlural,
  type MessageKey,
} from './catalogue';
import { en } from './en';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const englishKeys = Object.keys(en).sort();

// First, while only English is in: the other catalogues come when asked for.
describe('loading a catalogue', () => {
  it('reads English until the catalogue of the language is loaded, then the language', async () => {
    expect(isLoaded('th')).toBe(false);
    expect(translate('th', 'join.submit')).toBe('Join');
    const first = loadCatalogue('th');
    expect(loadCatalogue('th')).toBe(first); // one fetch, however many ask
    await first;
    expect(isLoaded('th')).toBe(true);
    expect(translate('th', 'join.submit')).toBe('เข้าร่วม');
    expect(isLoaded('id')).toBe(false);
  });

  it('has English from the start', async () => {
    expect(isLoaded('en')).toBe(true);
    await expect(loadCatalogue('en')).resolves.toBeUndefined();
  });
});

describe('catalogue', () => {
  beforeAll(() => Promise.all(LOCALES.map((l) => loadCatalogue(l.code))));

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'undo.deleted', { title: 'Shelters' })).toBe('Deleted “Shelters”.');
    expect(translate('en', 'filter.showing', { shown: 2 })).toBe('Showing 2 of {total}');
  });

  it('shows a key that no catalogue has as itself', () => {
    expect(translate('th', 'no.such.key' as MessageKey)).toBe('no.such.key');
  });

  it('chooses plural forms', () => {
    expect(translatePlural('en', 'link.unsaved', 1)).toBe('1 change not yet saved');
    expect(translatePlural('en', 'link.unsaved', 3)).toBe('3 changes not yet saved');
    expect(translatePlural('id', 'link.unsaved', 1)).toBe('1 perubahan belum tersimpan');
    expect(translatePlural('th', 'vote.count', 2)).toBe('2 เสียง');
  });

  it('translates into Bahasa Indonesia and Thai', () => {
    expect(translate('id', 'join.submit')).toBe('Bergabung');
    expect(translate('th', 'join.title')).toBe('เข้าร่วมกลุ่มของคุณ');
    expect(translate('th', 'add.label', { kind: translate('th', 'kind.need.one') })).toBe('เพิ่มความต้องการใหม่');
  });

  it('picks a supported locale', () => {
    expect(pickLocale(['th-TH', 'en'])).toBe('th');
    expect(pickLocale(['in-ID'])).toBe('id');
    expect(pickLocale(['fr-FR', 'en-GB'])).toBe('en');
    expect(pickLocale([])).toBe('en');
    expect(pickLocale(['th-TH'], ['en'])).toBe('en');
  });

  it('offers every locale, each with its own name', () => {
    expect(availableLocales().map((l) => [l.code, l.name])).toEqual([
      ['en', 'English'],
      ['id', 'Bahasa Indonesia'],
      ['th', 'ไทย'],
    ]);
  });

  it('knows its keys', () => {
    expect(isMessageKey('kind.need')).toBe(true);
    expect(isMessageKey('kind.nope')).toBe(false);
  });
});

describe.each(LOCALES.map((l) => l.code))('the %s catalogue', (locale) => {
  let catalogue: Record<string, string | undefined> = {};
  beforeAll(async () => {
    await loadCatalogue(locale);
    catalogue = catalogueOf(locale) as Record<string, string | undefined>;
  });

  it('has every key, and no key English lacks', () => {
    expect(Object.keys(catalogue).sort()).toEqual(englishKeys);
  });

  it('has no empty message, and the same placeholders as English in each', () => {
    for (const key of englishKeys) {
      const text = catalogue[key] ?? '';
      expect(text.trim(), key).not.toBe('');
      expect(placeholders(text), key).toEqual(placeholders(en[key as keyof typeof en]));
    }
  });

  it('has every plural form its language uses', () => {
    // Plural messages are the bases with both a `.one` and an `.other` form.
    const bases = englishKeys
      .filter((k) => k.endsWith('.one'))
      .map((k) => k.slice(0, -'.one'.length))
      .filter((base) => englishKeys.includes(`${base}.other`));
    expect(bases).toContain('link.unsaved');
    const rules = new Intl.PluralRules(locale);
    for (const base of bases) {
      for (const form of rules.resolvedOptions().pluralCategories) {
        const key = form === 'one' || form === 'other' ? `${base}.${form}` : `${base}.other`;
        expect(catalogue[key], key).toBeDefined();
      }
    }
  });
});
