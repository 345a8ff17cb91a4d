// A member's reputation as their profile shows it: the latest events, each with the post it came
// from when the viewer may find that post (a post since hidden, or in a category the viewer does
// not read, is named without a link or a title).
import type { ExpressionBuilder } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../db/index.ts';
import type { Database, ReputationKind } from '../db/schema.ts';
import type { Viewer } from '../permissions.ts';
import { visiblePosts } from '../access/posts.ts';
import { postUrl } from '../addresses.ts';
import { reputationWords } from './rules.ts';

/**
 * A member's latest reputation events, as a column of their row (`reputation_events`): a JSON
 * array read in the query that reads the member, so a profile costs no query more for it.
 */
export function latestReputationEvents(userId: 'u.id', limit = 20) {
  return (eb: ExpressionBuilder<Database & { u: Database['users'] }, 'u'>) =>
    jsonArrayFrom(
      eb
        .selectFrom('reputation_events as r')
        .select(['r.id', 'r.kind', 'r.points', 'r.post_id', 'r.reverses', 'r.created_at'])
        .whereRef('r.user_id', '=', userId)
        .orderBy('r.created_at', 'desc')
        .orderBy('r.id', 'desc')
        .limit(limit),
    ).as('reputation_events');
}

type EventRow = { id: number; kind: ReputationKind; points: number; post_id: number | null; reverses: number | null; created_at: Date | string };

/** The events as the profile lists them: the post of each when the viewer may find it (one query, only when there are posts to look up). */
export async function reputationHistory(db: Db, events: readonly EventRow[], viewer: Viewer | null) {
  const ids = [...new Set(events.flatMap((e) => (e.post_id === null ? [] : [e.post_id])))];
  const posts = ids.length
    ? await visiblePosts(db, viewer).select(['p.id', 'p.post_number', 't.id as thread_id', 't.slug', 't.kind', 't.title']).where('p.id', 'in', ids).execute()
    : [];
  const shown = new Map(posts.map((p) => [p.id, p]));
  return events.map((e) => {
    const post = e.post_id === null ? undefined : shown.get(e.post_id);
    return {
      ...e,
      // Read through JSON, the time is text.
      created_at: new Date(e.created_at),
      signed: e.points > 0 ? `+${e.points}` : String(e.points),
      words: e.reverses === null ? reputationWords[e.kind] : `${reputationWords[e.kind]} (undone)`,
      post: post ? { url: postUrl({ id: post.thread_id, slug: post.slug, kind: post.kind }, post), title: post.title } : null,
    };
  });
}
