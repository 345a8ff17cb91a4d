// The permissions module by tables: for each question, who asks, about what, in which state, and
// the answer (the status a route answers with, or null for allowed). Pure: no database, no app.
import t from 'tap';
import type { HttpError } from '../../server/errors.ts';
import {
  acceptRefusal,
  canOnPost,
  flagRefusal,
  openThreadRefusal,
  postActionRefusal,
  readRefusal,
  replyRefusal,
  sanctionRefusal,
  seePostRefusal,
  slowModeWait,
  startThreadRefusal,
  threadActionRefusal,
  voteRefusal,
  type PostAction,
  type ReplyTarget,
  type SanctionAct,
  type Standing,
  type ThreadAction,
  type Viewer,
} from '../../server/permissions.ts';

const now = new Date('2026-06-01T12:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000);
const later = (s: number) => new Date(now.getTime() + s * 1000);

const viewer = (id: number, role: Viewer['role'], rank = 1): Viewer => ({ id, username: `u${id}`, role, rank });
const guest = null;
const newcomer = viewer(10, 'member', 0);
const member = viewer(11, 'member', 1);
const other = viewer(12, 'member', 3);
const moderator = viewer(20, 'moderator', 0);
const moderator2 = viewer(21, 'moderator', 2);
const staff = viewer(30, 'staff');
const admin = viewer(40, 'admin');

/** The answer as a table row reads it: the status, or null for allowed. */
const status = (e: HttpError | null) => (e ? e.statusCode : null);

const open: ReplyTarget = { deleted_at: null, locked_at: null, closes_at: null, slow_mode_seconds: 0 };
const silenced: Standing = { silence: { ends_at: later(3600), reason: 'Cooling off' } };
const clear: Standing = { silence: null };

t.test('replying: the thread, the role and, when posting, the standing', async (t) => {
  const rows: [string, Viewer | null, Partial<ReplyTarget>, Standing | undefined, number | null][] = [
    ['a guest is asked to sign in', guest, {}, undefined, 401],
    ['a member replies to an open thread', member, {}, undefined, null],
    ['a newcomer too', newcomer, {}, clear, null],
    ['nobody replies to a deleted thread', moderator, { deleted_at: ago(5) }, undefined, 409],
    ['a deleted thread is said before a silence', member, { deleted_at: ago(5) }, silenced, 409],
    ['a silenced member may not post', member, {}, silenced, 403],
    ['a silenced moderator neither', moderator, {}, silenced, 403],
    ['the page offers the form without reading the standing', member, {}, undefined, null],
    ['a locked thread refuses a member', member, { locked_at: ago(5) }, clear, 409],
    ['a moderator replies in a locked thread', moderator, { locked_at: ago(5) }, clear, null],
    ['a closed thread refuses a member', member, { closes_at: ago(1) }, clear, 409],
    ['a thread closing later takes replies', member, { closes_at: later(60) }, clear, null],
    ['a moderator replies in a closed thread', moderator, { closes_at: ago(1) }, clear, null],
    ['staff too', staff, { closes_at: ago(1) }, clear, null],
    ['slow mode makes a member wait', member, { slow_mode_seconds: 60 }, { silence: null, lastPostAt: ago(10) }, 429],
    ['after the wait they post', member, { slow_mode_seconds: 60 }, { silence: null, lastPostAt: ago(61) }, null],
    ['a first post in a slow thread is not held', member, { slow_mode_seconds: 60 }, { silence: null, lastPostAt: null }, null],
    ['moderators are not slowed', moderator, { slow_mode_seconds: 60 }, { silence: null, lastPostAt: ago(1) }, null],
    ['the page does not know the wait', member, { slow_mode_seconds: 60 }, undefined, null],
  ];
  for (const [what, who, thread, standing, expected] of rows) {
    t.equal(status(replyRefusal(who, { ...open, ...thread }, now, standing)), expected, what);
  }
  const wait = replyRefusal(member, { ...open, slow_mode_seconds: 300 }, now, { silence: null, lastPostAt: ago(60) }) as HttpError & { retryAfter?: number };
  t.equal(wait.message, 'Slow mode is on in this thread: one post every 5 minutes. Please wait 4 minutes before posting again.');
  t.equal(wait.retryAfter, 240, 'the wait goes out as Retry-After');
  t.equal(replyRefusal(member, open, now, silenced)?.message, 'You are silenced until 1 Jun 2026, 13:00 UTC: you may read, but not post. Reason: Cooling off');
  t.equal(replyRefusal(member, { ...open, locked_at: ago(1) }, now)?.message, 'This thread is locked; it takes no more replies.');
  t.equal(replyRefusal(member, { ...open, closes_at: ago(1) }, now)?.message, 'This thread is closed; it takes no more replies.');
  t.equal(replyRefusal(member, { ...open, deleted_at: ago(1) }, now)?.message, 'This thread was deleted; it takes no more replies.');
  t.same([slowModeWait(null, 60, now), slowModeWait(ago(59.5), 60, now), slowModeWait(ago(10), 0, now)], [0, 1, 0]);
});

const everyone = { read_role: null, read_rank: 0, post_role: 'member', post_rank: 0 } as const;
const staffOnly = { read_role: 'staff', read_rank: 0, post_role: 'staff', post_rank: 0 } as const;
const rank2 = { read_role: null, read_rank: 2, post_role: 'member', post_rank: 2 } as const;
const announcements = { read_role: null, read_rank: 0, post_role: 'staff', post_rank: 0 } as const;

t.test('reading a category and starting a thread in it', async (t) => {
  const rows: [string, Viewer | null, typeof everyone | typeof staffOnly | typeof rank2 | typeof announcements, number | null, number | null][] = [
    // [what, who, category, reading, starting]
    ['a guest reads an open category, and signs in to post', guest, everyone, null, 401],
    ['a newcomer reads and posts there', newcomer, everyone, null, null],
    ['a guest signs in for a rank-held one', guest, rank2, 401, 401],
    ['a member below its rank is refused', member, rank2, 403, 403],
    ['a member at its rank reads and posts', other, rank2, null, null],
    ['a moderator is not held by rank', moderator, rank2, null, null],
    ['a member does not read a staff-only category', member, staffOnly, 403, 403],
    ['nor does a moderator', moderator, staffOnly, 403, 403],
    ['staff read and post there', staff, staffOnly, null, null],
    ['admins too', admin, staffOnly, null, null],
    ['members read announcements but do not post them', member, announcements, null, 403],
    ['staff post them', staff, announcements, null, null],
  ];
  for (const [what, who, c, reading, starting] of rows) {
    t.equal(status(readRefusal(who, c)), reading, `${what} (reading)`);
    t.equal(status(startThreadRefusal(who, c)), starting, `${what} (starting)`);
  }
  t.equal(status(startThreadRefusal(member, everyone, silenced)), 403, 'a silenced member starts no thread');
  t.equal(startThreadRefusal(member, announcements)?.message, 'Starting threads here is open to some members only.');
  t.equal(readRefusal(member, staffOnly)?.message, 'This category is open to some members only.');
});

interface Facts { user_id: number; deleted_at: Date | null; hidden_at: Date | null; pending_at: Date | null }
const shown: Facts = { user_id: member.id, deleted_at: null, hidden_at: null, pending_at: null };

t.test('opening a thread and seeing a post', async (t) => {
  const rows: [string, Viewer | null, Partial<Facts>, typeof everyone | typeof staffOnly, number | null][] = [
    ['a guest opens a public thread', guest, {}, everyone, null],
    ['a guest does not find a hidden one', guest, { hidden_at: ago(1) }, everyone, 404],
    ['its author opens their held thread', member, { pending_at: ago(1) }, everyone, null],
    ['another member does not find it', other, { pending_at: ago(1) }, everyone, 404],
    ['nor its deleted one, even the author', member, { deleted_at: ago(1) }, everyone, 404],
    ['a moderator opens a deleted one', moderator, { deleted_at: ago(1) }, everyone, null],
    ['a moderator is refused a staff-only category', moderator, {}, staffOnly, 403],
    ['a hidden one there: the category refuses them first', moderator2, { hidden_at: ago(1) }, staffOnly, 403],
    ['staff open it', staff, {}, staffOnly, null],
  ];
  for (const [what, who, facts, c, expected] of rows) {
    const thread = { ...shown, ...facts, ...c };
    t.equal(status(openThreadRefusal(who, thread)), expected, what);
    // A post shares its thread's fate, and its own.
    t.equal(status(seePostRefusal(who, { ...shown }, thread)), expected, `${what} (a public post in it)`);
  }
  t.equal(status(seePostRefusal(other, { ...shown, hidden_at: ago(1) }, { ...shown, ...everyone })), 404, 'a hidden post in a public thread');
  t.equal(seePostRefusal(other, { ...shown, hidden_at: ago(1) }, { ...shown, ...everyone })?.message, 'That post could not be found.');
});

t.test('what a viewer may do to a post they can see', async (t) => {
  const mine = shown;
  const actions: PostAction[] = ['edit post', 'delete post', 'see revisions', 'like post', 'flag post'];
  const rows: [string, Viewer, Facts, (number | null)[]][] = [
    // answers in the order of `actions`
    ['the author', member, mine, [null, null, null, 403, 403]],
    ['another member', other, mine, [403, 403, 403, null, null]],
    ['a moderator', moderator, mine, [null, null, null, null, null]],
    ['the author of a deleted post', member, { ...mine, deleted_at: ago(1) }, [403, 403, null, 403, 403]],
    ['a moderator, a deleted post', moderator, { ...mine, deleted_at: ago(1) }, [403, 403, null, 404, 409]],
    ['another member, a hidden post', other, { ...mine, hidden_at: ago(1) }, [403, 403, 403, 409, 409]],
    ['the author, their held post', member, { ...mine, pending_at: ago(1) }, [null, null, null, 403, 403]],
  ];
  for (const [who, v, post, expected] of rows) {
    const answers = actions.map((a) => status(postActionRefusal(v, a, post)));
    t.same(answers, expected, `${who}: ${actions.join(', ')}`);
    t.same(actions.map((a) => canOnPost(v, a, post)), expected.map((e) => e === null), `${who}: the template flags agree`);
  }
  t.same(actions.map((a) => canOnPost(null, a, mine)), [false, false, false, false, false], 'a guest does nothing to a post');
  t.equal(status(postActionRefusal(member, 'edit post', mine, silenced)), 403, 'a silenced author does not edit');
  t.equal(status(postActionRefusal(moderator, 'edit post', mine, clear)), null, "a moderator in good standing edits a member's post");
  t.equal(status(postActionRefusal(moderator, 'edit post', mine, silenced)), 403, "a silenced moderator edits nobody's post");
  t.equal(postActionRefusal(other, 'edit post', mine)?.message, 'You may edit only your own posts.');
  t.equal(postActionRefusal(other, 'delete post', mine)?.message, 'You may delete only your own posts.');
});

t.test('flagging: whose post, in which state, for which reason', async (t) => {
  const rows: [string, Viewer, Partial<Facts>, string | undefined, number | null][] = [
    ['a member flags another’s public post (the form)', other, {}, undefined, null],
    ['nobody flags their own post', member, {}, undefined, 403],
    ['nor sends a flag on it', member, {}, 'spam', 403],
    ['a deleted post has nothing left to flag', other, { deleted_at: ago(1) }, undefined, 409],
    ['a hidden one waits for a moderator already', other, { hidden_at: ago(1) }, undefined, 409],
    ['a flag sent lands on a post hidden a moment ago', other, { hidden_at: ago(1) }, 'offensive', null],
    ['a newcomer flags spam', newcomer, {}, 'spam', null],
    ['a newcomer does not flag as offensive', newcomer, {}, 'offensive', 403],
    ['a member does', other, {}, 'offensive', null],
    ['a moderator of rank 0 does too', moderator, {}, 'other', null],
    ['a reason that is none is the form’s to say', newcomer, {}, 'nonsense', null],
  ];
  for (const [what, who, facts, reason, expected] of rows) {
    t.equal(status(flagRefusal(who, { ...shown, ...facts }, reason)), expected, what);
  }
  const refused = flagRefusal(newcomer, shown, 'off_topic');
  t.same(refused?.fieldErrors, { reason: 'As a newcomer you can flag spam only.' }, 'the refusal is said beside the field');
  t.equal(flagRefusal(member, shown)?.message, 'You cannot flag your own post.');
});

t.test('sanctions: impose, lift, decide an appeal', async (t) => {
  const acts: SanctionAct[] = ['impose', 'lift', 'decide appeal'];
  const rows: [string, Viewer | null, { id: number; role: Viewer['role'] }, number | null][] = [
    ['a guest', guest, member, 401],
    ['a member', other, member, 403],
    ['a moderator, on a member', moderator, member, null],
    ['a moderator, on themselves', moderator, moderator, 403],
    ['a moderator, on a peer', moderator, moderator2, 403],
    ['a moderator, on staff', moderator, staff, 403],
    ['staff, on a moderator', staff, moderator, null],
    ['staff, on themselves', staff, staff, 403],
    ['an admin, on staff', admin, staff, null],
    ['an admin, on another admin', admin, { id: 41, role: 'admin' }, 403],
  ];
  for (const [who, v, target, expected] of rows) {
    for (const act of acts) t.equal(status(sanctionRefusal(v, act, target)), expected, `${who}: ${act}`);
  }
  t.equal(sanctionRefusal(other, 'decide appeal', member)?.message, 'You may decide appeals only of members below your role.');
  t.equal(sanctionRefusal(member, 'decide appeal', member)?.message, 'You cannot decide your own appeal: someone above your role will.');
  t.equal(status(sanctionRefusal(moderator, 'impose', undefined)), null, 'no such member: the route says so');
  t.equal(status(sanctionRefusal(other, 'lift', undefined)), 403, 'but not to a member, to whom sanctions are closed');
  t.equal(sanctionRefusal(moderator, 'decide appeal', moderator)?.message, 'You cannot decide your own appeal: someone above your role will.');
  t.equal(sanctionRefusal(moderator, 'decide appeal', moderator2)?.message, 'You may decide appeals only of members below your role.');
  t.equal(sanctionRefusal(moderator, 'impose', moderator)?.message, 'You cannot sanction yourself.');
  t.equal(sanctionRefusal(moderator, 'impose', staff)?.message, 'You may sanction only members below your role.');
  t.equal(sanctionRefusal(moderator, 'lift', staff)?.message, 'You may not lift this sanction.');
  t.equal(sanctionRefusal(other, 'impose', member)?.message, 'Sanctions are for moderators.');
});

t.test('thread actions: the right, then the thread as its page shows it', async (t) => {
  const acts: ThreadAction[] = ['manage threads', 'lock', 'pin'];
  const rows: [string, Viewer | null, Partial<Facts>, typeof everyone | typeof staffOnly, (number | null)[]][] = [
    ['a guest', guest, {}, everyone, [401, 401, 401]],
    ['a member', other, {}, everyone, [403, 403, 403]],
    ['a moderator', moderator, {}, everyone, [null, null, 403]],
    ['a moderator, a hidden thread', moderator, { hidden_at: ago(1) }, everyone, [null, null, 403]],
    ['a moderator, a staff-only thread', moderator, {}, staffOnly, [403, 403, 403]],
    ['staff, a staff-only thread', staff, {}, staffOnly, [null, null, null]],
    ['staff, a deleted thread', staff, { deleted_at: ago(1) }, everyone, [null, null, null]],
  ];
  for (const [who, v, facts, c, expected] of rows) {
    t.same(acts.map((a) => status(threadActionRefusal(v, a, { ...shown, ...facts, ...c }))), expected, `${who}: ${acts.join(', ')}`);
  }
  t.equal(threadActionRefusal(member, 'pin', { ...shown, ...everyone })?.message, 'Pinning is for staff.');
  t.equal(threadActionRefusal(moderator, 'manage threads', { ...shown, ...staffOnly })?.message, 'This category is open to some members only.');
});

t.test('votes and accepts: on questions, not one’s own, downvotes from rank 2, accepts by the asker or staff', async (t) => {
  const question: { kind: string; user_id: number; deleted_at: Date | null } = { kind: 'question', user_id: member.id, deleted_at: null };
  const answer = { ...shown, user_id: other.id, post_number: 2 };
  const rows: [string, Viewer | null, Partial<Facts & { post_number: number }>, Partial<typeof question>, -1 | 0 | 1, number | null][] = [
    ['a guest signs in to vote', guest, {}, {}, 1, 401],
    ['a newcomer votes up', newcomer, {}, {}, 1, null],
    ['a newcomer does not vote down', newcomer, {}, {}, -1, 403],
    ['nor a member of rank 1', member, {}, {}, -1, 403],
    ['a member of rank 3 does', viewer(13, 'member', 3), {}, {}, -1, null],
    ['a moderator of rank 0 does too', moderator, {}, {}, -1, null],
    ['taking a vote back is open to every voter', newcomer, {}, {}, 0, null],
    ['nobody votes on their own answer', other, {}, {}, 1, 403],
    ['a discussion takes no votes', member, {}, { kind: 'discussion' }, 1, 409],
    ['a hidden answer takes none', member, { hidden_at: ago(1) }, {}, 1, 409],
    ['nor one in a deleted question', moderator, {}, { deleted_at: ago(1) }, 1, 409],
  ];
  for (const [what, who, post, thread, value, expected] of rows) {
    t.equal(status(voteRefusal(who, { ...answer, ...post }, { ...question, ...thread }, value)), expected, what);
  }
  const accepts: [string, Viewer | null, Partial<Facts & { post_number: number }>, Partial<typeof question>, number | null][] = [
    ['the asker accepts an answer', member, {}, {}, null],
    ['staff do too', staff, {}, {}, null],
    ['a moderator does not', moderator, {}, {}, 403],
    ['nor the answer’s author', other, {}, {}, 403],
    ['a guest signs in first', guest, {}, {}, 401],
    ['the question is not its own answer', member, { post_number: 1 }, {}, 409],
    ['a held answer waits', member, { pending_at: ago(1) }, {}, 409],
    ['a discussion has no accepted answer', member, {}, { kind: 'discussion' }, 409],
  ];
  for (const [what, who, post, thread, expected] of accepts) {
    t.equal(status(acceptRefusal(who, { ...answer, ...post }, { ...question, ...thread })), expected, what);
  }
});
