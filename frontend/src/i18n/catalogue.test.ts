import { describe, expect, it } from 'vitest';
import { availableLocales, isMessageKey, pickLocale, translate, translatePlural } from './catalogue';

describe('catalogue', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'undo.deleted', { title: 'Shelters' })).toBe('Deleted “Shelters”.');
    expect(translate('en', 'filter.showing', { shown: 2 })).toBe('Showing 2 of {total}');
  });

  it('chooses plural forms', () => {
    expect(translatePlural('en', 'link.unsaved', 1)).toBe('1 change not yet saved');
    expect(translatePlural('en', 'link.unsaved', 3)).toBe('3 changes not yet saved');
  });

  it('falls back to English for keys not yet translated', () => {
    expect(translate('th', 'join.submit')).toBe('Join');
    expect(translatePlural('id', 'link.unsaved', 1)).toBe('1 change not yet saved');
  });

  it('picks a supported locale', () => {
    expect(pickLocale(['th-TH', 'en'])).toBe('th');
    expect(pickLocale(['in-ID'])).toBe('id');
    expect(pickLocale(['fr-FR', 'en-GB'])).toBe('en');
    expect(pickLocale([])).toBe('en');
    expect(pickLocale(['th-TH'], ['en'])).toBe('en');
  });

  it('offers only locales that have translations', () => {
    expect(availableLocales().map((l) => l.code)).toContain('en');
  });

  it('knows its keys', () => {
    expect(isMessageKey('kind.need')).toBe(true);
    expect(isMessageKey('kind.nope')).toBe(false);
  });
});
