// The member-days counter on its own: what it adds up between flushes, and a batch the database
// refuses, which is logged and kept for the next flush rather than lost.
import t from 'tap';
import { sql } from 'kysely';
import { MemberDays, READ_CAP_SECONDS } from '../../server/ranks/member-days.ts';
import { testApp } from '../helpers/app.ts';

function recordingLog() {
  const lines: { level: string; msg: string; data: Record<string, unknown> }[] = [];
  const at = (level: string) => (data: Record<string, unknown>, msg: string) => void lines.push({ level, msg, data });
  return { lines, log: { warn: at('warn'), error: at('error') } as never };
}

t.test('visits and reading add up per member and day; a refused batch is logged and written by the next flush', async (t) => {
  const { app, db, make } = await testApp(t);
  const member = await make.member();
  const { lines, log } = recordingLog();
  // A morning, so that everything below falls on one day whenever the test runs.
  const morning = new Date('2026-03-02T08:00:00Z');
  const at = (s: number) => new Date(morning.getTime() + s * 1000);
  let now = morning;
  const days = new MemberDays(db, log, () => now, 3_600_000);
  t.teardown(() => days.close());
  days.visit(member.id, at(0));
  days.read(member.id, at(0), { entered: true, postsRead: 20 });
  days.read(member.id, at(90), { entered: false, postsRead: 5 });
  days.read(member.id, at(90 + 600), { entered: true, postsRead: 0 });
  days.read(member.id, at(90 + 600 + 2 * 3600), { entered: false, postsRead: 1 });

  now = at(90 + 600 + 2 * 3600);
  await sql`alter table member_days rename to member_days_away`.execute(db);
  await days.flush();
  t.equal(lines.length, 1);
  t.match(lines[0], { level: 'warn', msg: /member days: the batch could not be written; kept for the next flush/, data: { rows: 1 } });
  await sql`alter table member_days_away rename to member_days`.execute(db);
  await days.flush();
  const rows = await db.selectFrom('member_days').select(['day', 'threads_entered', 'posts_read', 'reading_seconds']).where('user_id', '=', member.id).execute();
  // 90 s, then ten minutes counted as the cap; two hours later is a new visit, which counts nothing.
  t.same(rows, [{ day: '2026-03-02', threads_entered: 2, posts_read: 26, reading_seconds: 90 + READ_CAP_SECONDS }]);

  // A visit to a day already written asks for no write of its own.
  days.visit(member.id, at(90 + 600 + 2 * 3600 + 60));
  const before = app.queryCount();
  await days.flush();
  t.equal(app.queryCount(), before, 'a visit to a day already written: no query');
  t.equal(lines.length, 1, 'nothing more logged');
});
