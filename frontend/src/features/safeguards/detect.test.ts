import { describe, expect, it } from 'vitest';

import casesText from '../../../../tests/fixtures/safeguards_cases.json?raw';
import namesPy from '../../../../backend/roundtable/safeguards/names.py?raw';
import { findSpans, redactText } from './detect';
import { LATIN_GIVEN_NAMES, NOT_NAMES, THAI_GIVEN_NAMES } from './names';

interface Case {
  text: string;
  spans: [string, number, number][];
}

const cases = (JSON.parse(casesText) as { cases: Case[] }).cases;

function words(variable: string): string[] {
  const match = new RegExp(`${variable} = \\w+\\(\\n {4}"""([\\s\\S]*?)"""`).exec(namesPy);
  if (!match?.[1]) throw new Error(`no ${variable} in names.py`);
  return match[1].split(/\s+/).filter(Boolean);
}

describe('findSpans', () => {
  it('finds exactly what the server finds, on every shared case', () => {
    expect(cases.length).toBeGreaterThan(400);
    const differ = cases.filter(
      (c) => JSON.stringify(findSpans(c.text).map((s) => [s.kind, s.start, s.end])) !== JSON.stringify(c.spans),
    );
    expect(differ.map((c) => [c.text, c.spans, findSpans(c.text)])).toEqual([]);
  });

  it('uses the server gazetteer word for word', () => {
    expect([...LATIN_GIVEN_NAMES].sort()).toEqual(words('LATIN_GIVEN_NAMES').sort());
    expect([...THAI_GIVEN_NAMES]).toEqual(words('THAI_GIVEN_NAMES'));
    expect([...NOT_NAMES].sort()).toEqual(words('NOT_NAMES').sort());
  });

  it('leaves hotlines, laws and age limits alone', () => {
    for (const text of ['hotline 1343', 'ACTIP Article 14', 'children under 18', 'เด็กอายุต่ำกว่า 18 ปี']) {
      expect(findSpans(text)).toEqual([]);
    }
  });
});

describe('redactText', () => {
  it('replaces each detail and keeps the rest', () => {
    expect(redactText('Call her aunt on +66 81 234 5678 tonight')).toBe('Call her aunt on [redacted] tonight');
    expect(redactText('Korban bernama Siti Aminah, HP 0812-3456-7890')).toBe(
      'Korban bernama [redacted], HP [redacted]',
    );
    expect(redactText('hotline 1343')).toBe('hotline 1343');
  });
});
