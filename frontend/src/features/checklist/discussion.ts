/**
 * Pure helpers for the discussion on items: priority votes within the workshop's budget,
 * and comments. The rules mirror backend/roundtable/access.py and checklists/ops.py, so
 * the screen can explain what is possible before anyone tries.
 */

import type { Comment, Item, Member, Phase, Vote, Workshop } from '../../sync/protocol';
import type { AgreementView } from '../agreement/model';
import type { Table } from '../../sync/state';

const VOTE_PHASES: readonly Phase[] = ['breakout', 'review'];
const COMMENT_PHASES: readonly Phase[] = ['breakout', 'consolidation', 'review'];

/** May this member vote on a checklist they can read? (access.can_vote) */
export function canVote(member: Member | undefined, workshop: Workshop | undefined): boolean {
  if (!member || !workshop) return false;
  return (member.role === 'participant' || member.role === 'facilitator') && VOTE_PHASES.includes(workshop.phase);
}

/** May this member comment on a checklist they can read? (access.can_comment) */
export function canComment(member: Member | undefined, workshop: Workshop | undefined): boolean {
  if (!member || !workshop) return false;
  if (member.role === 'facilitator') return true;
  return member.role === 'participant' && COMMENT_PHASES.includes(workshop.phase);
}

/** May this member edit or delete this comment? Facilitators may; authors while comments are open. */
export function canChangeComment(comment: Comment, member: Member | undefined, workshop: Workshop | undefined): boolean {
  if (!member) return false;
  if (member.role === 'facilitator') return true;
  return comment.author_id === member.id && canComment(member, workshop);
}

export interface VoteSummary {
  /** Everyone's votes per item. */
  tally: ReadonlyMap<string, number>;
  /** My votes per item. */
  mine: ReadonlyMap<string, number>;
  /** My votes spent in the checklist. */
  used: number;
}

/**
 * Votes on one checklist. Votes on deleted items are kept by the server (a restore brings
 * them back) but count for nothing and spend no budget, so only items still present count.
 */
export function summariseVotes(
  votes: Table<Vote>,
  items: Table<Item>,
  checklistId: number,
  me: number | null,
): VoteSummary {
  const tally = new Map<string, number>();
  const mine = new Map<string, number>();
  let used = 0;
  for (const vote of Object.values(votes)) {
    if (vote.checklist_id !== checklistId || !items[vote.item_id] || !(vote.count > 0)) continue;
    tally.set(vote.item_id, (tally.get(vote.item_id) ?? 0) + vote.count);
    if (me !== null && vote.member_id === me) {
      mine.set(vote.item_id, (mine.get(vote.item_id) ?? 0) + vote.count);
      used += vote.count;
    }
  }
  return { tally, mine, used };
}

export function votesLeft(budget: number, used: number): number {
  return Math.max(0, budget - used);
}

/** The count of my votes on an item after one more (+1) or one fewer (-1), or null if it cannot change. */
export function nextVoteCount(mine: number, left: number, delta: 1 | -1): number | null {
  if (delta > 0) return left > 0 ? mine + 1 : null;
  return mine > 0 ? mine - 1 : null;
}

/**
 * Comments per item, oldest first; comments still on their way to the server (created_seq 0)
 * come after the saved ones, in the order of their ids (minted with mintSortableId).
 */
export function commentsByItem(comments: Table<Comment>): Map<string, Comment[]> {
  const out = new Map<string, Comment[]>();
  for (const comment of Object.values(comments)) {
    if (typeof comment.body !== 'string') continue;
    const list = out.get(comment.item_id) ?? [];
    list.push(comment);
    out.set(comment.item_id, list);
  }
  const order = (c: Comment) => (c.created_seq > 0 ? c.created_seq : Number.MAX_SAFE_INTEGER);
  for (const list of out.values()) {
    list.sort((a, b) => order(a) - order(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  return out;
}

/** What an item card needs for its votes and comments: the figures, the rights, the actions. */
export interface DiscussionView {
  votes: VoteSummary;
  /** My votes left to give in this checklist. */
  left: number;
  canVote: boolean;
  canComment: boolean;
  comments: ReadonlyMap<string, Comment[]>;
  authorOf: (comment: Comment) => string;
  canChange: (comment: Comment) => boolean;
  vote: (item: Item, count: number) => void;
  comment: (item: Item, body: string) => void;
  editComment: (comment: Comment, body: string) => void;
  deleteComment: (comment: Comment) => void;
  /** The agreement round, on the consolidated checklist in the review phase. */
  agreement?: AgreementView | null;
}
