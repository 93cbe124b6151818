/** The REST calls of the consolidation board: merge suggestions, and finding an op's event. */

import type { ApiResponses } from '../../api/generated';
import { request } from '../../lib/http';

export type MergeSuggestions = ApiResponses['listMergeSuggestions'];
type Event = ApiResponses['listEvents'][number];

export function fetchSuggestions(workshopId: number): Promise<MergeSuggestions> {
  return request<MergeSuggestions>('GET', `/api/workshops/${workshopId}/suggestions`);
}

/**
 * The seq of the event an op of this client produced, looked up in the log after `after`
 * (the seq this client had reached when it sent the op), or null when it is not there.
 */
export async function seqOfOp(workshopId: number, clientId: string, opId: number, after: number): Promise<number | null> {
  let from = after;
  for (;;) {
    const events = await request<Event[]>('GET', `/api/workshops/${workshopId}/events?after=${from}&limit=1000`);
    const found = events.find((e) => e.client_id === clientId && e.op_id === opId);
    if (found) return found.seq;
    const last = events.at(-1);
    if (!last || events.length < 1000) return null;
    from = last.seq;
  }
}
