/**
 * The op kinds a browser sends (backend/roundtable/{workshops,groups,checklists}/ops.py) and,
 * for the ones a person waits on, the changes the server is expected to produce.
 *
 * `predict` returns changes in the server's own shape, so the optimistic guess goes through
 * the same reducer as the confirmed event that later replaces it. Kinds without a prediction
 * simply wait for the server.
 */

import type {
  Agreement,
  AgreementLevel,
  Change,
  Dismissal,
  Entities,
  EntityName,
  Group,
  Item,
  Kind,
  Status,
  Vote,
  Workshop,
} from './protocol';

interface ItemFields {
  kind?: Kind;
  title?: string;
  detail?: string | null;
  themes?: string[];
  actors?: string[];
  references?: string[];
  status?: Status;
}

export interface OpArgs {
  'workshop.update': Partial<Omit<Workshop, 'id' | 'announcement' | 'announced_at'>>;
  'workshop.announce': { text: string };
  'theme.create': { key: string; label: string; description?: string; parent_id?: number | null; position?: string };
  'theme.update': { id: number; label?: string; description?: string; position?: string };
  'theme.delete': { id: number };
  'group.create': { name: string; colour?: string; focus_themes?: string[] };
  'group.update': { id: number } & Partial<Pick<Group, 'name' | 'colour' | 'focus_themes'>>;
  'group.rotate_code': { id: number };
  'group.delete': { id: number };
  'member.update': { id: number; display_name?: string; affiliation?: string; group_id?: number | null; role?: 'participant' | 'observer' | 'facilitator' };
  'member.remove': { id: number };
  'item.create': ItemFields & { id: string; checklist_id: number; kind: Kind; title: string; position?: string };
  'item.update': ItemFields & { id: string; base_version?: number; if_version?: number };
  'item.move': { id: string; position: string };
  'item.delete': { id: string; if_version?: number };
  'item.restore': { id: string; if_version?: number };
  'comment.create': { id: string; item_id: string; body: string };
  'comment.update': { id: string; body: string };
  'comment.delete': { id: string };
  'vote.set': { item_id: string; count: number };
  'consolidation.merge': { source_ids: string[]; target_id?: string; id?: string; position?: string };
  'consolidation.unmerge': { source_id: string };
  'consolidation.split': { id: string; parts: { id?: string; source_ids: string[] }[] };
  'consolidation.undo': { seq: number };
  'consolidation.ack_source': { id: string; source_id: string };
  'consolidation.dismiss': { item_ids: string[] };
  'consolidation.undismiss': { item_ids: string[] };
  'agreement.set': { item_id: string; level: AgreementLevel; reservation?: string };
  'agreement.clear': { item_id: string };
  'agreement.record': { item_id: string; level: AgreementLevel | null; note?: string };
}

export type OpKind = keyof OpArgs;

/** Reads a row of the state the op is applied to (confirmed state plus earlier pending ops). */
export type Reader = <E extends EntityName>(entity: E, id: string | number) => Entities[E] | undefined;

export interface PredictContext {
  workshopId: number;
  memberId: number | null;
  /** Every row of a table of that same state. */
  rows: <E extends EntityName>(entity: E) => Iterable<Entities[E]>;
  /** Last known values of items that are deleted now (for item.restore). */
  deletedItems: ReadonlyMap<string, Item>;
}

/** The server strips and de-duplicates tags; the guess does the same so nothing jumps. */
export function cleanTags(values: readonly string[]): string[] {
  const seen: string[] = [];
  for (const raw of values) {
    const value = raw.trim();
    if (value && !seen.includes(value)) seen.push(value);
  }
  return seen;
}

function cleanItemFields(args: ItemFields): Partial<Item> {
  const out: Partial<Item> = {};
  if (args.kind !== undefined) out.kind = args.kind;
  if (args.title !== undefined) out.title = args.title.trim();
  if (args.detail !== undefined) out.detail = (args.detail ?? '').trim();
  if (args.themes !== undefined) out.themes = cleanTags(args.themes);
  if (args.actors !== undefined) out.actors = cleanTags(args.actors);
  if (args.references !== undefined) out.references = cleanTags(args.references);
  if (args.status !== undefined) out.status = args.status;
  return out;
}

type Predictor<K extends OpKind> = (args: OpArgs[K], read: Reader, ctx: PredictContext) => Change[];

const predictors: { [K in OpKind]?: Predictor<K> } = {
  'item.create': (args, read, ctx) => {
    if (read('item', args.id)) return [];
    const item: Item = {
      id: args.id,
      checklist_id: args.checklist_id,
      kind: args.kind,
      title: args.title.trim(),
      detail: '',
      themes: [],
      actors: [],
      references: [],
      position: args.position ?? '',
      status: 'open',
      flags: [],
      created_by: ctx.memberId,
      updated_seq: 0,
      merged_into: null,
      ...cleanItemFields(args),
    };
    return [{ entity: 'item', id: item.id, values: { ...item } }];
  },
  'item.update': (args, read) =>
    read('item', args.id) ? [{ entity: 'item', id: args.id, values: cleanItemFields(args) }] : [],
  'item.move': (args, read) =>
    read('item', args.id) ? [{ entity: 'item', id: args.id, values: { position: args.position } }] : [],
  'item.delete': (args, read) =>
    read('item', args.id) ? [{ entity: 'item', id: args.id, deleted: true }] : [],
  'item.restore': (args, read, ctx) => {
    const last = ctx.deletedItems.get(args.id);
    return !read('item', args.id) && last ? [{ entity: 'item', id: args.id, values: { ...last } }] : [];
  },
  'comment.create': (args, read, ctx) =>
    read('item', args.item_id)
      ? [
          {
            entity: 'comment',
            id: args.id,
            values: {
              id: args.id,
              item_id: args.item_id,
              author_id: ctx.memberId,
              body: args.body.trim(),
              created_seq: 0,
              updated_seq: 0,
            },
          },
        ]
      : [],
  'comment.update': (args, read) =>
    read('comment', args.id) ? [{ entity: 'comment', id: args.id, values: { body: args.body.trim() } }] : [],
  'comment.delete': (args, read) =>
    read('comment', args.id) ? [{ entity: 'comment', id: args.id, deleted: true }] : [],
  'vote.set': (args, read, ctx) => {
    const item = read('item', args.item_id);
    if (!item || ctx.memberId === null) return [];
    let mine: Vote | undefined;
    for (const vote of ctx.rows('vote')) {
      if (vote.item_id === args.item_id && vote.member_id === ctx.memberId) mine = vote;
    }
    if (args.count === 0) return mine ? [{ entity: 'vote', id: mine.id, deleted: true }] : [];
    if (mine) return [{ entity: 'vote', id: mine.id, values: { count: args.count } }];
    // The server numbers votes; until it has, the guess goes under a name of its own.
    const id = `local:${args.item_id}`;
    return [
      {
        entity: 'vote',
        id,
        values: { id, item_id: item.id, checklist_id: item.checklist_id, member_id: ctx.memberId, count: args.count },
      },
    ];
  },
  'agreement.set': (args, read, ctx) => {
    const item = read('item', args.item_id);
    const mine = myAgreement(args.item_id, ctx);
    const reservation = (args.reservation ?? mine?.reservation ?? '').trim();
    if (mine) return [{ entity: 'agreement', id: mine.id, values: { level: args.level, reservation } }];
    if (!item || ctx.memberId === null) return [];
    // The server names agreements; until it has, the guess goes under a name of its own.
    const id = `local:${args.item_id}`;
    const values: Agreement = {
      id,
      item_id: item.id,
      checklist_id: item.checklist_id,
      member_id: ctx.memberId,
      level: args.level,
      reservation,
    };
    return [{ entity: 'agreement', id, values: { ...values } }];
  },
  'agreement.clear': (args, _read, ctx) => {
    const mine = myAgreement(args.item_id, ctx);
    return mine ? [{ entity: 'agreement', id: mine.id, deleted: true }] : [];
  },
  'consolidation.dismiss': (args, _read, ctx) => {
    if (findDismissal(args.item_ids, ctx)) return [];
    // The server names dismissals; until it has, the guess goes under a name of its own.
    const item_ids = [...args.item_ids].sort();
    const id = `local:${item_ids.join(',')}`;
    const values: Dismissal = { id, item_ids, created_seq: 0 };
    return [{ entity: 'dismissal', id, values: { ...values } }];
  },
  'consolidation.undismiss': (args, _read, ctx) => {
    const found = findDismissal(args.item_ids, ctx);
    return found ? [{ entity: 'dismissal', id: found.id, deleted: true }] : [];
  },
  'workshop.update': (args, read, ctx) =>
    read('workshop', ctx.workshopId) ? [{ entity: 'workshop', id: ctx.workshopId, values: { ...args } }] : [],
  'group.update': (args, read) => {
    const { id, ...values } = args;
    return read('group', id) ? [{ entity: 'group', id, values }] : [];
  },
};

/** The dismissal of exactly this set of items, if any (the server keeps one per set). */
export function findDismissal(itemIds: readonly string[], ctx: Pick<PredictContext, 'rows'>): Dismissal | undefined {
  const wanted = [...new Set(itemIds)].sort().join(',');
  for (const row of ctx.rows('dismissal')) {
    if ([...row.item_ids].sort().join(',') === wanted) return row;
  }
  return undefined;
}

function myAgreement(itemId: string, ctx: PredictContext): Agreement | undefined {
  if (ctx.memberId === null) return undefined;
  for (const row of ctx.rows('agreement')) {
    if (row.item_id === itemId && row.member_id === ctx.memberId) return row;
  }
  return undefined;
}

export function predict(kind: string, args: Record<string, unknown>, read: Reader, ctx: PredictContext): Change[] {
  const predictor = predictors[kind as OpKind] as Predictor<OpKind> | undefined;
  return predictor ? predictor(args as never, read, ctx) : [];
}
