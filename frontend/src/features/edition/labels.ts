/** Names of vocabulary values in the reader's language (unknown values are shown as they are). */

import { isMessageKey } from '../../i18n/catalogue';
import { t } from '../../i18n/index.svelte';
import { ApiError } from '../../lib/http';

function lookup(key: string, fallback: string): string {
  return isMessageKey(key) ? t(key) : fallback;
}

export const actorLabel = (actor: string) => lookup(`actor.${actor}`, actor);
export const kindLabel = (kind: string) => lookup(`kind.${kind}.one`, kind);
export const kindsLabel = (kind: string) => lookup(`kind.${kind}`, kind);
export const agreementLabel = (level: string) => lookup(`edition.agreement.${level}`, level);

export const FORMAT_NAMES: Readonly<Record<string, string>> = {
  pdf: 'PDF',
  html: 'HTML',
  docx: 'Word',
  xlsx: 'Excel',
  csv: 'CSV',
  md: 'Markdown',
  json: 'JSON',
};

/** What went wrong, for the reader: the app's own words for a lost connection, else the server's. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError && error.code === 'network') return t('error.network');
  return error instanceof Error ? error.message : String(error);
}
