import { sql, type Kysely } from 'kysely';

// Questions and answers: votes on posts, the accepted answer of a question, and the reputation
// members earn from them.
//
// - post_votes: one vote per member per post, +1 or -1; posts.score is their sum, moved in the
//   vote's own transaction under the post's row lock (server/qa/votes.ts), so concurrent votes
//   neither lose nor double it.
// - threads.accepted_post_id: the answer the asker (or staff) accepted; null when none.
// - reputation_events: append-only. Each event gives or takes points from one member, names the
//   post it came from and who caused it; undoing a vote or an accept writes the reversing event
//   (`reverses` names the one it undoes) rather than deleting anything. users.reputation is their
//   total, kept in the same transaction, and never below 1: the event records the points that
//   actually moved (`points`), so the ledger and the total always agree and
//   `npm run reputation:check` can recompute every total from the events.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table posts add column score integer not null default 0`.execute(db);
  await sql`alter table threads add column accepted_post_id bigint references posts(id) on delete set null`.execute(db);
  await sql`alter table users add column reputation integer not null default 1 check (reputation >= 1)`.execute(db);

  await sql`
    create table post_votes (
      post_id bigint not null references posts(id) on delete cascade,
      user_id bigint not null references users(id) on delete cascade,
      value smallint not null check (value in (-1, 1)),
      created_at timestamptz not null default now(),
      primary key (post_id, user_id)
    )`.execute(db);
  await sql`create index post_votes_user on post_votes (user_id, created_at)`.execute(db);

  await sql`
    create table reputation_events (
      id bigserial primary key,
      user_id bigint not null references users(id) on delete cascade,
      kind text not null check (kind in (
        'answer_upvoted', 'question_upvoted', 'post_downvoted', 'downvoted_answer',
        'answer_accepted', 'accepted_an_answer', 'post_hidden'
      )),
      points integer not null,
      post_id bigint references posts(id) on delete set null,
      actor_id bigint references users(id) on delete set null,
      reverses bigint references reputation_events(id),
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index reputation_events_user on reputation_events (user_id, created_at desc, id desc)`.execute(db);
  // The undoing of an event is found from it, and each is undone once at most.
  await sql`create unique index reputation_events_reverses on reputation_events (reverses) where reverses is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table reputation_events`.execute(db);
  await sql`drop table post_votes`.execute(db);
  await sql`alter table users drop column reputation`.execute(db);
  await sql`alter table threads drop column accepted_post_id`.execute(db);
  await sql`alter table posts drop column score`.execute(db);
}
