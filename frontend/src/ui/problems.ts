/** How a refused change is explained: in the person's language, with the server's words as detail. */

import type { MessageKey } from '../i18n/catalogue';
import type { OpProblem } from '../sync/engine';
import { MAX_MESSAGE_BYTES } from '../sync/protocol';

type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** Refusal codes (errors.py) that have an explanation in the catalogues. */
const EXPLAINED: ReadonlySet<string> = new Set([
  'forbidden',
  'not_found',
  'conflict',
  'over_budget',
  'stale',
  'invalid',
  'rate_limited',
]);

export function explainProblem(problem: Pick<OpProblem, 'code' | 'message'>, t: Translate): { reason: string; detail: string } {
  if (problem.code === 'refused_earlier') return { reason: t('alert.reasonLost'), detail: '' };
  if (problem.code === 'too_large') {
    return { reason: t('alert.tooLarge', { limit: MAX_MESSAGE_BYTES / 1024 }), detail: '' };
  }
  if (EXPLAINED.has(problem.code)) {
    const detail = problem.message ? t('alert.serverSaid', { message: problem.message }) : '';
    return { reason: t(`alert.code.${problem.code}` as MessageKey), detail };
  }
  return { reason: problem.message, detail: '' };
}
