import { sql, type Kysely } from 'kysely';

// Who may read a category and who may start threads in it, by role and by rank.
// read_role null: everyone, guests included.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('categories')
    .addColumn('read_role', 'text', (c) => c.check(sql`read_role in ('member', 'moderator', 'staff', 'admin')`))
    .addColumn('read_rank', 'smallint', (c) => c.notNull().defaultTo(0).check(sql`read_rank between 0 and 4`))
    .addColumn('post_role', 'text', (c) =>
      c.notNull().defaultTo('member').check(sql`post_role in ('member', 'moderator', 'staff', 'admin')`),
    )
    .addColumn('post_rank', 'smallint', (c) => c.notNull().defaultTo(0).check(sql`post_rank between 0 and 4`))
    .execute();
}
