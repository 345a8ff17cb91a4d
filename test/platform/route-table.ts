// The route × role table: every route the app registers, and what each kind of visitor gets
// from it. Written once, here; test/platform/route-roles.test.ts collects Fastify's route table
// (an onRoute hook) and fails on a route missing from this file, or a row for a route that is gone.
//
// Each row asks its route once per role, on a world of its own (world.ts: a thread of someone
// else's, a member to sanction, a queue item…), with a valid form and a CSRF token, so the answer
// says what the role may do, not whether the input was right. Codes:
//   200 page · 301 moved · 303 done (or: sign in first, for a guest's page) · 401 a guest's form
//   403 not allowed · 404 not there for this viewer · 409 not in this state
// A suspended member's sessions end when the sanction is imposed, so they come as a guest.
import type { World } from './route-world.ts';
import { letterAvatarKey } from '../../server/views/avatars.ts';

export const ROLES = ['anonymous', 'newcomer', 'member', 'moderator', 'staff', 'admin', 'silenced', 'suspended'] as const;
export type TableRole = (typeof ROLES)[number];
export type Expect = Record<TableRole, number>;

export interface RouteRow {
  method: 'GET' | 'POST';
  /** The route as Fastify has it (its path pattern). */
  route: string;
  /** The address, in the world, for this viewer (null: a guest). */
  url: (w: World, viewer: { id: number } | null) => string;
  form?: (w: World) => Record<string, string>;
  /** A page to open first, whose form's hidden fields come along (the registration stamp). */
  formPage?: string;
  /** Each request gets a browser of its own (signing in or out changes the one it uses). */
  ownBrowser?: boolean;
  /** Ends every session of the member who asks: their browser for the table signs in again after. */
  endsSessions?: boolean;
  expect: Expect;
}

const levels = { member: ['newcomer', 'member', 'silenced'], moderator: ['moderator'], staff: ['staff'], admin: ['admin'] } as const;

/** The same answer for everyone. */
const all = (code: number): Expect => Object.fromEntries(ROLES.map((r) => [r, code])) as Expect;

/**
 * For signed-in people: `code` for everyone at `from` and above, 403 below; a guest (and a
 * suspended member) gets `guest`: 303 to sign in for a page, 401 for a form.
 */
function atLeast(from: 'member' | 'moderator' | 'staff' | 'admin', code: number, guest: number, overrides: Partial<Expect> = {}): Expect {
  const order = ['member', 'moderator', 'staff', 'admin'] as const;
  const e = { anonymous: guest, suspended: guest } as Expect;
  for (const level of order) for (const role of levels[level]) e[role] = order.indexOf(level) >= order.indexOf(from) ? code : 403;
  return { ...e, ...overrides };
}
/** Every signed-in role (not a guest, nor a suspended member) answered `code`. */
const signedInAll = (code: number): Partial<Expect> =>
  Object.fromEntries((['newcomer', 'member', 'moderator', 'staff', 'admin', 'silenced'] as const).map((r) => [r, code]));
const page = (from: 'member' | 'moderator' | 'staff' | 'admin', overrides: Partial<Expect> = {}) => atLeast(from, 200, 303, overrides);
const action = (from: 'member' | 'moderator' | 'staff' | 'admin', overrides: Partial<Expect> = {}) => atLeast(from, 303, 401, overrides);
/** Posting: silenced members may read, not write. */
const posting = () => action('member', { silenced: 403 });

let n = 0;
/** A text no one has posted yet (the same text twice within minutes is refused as a duplicate). */
const fresh = (what: string) => `${what} number ${++n}: something worth saying about the product`;

export const routeTable: RouteRow[] = [
  // Pages everyone reads.
  { method: 'GET', route: '/', url: () => '/', expect: all(200) },
  { method: 'GET', route: '/search', url: () => '/search?q=product', expect: all(200) },
  { method: 'GET', route: '/sitemap.xml', url: () => '/sitemap.xml', expect: all(200) },
  { method: 'GET', route: '/latest.rss', url: () => '/latest.rss', expect: all(200) },
  { method: 'GET', route: '/c/:slug.rss', url: (w) => `/c/${w.category.slug}.rss`, expect: all(200) },
  { method: 'GET', route: '/c/:slug', url: (w) => `/c/${w.category.slug}`, expect: all(200) },
  // The slug is optional: without it (or with an old one) the page moves to its address.
  { method: 'GET', route: '/t/:id/:slug?', url: (w) => `/t/${w.thread.id}/${w.thread.slug}?page=1`, expect: all(200) },
  { method: 'GET', route: '/tag/:name', url: (w) => `/tag/${w.tag}`, expect: all(200) },
  { method: 'GET', route: '/p/:id', url: (w) => `/p/${w.reply}`, expect: all(303) },
  { method: 'GET', route: '/u/:username', url: (w) => `/u/${w.author.username}`, expect: all(200) },
  { method: 'GET', route: '/leaderboard', url: () => '/leaderboard?by=accepted&period=month', expect: all(200) },
  { method: 'GET', route: '/ranks', url: () => '/ranks', expect: all(200) },
  { method: 'GET', route: '/badges', url: () => '/badges', expect: all(200) },
  { method: 'GET', route: '/badges/:slug', url: () => '/badges/anniversary', expect: all(200) },
  { method: 'GET', route: '/guidelines', url: () => '/guidelines', expect: all(200) },
  { method: 'GET', route: '/healthz', url: () => '/healthz', expect: all(200) },
  { method: 'GET', route: '/readyz', url: () => '/readyz', expect: all(200) },
  { method: 'GET', route: '/static/*', url: () => '/static/css/hearth.css', expect: all(200) },
  { method: 'GET', route: '/static/vendor/*', url: () => '/static/vendor/htmx.min.js', expect: all(200) },
  { method: 'GET', route: '/__bench/bare/:bytes', url: () => '/__bench/bare/100', expect: all(200) },
  { method: 'GET', route: '/__bench/memory', url: () => '/__bench/memory', expect: all(200) },

  // Accounts.
  // Signed in already: the forms lead home; registering again is refused.
  { method: 'GET', route: '/login', url: () => '/login', expect: atLeast('member', 303, 200, signedInAll(303)) },
  { method: 'GET', route: '/register', url: () => '/register', expect: atLeast('member', 303, 200, signedInAll(303)) },
  {
    method: 'POST', route: '/login', url: () => '/login', ownBrowser: true,
    form: (w) => ({ login: w.author.username, password: w.author.password }), expect: all(303),
  },
  {
    method: 'POST', route: '/register', url: () => '/register', ownBrowser: true, formPage: '/register',
    form: () => ({ username: `new${++n}`, email: `new${n}@example.test`, password: 'a long enough password' }),
    expect: atLeast('member', 403, 303, signedInAll(403)),
  },
  { method: 'POST', route: '/logout', url: () => '/logout', ownBrowser: true, expect: all(303) },
  // The account page and its security: each member's own. The password is "changed" to itself
  // (the table's members keep signing in with it); the world's session to end is the author's,
  // not there for anyone else; signing out everywhere ends the table's own browser too.
  { method: 'GET', route: '/account', url: () => '/account', expect: page('member') },
  {
    method: 'POST', route: '/account/password', url: () => '/account/password',
    form: () => ({ current_password: 'a long enough password', new_password: 'a long enough password' }), expect: action('member'),
  },
  { method: 'POST', route: '/account/sessions/:handle/end', url: (w) => `/account/sessions/${w.authorSession}/end`, expect: atLeast('member', 404, 401) },
  { method: 'POST', route: '/account/sessions/end-all', url: () => '/account/sessions/end-all', endsSessions: true, expect: action('member') },
  // The profile and avatar sections: a silenced member writes nothing others read, a bio or a
  // picture included. The table's urlencoded form is refused by the multipart avatar route (415)
  // once it knows who asks; test/accounts/avatars.test.ts sends real pictures. Avatars are for everyone.
  {
    method: 'POST', route: '/account/profile', url: () => '/account/profile',
    form: () => ({ display_name: 'A display name', bio: 'A line about me.', location: 'Lyon', website: 'https://example.com' }), expect: action('member', { silenced: 403 }),
  },
  { method: 'POST', route: '/account/avatar', url: () => '/account/avatar', form: () => ({}), expect: atLeast('member', 415, 401, { silenced: 403 }) },
  { method: 'POST', route: '/account/avatar/remove', url: () => '/account/avatar/remove', expect: action('member') },
  { method: 'GET', route: '/avatars/:key', url: (w) => `/avatars/${letterAvatarKey(w.author)}`, expect: all(200) },
  // Members' own data (server/members): the download and the deletion, each after the password.
  // The table's members must keep their accounts, so the deletion is sent without its box ticked
  // (whatever the password, which other rows may have changed): a member is refused beside the
  // field (422), which says the form is theirs to send.
  { method: 'GET', route: '/account/export', url: () => '/account/export', expect: page('member') },
  { method: 'POST', route: '/account/export', url: () => '/account/export', form: () => ({ password: 'a long enough password' }), expect: atLeast('member', 200, 401) },
  { method: 'GET', route: '/account/delete', url: () => '/account/delete', expect: page('member') },
  { method: 'POST', route: '/account/delete', url: () => '/account/delete', form: () => ({ password: 'a long enough password' }), expect: atLeast('member', 422, 401) },

  // Writing.
  { method: 'GET', route: '/c/:slug/new', url: (w) => `/c/${w.category.slug}/new`, expect: page('member', { silenced: 403 }) },
  // The questions like a title being written: asked as the new-thread form is, by those who may start a thread there.
  { method: 'GET', route: '/c/:slug/similar', url: (w) => `/c/${w.category.slug}/similar?title=product`, expect: page('member', { silenced: 403 }) },
  {
    method: 'POST', route: '/c/:slug/threads', url: (w) => `/c/${w.category.slug}/threads`,
    form: () => ({ title: fresh('A thread'), body: fresh('The first post') }), expect: posting(),
  },
  { method: 'POST', route: '/t/:id/replies', url: (w) => `/t/${w.thread.id}/replies`, form: () => ({ body: fresh('A reply') }), expect: posting() },
  { method: 'POST', route: '/preview', url: () => '/preview', form: () => ({ body: 'Some *markdown*' }), expect: atLeast('member', 200, 401) },
  // Uploads: the table sends urlencoded forms, which a multipart route refuses (415) once it knows
  // who asks; test/uploads/ sends real files. A served file is there for whoever may see its post.
  { method: 'POST', route: '/uploads', url: () => '/uploads', form: () => ({}), expect: atLeast('member', 415, 401, { silenced: 403 }) },
  { method: 'GET', route: '/uploads/:key', url: (w) => `/uploads/${w.upload}`, expect: all(200) },
  { method: 'GET', route: '/p/:id/edit', url: (w) => `/p/${w.reply}/edit`, expect: page('moderator') },
  { method: 'POST', route: '/p/:id/edit', url: (w) => `/p/${w.reply}/edit`, form: () => ({ body: fresh('An edit') }), expect: action('moderator') },
  { method: 'GET', route: '/p/:id/delete', url: (w) => `/p/${w.reply}/delete`, expect: page('moderator') },
  { method: 'POST', route: '/p/:id/delete', url: (w) => `/p/${w.reply}/delete`, expect: action('moderator') },
  { method: 'GET', route: '/p/:id/revisions', url: (w) => `/p/${w.reply}/revisions`, expect: page('moderator') },
  { method: 'POST', route: '/p/:id/like', url: (w) => `/p/${w.reply}/like`, expect: action('member') },
  // Bookmarks and drafts are the member's own: anyone signed in keeps them (a silenced member too).
  { method: 'POST', route: '/p/:id/bookmark', url: (w) => `/p/${w.reply}/bookmark`, form: () => ({ remind_at: '', timezone: 'Europe/Paris' }), expect: action('member') },
  { method: 'GET', route: '/bookmarks', url: () => '/bookmarks', expect: page('member') },
  { method: 'POST', route: '/t/:id/draft', url: (w) => `/t/${w.thread.id}/draft`, form: () => ({ body: 'A reply being written' }), expect: action('member') },
  {
    method: 'POST', route: '/c/:slug/draft', url: (w) => `/c/${w.category.slug}/draft`,
    form: () => ({ title: 'A thread being written', body: 'Its first post' }), expect: action('member'),
  },
  // Questions: anyone signed in votes up (a downvote waits for rank 2); the asker or staff accept.
  { method: 'POST', route: '/p/:id/vote', url: (w) => `/p/${w.answer}/vote`, form: () => ({ value: '1' }), expect: action('member') },
  { method: 'POST', route: '/p/:id/accept', url: (w) => `/p/${w.answer}/accept`, expect: action('staff') },
  { method: 'POST', route: '/polls/:id/vote', url: (w) => `/polls/${w.poll.id}/vote`, form: (w) => ({ option: String(w.poll.option) }), expect: action('member') },

  // Watching and notifications.
  { method: 'POST', route: '/t/:id/watch', url: (w) => `/t/${w.thread.id}/watch`, form: () => ({ level: 'watching' }), expect: action('member') },
  { method: 'POST', route: '/c/:slug/watch', url: (w) => `/c/${w.category.slug}/watch`, form: () => ({ level: 'watching' }), expect: action('member') },
  { method: 'GET', route: '/notifications', url: () => '/notifications', expect: page('member') },
  // The unread badge, polled by htmx: a guest's is empty.
  { method: 'GET', route: '/notifications/count', url: () => '/notifications/count', expect: all(200) },
  { method: 'POST', route: '/notifications/read-all', url: () => '/notifications/read-all', expect: action('member') },
  // The world's notification is the viewer's own.
  { method: 'POST', route: '/notifications/:id/read', url: (w, viewer) => `/notifications/${(viewer && w.notifications.get(viewer.id)) ?? w.othersNotification}/read`, expect: action('member') },

  // Flags and the queue.
  { method: 'GET', route: '/p/:id/flag', url: (w) => `/p/${w.reply}/flag`, expect: page('member') },
  { method: 'POST', route: '/p/:id/flags', url: (w) => `/p/${w.reply}/flags`, form: () => ({ reason: 'spam', note: '' }), expect: action('member') },
  { method: 'GET', route: '/mod', url: () => '/mod', expect: page('moderator') },
  { method: 'GET', route: '/mod/log', url: () => '/mod/log', expect: page('moderator') },
  { method: 'GET', route: '/mod/items/:id', url: (w) => `/mod/items/${w.queueItem}`, expect: page('moderator') },
  { method: 'POST', route: '/mod/items/:id', url: (w) => `/mod/items/${w.queueItem}`, form: () => ({ action: 'dismiss', note: '' }), expect: action('moderator') },
  { method: 'POST', route: '/mod/items/:id/claim', url: (w) => `/mod/items/${w.queueItem}/claim`, expect: action('moderator') },
  { method: 'POST', route: '/mod/items/:id/unclaim', url: (w) => `/mod/items/${w.queueItem}/unclaim`, expect: action('moderator') },

  // Sanctions: the world's member to sanction is a plain member, warned by a moderator.
  { method: 'GET', route: '/u/:username/sanction', url: (w) => `/u/${w.target.username}/sanction`, expect: page('moderator') },
  {
    method: 'POST', route: '/u/:username/sanction', url: (w) => `/u/${w.target.username}/sanction`,
    form: () => ({ kind: 'warn', until: '', reason: 'Please keep it civil.' }), expect: action('moderator'),
  },
  { method: 'GET', route: '/sanctions', url: () => '/sanctions', expect: page('member') },
  { method: 'POST', route: '/sanctions/:id/lift', url: (w) => `/sanctions/${w.silence}/lift`, form: () => ({ reason: 'Served' }), expect: action('moderator') },
  // Appealing is the sanctioned member's alone (a suspended one, without a session, comes with
  // the signed token their refused sign-in gave them; none here).
  { method: 'GET', route: '/sanctions/:id/appeal', url: (w) => `/sanctions/${w.silence}/appeal`, expect: atLeast('member', 403, 401) },
  {
    method: 'POST', route: '/sanctions/:id/appeal', url: (w) => `/sanctions/${w.silence}/appeal`,
    form: () => ({ body: 'I did nothing wrong.' }), expect: atLeast('member', 403, 401),
  },

  // Thread actions: moderators; pins: staff.
  { method: 'POST', route: '/t/:id/lock', url: (w) => `/t/${w.thread.id}/lock`, expect: action('moderator') },
  { method: 'POST', route: '/t/:id/unlock', url: (w) => `/t/${w.lockedThread}/unlock`, expect: action('moderator') },
  { method: 'POST', route: '/t/:id/close', url: (w) => `/t/${w.thread.id}/close`, form: () => ({ after: '2', reason: '' }), expect: action('moderator') },
  { method: 'POST', route: '/t/:id/reopen', url: (w) => `/t/${w.closedThread}/reopen`, form: () => ({ reason: '' }), expect: action('moderator') },
  { method: 'POST', route: '/t/:id/unlist', url: (w) => `/t/${w.thread.id}/unlist`, form: () => ({ reason: '' }), expect: action('moderator') },
  { method: 'POST', route: '/t/:id/relist', url: (w) => `/t/${w.unlistedThread}/relist`, form: () => ({ reason: '' }), expect: action('moderator') },
  { method: 'POST', route: '/t/:id/move', url: (w) => `/t/${w.thread.id}/move`, form: (w) => ({ category: w.otherCategory.slug, reason: '' }), expect: action('moderator') },
  { method: 'POST', route: '/t/:id/merge', url: (w) => `/t/${w.thread.id}/merge`, form: (w) => ({ into: String(w.otherThread), reason: '' }), expect: action('moderator') },
  { method: 'POST', route: '/t/:id/split', url: (w) => `/t/${w.thread.id}/split`, form: (w) => ({ posts: String(w.replyNumber), title: 'A thread of its own', reason: '' }), expect: action('moderator') },
  { method: 'POST', route: '/t/:id/slow-mode', url: (w) => `/t/${w.thread.id}/slow-mode`, form: () => ({ minutes: '10', reason: '' }), expect: action('moderator') },
  // Thread edits that rank opens too: renaming, tags (and moving, above) from rank 3, closing as a
  // duplicate (and reopening one, above) from rank 4; the table's members are rank 0 and 1.
  { method: 'POST', route: '/t/:id/title', url: (w) => `/t/${w.thread.id}/title`, form: () => ({ title: `A new title ${++n}`, reason: '' }), expect: action('moderator') },
  { method: 'POST', route: '/t/:id/tags', url: (w) => `/t/${w.thread.id}/tags`, form: () => ({ tags: `tag-${++n}, other`, reason: '' }), expect: action('moderator') },
  { method: 'POST', route: '/t/:id/duplicate', url: (w) => `/t/${w.thread.id}/duplicate`, form: (w) => ({ into: String(w.otherThread), reason: '' }), expect: action('moderator') },
  { method: 'POST', route: '/t/:id/pin', url: (w) => `/t/${w.thread.id}/pin`, form: () => ({ scope: 'category', until: '' }), expect: action('staff') },
  { method: 'POST', route: '/t/:id/unpin', url: (w) => `/t/${w.pinnedThread}/unpin`, expect: action('staff') },
  // Staff in threads (issue 12): a pin's place among the pins, and the official response (an
  // empty `post` takes the mark away, which every world allows).
  { method: 'POST', route: '/t/:id/pin/move', url: (w) => `/t/${w.pinnedThread}/pin/move`, form: () => ({ direction: 'down' }), expect: action('staff') },
  { method: 'POST', route: '/t/:id/official', url: (w) => `/t/${w.thread.id}/official`, form: () => ({ post: '' }), expect: action('staff') },

  // Nominations for Ambassador: staff nominate the world's Advocate and withdraw another's open
  // nomination; each member answers their own (the world's is someone else's: not there for them).
  { method: 'GET', route: '/u/:username/nominate', url: (w) => `/u/${w.advocate.username}/nominate`, expect: page('staff') },
  { method: 'POST', route: '/u/:username/nominate', url: (w) => `/u/${w.advocate.username}/nominate`, form: () => ({ note: 'Thank you for your answers.' }), expect: action('staff') },
  { method: 'POST', route: '/nominations/:id/withdraw', url: (w) => `/nominations/${w.nomination}/withdraw`, expect: action('staff') },
  { method: 'GET', route: '/account/nomination', url: () => '/account/nomination', expect: page('member') },
  {
    method: 'POST', route: '/account/nomination', url: () => '/account/nomination',
    form: (w) => ({ nomination: String(w.nomination), answer: 'decline' }), expect: atLeast('member', 404, 401),
  },

  // The site banner (server/site): published and removed by brand staff and admins; dismissed by
  // anyone (a member on their row, a guest in a cookie: by the GET a guest's kept page asks, or
  // by the form with a token). A banner id that is not in force changes nothing, and still answers.
  { method: 'GET', route: '/admin/banner', url: () => '/admin/banner', expect: page('staff') },
  { method: 'POST', route: '/admin/banner', url: () => '/admin/banner', form: () => ({ body: fresh('A banner'), ends_at: '' }), expect: action('staff') },
  { method: 'POST', route: '/admin/banner/remove', url: () => '/admin/banner/remove', expect: action('staff') },
  { method: 'POST', route: '/banner/dismiss', url: () => '/banner/dismiss', form: () => ({ banner_id: '1', return_to: '/' }), expect: all(303) },
  { method: 'GET', route: '/banner/dismiss', url: () => '/banner/dismiss?banner_id=1&return_to=%2F', expect: { ...all(303), ...signedInAll(200) } },

  // Admins.
  { method: 'GET', route: '/admin', url: () => '/admin', expect: page('admin') },
  { method: 'GET', route: '/admin/settings', url: () => '/admin/settings', expect: page('admin') },
  { method: 'GET', route: '/admin/watched-words', url: () => '/admin/watched-words', expect: page('admin') },
  {
    method: 'POST', route: '/admin/categories', url: () => '/admin/categories',
    form: () => ({ name: `Category ${++n}`, slug: '', description: '', color: '#2563eb' }), expect: action('admin'),
  },
  // Categories and invites (issue 12): the categories page, an edit of the world's other
  // category, its place, its archiving; invite links made and revoked by staff and admins, and
  // the world's open invite, which anyone may open (a signed-in visitor is told it is for a new account).
  { method: 'GET', route: '/admin/categories', url: () => '/admin/categories', expect: page('admin') },
  { method: 'GET', route: '/admin/categories/:id', url: (w) => `/admin/categories/${w.otherCategory.id}`, expect: page('admin') },
  {
    method: 'POST', route: '/admin/categories/:id', url: (w) => `/admin/categories/${w.otherCategory.id}`,
    form: (w) => ({ name: `Renamed ${++n}`, slug: w.otherCategory.slug, description: '', color: '#2563eb', read_role: '', read_rank: '0', post_role: 'member', post_rank: '0', position: '5' }),
    expect: action('admin'),
  },
  { method: 'POST', route: '/admin/categories/:id/move', url: (w) => `/admin/categories/${w.otherCategory.id}/move`, form: () => ({ direction: 'up' }), expect: action('admin') },
  { method: 'POST', route: '/admin/categories/:id/archive', url: (w) => `/admin/categories/${w.otherCategory.id}/archive`, expect: action('admin') },
  { method: 'POST', route: '/admin/categories/:id/unarchive', url: (w) => `/admin/categories/${w.otherCategory.id}/unarchive`, expect: action('admin') },
  { method: 'GET', route: '/admin/invites', url: () => '/admin/invites', expect: page('staff') },
  { method: 'POST', route: '/admin/invites', url: () => '/admin/invites', form: () => ({ expires_days: '7', max_uses: '1', role: '', category: '', note: '' }), expect: action('staff') },
  { method: 'POST', route: '/admin/invites/:id/revoke', url: (w) => `/admin/invites/${w.invite.id}/revoke`, expect: action('staff') },
  { method: 'GET', route: '/invite/:code', url: (w) => `/invite/${w.invite.code}`, expect: all(200) },
  { method: 'POST', route: '/admin/users/:id/rank', url: (w) => `/admin/users/${w.target.id}/rank`, form: () => ({ rank: '2' }), expect: action('admin') },
  { method: 'POST', route: '/admin/users/:id/role', url: (w) => `/admin/users/${w.target.id}/role`, form: () => ({ role: 'moderator' }), expect: action('admin') },
  // Members (server/members): the search, a member's page, and deleting one (the world's own
  // Advocate, made for each world, so the table's cast stays).
  { method: 'GET', route: '/admin/members', url: () => '/admin/members?q=m', expect: page('admin') },
  { method: 'GET', route: '/admin/members/:id', url: (w) => `/admin/members/${w.target.id}`, expect: page('admin') },
  {
    method: 'POST', route: '/admin/members/:id/delete', url: (w) => `/admin/members/${w.advocate.id}/delete`,
    form: () => ({ posts: 'anonymise', confirm: 'yes', reason: 'For the table' }), expect: action('admin'),
  },
  { method: 'POST', route: '/admin/settings', url: () => '/admin/settings', form: (w) => w.settingsForm, expect: action('admin') },
  { method: 'POST', route: '/admin/watched-words', url: () => '/admin/watched-words', form: () => ({ word: `word${++n}`, action: 'flag' }), expect: action('admin') },
  // Badges by hand: a badge one may earn again (each grant its own), and a grant of the world's to take back.
  { method: 'POST', route: '/badges/:slug/grant', url: () => '/badges/nice-post/grant', form: (w) => ({ username: w.author.username, reason: 'For the launch' }), expect: action('admin') },
  { method: 'POST', route: '/badges/:slug/revoke', url: () => '/badges/anniversary/revoke', form: (w) => ({ grant: String(w.badgeGrant), reason: 'Granted by mistake' }), expect: action('admin') },
  { method: 'POST', route: '/admin/watched-words/:id/delete', url: (w) => `/admin/watched-words/${w.watchedWord}/delete`, expect: action('admin') },
];
