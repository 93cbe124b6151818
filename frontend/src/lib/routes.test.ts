import { describe, expect, it } from 'vitest';
import { cleanCode, matchRoute, pathFor, type Route } from './routes';

describe('routes', () => {
  it.each<[string, string, Route]>([
    ['/', '', { name: 'home', code: '' }],
    ['/', '?code=qnb-vzg', { name: 'home', code: 'QNBVZG' }],
    ['/join', '?code=QNBVZG', { name: 'join', code: 'QNBVZG' }],
    ['/login', '', { name: 'login' }],
    ['/w', '', { name: 'workshops' }],
    ['/w/3/', '', { name: 'workshop', workshopId: 3 }],
    ['/w/3/c/12', '', { name: 'checklist', workshopId: 3, checklistId: 12 }],
    ['/w/3/c/12/projector', '', { name: 'projector', workshopId: 3, checklistId: 12 }],
    ['/e/Zk3_q-9xW2aP0rT7', '?theme=identification', { name: 'edition', slug: 'Zk3_q-9xW2aP0rT7', query: 'theme=identification' }],
    ['/a/s3cr3t-s3cr3t_s3cr3t', '', { name: 'assessment', secret: 's3cr3t-s3cr3t_s3cr3t' }],
    ['/e/short', '', { name: 'notFound' }],
    ['/e/has.dot.in.it', '', { name: 'notFound' }],
    ['/w/0', '', { name: 'notFound' }],
    ['/w/x/c/1', '', { name: 'notFound' }],
    ['/elsewhere', '', { name: 'notFound' }],
  ])('%s%s', (path, search, route) => {
    expect(matchRoute(path, search)).toEqual(route);
  });

  it('round-trips every route through its path', () => {
    const routes: Route[] = [
      { name: 'join', code: 'ABC123' },
      { name: 'login' },
      { name: 'workshops' },
      { name: 'workshop', workshopId: 5 },
      { name: 'checklist', workshopId: 5, checklistId: 9 },
      { name: 'projector', workshopId: 5, checklistId: 9 },
      { name: 'edition', slug: 'Zk3_q-9xW2aP0rT7', query: 'kind=need&actor=health' },
      { name: 'assessment', secret: 's3cr3t-s3cr3t_s3cr3t' },
    ];
    for (const route of routes) {
      const url = new URL(pathFor(route), 'http://x');
      expect(matchRoute(url.pathname, url.search)).toEqual(route);
    }
  });

  it('cleans typed codes', () => {
    expect(cleanCode(' qnb vzg ')).toBe('QNBVZG');
  });
});
