/**
 * Which announcement a person has put away. Each person dismisses the banner for
 * themselves; the mark names what they dismissed (its `announced_at`, kept to the second,
 * and its text), so a new announcement shows again.
 */

export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function dismissKey(workshopId: number, memberId: number): string {
  return `rt:announcement:${workshopId}:${memberId}`;
}

/** What a dismissal remembers of an announcement. */
export function announcementMark(text: string, announcedAt: string): string {
  return `${announcedAt} ${text}`;
}

/** The announcement to show, or null when there is none or this person dismissed it. */
export function visibleAnnouncement(
  text: string | undefined,
  announcedAt: string | null | undefined,
  dismissed: string | null,
): string | null {
  if (!text || !announcedAt) return null;
  return dismissed === announcementMark(text, announcedAt) ? null : text;
}

export function readDismissed(store: KeyValue | null, key: string): string | null {
  try {
    return store?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

export function saveDismissed(store: KeyValue | null, key: string, mark: string): void {
  try {
    store?.setItem(key, mark);
  } catch {
    // not remembered across reloads; it stays hidden on this screen
  }
}
