import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue, translate, type MessageKey } from '../i18n/catalogue';
import { explainProblem } from './problems';

const inThai = (key: MessageKey, params?: Record<string, string | number>) => translate('th', key, params);

describe('explainProblem', () => {
  beforeAll(() => loadCatalogue('th'));

  it('explains known refusals in the reader’s language and keeps the server’s words', () => {
    const { reason, detail } = explainProblem({ code: 'over_budget', message: 'args.count: 2 votes left' }, inThai);
    expect(reason).toBe('คุณใช้สิทธิ์ลงคะแนนหมดแล้ว');
    expect(detail).toContain('args.count: 2 votes left');
  });

  it('passes unknown codes through as the server wrote them', () => {
    expect(explainProblem({ code: 'something_new', message: 'why' }, inThai)).toEqual({ reason: 'why', detail: '' });
  });

  it('uses the client’s own words for what the client decided', () => {
    expect(explainProblem({ code: 'too_large', message: '' }, inThai).reason).toContain('64 KB');
  });
});
