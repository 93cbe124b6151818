/** The facilitators' editions endpoints. */

import { request } from '../../lib/http';
import type { PublishedEdition } from '../edition/types';

export const editionsApi = {
  list: (workshopId: number) => request<PublishedEdition[]>('GET', `/api/workshops/${workshopId}/editions`),
  publish: (workshopId: number, body: { title: string; notes: string }) =>
    request<PublishedEdition>('POST', `/api/workshops/${workshopId}/editions`, body),
};
