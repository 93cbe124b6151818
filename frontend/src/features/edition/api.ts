/** The public edition and assessment endpoints (no session needed; DESIGN.md §6a). */

import { request } from '../../lib/http';
import type { Assessment, Entry, EntryFields } from '../assessment/types';
import type { AssessmentLink, EditionChanges, PublicEdition } from './types';

const edition = (slug: string) => `/api/public/editions/${encodeURIComponent(slug)}`;
const assessment = (secret: string) => `/api/public/assessments/${encodeURIComponent(secret)}`;

export const publicApi = {
  edition: (slug: string) => request<PublicEdition>('GET', edition(slug)),
  changes: (slug: string) => request<EditionChanges>('GET', `${edition(slug)}/changes`),
  startAssessment: (slug: string, body: { title?: string; country?: string }) =>
    request<AssessmentLink>('POST', `${edition(slug)}/assessments`, body),
  assessment: (secret: string) => request<Assessment>('GET', assessment(secret)),
  saveEntry: (secret: string, code: string, fields: EntryFields) =>
    request<Entry>('PUT', `${assessment(secret)}/entries/${encodeURIComponent(code)}`, fields),
  renameAssessment: (secret: string, body: { title?: string; country?: string }) =>
    request<Assessment>('PATCH', assessment(secret), body),
  carryOver: (secret: string, editionSlug: string) =>
    request<AssessmentLink>('POST', `${assessment(secret)}/carry-over`, { edition_slug: editionSlug }),
};
