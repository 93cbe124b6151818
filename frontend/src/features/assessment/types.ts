/** The assessment API's shapes (DESIGN.md §6a), until the generated types carry them. */

import type { EditionRef, PublicItem, PublicTheme } from '../edition/types';

export type Status = 'in_place' | 'partly' | 'not_yet' | 'not_applicable';

export interface Entry {
  status: Status | null;
  evidence: string;
  agency: string;
  target_date: string | null;
  needs_review: boolean;
  updated_at: string | null;
}

/** What the reader can change in an entry (the body of the PUT). */
export type EntryFields = Pick<Entry, 'status' | 'evidence' | 'agency' | 'target_date'>;

export interface ThemeProgress {
  theme: string | null;
  label: string;
  total: number;
  in_place: number;
  partly: number;
  not_yet: number;
  not_applicable: number;
  unanswered: number;
}

export interface Assessment {
  assessment: {
    title: string;
    country: string;
    created_at: string;
    updated_at: string;
    edition: EditionRef & { title: string };
  };
  newer_edition: EditionRef | null;
  items: PublicItem[];
  /** Not in the contract yet; when absent the themes come from `progress`. */
  themes?: PublicTheme[];
  entries: Record<string, Entry>;
  progress: ThemeProgress[];
}
