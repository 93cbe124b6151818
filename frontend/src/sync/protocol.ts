/**
 * The live protocol, version 1 (WebSocket `/api/ws`); mirrors
 * backend/roundtable/realtime/protocol.py and the shapes of backend/roundtable/values.py.
 *
 * Client -> server: hello, op, presence, ping.
 * Server -> client: welcome, snapshot, events, ack (duplicate op), reject, presence, pong, notice.
 *
 * An `events` message covers every seq in `from..to` (including events this client may not
 * see), so a client holding `last_seq` checks `from === last_seq + 1`; anything else is a gap.
 */

import type { EditionPublic, Ping, Welcome } from '../api/generated';

export const PROTOCOL_VERSION = 1;

export const CloseCode = {
  NORMAL: 1000,
  BAD_HANDSHAKE: 4000,
  PROTOCOL_TOO_OLD: 4001,
  FORBIDDEN: 4003,
  NOT_FOUND: 4004,
  SLOW_CONSUMER: 4008,
  MESSAGE_TOO_LARGE: 4009,
  SERVER_RESTART: 1012,
  /** The database could not take an op: reconnect, then resend the pending ops in order. */
  TRY_AGAIN_LATER: 1013,
} as const;

/** Closes after which reconnecting cannot help: the user has to act (sign in, reload). */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.BAD_HANDSHAKE,
  CloseCode.PROTOCOL_TOO_OLD,
  CloseCode.FORBIDDEN,
  CloseCode.NOT_FOUND,
]);

/** The server closes with 4009 above this many bytes (settings.ws_max_message_bytes). */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** Ids that clients mint (items, comments): 8-40 URL-safe characters. */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{8,40}$/;
/** A connection's client_id: 8-64 URL-safe characters. */
export const SYNC_CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

// -- entity shapes (values.py) ---------------------------------------------------------

export type Attribution = 'named' | 'groups_only' | 'chatham_house';
export type Phase = 'setup' | 'breakout' | 'consolidation' | 'review' | 'published';
export type Role = 'facilitator' | 'participant' | 'observer';
export type Kind = 'need' | 'response' | 'practice';
export type Status = 'open' | 'parked' | 'agreed';

export interface Workshop {
  id: number;
  title: string;
  starts_on: string | null;
  ends_on: string | null;
  venue: string;
  organisers: string[];
  description: string;
  attribution: Attribution;
  phase: Phase;
  reveal: boolean;
  vote_budget: number;
  /** When the shared breakout countdown ends (ISO-8601), or null. */
  breakout_ends_at: string | null;
  announcement: string;
  announced_at: string | null;
}

export interface Theme {
  id: number;
  key: string;
  label: string;
  description: string;
  parent_id: number | null;
  position: string;
}

export interface Group {
  id: number;
  name: string;
  colour: string;
  focus_themes: string[];
  position: string;
  code_rotated_seq?: number;
}

export interface Member {
  id: number;
  display_name: string;
  affiliation?: string | null;
  role: Role;
  group_id: number | null;
  number: number;
  anonymous?: boolean;
}

export interface Checklist {
  id: number;
  group_id: number | null;
  title: string;
}

export interface Item {
  id: string;
  checklist_id: number;
  kind: Kind;
  title: string;
  detail: string;
  themes: string[];
  actors: string[];
  references: string[];
  position: string;
  status: Status;
  flags: string[];
  created_by: number | null;
  /** The item's version: the seq of its last change (0 while only local). */
  updated_seq: number;
  merged_into: string | null;
  /** Consolidated items: the workshop's display number ("K12"); null for group items. */
  ref?: string | null;
  /** Group items merged into a consolidated item: that item's ref. */
  merged_ref?: string | null;
  /** Consolidated items: the group items merged into it. */
  sources?: ItemSource[] | null;
  /** Consolidated items: the outcome the facilitator recorded in the agreement round. */
  agreement_level?: AgreementLevel | null;
  agreement_note?: string | null;
}

/** A group item merged into a consolidated item; `stale` once it was edited after the merge. */
export interface ItemSource {
  id: string;
  checklist_id: number;
  group_id: number | null;
  stale: boolean;
}

export type AgreementLevel = 'full' | 'reservations' | 'stand_aside' | 'disagree';

/** One member's level of agreement with a consolidated item. */
export interface Agreement {
  /** Opaque (not derived from the member); a local name while it is only this client's guess. */
  id: string;
  item_id: string;
  checklist_id: number;
  /** Null where the attribution policy hides who it is. */
  member_id: number | null;
  level: AgreementLevel;
  reservation: string;
  updated_seq?: number;
}

/**
 * A merge suggestion a facilitator dismissed: no two of `item_ids` are suggested together
 * again. Sent to those who read the consolidated checklist.
 */
export interface Dismissal {
  /** Named by the server; a local name while it is only this client's guess. */
  id: string;
  /** Sorted. */
  item_ids: string[];
  created_seq: number;
}

/**
 * A published edition (publishing/ops.py edition_values): what the facilitators' editions
 * list gives, with its id. Events carry it; snapshots do not, so a table of editions holds
 * those published since the client last took a snapshot.
 */
export type Edition = EditionPublic & { id: number };

export interface Comment {
  id: string;
  item_id: string;
  author_id: number | null;
  body: string;
  created_seq: number;
  updated_seq: number;
}

export interface Vote {
  /** Numbered by the server; a string while it is only this client's guess. */
  id: number | string;
  item_id: string;
  checklist_id: number;
  member_id: number | null;
  count: number;
}

export interface Entities {
  workshop: Workshop;
  theme: Theme;
  group: Group;
  member: Member;
  checklist: Checklist;
  item: Item;
  comment: Comment;
  vote: Vote;
  agreement: Agreement;
  dismissal: Dismissal;
  edition: Edition;
}

export type EntityName = keyof Entities;
export const ENTITY_NAMES: readonly EntityName[] = [
  'workshop',
  'theme',
  'group',
  'member',
  'checklist',
  'item',
  'comment',
  'vote',
  'agreement',
  'dismissal',
  'edition',
];

// -- changes and events ----------------------------------------------------------------

export interface Upsert {
  entity: EntityName;
  id: number | string;
  values: Record<string, unknown>;
  /** item.update: fields whose recent change by someone else this write replaced. */
  overwrote?: string[];
}

export interface Removal {
  entity: EntityName;
  id: number | string;
  deleted: true;
}

export type Change = Upsert | Removal;

export function isRemoval(change: Change): change is Removal {
  return 'deleted' in change && change.deleted === true;
}

export interface ServerEvent {
  seq: number;
  client_id: string | null;
  op_id: number | null;
  /** Member id of the author, or null where the attribution policy hides it. */
  actor: number | null;
  kind: string;
  changes: Change[];
  at: string | null;
}

// -- client -> server ------------------------------------------------------------------

export interface Hello {
  type: 'hello';
  protocol: number;
  workshop_id: number;
  client_id: string;
  last_seq: number;
}

export interface OpMessage {
  type: 'op';
  op_id: number;
  kind: string;
  args: Record<string, unknown>;
}

export interface PresenceMessage {
  type: 'presence';
  checklist_id: number | null;
  editing_item_id: string | null;
}


export type ClientMessage = Hello | OpMessage | PresenceMessage | Ping;

// -- server -> client ------------------------------------------------------------------

// Welcome and Ping are exactly the server's models (realtime/protocol.py), so they come from
// the generated declarations; the others keep what older servers may leave out.
export type { Ping, Welcome };

export interface Snapshot {
  type: 'snapshot';
  seq: number;
  workshop: Workshop;
  themes: Theme[];
  groups: Group[];
  members: Member[];
  checklists: Checklist[];
  items: Item[];
  comments: Comment[];
  votes: Vote[];
  /** Absent from servers that predate the agreement round. */
  agreements?: Agreement[];
  /** Absent from servers that predate dismissals, and for those who may not see them. */
  dismissals?: Dismissal[];
}

export interface EventsMessage {
  type: 'events';
  from: number;
  to: number;
  events: ServerEvent[];
}

/** The answer to a resent op the server had handled before. */
export interface Ack {
  type: 'ack';
  op_id: number;
  duplicate: boolean;
  /**
   * The seq of the event the op produced, or null when the op had been refused (the reason
   * is not kept). Absent from servers that predate it: then the op counts as done.
   */
  seq?: number | null;
}

export interface Reject {
  type: 'reject';
  op_id: number | null;
  code: string;
  message: string;
  field?: string | null;
}

export interface PresenceEntry {
  /** One per connection (a person may have two tabs). */
  session: string;
  member_id: number;
  checklist_id: number | null;
  editing_item_id: string | null;
}

/**
 * Who is here. Without `delta`, the whole list (replaces what one had); with `delta`, what
 * changed since the previous message: `entries` added or moved, `gone` sessions removed.
 */
export interface PresenceUpdate {
  type: 'presence';
  entries: PresenceEntry[];
  delta?: boolean;
  gone?: string[];
}

/** The presence list after `update`. */
export function applyPresence(
  current: readonly PresenceEntry[],
  update: PresenceUpdate,
): PresenceEntry[] {
  if (!update.delta) return update.entries;
  const gone = new Set(update.gone ?? []);
  for (const entry of update.entries) gone.add(entry.session);
  return [...current.filter((e) => !gone.has(e.session)), ...update.entries];
}

export interface Pong {
  type: 'pong';
}

export interface Notice {
  type: 'notice';
  message?: string;
}

export type ServerMessage =
  | Welcome
  | Snapshot
  | EventsMessage
  | Ack
  | Reject
  | PresenceUpdate
  | Pong
  | Notice;

const SERVER_TYPES = new Set(['welcome', 'snapshot', 'events', 'ack', 'reject', 'presence', 'pong', 'notice']);

/** Parses one server frame; null for anything that is not a known message. */
export function parseServerMessage(text: string): ServerMessage | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const type = (raw as { type?: unknown }).type;
  return typeof type === 'string' && SERVER_TYPES.has(type) ? (raw as ServerMessage) : null;
}

/**
 * Codes of `reject` after which the same op may succeed later. The server closes the socket
 * (1013) right after, before handling the ops queued behind it, so the client reconnects and
 * resends every pending op in order, under the same op ids.
 */
export const RETRYABLE_REJECT_CODES: ReadonlySet<string> = new Set(['unavailable']);
