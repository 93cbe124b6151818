/** The assessment API's shapes, from the server's models (`npm run gen:types`). */

import type { ApiResponses, EntryPublic, ThemeProgress as GeneratedThemeProgress } from '../../api/generated';

export type Assessment = ApiResponses['getAssessment'];
export type Entry = EntryPublic;
export type Status = NonNullable<Entry['status']>;
export type ThemeProgress = GeneratedThemeProgress;

/** What the reader can change in an entry (the body of the PUT). */
export type EntryFields = Pick<Entry, 'status' | 'evidence' | 'agency' | 'target_date'>;
