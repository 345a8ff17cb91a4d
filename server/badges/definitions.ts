// The badges: each a definition in code, with the rule that earns it.
//
// A rule is one set-based query over the facts the community already keeps (posts, likes,
// votes, accepts, flags, the days members visited), answering a row per grant earned: the
// member, when they earned it (the moment the fact crossed the line, not when the rule ran, so a
// backfill dates each grant truly), and for a badge earned per post, the post. The scope says
// whose grants to look for: a batch of members whose facts just moved, or everyone (the
// backfill, and the daily run that catches what time alone earns: streaks, anniversaries).
// server/badges/grant.ts turns the rows into grants and notices.
//
// What counts is what anyone may read: public posts in public threads of categories open to
// guests. A post in a staff-only or rank-gated category earns nothing, so a badge's page never
// points at what its reader may not open.
import { sql, type RawBuilder } from 'kysely';

export type Tier = 'bronze' | 'silver' | 'gold';
export type BadgeGroup = 'onboarding' | 'helping' | 'community' | 'stewardship' | 'loyalty' | 'ambassador';

/** Whose grants a rule looks for: these members, or everyone. */
export type Scope = { members: number[] } | 'all';

/** A grant a rule found: member, when it was earned, the post (per-post badges) and the grant key. */
export interface Earned {
  user_id: number;
  granted_at: Date;
  post_id: number | null;
  grant_key: number;
}

export interface Badge {
  slug: string;
  name: string;
  tier: Tier;
  group: BadgeGroup;
  /** What it says about its holder. */
  description: string;
  /** How a member earns it, in a sentence. */
  howTo: string;
  /** Whether it can be earned more than once (per post, per year). */
  multiple: boolean;
  /**
   * Earned by the clock rather than by a write (an anniversary): looked for by the daily run
   * only, not each time a member's facts move.
   */
  daily?: boolean;
  /** The query (columns user_id, granted_at, post_id, grant_key), or none for a badge given by hand only. */
  rule: ((scope: Scope) => RawBuilder<Earned>) | null;
}

export const groupNames: Record<BadgeGroup, string> = {
  onboarding: 'Getting started',
  helping: 'Helping others',
  community: 'Community',
  stewardship: 'Looking after the place',
  loyalty: 'Loyalty',
  ambassador: 'The ambassador programme',
};

/** `col` is one of the scope's members (always true for everyone). */
function among(scope: Scope, col: string): RawBuilder<boolean> {
  return scope === 'all' ? sql<boolean>`true` : sql<boolean>`${sql.ref(col)} = any(${scope.members}::bigint[])`;
}

/** Post `p` in thread `t` of category `c` is one anyone may read. */
const readable = sql`p.deleted_at is null and p.hidden_at is null and p.pending_at is null
  and t.deleted_at is null and t.hidden_at is null and t.pending_at is null
  and c.read_role is null and c.read_rank = 0`;

const readablePosts = sql`posts p join threads t on t.id = p.thread_id join categories c on c.id = t.category_id`;

/** The member's nth readable post (of threads of `kind`, first posts only if `firstPosts`), dated when written. */
function nthPost(n: number, opts: { kind?: string; firstPosts?: boolean } = {}) {
  return (scope: Scope) => sql<Earned>`
    select user_id, created_at as granted_at, id as post_id, 0 as grant_key from (
      select p.user_id, p.created_at, p.id, row_number() over (partition by p.user_id order by p.created_at, p.id) as n
      from ${readablePosts}
      where ${readable} and ${among(scope, 'p.user_id')}
        ${opts.kind ? sql`and t.kind = ${opts.kind}` : sql``}
        ${opts.firstPosts ? sql`and p.post_number = 1` : sql``}
    ) ranked where n = ${n}`;
}

/**
 * Accepted answers (as their post `p`), dated by the accept that stands: the asker can change
 * their mind, and the latest accept of the post that is still the thread's answer is when it was
 * earned.
 */
const acceptedAnswers = (scope: Scope) => sql`
  select p.user_id, p.id as post_id, t.user_id as asker_id,
    coalesce((select max(r.created_at) from reputation_events r
      where r.post_id = p.id and r.kind = 'answer_accepted' and r.reverses is null
        and not exists (select 1 from reputation_events u where u.reverses = r.id)), p.created_at) as accepted_at
  from threads t join posts p on p.id = t.accepted_post_id join categories c on c.id = t.category_id
  where t.accepted_post_id is not null and ${readable} and ${among(scope, 'p.user_id')}`;

function nthAccepted(n: number) {
  return (scope: Scope) => sql<Earned>`
    select user_id, accepted_at as granted_at, post_id, 0 as grant_key from (
      select a.*, row_number() over (partition by a.user_id order by a.accepted_at, a.post_id) as n
      from (${acceptedAnswers(scope)}) a
    ) ranked where n = ${n}`;
}

/**
 * The lowest score a score badge asks for. A vote marks its post's author due only when it moves
 * the score up to this or above (migrations/0035, which writes the number into its trigger): a
 * vote below it can earn nothing.
 */
export const LOWEST_SCORE_BAR = 10;

/** The fewest likes a post's like badge asks for. */
export const LOWEST_LIKE_BAR = 10;

/**
 * A member's posts that went past a score or a like count of 10 (the bars above), of which an
 * active member has a few among thousands: the table migrations/0040 keeps of them, so the
 * per-post rules read those few rather than every post the member wrote. The rules pick the
 * posts first, behind `offset 0`, then read their votes or likes: left to itself the planner
 * starts from every vote in the forum and looks for its post.
 */
const postsPastBar = sql`posts_past_bar b join posts p on p.id = b.post_id
  join threads t on t.id = p.thread_id join categories c on c.id = t.category_id`;

/**
 * Posts (answers, or questions) whose score reached `score`, dated by the vote that took it
 * there: the running sum of the post's votes in the order they came.
 */
function scoreReached(score: number, which: 'answer' | 'question') {
  if (score < LOWEST_SCORE_BAR) throw new Error(`a score badge's bar is ${LOWEST_SCORE_BAR} or more (migrations/0035 and 0040 look no lower)`);
  return (scope: Scope) => sql<Earned>`
    select user_id, min(created_at) as granted_at, post_id, post_id as grant_key from (
      select p.user_id, p.id as post_id, v.created_at,
        sum(v.value) over (partition by v.post_id order by v.created_at, v.user_id) as running
      from (
        select p.id, p.user_id from ${postsPastBar}
        where ${readable} and t.kind = 'question' and p.score >= ${score}
          and p.post_number ${which === 'question' ? sql`= 1` : sql`> 1`} and ${among(scope, 'b.user_id')}
        offset 0
      ) p join post_votes v on v.post_id = p.id
    ) votes where running >= ${score} group by user_id, post_id`;
}

/** Posts whose nth like came in, dated by it. */
function postLiked(n: number) {
  if (n < LOWEST_LIKE_BAR) throw new Error(`a like badge's bar is ${LOWEST_LIKE_BAR} or more (migrations/0040 looks no lower)`);
  return (scope: Scope) => sql<Earned>`
    select user_id, created_at as granted_at, post_id, post_id as grant_key from (
      select p.user_id, p.id as post_id, l.created_at, row_number() over (partition by l.post_id order by l.created_at, l.user_id) as n
      from (
        select p.id, p.user_id from ${postsPastBar}
        where ${readable} and p.like_count >= ${n} and ${among(scope, 'b.user_id')}
        offset 0
      ) p join post_likes l on l.post_id = p.id
    ) likes where n = ${n}`;
}

/** Members who gave their nth like (to a post anyone may read), dated by it. */
function likesGiven(n: number) {
  return (scope: Scope) => sql<Earned>`
    select user_id, created_at as granted_at, null::bigint as post_id, 0 as grant_key from (
      select l.user_id, l.created_at, row_number() over (partition by l.user_id order by l.created_at, l.post_id) as n
      from post_likes l join ${readablePosts} on p.id = l.post_id
      where ${readable} and ${among(scope, 'l.user_id')}
    ) likes where n = ${n}`;
}

/** Members whose posts received their nth like, dated by it. */
function likesReceived(n: number) {
  return (scope: Scope) => sql<Earned>`
    select user_id, created_at as granted_at, null::bigint as post_id, 0 as grant_key from (
      select p.user_id, l.created_at, row_number() over (partition by p.user_id order by l.created_at, l.post_id, l.user_id) as n
      from ${readablePosts} join post_likes l on l.post_id = p.id
      where ${readable} and l.user_id <> p.user_id and ${among(scope, 'p.user_id')}
    ) likes where n = ${n}`;
}

/** Members whose nth flag moderators agreed with, dated by the decision. */
function agreedFlags(n: number) {
  return (scope: Scope) => sql<Earned>`
    select user_id, resolved_at as granted_at, null::bigint as post_id, 0 as grant_key from (
      select f.user_id, f.resolved_at, row_number() over (partition by f.user_id order by f.resolved_at, f.id) as n
      from flags f where f.outcome = 'agreed' and f.resolved_at is not null and ${among(scope, 'f.user_id')}
    ) agreed where n = ${n}`;
}

/**
 * Members who visited `days` days in a row, dated the last day of the first such run (at its
 * end, in UTC). Runs of consecutive days are told apart by day minus its place in the member's
 * list of days, which stays the same along a run.
 */
function streak(days: number) {
  return (scope: Scope) => sql<Earned>`
    select user_id, (min(run_start) + ${days}::int)::timestamptz as granted_at, null::bigint as post_id, 0 as grant_key from (
      select user_id, min(day) as run_start, count(*) as length from (
        select d.user_id, d.day, d.day - (row_number() over (partition by d.user_id order by d.day))::int as run
        from member_days d where ${among(scope, 'd.user_id')}
      ) days group by user_id, run
    ) runs where length >= ${days} group by user_id`;
}

/** Members who replied in `n` different threads that were their starters' first, dated by the nth. */
function welcomer(n: number) {
  return (scope: Scope) => sql<Earned>`
    select user_id, created_at as granted_at, null::bigint as post_id, 0 as grant_key from (
      select user_id, created_at, row_number() over (partition by user_id order by created_at, thread_id) as n from (
        select distinct on (p.user_id, t.id) p.user_id, t.id as thread_id, p.created_at
        from ${readablePosts}
        where ${readable} and p.post_number > 1 and p.user_id <> t.user_id and ${among(scope, 'p.user_id')}
          and not exists (select 1 from threads earlier where earlier.user_id = t.user_id
            and (earlier.created_at, earlier.id) < (t.created_at, t.id))
        order by p.user_id, t.id, p.created_at
      ) welcomes
    ) ranked where n = ${n}`;
}

/**
 * A year of membership, once a year, for members who posted in that year: the grant key is the
 * year's number, dated the anniversary.
 */
const anniversary = (scope: Scope) => sql<Earned>`
  select u.id as user_id, u.created_at + make_interval(years => y) as granted_at, null::bigint as post_id, y as grant_key
  from users u cross join lateral generate_series(1, extract(year from age(now(), u.created_at))::int) y
  where ${among(scope, 'u.id')}
    -- A year granted (or revoked) is not looked at again.
    and not exists (select 1 from user_badges b where b.user_id = u.id and b.badge = 'anniversary' and b.grant_key = y)
    and exists (select 1 from posts p where p.user_id = u.id and p.deleted_at is null
      and p.created_at > u.created_at + make_interval(years => y - 1) and p.created_at <= u.created_at + make_interval(years => y))`;

export const badges: Badge[] = [
  // Getting started
  {
    slug: 'first-post', name: 'First post', tier: 'bronze', group: 'onboarding', multiple: false,
    description: 'Said hello: wrote a first post.', howTo: 'Write a post, a reply or a thread, that everyone can read.',
    rule: nthPost(1),
  },
  {
    slug: 'first-question', name: 'Curious', tier: 'bronze', group: 'onboarding', multiple: false,
    description: 'Asked the community a first question.', howTo: 'Start a thread of kind question.',
    rule: nthPost(1, { kind: 'question', firstPosts: true }),
  },
  {
    slug: 'read-guidelines', name: 'Read the guidelines', tier: 'bronze', group: 'onboarding', multiple: false,
    description: 'Knows how we look after each other here.', howTo: 'Read the community guidelines (/guidelines) while signed in.',
    rule: (scope) => sql<Earned>`
      select id as user_id, guidelines_read_at as granted_at, null::bigint as post_id, 0 as grant_key
      from users where guidelines_read_at is not null and ${among(scope, 'id')}`,
  },
  {
    slug: 'completed-profile', name: 'Introduced', tier: 'bronze', group: 'onboarding', multiple: false,
    description: 'Told the community a little about themselves.', howTo: 'Write a line about yourself on your profile.',
    // The profile keeps no time of its edits: a bio is dated when the rule first sees it.
    rule: (scope) => sql<Earned>`
      select id as user_id, now() as granted_at, null::bigint as post_id, 0 as grant_key
      from users where length(btrim(bio)) > 0 and ${among(scope, 'id')}`,
  },
  {
    slug: 'first-like', name: 'First like', tier: 'bronze', group: 'onboarding', multiple: false,
    description: 'Showed appreciation for a post.', howTo: 'Like a post.', rule: likesGiven(1),
  },
  // Helping others
  {
    slug: 'helpful', name: 'Helpful', tier: 'bronze', group: 'helping', multiple: false,
    description: 'Gave a first answer that the asker accepted.', howTo: 'Answer a question; have your answer accepted.', rule: nthAccepted(1),
  },
  {
    slug: 'problem-solver', name: 'Problem solver', tier: 'silver', group: 'helping', multiple: false,
    description: 'Ten accepted answers.', howTo: 'Have 10 of your answers accepted.', rule: nthAccepted(10),
  },
  {
    slug: 'oracle', name: 'Oracle', tier: 'gold', group: 'helping', multiple: false,
    description: 'Fifty accepted answers: the community’s go-to.', howTo: 'Have 50 of your answers accepted.', rule: nthAccepted(50),
  },
  {
    slug: 'good-answer', name: 'Good answer', tier: 'silver', group: 'helping', multiple: true,
    description: 'An answer the community voted up to a score of 10.', howTo: 'Write an answer whose score reaches 10 (once per answer).',
    rule: scoreReached(10, 'answer'),
  },
  {
    slug: 'great-answer', name: 'Great answer', tier: 'gold', group: 'helping', multiple: true,
    description: 'An answer the community voted up to a score of 25.', howTo: 'Write an answer whose score reaches 25 (once per answer).',
    rule: scoreReached(25, 'answer'),
  },
  {
    slug: 'good-question', name: 'Good question', tier: 'silver', group: 'helping', multiple: true,
    description: 'A question the community voted up to a score of 10.', howTo: 'Ask a question whose score reaches 10 (once per question).',
    rule: scoreReached(10, 'question'),
  },
  // Community
  {
    slug: 'nice-post', name: 'Nice post', tier: 'bronze', group: 'community', multiple: true,
    description: 'A post that 10 members liked.', howTo: 'Write a post that gets 10 likes (once per post).', rule: postLiked(10),
  },
  {
    slug: 'good-post', name: 'Good post', tier: 'silver', group: 'community', multiple: true,
    description: 'A post that 25 members liked.', howTo: 'Write a post that gets 25 likes (once per post).', rule: postLiked(25),
  },
  {
    slug: 'great-post', name: 'Great post', tier: 'gold', group: 'community', multiple: true,
    description: 'A post that 50 members liked.', howTo: 'Write a post that gets 50 likes (once per post).', rule: postLiked(50),
  },
  {
    slug: 'supporter', name: 'Supporter', tier: 'bronze', group: 'community', multiple: false,
    description: 'Liked 10 posts.', howTo: 'Give 10 likes.', rule: likesGiven(10),
  },
  {
    slug: 'cheerleader', name: 'Cheerleader', tier: 'silver', group: 'community', multiple: false,
    description: 'Liked 100 posts.', howTo: 'Give 100 likes.', rule: likesGiven(100),
  },
  {
    slug: 'patron', name: 'Patron', tier: 'gold', group: 'community', multiple: false,
    description: 'Liked 1,000 posts.', howTo: 'Give 1,000 likes.', rule: likesGiven(1000),
  },
  {
    slug: 'liked', name: 'Liked', tier: 'bronze', group: 'community', multiple: false,
    description: 'Received 20 likes from other members.', howTo: 'Receive 20 likes on your posts.', rule: likesReceived(20),
  },
  {
    slug: 'well-liked', name: 'Well liked', tier: 'silver', group: 'community', multiple: false,
    description: 'Received 100 likes from other members.', howTo: 'Receive 100 likes on your posts.', rule: likesReceived(100),
  },
  {
    slug: 'beloved', name: 'Beloved', tier: 'gold', group: 'community', multiple: false,
    description: 'Received 500 likes from other members.', howTo: 'Receive 500 likes on your posts.', rule: likesReceived(500),
  },
  {
    slug: 'welcomer', name: 'Welcomer', tier: 'silver', group: 'community', multiple: false,
    description: 'Made newcomers feel at home.', howTo: 'Reply to 10 members’ first threads.', rule: welcomer(10),
  },
  // Looking after the place
  {
    slug: 'watchful', name: 'Watchful', tier: 'bronze', group: 'stewardship', multiple: false,
    description: 'Raised a flag that moderators agreed with.', howTo: 'Flag a post that breaks the guidelines; have moderators agree.',
    rule: agreedFlags(1),
  },
  {
    slug: 'steward', name: 'Steward', tier: 'silver', group: 'stewardship', multiple: false,
    description: 'Twenty-five flags that moderators agreed with.', howTo: 'Have 25 of your flags agreed with.', rule: agreedFlags(25),
  },
  // Loyalty
  {
    slug: 'regular', name: 'Regular', tier: 'bronze', group: 'loyalty', multiple: false,
    description: 'Visited 10 days in a row.', howTo: 'Visit while signed in on 10 consecutive days.', rule: streak(10),
  },
  {
    slug: 'devoted', name: 'Devoted', tier: 'silver', group: 'loyalty', multiple: false,
    description: 'Visited 30 days in a row.', howTo: 'Visit while signed in on 30 consecutive days.', rule: streak(30),
  },
  {
    slug: 'fixture', name: 'Part of the furniture', tier: 'gold', group: 'loyalty', multiple: false,
    description: 'Visited 100 days in a row.', howTo: 'Visit while signed in on 100 consecutive days.', rule: streak(100),
  },
  {
    slug: 'anniversary', name: 'Anniversary', tier: 'bronze', group: 'loyalty', multiple: true, daily: true,
    description: 'A member for another year, and still taking part.', howTo: 'Be a member for a year and post in it (once a year).',
    rule: anniversary,
  },
  // The ambassador programme
  {
    slug: 'nominated', name: 'Nominated', tier: 'silver', group: 'ambassador', multiple: false,
    description: 'Nominated by the team to become an Ambassador.', howTo: 'Reach Advocate (rank 3) and be nominated by staff.',
    rule: (scope) => sql<Earned>`
      select user_id, min(created_at) as granted_at, null::bigint as post_id, 0 as grant_key
      from rank_nominations where (answer is null or answer <> 'withdrawn') and ${among(scope, 'user_id')}
      group by user_id`,
  },
  {
    slug: 'ambassador', name: 'Ambassador', tier: 'gold', group: 'ambassador', multiple: false,
    description: 'Speaks for the community as one of its Ambassadors.', howTo: 'Accept a nomination to become an Ambassador (rank 4).',
    rule: (scope) => sql<Earned>`
      select u.id as user_id, coalesce(u.rank_changed_at, now()) as granted_at, null::bigint as post_id, 0 as grant_key
      from users u where u.rank = 4 and ${among(scope, 'u.id')}`,
  },
];

export const badgeBySlug = new Map(badges.map((b) => [b.slug, b]));
