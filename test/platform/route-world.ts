// A small community for one cell of the route × role table: everything a route may act on,
// none of it the viewer's own (but their notification), made through the app's own functions.
import { createPoll } from '../../server/polls/queries.ts';
import { openPostItem } from '../../server/moderation/items.ts';
import { imposeSanction } from '../../server/moderation/sanctions/queries.ts';
import { addWatchedWord } from '../../server/moderation/posting/watched-words.ts';
import { notice } from '../../server/notifications/queries.ts';
import { createReply, createThread } from '../../server/threads/queries.ts';
import type { Member, testApp } from '../helpers/app.ts';
import { linkUploads, recordUpload } from '../../server/uploads/queries.ts';
import { newInviteCode } from '../../server/invites/queries.ts';

type Harness = Awaited<ReturnType<typeof testApp>>;

export interface World {
  author: Member;
  /** A plain member, silenced by a moderator: to sanction, lift, appeal for. */
  target: Member;
  category: { id: number; slug: string };
  otherCategory: { id: number; slug: string };
  thread: { id: number; slug: string };
  reply: number;
  replyNumber: number;
  otherThread: number;
  lockedThread: number;
  closedThread: number;
  unlistedThread: number;
  pinnedThread: number;
  tag: string;
  poll: { id: number; option: number };
  /** An answer of the author's to a question of the author's: to vote on, and to accept. */
  answer: number;
  /** Each visitor's own notification, by member id; someone else's for a guest. */
  notifications: Map<number, number>;
  othersNotification: number;
  queueItem: number;
  silence: number;
  watchedWord: number;
  /** An Advocate (rank 3) with no nomination: for staff to nominate. */
  advocate: Member;
  /** Another Advocate's open nomination: for staff to withdraw, someone else's to answer. */
  nomination: number;
  /** A grant of the author's (an anniversary) for admins to take back. */
  badgeGrant: number;
  /** The public handle of a session of the author's (the account page names sessions by it). */
  authorSession: string;
  settingsForm: Record<string, string>;
  /** The key of an upload of the author's, in their public reply. */
  upload: string;
  /** An open invite link (categories and invites): to open, to revoke. */
  invite: { id: number; code: string };
}

let n = 0;

/** The people every world shares: an author, a moderator who silenced the target, the target. */
export interface Cast {
  author: Member;
  moderator: Member;
  target: Member;
  /** Everyone who visits (their notifications are made in each world). */
  visitors: Member[];
}

export async function makeCast(h: Harness, visitors: Member[]): Promise<Cast> {
  return { author: await h.make.member(), moderator: await h.make.member({ role: 'moderator' }), target: await h.make.member(), visitors };
}

export async function makeWorld(h: Harness, cast: Cast, settingsForm: Record<string, string>): Promise<World> {
  const { db, make } = h;
  const i = ++n;
  const { author, moderator, target } = cast;
  const category = await make.category();
  const otherCategory = await make.category();
  const tag = `tag${i}`;
  const thread = await createThread(db, { categoryId: category.id, userId: author.id, title: `The thread of world ${i}`, body: `The first post of world ${i}.`, tags: [tag] });
  const reply = await createReply(db, { threadId: thread.id, userId: author.id, body: `A reply in world ${i}.` });
  const another = async (what: string) =>
    (await createThread(db, { categoryId: category.id, userId: author.id, title: `A ${what} thread of world ${i}`, body: `A ${what} thread.` })).id;
  const [otherThread, lockedThread, closedThread, unlistedThread, pinnedThread, pollThread] = [
    await another('second'), await another('locked'), await another('closed'), await another('unlisted'), await another('pinned'), await another('poll'),
  ];
  const now = h.clock.now();
  await db.updateTable('threads').set({ locked_at: now, locked_by: moderator.id }).where('id', '=', lockedThread).execute();
  await db.updateTable('threads').set({ closes_at: now }).where('id', '=', closedThread).execute();
  await db.updateTable('threads').set({ unlisted_at: now }).where('id', '=', unlistedThread).execute();
  await db.updateTable('threads').set({ pinned_scope: 'category', pinned_at: now }).where('id', '=', pinnedThread).execute();
  const poll = await createPoll(db, pollThread, { question: 'Which one?', options: ['This', 'That'], multiple: false, closesAt: null });
  const option = await db.selectFrom('poll_options').select('id').where('poll_id', '=', poll.id).orderBy('position').executeTakeFirstOrThrow();

  const question = await createThread(db, { categoryId: category.id, userId: author.id, title: `A question of world ${i}`, body: 'How does it work?', kind: 'question' });
  const answer = await createReply(db, { threadId: question.id, userId: author.id, body: `An answer in world ${i}.` });

  const flagged = await createReply(db, { threadId: thread.id, userId: author.id, body: `A flagged reply in world ${i}.` });
  const item = await openPostItem(db, { kind: 'flag', postId: flagged.id });
  const silence = await db.transaction().execute((tx) =>
    imposeSanction(tx, { kind: 'silence', reason: 'Too loud', endsAt: new Date(now.getTime() + 86_400_000), member: target, by: moderator.id, at: now }),
  );
  const word = await addWatchedWord(db, { word: `watched${i}`, action: 'flag', by: moderator.id });
  const uploadKey = `${String(i).padStart(40, '0')}.txt`;
  await h.app.uploads.put(uploadKey, { bytes: Buffer.from('An attached note.\n') }, 'text/plain; charset=utf-8');
  await recordUpload(db, { key: uploadKey, thumbKey: null, userId: author.id, name: 'note.txt', kind: 'text', contentType: 'text/plain; charset=utf-8', size: 18, width: null, height: null, at: now });
  await linkUploads(db, reply.id, author.id, [uploadKey]);
  const noticeFor = async (userId: number) => {
    await notice(db, { userId, kind: 'sanction', message: 'A notice.' });
    return (await db.selectFrom('notifications').select('id').where('user_id', '=', userId).orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
  };
  return {
    author, target, category, otherCategory, thread, reply: reply.id, replyNumber: reply.post_number,
    otherThread, lockedThread, closedThread, unlistedThread, pinnedThread, tag,
    poll: { id: poll.id, option: option.id },
    answer: answer.id,
    notifications: new Map(await Promise.all(cast.visitors.map(async (v) => [v.id, await noticeFor(v.id)] as [number, number]))),
    othersNotification: await noticeFor(author.id),
    queueItem: item.id, silence: silence.id, watchedWord: word.id, settingsForm, upload: uploadKey,
    advocate: await make.member({ rank: 3 }),
    nomination: (await db.insertInto('rank_nominations').values({ user_id: (await make.member({ rank: 3 })).id, nominated_by: moderator.id, created_at: now })
      .returning('id').executeTakeFirstOrThrow()).id,
    authorSession: (await db.insertInto('sessions').values({ id: `world-session-${i}`, user_id: author.id, data: JSON.stringify({ userId: author.id }), expires_at: new Date(now.getTime() + 86_400_000) })
      .returning('handle').executeTakeFirstOrThrow()).handle,
    invite: await db.insertInto('invites').values({ code: newInviteCode(), created_by: moderator.id, expires_at: new Date(now.getTime() + 7 * 86_400_000), max_uses: 5 })
      .returning(['id', 'code']).executeTakeFirstOrThrow(),
    badgeGrant: (await db.insertInto('user_badges').values({ user_id: author.id, badge: 'anniversary', grant_key: -i, granted_at: now }).returning('id').executeTakeFirstOrThrow()).id,
  };
}
