import { afterEach, describe, expect, it, vi } from 'vitest';
import { abortRequests, ApiError, errorFrom, readCookie, request } from './http';

afterEach(() => vi.unstubAllGlobals());

describe('http helpers', () => {
  it('reads one cookie', () => {
    expect(readCookie('a=1; rt_csrf=abc%3D; b=2', 'rt_csrf')).toBe('abc=');
    expect(readCookie('a=1', 'rt_csrf')).toBeNull();
  });

  it('turns the error body into an ApiError naming the field', () => {
    const error = errorFrom(422, { error: { code: 'invalid', message: 'body.code: too short', field: 'body.code' } });
    expect(error).toMatchObject({ status: 422, code: 'invalid', field: 'body.code', message: 'body.code: too short' });
    expect(errorFrom(502, 'junk')).toMatchObject({ code: 'error', message: 'HTTP 502' });
  });

  it('echoes the csrf token it was given on state-changing requests', async () => {
    const calls: RequestInit[] = [];
    vi.stubGlobal('fetch', async (_path: string, init: RequestInit) => {
      calls.push(init);
      return new Response(JSON.stringify({ csrf_token: 'tok-1', member: null }), { status: 200 });
    });
    await request('GET', '/api/auth/me');
    await request('POST', '/api/auth/logout');
    expect((calls[0]?.headers as Record<string, string>)['X-CSRF-Token']).toBeUndefined();
    expect((calls[1]?.headers as Record<string, string>)['X-CSRF-Token']).toBe('tok-1');
  });

  it('reports an unreachable server as a network error', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(request('GET', '/api/auth/me')).rejects.toEqual(new ApiError(0, 'network', 'the server could not be reached'));
  });

  it('calls off the requests under way, and only those', async () => {
    vi.stubGlobal('fetch', (_path: string, init: RequestInit) => {
      // Answers only when called off, as a request that outlives the session would.
      return new Promise<Response>((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    });
    const pending = request('GET', '/api/workshops/1/safeguards/flags');
    abortRequests();
    await expect(pending).rejects.toEqual(new ApiError(0, 'aborted', 'the request was called off'));

    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ ok: true }), { status: 200 }));
    await expect(request('GET', '/api/health')).resolves.toEqual({ ok: true });
  });
});
