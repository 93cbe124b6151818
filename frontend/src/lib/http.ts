/**
 * The few REST calls the app makes (sign-in, join, who am I). Same-origin cookies carry the
 * session; state-changing requests echo the `rt_csrf` cookie in X-CSRF-Token.
 */

import type { ApiResponses, GroupPublic } from '../api/generated';

// The REST shapes come from the server's models (src/api/generated.ts, `npm run gen:types`).
export type Me = ApiResponses['getMe'];
export type WorkshopSummary = ApiResponses['listWorkshops'][number];
/** A group as facilitators read it over REST: with its join code (never sent in events). */
export type GroupWithCode = GroupPublic;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

export function readCookie(cookies: string, name: string): string | null {
  for (const part of cookies.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

/** The error body `{"error": {code, message, field}}` as an ApiError. */
export function errorFrom(status: number, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; field?: unknown } } | null)?.error;
  const code = typeof error?.code === 'string' ? error.code : 'error';
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${status}`;
  const field = typeof error?.field === 'string' ? error.field : null;
  return new ApiError(status, code, message, field);
}

let csrfToken: string | null = null;

function csrf(): string | null {
  return (typeof document !== 'undefined' ? readCookie(document.cookie, 'rt_csrf') : null) ?? csrfToken;
}

/** The requests under way, so that ending the session can call them off. */
const underWay = new Set<AbortController>();

/**
 * Calls off every request under way. Signing out does this first: an answer to a request sent
 * with the old session would only be a refusal, and the page that asked is going away.
 */
export function abortRequests(): void {
  for (const controller of underWay) controller.abort();
  underWay.clear();
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const token = method === 'GET' ? null : csrf();
  if (token) headers['X-CSRF-Token'] = token;
  const controller = new AbortController();
  underWay.add(controller);
  try {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers,
        credentials: 'same-origin',
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
      });
    } catch {
      if (controller.signal.aborted) throw new ApiError(0, 'aborted', 'the request was called off');
      throw new ApiError(0, 'network', 'the server could not be reached');
    }
    return await answer<T>(response, controller.signal);
  } finally {
    underWay.delete(controller);
  }
}

async function answer<T>(response: Response, signal: AbortSignal): Promise<T> {
  if (response.status === 204) return undefined as T;
  const data: unknown = await response.json().catch(() => null);
  if (signal.aborted) throw new ApiError(0, 'aborted', 'the request was called off');
  if (!response.ok) throw errorFrom(response.status, data);
  const me = data as Partial<Me> | null;
  if (me && typeof me.csrf_token === 'string') csrfToken = me.csrf_token;
  return data as T;
}

export const api = {
  me: () => request<Me>('GET', '/api/auth/me'),
  join: (body: { code: string; display_name: string; affiliation?: string; observer?: boolean }) =>
    request<Me>('POST', '/api/join', body),
  login: (email: string, password: string) => request<Me>('POST', '/api/auth/login', { email, password }),
  logout: () => request<void>('POST', '/api/auth/logout'),
  workshops: () => request<WorkshopSummary[]>('GET', '/api/workshops'),
  membership: (workshopId: number) => request<ApiResponses['getMyMembership']>('GET', `/api/workshops/${workshopId}/me`),
  groups: (workshopId: number) => request<GroupWithCode[]>('GET', `/api/workshops/${workshopId}/groups`),
  itemHistory: (workshopId: number, itemId: string) =>
    request<ApiResponses['getItemHistory']>('GET', `/api/workshops/${workshopId}/items/${encodeURIComponent(itemId)}/history`),
  rotateCode: (workshopId: number, groupId: number) =>
    request<GroupWithCode>('POST', `/api/workshops/${workshopId}/groups/${groupId}/rotate-code`),
};
