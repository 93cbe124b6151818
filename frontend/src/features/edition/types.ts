/**
 * The public edition's shapes, from the server's models (`npm run gen:types`).
 */

import type {
  ApiResponses,
  EditionChange,
  EditionItem,
  EditionListed,
  EditionRef as GeneratedEditionRef,
  EditionTheme,
} from '../../api/generated';

export type Kind = 'need' | 'response' | 'practice';
export type ChangeKind = EditionChange['change'];
export type DownloadFormat = 'pdf' | 'html' | 'docx' | 'xlsx' | 'csv' | 'md' | 'json';

export type PublicEdition = ApiResponses['getPublicEdition'];
export type EditionChanges = ApiResponses['getEditionChanges'];
export type PublishedEdition = ApiResponses['listEditions'][number];
export type PublicItem = EditionItem;
export type PublicTheme = EditionTheme;
export type Change = EditionChange;
export type EditionRef = GeneratedEditionRef;
export type EditionSummary = EditionListed;

export type AssessmentLink = ApiResponses['createAssessment'];
