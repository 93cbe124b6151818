/** Who this browser is signed in as (a participant's member, or a facilitator's account). */

import { abortRequests, api, ApiError, readCookie, type Me } from '../lib/http';
import { forgetRemembered, remember, remembered } from '../lib/remembered';
import { browserStore } from '../lib/storage';
import { closeAllLive } from './live.svelte';

let me = $state.raw<Me | null>(null);
let loaded = $state(false);

export const session = {
  get me(): Me | null {
    return me;
  },
  get loaded(): boolean {
    return loaded;
  },
};

export async function loadSession(): Promise<void> {
  // The session cookie is HttpOnly; its readable CSRF twin says whether there is one to ask about.
  if (readCookie(document.cookie, 'rt_csrf') === null) {
    me = null;
    loaded = true;
    return;
  }
  try {
    // Offline, the last answer stands in, so a reload on bad Wi-Fi still opens the checklist.
    me = await remembered(browserStore(), 'me', api.me, withoutToken);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) console.warn('session check failed', error);
    me = null;
  } finally {
    loaded = true;
  }
}

export async function joinGroup(code: string, name: string, affiliation: string, observer: boolean): Promise<Me> {
  closeAllLive();
  me = await api.join({ code, display_name: name, affiliation, observer });
  remember(browserStore(), 'me', withoutToken(me));
  return me;
}

export async function signIn(email: string, password: string): Promise<Me> {
  closeAllLive();
  me = await api.login(email, password);
  remember(browserStore(), 'me', withoutToken(me));
  return me;
}

export async function signOut(): Promise<void> {
  closeAllLive();
  abortRequests();
  try {
    await api.logout();
  } finally {
    me = null;
    forgetRemembered(browserStore());
  }
}

/** What is kept for offline reloads: everything but the CSRF token (the cookie has it). */
function withoutToken(value: Me): Me {
  return { ...value, csrf_token: '' };
}
