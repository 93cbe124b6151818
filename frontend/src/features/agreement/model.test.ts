import { describe, expect, it } from 'vitest';
import type { Agreement, Checklist, Member, Workshop } from '../../sync/protocol';
import { item } from '../consolidation/fixtures';
import { canAgree, shares, suggestedOutcome, tallies, NO_TALLY } from './model';

function mark(id: string, itemId: string, memberId: number | null, level: Agreement['level'], reservation = ''): Agreement {
  return { id, item_id: itemId, checklist_id: 99, member_id: memberId, level, reservation };
}

const items = { k1: item('k1', 99, 'a'), k2: item('k2', 99, 'b') };

describe('agreement tallies', () => {
  it('counts levels per item, keeps reservations without names and finds mine', () => {
    const rows = {
      x: mark('x', 'k1', 7, 'full'),
      y: mark('y', 'k1', null, 'reservations', 'Only with funding'),
      z: mark('z', 'k1', 8, 'disagree', '  Too vague  '),
      w: mark('w', 'k2', 7, 'stand_aside'),
      gone: mark('gone', 'deleted', 7, 'full'),
    };
    const result = tallies(rows, items, 7);
    const k1 = result.get('k1')!;
    expect(k1.counts).toEqual({ full: 1, reservations: 1, stand_aside: 0, disagree: 1 });
    expect(k1.total).toBe(3);
    expect(k1.reservations).toEqual([
      { level: 'reservations', text: 'Only with funding' },
      { level: 'disagree', text: 'Too vague' },
    ]);
    expect(k1.mine?.id).toBe('x');
    expect(result.get('k2')?.mine?.level).toBe('stand_aside');
    expect(result.has('deleted')).toBe(false);
  });

  it('suggests the lowest level anyone chose, and shares in percent', () => {
    const k1 = tallies({ a: mark('a', 'k1', 1, 'full'), b: mark('b', 'k1', 2, 'stand_aside') }, items, null).get('k1')!;
    expect(suggestedOutcome(k1)).toBe('stand_aside');
    expect(suggestedOutcome(NO_TALLY)).toBeNull();
    expect(shares(k1)).toEqual({ full: 50, reservations: 0, stand_aside: 50, disagree: 0 });
  });
});

describe('who may mark agreement', () => {
  const consolidated: Checklist = { id: 99, group_id: null, title: '' };
  const group: Checklist = { id: 10, group_id: 1, title: '' };
  const member = (role: Member['role']): Member => ({ id: 1, display_name: 'A', role, group_id: 1, number: 1 });
  const phase = (p: Workshop['phase']) => ({ phase: p }) as Workshop;

  it('participants and facilitators, on the consolidated list, in review only', () => {
    expect(canAgree(member('participant'), phase('review'), consolidated)).toBe(true);
    expect(canAgree(member('facilitator'), phase('review'), consolidated)).toBe(true);
    expect(canAgree(member('observer'), phase('review'), consolidated)).toBe(false);
    expect(canAgree(member('participant'), phase('consolidation'), consolidated)).toBe(false);
    expect(canAgree(member('participant'), phase('review'), group)).toBe(false);
  });
});
