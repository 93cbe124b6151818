/**
 * Tables of entities keyed by id, and the one reducer that applies a change to them.
 *
 * The same reducer applies server events, snapshots and the optimistic guesses made from
 * pending ops, so a client's own change and everybody else's take the same path. Tables are
 * immutable: applying changes copies a table (once per batch) and only the rows that change,
 * so unchanged rows keep their identity for the views.
 */

import {
  ENTITY_NAMES,
  isRemoval,
  type Change,
  type Entities,
  type EntityName,
  type Snapshot,
} from './protocol';

export type Table<T> = Readonly<Record<string, T>>;
export type Tables = { readonly [E in EntityName]: Table<Entities[E]> };

export const EMPTY_TABLES: Tables = Object.freeze({
  workshop: {},
  theme: {},
  group: {},
  member: {},
  checklist: {},
  item: {},
  comment: {},
  vote: {},
  agreement: {},
  dismissal: {},
  edition: {},
});

function keyed<T extends { id: number | string }>(rows: readonly T[]): Record<string, T> {
  const table: Record<string, T> = {};
  for (const row of rows) table[String(row.id)] = row;
  return table;
}

export function tablesFromSnapshot(snapshot: Snapshot): Tables {
  return {
    workshop: keyed([snapshot.workshop]),
    theme: keyed(snapshot.themes),
    group: keyed(snapshot.groups),
    member: keyed(snapshot.members),
    checklist: keyed(snapshot.checklists),
    item: keyed(snapshot.items),
    comment: keyed(snapshot.comments),
    vote: keyed(snapshot.votes),
    agreement: keyed(snapshot.agreements ?? []),
    dismissal: keyed(snapshot.dismissals ?? []),
    edition: {}, // snapshots leave editions out: the publish panel reads them over REST
  };
}

type AnyRow = Record<string, unknown>;

/** A batch of changes over base tables; each table is copied at most once. */
export class TablesDraft {
  private readonly copies = new Map<EntityName, Record<string, AnyRow>>();

  constructor(
    private readonly base: Tables,
    /** Called with a row's last values just before a change removes it. */
    private readonly onRemove?: (entity: EntityName, row: AnyRow) => void,
  ) {}

  get<E extends EntityName>(entity: E, id: string | number): Entities[E] | undefined {
    const copy = this.copies.get(entity) as Record<string, Entities[E]> | undefined;
    return (copy ?? this.base[entity])[String(id)];
  }

  /** The table as changed so far (do not modify it). */
  table<E extends EntityName>(entity: E): Table<Entities[E]> {
    return (this.copies.get(entity) as Table<Entities[E]> | undefined) ?? this.base[entity];
  }

  apply(change: Change): void {
    if (!ENTITY_NAMES.includes(change.entity)) return; // an entity this client does not know
    const id = String(change.id);
    const existing = this.get(change.entity, id) as AnyRow | undefined;
    if (isRemoval(change)) {
      if (existing === undefined) return;
      this.onRemove?.(change.entity, existing);
      delete this.writable(change.entity)[id];
      return;
    }
    const table = this.writable(change.entity);
    table[id] = existing ? { ...existing, ...change.values } : { ...change.values, id: change.id };
  }

  applyAll(changes: readonly Change[]): void {
    for (const change of changes) this.apply(change);
  }

  finish(): Tables {
    if (this.copies.size === 0) return this.base;
    const out = { ...this.base } as Record<EntityName, unknown>;
    for (const [entity, table] of this.copies) out[entity] = table;
    return out as Tables;
  }

  private writable(entity: EntityName): Record<string, AnyRow> {
    let copy = this.copies.get(entity);
    if (!copy) {
      copy = { ...(this.base[entity] as unknown as Record<string, AnyRow>) };
      this.copies.set(entity, copy);
    }
    return copy;
  }
}

export function applyChanges(tables: Tables, changes: readonly Change[]): Tables {
  const draft = new TablesDraft(tables);
  draft.applyAll(changes);
  return draft.finish();
}
