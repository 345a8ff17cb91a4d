import { sql } from 'kysely';
import t from 'tap';
import { newestPostId, searchPosts, searchSlice } from '../../server/search/queries.ts';
import { testApp } from '../helpers/app.ts';

// PostgreSQL may switch a prepared statement run more than five times to a generic plan that
// skips the GIN index. Searches are sent as unnamed statements, planned each time for their
// own words: run one many times on one connection, and it is still an index search.
t.test('a search run many times on one connection still uses the GIN index', async (t) => {
  const { make, db } = await testApp(t);
  for (let i = 0; i < 5; i++) await make.thread({ title: `Thread ${i} about kettles`, body: `Kettle number ${i} whistles.` });
  // Many posts that do not match, so that the index is the sensible way to find the few that do
  // (on a handful of rows any plan is as good as another, and the planner picks by accident).
  const filler = await make.thread({ title: 'A long conversation', body: 'Opening words.' });
  const { user_id, category_id } = await db
    .selectFrom('threads')
    .select(['user_id', 'category_id'])
    .where('id', '=', filler.id)
    .executeTakeFirstOrThrow();
  await sql`
    insert into threads (category_id, user_id, title, slug, last_post_number)
    select ${category_id}, ${user_id}, 'Teapot talk ' || n, 'teapot-talk', 6 from generate_series(1, 500) as n`.execute(db);
  await sql`
    insert into posts (thread_id, user_id, post_number, raw, cooked)
    select t.id, ${user_id}, k, 'Teapots and cups, number ' || k, '<p>Teapots</p>'
    from threads t cross join generate_series(1, 6) as k where t.title like 'Teapot talk %'`.execute(db);
  await sql`analyze posts`.execute(db);
  await sql`analyze threads`.execute(db);
  await sql`analyze categories`.execute(db);

  await db.transaction().execute(async (tx) => {
    // A table this small is cheaper to read whole; forbid that so the plan shows what it can use.
    await sql`set local enable_seqscan = off`.execute(tx);
    for (let i = 0; i < 12; i++) {
      const found = await searchPosts(tx, null, { q: i % 2 ? 'kettle' : 'whistles', page: 1 });
      t.equal(found.results.length, 5);
    }
    const prepared = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements where statement like '%@@%'`.execute(tx);
    t.equal(prepared.rows[0].n, 0, 'searches are never prepared by name, so no plan is kept between them');
    const others = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(tx);
    t.ok(others.rows[0].n > 0, 'while other statements are (the check above is not vacuous)');
    // A forum this small is searched in one slice, the whole table, as the searches above were.
    const slice = { after: 0, upTo: await newestPostId(tx), limit: 1000, walk: false };
    const plan = await searchSlice(tx, null, { q: 'kettle', page: 1 }, slice).explain();
    const text = plan.map((r) => r['QUERY PLAN']).join('\n');
    t.match(text, /Bitmap Index Scan on posts_search/, text);
    // Snippets are made from the cooked HTML of one page of posts (searchResults); the slices,
    // which visit every match, read the vectors only.
    const verbose = (await searchSlice(tx, null, { q: 'kettle', page: 1 }, slice).explain('text', sql`verbose`))
      .map((r) => r['QUERY PLAN']).join('\n');
    t.notMatch(verbose, /cooked|ts_headline/, 'the slice reads no cooked HTML');
  });
});
