import t from 'tap';
import { sql } from 'kysely';
import { createDb, migrate } from '../../server/db/index.ts';
import { cloneDatabase } from '../helpers/database.ts';

t.test('migrations run twice are a no-op', async (t) => {
  const database = await cloneDatabase();
  const db = createDb({ url: database.url, max: 1 });
  t.teardown(async () => {
    await db.destroy();
    await database.drop();
  });
  // The clone comes from a migrated template: nothing is pending, twice over.
  t.same(await migrate(db), []);
  t.same(await migrate(db), []);
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(db);
  t.ok(rows[0].n >= 5, 'every migration is recorded');
});

t.test('migrations build an empty database from scratch', async (t) => {
  const database = await cloneDatabase();
  const db = createDb({ url: database.url, max: 1 });
  t.teardown(async () => {
    await db.destroy();
    await database.drop();
  });
  await sql`drop schema public cascade`.execute(db);
  await sql`create schema public`.execute(db);
  const applied = await migrate(db);
  t.ok(applied.length >= 5);
  t.ok(applied.every((m) => m.status === 'Success'));
  t.same(await migrate(db), [], 'and a second run changes nothing');
});
