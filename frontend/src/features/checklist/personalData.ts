/**
 * The warning while typing: text that looks like it could identify a person. It uses the
 * server's own rules (features/safeguards/detect.ts), so what the browser warns about is
 * what the server flags and holds back; it only warns, the person decides.
 */

import { findSpans, type PersonalKind } from '../safeguards/detect';

export type PersonalDataKind = PersonalKind;

/** The kinds of detail found in `text`, each once, in the order they appear. */
export function personalDataHints(text: string): PersonalDataKind[] {
  return [...new Set(findSpans(text).map((s) => s.kind))];
}
