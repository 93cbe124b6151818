/** Rows in the live state's own shape, for the tests of every screen that reads them. */

import type { Item } from '../sync/protocol';

/** An open need titled `id` in checklist `checklistId`, with `extra` laid over it. */
export function item(id: string, checklistId: number, position: string, extra: Partial<Item> = {}): Item {
  return {
    id,
    checklist_id: checklistId,
    kind: 'need',
    title: id,
    detail: '',
    themes: [],
    actors: [],
    references: [],
    position,
    status: 'open',
    flags: [],
    created_by: null,
    updated_seq: 1,
    merged_into: null,
    ...extra,
  };
}
