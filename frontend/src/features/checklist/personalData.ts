/**
 * A quick, local warning while typing: text that looks like it could identify a person.
 * It only warns; the server's safeguards decide what is flagged and held back.
 */

export type PersonalDataKind = 'email' | 'phone' | 'document' | 'age';

const EMAIL = /[\w.+-]+@[\w-]+\.[\w.-]+/;
const PHONE = /\+?\d[\d\s().-]{7,}\d/g;
const DOCUMENT = /\b[A-Z]{1,2}\d{6,9}\b/;
const AGE = /\b(?:\d{1,2}[- ]years?[- ]old|aged \d{1,2})\b/i;

export function personalDataHints(text: string): PersonalDataKind[] {
  const found: PersonalDataKind[] = [];
  if (EMAIL.test(text)) found.push('email');
  for (const match of text.match(PHONE) ?? []) {
    if (match.replace(/\D/g, '').length >= 9) {
      found.push('phone');
      break;
    }
  }
  if (DOCUMENT.test(text)) found.push('document');
  if (AGE.test(text)) found.push('age');
  return found;
}
