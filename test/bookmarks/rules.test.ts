import t from 'tap';
import { reminderOf } from '../../server/bookmarks/rules.ts';
import { draftErrors } from '../../server/drafts/rules.ts';

const now = new Date('2026-03-20T12:00:00Z');

t.test('a reminder\'s local time, read in the member\'s zone', async (t) => {
  const cases: [string, string, string | null, string | null][] = [
    // remind_at, timezone, the moment (ISO) or null, the field refused or null
    ['', '', null, null],
    ['', 'Europe/Paris', null, null],
    ['2026-03-21T09:00', '', '2026-03-21T09:00:00.000Z', null],
    ['2026-03-21T09:00', 'UTC', '2026-03-21T09:00:00.000Z', null],
    ['2026-03-21T09:00', 'Europe/Paris', '2026-03-21T08:00:00.000Z', null],
    ['2026-07-01T09:00', 'Europe/Paris', '2026-07-01T07:00:00.000Z', null],
    ['2026-03-21T09:00', 'America/New_York', '2026-03-21T13:00:00.000Z', null],
    ['2026-03-21T09:00:30', 'Asia/Kolkata', '2026-03-21T03:30:30.000Z', null],
    ['2026-03-20T11:59', 'UTC', null, 'remind_at'],
    ['2026-03-20T12:30', 'Asia/Tokyo', null, 'remind_at'],
    ['2026-02-30T09:00', 'UTC', null, 'remind_at'],
    ['next tuesday', 'UTC', null, 'remind_at'],
    ['2040-01-01T00:00', 'UTC', null, 'remind_at'],
    ['2026-03-21T09:00', 'Nowhere/Special', null, 'timezone'],
    ['', 'Not a zone', null, 'timezone'],
  ];
  for (const [remindAt, timezone, at, refused] of cases) {
    const r = reminderOf({ remindAt, timezone }, now);
    t.equal(r.at?.toISOString() ?? null, at, `${remindAt || '(none)'} in ${timezone || '(no zone)'}`);
    t.same(Object.keys(r.errors), refused ? [refused] : [], `${remindAt || '(none)'} in ${timezone || '(no zone)'}: refusal`);
  }
});

t.test('a draft is as big as a post may be', async (t) => {
  t.same(draftErrors({ body: '' }), {});
  t.same(draftErrors({ body: 'x'.repeat(50_000), title: 't'.repeat(200) }), {});
  t.same(Object.keys(draftErrors({ body: 'x'.repeat(50_001) })), ['body']);
  t.same(Object.keys(draftErrors({ body: 'ok', title: 't'.repeat(201) })), ['title']);
});
