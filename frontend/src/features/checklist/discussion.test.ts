import { describe, expect, it } from 'vitest';
import { mintSortableId } from '../../sync/outbox';
import type { Comment, Item, Member, Phase, Role, Vote, Workshop } from '../../sync/protocol';
import {
  canChangeComment,
  canComment,
  canVote,
  commentsByItem,
  nextVoteCount,
  summariseVotes,
  votesLeft,
} from './discussion';

const member = (id: number, role: Role = 'participant'): Member => ({
  id,
  display_name: `M${id}`,
  role,
  group_id: 1,
  number: id,
});

const workshop = (phase: Phase): Workshop => ({
  id: 1,
  title: 'W',
  starts_on: null,
  ends_on: null,
  venue: '',
  organisers: [],
  description: '',
  attribution: 'named',
  phase,
  reveal: false,
  vote_budget: 5,
  breakout_ends_at: null,
  announcement: '',
  announced_at: null,
});

const item = (id: string, checklist_id = 1) => ({ id, checklist_id }) as Item;
const vote = (id: number | string, item_id: string, member_id: number | null, count: number, checklist_id = 1): Vote => ({
  id,
  item_id,
  member_id,
  count,
  checklist_id,
});
const comment = (id: string, item_id: string, author_id: number | null, created_seq: number): Comment => ({
  id,
  item_id,
  author_id,
  body: id,
  created_seq,
  updated_seq: created_seq,
});
const keyed = <T extends { id: number | string }>(rows: T[]) => Object.fromEntries(rows.map((r) => [String(r.id), r]));

describe('who may vote and comment (access.py)', () => {
  it.each<[Role, Phase, boolean]>([
    ['participant', 'setup', false],
    ['participant', 'breakout', true],
    ['participant', 'consolidation', false],
    ['participant', 'review', true],
    ['participant', 'published', false],
    ['facilitator', 'review', true],
    ['facilitator', 'consolidation', false],
    ['observer', 'breakout', false],
  ])('%s in %s may vote: %s', (role, phase, allowed) => {
    expect(canVote(member(1, role), workshop(phase))).toBe(allowed);
  });

  it.each<[Role, Phase, boolean]>([
    ['participant', 'setup', false],
    ['participant', 'breakout', true],
    ['participant', 'consolidation', true],
    ['participant', 'review', true],
    ['participant', 'published', false],
    ['facilitator', 'published', true],
    ['observer', 'review', false],
  ])('%s in %s may comment: %s', (role, phase, allowed) => {
    expect(canComment(member(1, role), workshop(phase))).toBe(allowed);
  });

  it('nobody unknown may do either', () => {
    expect(canVote(undefined, workshop('breakout'))).toBe(false);
    expect(canComment(member(1), undefined)).toBe(false);
  });

  it('lets authors change their comments while comments are open, facilitators always', () => {
    const mine = comment('c1', 'i1', 1, 3);
    expect(canChangeComment(mine, member(1), workshop('breakout'))).toBe(true);
    expect(canChangeComment(mine, member(1), workshop('published'))).toBe(false);
    expect(canChangeComment(mine, member(2), workshop('breakout'))).toBe(false);
    expect(canChangeComment(comment('c2', 'i1', null, 4), member(2), workshop('breakout'))).toBe(false);
    expect(canChangeComment(mine, member(9, 'facilitator'), workshop('published'))).toBe(true);
  });
});

describe('votes', () => {
  const items = keyed([item('a'), item('b'), item('x', 2)]);

  it('tallies everyone, counts mine and what I spent in this checklist', () => {
    const votes = keyed([
      vote(1, 'a', 7, 2),
      vote(2, 'a', 8, 1),
      vote(3, 'b', 7, 1),
      vote(4, 'b', null, 3), // someone hidden by the Chatham House rule
      vote(5, 'x', 7, 4, 2), // another checklist
    ]);
    const summary = summariseVotes(votes, items, 1, 7);
    expect(Object.fromEntries(summary.tally)).toEqual({ a: 3, b: 4 });
    expect(Object.fromEntries(summary.mine)).toEqual({ a: 2, b: 1 });
    expect(summary.used).toBe(3);
  });

  it('ignores votes on deleted items: they spend no budget', () => {
    const votes = keyed([vote(1, 'a', 7, 2), vote(2, 'gone', 7, 3)]);
    const summary = summariseVotes(votes, items, 1, 7);
    expect(summary.used).toBe(2);
    expect(summary.tally.has('gone')).toBe(false);
  });

  it('has nothing of mine when I am nobody', () => {
    const summary = summariseVotes(keyed([vote(1, 'a', null, 2)]), items, 1, null);
    expect(summary.mine.size).toBe(0);
    expect(summary.used).toBe(0);
    expect(summary.tally.get('a')).toBe(2);
  });

  it('never has fewer than no votes left', () => {
    expect(votesLeft(5, 3)).toBe(2);
    expect(votesLeft(5, 7)).toBe(0);
  });

  it('adds a vote only with some left and removes one only when there is one', () => {
    expect(nextVoteCount(0, 1, 1)).toBe(1);
    expect(nextVoteCount(2, 0, 1)).toBeNull();
    expect(nextVoteCount(2, 0, -1)).toBe(1);
    expect(nextVoteCount(0, 5, -1)).toBeNull();
  });
});

describe('comments', () => {
  it('lists each item’s comments oldest first, unsaved ones last in the order written', () => {
    const first = mintSortableId(1_000);
    const second = mintSortableId(2_000);
    const rows = keyed([
      comment(second, 'a', 1, 0),
      comment('zz', 'a', 2, 5),
      comment(first, 'a', 1, 0),
      comment('aa', 'a', 2, 9),
      comment('bb', 'b', 2, 2),
    ]);
    const byItem = commentsByItem(rows);
    expect(byItem.get('a')?.map((c) => c.id)).toEqual(['zz', 'aa', first, second]);
    expect(byItem.get('b')?.map((c) => c.id)).toEqual(['bb']);
  });

  it('mints ids that sort by time and are valid client ids', () => {
    const ids = [mintSortableId(5), mintSortableId(1_700_000_000_000), mintSortableId(1_700_000_000_001)];
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{8,40}$/);
  });
});
