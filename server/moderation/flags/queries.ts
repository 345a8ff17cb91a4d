// Flags: a member raises one on a post, its weight adds to the post's score, and the post hides
// once the score reaches the threshold (or at once for a spam flag from rank 3 or a moderator).
// Every flag opens or joins the post's queue item.
import { sql } from 'kysely';
import { isUniqueViolation, type Db } from '../../db/index.ts';
import type { FlagReason } from '../../db/schema.ts';
import { HttpError } from '../../errors.ts';
import { notice } from '../../notifications/queries.ts';
import type { Viewer } from '../../permissions.ts';
import { categoryAccessColumns } from '../../access/categories.ts';
import { openPostItem } from '../items.ts';
import { lockMemberLimit } from '../posting/member-lock.ts';
import { dailyFlagLimit, flagWeight, hidesAtOnce, hidesByScore } from './rules.ts';
import { loadSetting } from '../settings/queries.ts';
import { hidePost } from '../holds.ts';

/** A post as the flag form and route need it: its thread, author, state and category access. */
export function postToFlag(db: Db, id: number) {
  return db
    .selectFrom('posts as p')
    .innerJoin('threads as t', 't.id', 'p.thread_id')
    .innerJoin('categories as c', 'c.id', 't.category_id')
    .innerJoin('users as u', 'u.id', 'p.user_id')
    .select([
      'p.id', 'p.user_id', 'p.post_number', 'p.cooked', 'p.created_at', 'p.deleted_at', 'p.hidden_at', 'p.pending_at',
      't.id as thread_id', 't.title', 't.slug', 't.kind', 't.deleted_at as thread_deleted_at', 't.user_id as thread_user_id',
      't.hidden_at as thread_hidden_at', 't.pending_at as thread_pending_at', 'c.slug as category_slug',
      'u.username', 'u.rank',
      ...categoryAccessColumns,
    ])
    .where('p.id', '=', id)
    .executeTakeFirst();
}

export type PostToFlag = NonNullable<Awaited<ReturnType<typeof postToFlag>>>;

export interface NewFlag {
  postId: number;
  flagger: Viewer;
  reason: FlagReason;
  note: string;
  at: Date;
}

/**
 * Raises a flag, in one transaction. The flagger's flagging lock is taken first, so that their
 * flags sent at once are counted against the daily cap one after the other; then the post's row,
 * so that many members' flags on it are counted one after the other: the post hides exactly once,
 * one queue item opens, and its author hears of it once. Answers whether this flag hid the post.
 */
export async function raiseFlag(db: Db, f: NewFlag): Promise<{ hid: boolean; flagId: number }> {
  try {
    return await db.transaction().execute(async (tx) => {
      await lockMemberLimit(tx, 'flagging', f.flagger.id);
      const post = await tx
        .selectFrom('posts')
        .select(['id', 'user_id', 'thread_id', 'deleted_at', 'pending_at', 'hidden_at'])
        .where('id', '=', f.postId)
        .forUpdate()
        .executeTakeFirst();
      if (!post) throw new HttpError(404, 'That post could not be found.');
      if (post.user_id === f.flagger.id) throw new HttpError(403, 'You cannot flag your own post.');
      if (post.deleted_at) throw new HttpError(409, 'This post was deleted; there is nothing left to flag.');
      if (post.pending_at) throw new HttpError(409, 'This post is already waiting for a moderator.');
      // A post hidden by earlier flags still takes flags (they were raised while it showed):
      // they join its queue item and count toward the flaggers' record.
      const already = await tx
        .selectFrom('flags')
        .select('id')
        .where('post_id', '=', post.id)
        .where('user_id', '=', f.flagger.id)
        .executeTakeFirst();
      if (already) throw new HttpError(409, 'You have already flagged this post; moderators will look at it.');
      const flagger = await tx
        .selectFrom('users')
        .select(['role', 'rank', 'flags_agreed', 'flags_disagreed'])
        .where('id', '=', f.flagger.id)
        .executeTakeFirstOrThrow();
      const limit = dailyFlagLimit(flagger);
      if (limit !== null) {
        const { n } = await tx
          .selectFrom('flags')
          .select(sql<number>`count(*)::int`.as('n'))
          .where('user_id', '=', f.flagger.id)
          .where('created_at', '>', new Date(f.at.getTime() - 24 * 3600_000))
          .executeTakeFirstOrThrow();
        if (n >= limit) throw new HttpError(429, `You have raised ${limit} flags in the last day, the most your rank allows. Thank you; please come back tomorrow.`);
      }
      const weight = flagWeight({ role: flagger.role, rank: flagger.rank, flagsAgreed: flagger.flags_agreed, flagsDisagreed: flagger.flags_disagreed });
      const flag = await tx
        .insertInto('flags')
        .values({ post_id: post.id, user_id: f.flagger.id, reason: f.reason, note: f.note, weight, created_at: f.at })
        .returning('id')
        .executeTakeFirstOrThrow();
      const { flag_score } = await tx
        .updateTable('posts')
        .set((eb) => ({ flag_score: eb('flag_score', '+', weight) }))
        .where('id', '=', post.id)
        .returning('flag_score')
        .executeTakeFirstOrThrow();
      await openPostItem(tx, { kind: 'flag', postId: post.id, at: f.at });
      const threshold = await loadSetting(tx, 'hide_threshold');
      const hide = !post.hidden_at && (hidesAtOnce(f.reason, flagger) || hidesByScore(flag_score, threshold));
      const hid = hide && (await hidePost(tx, post.id, 'flags', f.at));
      if (hid) {
        const thread = await tx.selectFrom('threads').select('title').where('id', '=', post.thread_id).executeTakeFirstOrThrow();
        await notice(tx, {
          userId: post.user_id,
          kind: 'post_hidden',
          message:
            `Your post in “${thread.title}” is hidden because members flagged it. A moderator will review it; ` +
            'meanwhile only you and the moderators can see it, and you may edit it to fix what was wrong.',
          postId: post.id,
          threadId: post.thread_id,
        });
      }
      return { hid, flagId: flag.id };
    });
  } catch (err) {
    // The unique constraint is the last word should two submissions of one member cross.
    if (isUniqueViolation(err) && err.constraint === 'flags_one_per_member') {
      throw new HttpError(409, 'You have already flagged this post; moderators will look at it.');
    }
    throw err;
  }
}
