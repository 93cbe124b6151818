/**
 * Every string the app shows, by key. English is complete; other locales (Bahasa Indonesia
 * `id`, Thai `th`) fill in keys as they are translated and fall back to English meanwhile.
 *
 * Keys ending in `.one` / `.other` are plural forms chosen with Intl.PluralRules; `{name}`
 * placeholders are filled from the params.
 */

const en = {
  'app.name': 'Roundtable',
  'app.skip': 'Skip to content',
  'app.loading': 'Loading…',
  'app.notFound': 'There is nothing at this address.',
  'app.home': 'Go to the start page',
  'app.signOut': 'Sign out',
  'app.leave': 'Leave',
  'app.language': 'Language',

  'join.title': 'Join your group',
  'join.intro': 'Enter the code your facilitator gave you and the name others will see. No account is needed.',
  'join.code': 'Group code',
  'join.codeHint': 'Letters and digits, for example K7QX2M.',
  'join.name': 'Your name',
  'join.nameHint': 'Depending on the workshop’s rules, others may see a number instead of your name.',
  'join.affiliation': 'Organisation (optional)',
  'join.observer': 'Join as an observer (read only)',
  'join.submit': 'Join',
  'join.busy': 'Joining…',
  'join.facilitator': 'Facilitator? Sign in',
  'join.missingCode': 'Enter the group code.',
  'join.missingName': 'Enter your name.',
  'join.badCode': 'No group has this code. Check it with your facilitator.',
  'join.signedInAs': 'You are signed in as {name}.',
  'join.continue': 'Continue to your checklist',

  'login.title': 'Facilitator sign-in',
  'login.email': 'Email',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.busy': 'Signing in…',
  'login.wrong': 'The email or password is wrong.',
  'login.participant': 'Participant? Join with a group code',

  'error.network': 'The server could not be reached. Check your connection and try again.',
  'error.rateLimited': 'Too many attempts. {message}',
  'error.generic': 'Something went wrong: {message}',

  'workshops.title': 'Your workshops',
  'workshops.none': 'You are not a member of any workshop yet.',
  'workshops.phase': 'Phase: {phase}',
  'workshop.checklists': 'Checklists',
  'workshop.noChecklist': 'You are not in a group with a checklist. Ask your facilitator to add you to a group.',
  'workshop.consolidated': 'Consolidated checklist',
  'workshop.itemCount.one': '{n} item',
  'workshop.itemCount.other': '{n} items',
  'workshop.back': 'All checklists',

  'dashboard.title': 'Facilitator dashboard',
  'dashboard.controls': 'Workshop controls',
  'dashboard.phase': 'Phase',
  'dashboard.phaseHelp': 'Participants edit their group’s checklist only in the breakout phase.',
  'dashboard.reveal': 'Groups see each other’s checklists',
  'dashboard.revealHelp': 'When on, every participant can read, but not change, all groups’ checklists.',
  'dashboard.timer': 'Breakout timer',
  'dashboard.timerHelp': 'Runs on this screen only (and in projector tabs of this browser). Participants do not see it.',
  'dashboard.minutes': 'Minutes',
  'dashboard.start': 'Start',
  'dashboard.pause': 'Pause',
  'dashboard.resume': 'Resume',
  'dashboard.reset': 'Reset',
  'dashboard.addFive': '+5 min',
  'dashboard.addFiveHelp': 'Add five minutes',
  'dashboard.timeUp': 'Time is up',
  'dashboard.groups': 'Groups',
  'dashboard.noGroups': 'No groups yet.',
  'dashboard.code': 'Join code',
  'dashboard.codeFor': 'Join code of {name}',
  'dashboard.codeUnknown': 'not loaded',
  'dashboard.codeError': 'Join codes could not be loaded: {message}',
  'dashboard.rotate': 'New code',
  'dashboard.rotateFor': 'Give {name} a new join code',
  'dashboard.rotateConfirm': 'The current code will stop working at once. Make a new one?',
  'dashboard.rotateYes': 'Make a new code',
  'dashboard.cancel': 'Cancel',
  'dashboard.hereCount.one': '{n} here now',
  'dashboard.hereCount.other': '{n} here now',
  'dashboard.joined.one': '{n} joined',
  'dashboard.joined.other': '{n} joined',
  'dashboard.here': 'Here now in {name}',
  'dashboard.nobody': 'Nobody is here now.',
  'dashboard.latest': 'Latest changes',
  'dashboard.themes': 'Themes in use',
  'dashboard.untagged': 'Without a theme: {n}',
  'dashboard.projector': 'Projector view',
  'dashboard.projectorFor': 'Projector view of {name}',
  'dashboard.counts': 'Items by kind in {name}',

  'projector.back': 'Back',
  'projector.fullscreen': 'Full screen',
  'projector.joinWith': 'Join at {address} with code',

  'phase.setup': 'setup',
  'phase.breakout': 'breakout',
  'phase.consolidation': 'consolidation',
  'phase.review': 'review',
  'phase.published': 'published',

  'link.offline': 'Offline',
  'link.connecting': 'Connecting…',
  'link.syncing': 'Syncing…',
  'link.live': 'Live',
  'link.failed': 'Disconnected',
  'link.offlineHelp': 'Your changes are kept on this device and sent when the connection returns.',
  'link.unsaved.one': '{n} change not yet saved',
  'link.unsaved.other': '{n} changes not yet saved',
  'link.allSaved': 'All changes saved',
  'link.notPersistent': 'This browser cannot store unsent changes; keep this tab open until they are saved.',
  'link.failed.forbidden': 'Your session has ended or you are no longer a member of this workshop.',
  'link.failed.not_found': 'This workshop no longer exists.',
  'link.failed.protocol_too_old': 'This page is out of date. Reload it.',
  'link.failed.other': 'The connection was closed: {reason}',
  'link.rejoin': 'Join again',
  'link.reload': 'Reload',

  'kind.need': 'Needs',
  'kind.response': 'Responses',
  'kind.practice': 'Best practices',
  'kind.need.one': 'need',
  'kind.response.one': 'response',
  'kind.practice.one': 'best practice',
  'kind.need.help': 'What victims and those who protect them lack.',
  'kind.response.help': 'What should be done about it, and by whom.',
  'kind.practice.help': 'What has worked somewhere and could be repeated.',

  'checklist.readOnly.phase': 'This checklist is closed for editing in the {phase} phase.',
  'checklist.readOnly.observer': 'You are observing: you can read but not change this checklist.',
  'checklist.readOnly.other': 'You can read this checklist but only edit your own group’s.',
  'checklist.empty': 'Nothing here yet.',
  'checklist.emptyFiltered': 'No items match the filters.',
  'checklist.here': 'Here now',
  'checklist.hereCount.one': '{n} person here',
  'checklist.hereCount.other': '{n} people here',

  'filter.legend': 'Filter items',
  'filter.theme': 'Theme',
  'filter.actor': 'Actor',
  'filter.any': 'Any',
  'filter.clear': 'Clear filters',
  'filter.showing': 'Showing {shown} of {total}',

  'add.label': 'New {kind}',
  'add.placeholder': 'Add a {kind}…',
  'add.submit': 'Add',
  'add.empty': 'Write a title first.',

  'item.title': 'Title of this {kind}',
  'item.detail': 'Detail for “{title}”',
  'item.detailPlaceholder': 'Add detail (optional)',
  'item.titleRequired': 'A title is needed; the previous one was kept.',
  'item.moveUp': 'Move “{title}” up',
  'item.moveDown': 'Move “{title}” down',
  'item.delete': 'Delete “{title}”',
  'item.tags': 'Tags',
  'item.tagsFor': 'Themes and actors for “{title}”',
  'item.themes': 'Themes',
  'item.actors': 'Actors',
  'item.noTags': 'No themes or actors yet',
  'item.editing': '{names} editing',
  'item.unsaved': 'Not yet saved',
  'item.personalData': 'Possible personal data flagged: held back from publication until a facilitator checks it.',
  'item.status.parked': 'Parked',
  'item.status.agreed': 'Agreed',
  'item.remoteChanged': 'Someone else changed this while you were typing. Yours will replace it when you leave the field.',

  'item.section': 'Section of “{title}”',
  'item.sectionShort': 'Section',

  'vote.group': 'Votes for “{title}”',
  'vote.count.one': '{n} vote',
  'vote.count.other': '{n} votes',
  'vote.mine.one': '{n} is yours',
  'vote.mine.other': '{n} are yours',
  'vote.add': 'Give “{title}” one more vote',
  'vote.remove': 'Take one vote back from “{title}”',
  'vote.left': 'Votes left: {left} of {budget}',
  'vote.help': 'Give your votes to the items that matter most. You can move them until voting closes.',

  'comment.summary': 'Comments ({n})',
  'comment.list': 'Comments on “{title}”',
  'comment.label': 'Comment on “{title}”',
  'comment.placeholder': 'Add a comment…',
  'comment.submit': 'Comment',
  'comment.empty': 'Write something first.',
  'comment.edit': 'Edit',
  'comment.editLabel': 'Edit your comment',
  'comment.save': 'Save',
  'comment.cancel': 'Cancel',
  'comment.delete': 'Delete',
  'comment.you': 'You',
  'comment.someone': 'A participant',
  'comment.none': 'No comments yet.',

  'warn.personalData': 'This looks like personal data ({what}). Items must never identify a victim.',
  'warn.what.phone': 'a phone number',
  'warn.what.email': 'an email address',
  'warn.what.document': 'a passport or ID number',
  'warn.what.age': 'an exact age',

  'undo.deleted': 'Deleted “{title}”.',
  'undo.action': 'Undo',

  'alert.dismiss': 'Dismiss',
  'alert.rejected': 'A change could not be saved: {message}',
  'alert.lostText': 'What you wrote: “{text}”',
  'alert.overwrote': 'Your change to {fields} replaced someone else’s recent change. Their version is in the item’s history.',
  'alert.field.title': 'the title',
  'alert.field.detail': 'the detail',
  'alert.field.other': 'a field',

  'actor.government': 'Government',
  'actor.law_enforcement': 'Law enforcement',
  'actor.immigration': 'Immigration and border',
  'actor.labour_inspection': 'Labour inspection',
  'actor.health': 'Health services',
  'actor.social_services': 'Social services',
  'actor.judiciary': 'Judiciary and prosecution',
  'actor.civil_society': 'Civil society',
  'actor.international_organisations': 'International organisations',
  'actor.private_sector': 'Private sector',
  'actor.survivors': 'Survivors',

  'presence.you': '{name} (you)',
} as const;

export type MessageKey = keyof typeof en;
export type Catalogue = Readonly<Record<MessageKey, string>>;
export type Locale = 'en' | 'id' | 'th';

export const LOCALES: readonly { code: Locale; name: string }[] = [
  { code: 'en', name: 'English' },
  { code: 'id', name: 'Bahasa Indonesia' },
  { code: 'th', name: 'ไทย' },
];

const catalogues: Record<Locale, Partial<Catalogue>> = {
  en,
  id: {},
  th: {},
};

/** Locales with at least some translations (English always): the ones worth offering. */
export function availableLocales(): { code: Locale; name: string }[] {
  return LOCALES.filter((l) => l.code === 'en' || Object.keys(catalogues[l.code]).length > 0);
}

export type Params = Readonly<Record<string, string | number>>;

function fill(template: string, params: Params | undefined): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** Looks `key` up in `locale`, falling back to English, and fills in `params`. */
export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  return fill(catalogues[locale][key] ?? en[key], params);
}

/** The plural form of `base` for `n` (`base.one` / `base.other`), with `{n}` filled in. */
export function translatePlural(locale: Locale, base: string, n: number, params?: Params): string {
  // An untranslated message falls back to English, and so do its plural rules.
  const rulesLocale = `${base}.other` in catalogues[locale] ? locale : 'en';
  const form = new Intl.PluralRules(rulesLocale).select(n);
  const key = (`${base}.${form}` in en ? `${base}.${form}` : `${base}.other`) as MessageKey;
  return translate(locale, key, { n, ...params });
}

export function isMessageKey(key: string): key is MessageKey {
  return key in en;
}

/** The best locale on offer for a list of preferences such as navigator.languages. */
export function pickLocale(preferred: readonly string[], offered: readonly Locale[] = ['en', 'id', 'th']): Locale {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    const code = base === 'in' ? 'id' : base;
    const match = offered.find((l) => l === code);
    if (match) return match;
  }
  return 'en';
}
