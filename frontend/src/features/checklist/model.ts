/** Pure helpers behind the checklist screen: ordering, filtering, permissions, presence. */

import { keyForSlot } from '../../sync/ordering';
import type { Checklist, Item, Kind, Member, PresenceEntry, Theme, Workshop } from '../../sync/protocol';
import type { Tables } from '../../sync/state';
import type { HistoryEvent, RestoreFields } from './history';

export const KINDS: readonly Kind[] = ['need', 'response', 'practice'];

export const ACTORS = [
  'government',
  'law_enforcement',
  'immigration',
  'labour_inspection',
  'health',
  'social_services',
  'judiciary',
  'civil_society',
  'international_organisations',
  'private_sector',
  'survivors',
] as const;

export interface Filter {
  theme: string | null;
  actor: string | null;
}

export const NO_FILTER: Filter = { theme: null, actor: null };

export function byPosition(a: { position: string; id: string }, b: { position: string; id: string }): number {
  if (a.position !== b.position) return a.position < b.position ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The checklist's items in display order (rows missing their shape are left out). */
export function itemsOf(tables: Tables, checklistId: number): Item[] {
  return Object.values(tables.item)
    .filter((i) => i.checklist_id === checklistId && typeof i.title === 'string' && typeof i.kind === 'string')
    .sort(byPosition);
}

/** Theme keys a filter on `key` accepts: the theme itself and its sub-themes. */
export function themeFamily(key: string, themes: readonly Theme[]): Set<string> {
  const parent = themes.find((t) => t.key === key);
  const family = new Set([key]);
  if (parent) for (const t of themes) if (t.parent_id === parent.id) family.add(t.key);
  return family;
}

export function matches(item: Item, filter: Filter, themes: readonly Theme[]): boolean {
  if (filter.actor && !(item.actors ?? []).includes(filter.actor)) return false;
  if (filter.theme) {
    const family = themeFamily(filter.theme, themes);
    if (!(item.themes ?? []).some((k) => family.has(k))) return false;
  }
  return true;
}

export function bySection(items: readonly Item[]): Record<Kind, Item[]> {
  const out: Record<Kind, Item[]> = { need: [], response: [], practice: [] };
  for (const item of items) out[item.kind]?.push(item);
  return out;
}

/** A position after the last item of a section. */
export function appendPosition(section: readonly Item[]): string {
  return keyForSlot(section.at(-1)?.position ?? null, null);
}

/** The position that moves an item one place up (-1) or down (+1) in its section, if it can move. */
export function movePosition(section: readonly Item[], itemId: string, direction: -1 | 1): string | null {
  const i = section.findIndex((item) => item.id === itemId);
  if (i < 0) return null;
  const j = i + direction;
  if (j < 0 || j >= section.length) return null;
  const [before, after] =
    direction < 0 ? [section[j - 1], section[j]] : [section[j], section[j + 1]];
  return keyForSlot(before?.position ?? null, after?.position ?? null);
}

/**
 * The position for an item dropped just before or after another of its section, or null when
 * the drop leaves it where it is (or either item is not in the section).
 */
export function dropPosition(
  section: readonly Item[],
  draggedId: string,
  targetId: string,
  place: 'before' | 'after',
): string | null {
  if (draggedId === targetId || !section.some((item) => item.id === draggedId)) return null;
  const rest = section.filter((item) => item.id !== draggedId);
  const t = rest.findIndex((item) => item.id === targetId);
  if (t < 0) return null;
  const slot = place === 'before' ? t : t + 1;
  const before = rest[slot - 1] ?? null;
  const after = rest[slot] ?? null;
  const from = section.findIndex((item) => item.id === draggedId);
  if (section[from - 1]?.id === before?.id && section[from + 1]?.id === after?.id) return null;
  return keyForSlot(before?.position ?? null, after?.position ?? null);
}

/** What a card needs to be dragged and dropped on within its section. */
export interface ItemDrag {
  /** Where a dragged item would land relative to this card, while one hovers over it. */
  marker: 'before' | 'after' | null;
  start: (event: DragEvent) => void;
  over: (event: DragEvent) => void;
  drop: (event: DragEvent) => void;
  end: () => void;
}

export type EditRight = { ok: true } | { ok: false; reason: 'phase' | 'observer' | 'other' };

/** Mirrors backend/roundtable/access.py can_edit_items, to explain before anyone tries. */
export function editRight(member: Member | undefined, workshop: Workshop | undefined, checklist: Checklist): EditRight {
  if (!member || !workshop) return { ok: false, reason: 'other' };
  if (member.role === 'facilitator') return { ok: true };
  if (member.role === 'observer') return { ok: false, reason: 'observer' };
  if (checklist.group_id === null || checklist.group_id !== member.group_id) return { ok: false, reason: 'other' };
  if (workshop.phase !== 'breakout') return { ok: false, reason: 'phase' };
  return { ok: true };
}

/** Member ids present on a checklist, in a stable order. */
export function peopleHere(presence: readonly PresenceEntry[], checklistId: number): number[] {
  const ids = new Set<number>();
  for (const entry of presence) if (entry.checklist_id === checklistId) ids.add(entry.member_id);
  return [...ids].sort((a, b) => a - b);
}

/** For each item being edited, who is editing it (other than `me`). */
export function editorsByItem(
  presence: readonly PresenceEntry[],
  checklistId: number,
  me: number | null,
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const entry of presence) {
    if (entry.checklist_id !== checklistId || !entry.editing_item_id || entry.member_id === me) continue;
    const list = out.get(entry.editing_item_id) ?? [];
    if (!list.includes(entry.member_id)) list.push(entry.member_id);
    out.set(entry.editing_item_id, list);
  }
  return out;
}

export interface ThemeNode {
  theme: Theme;
  children: Theme[];
}

export function themeTree(themes: readonly Theme[]): ThemeNode[] {
  const sorted = [...themes].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : a.id - b.id));
  return sorted
    .filter((t) => t.parent_id === null)
    .map((theme) => ({ theme, children: sorted.filter((c) => c.parent_id === theme.id) }));
}

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const first = words[0] ?? '';
  const last = words.length > 1 ? (words.at(-1) ?? '') : '';
  // "Participant 7" reads better as "P7" than "P7"-less initials.
  if (/^\d+$/.test(last)) return (first.charAt(0) + last).toUpperCase();
  return (first.charAt(0) + last.charAt(0)).toUpperCase();
}

const PALETTE = ['#1f6f8b', '#8b5e1f', '#6a3d9a', '#2e7d32', '#b23a48', '#37474f', '#00695c', '#ad1457'];

/** A stable colour per member (all with enough contrast for white text). */
export function colourFor(memberId: number): string {
  return PALETTE[Math.abs(memberId) % PALETTE.length] as string;
}

export function toggle(list: readonly string[], value: string): string[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

/** What an item card can ask of its checklist. */
export interface ItemActions {
  /** `baseVersion`: the item version the change was made against (defaults to the confirmed one). */
  update: (
    item: Item,
    fields: RestoreFields,
    baseVersion?: number | null,
  ) => void;
  move: (item: Item, direction: -1 | 1) => void;
  /** Puts the item at `position` in its section (drag and drop). */
  place: (item: Item, position: string) => void;
  /** Moves the item to another section (need, response, practice). */
  setKind: (item: Item, kind: Kind) => void;
  remove: (item: Item) => void;
  editing: (item: Item | null) => void;
  /** The events that changed the item (GET …/items/{id}/history). */
  history: (item: Item) => Promise<HistoryEvent[]>;
  /** A member's name as this screen may show it, or null. */
  nameOf: (memberId: number) => string | null;
}
