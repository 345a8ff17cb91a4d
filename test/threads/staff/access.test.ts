import t, { type Test } from 'tap';
import type { Role } from '../../../server/db/schema.ts';
import { threadActionsFor } from '../../../server/permissions.ts';
import type { Viewer } from '../../../server/permissions.ts';
import { createReply, createThread } from '../../../server/threads/queries.ts';
import type { Response } from '../../helpers/agent.ts';
import { moderationSetup } from '../../helpers/moderation.ts';

const MINUTE = 60_000;

t.test('thread actions are offered only where their actor may read the category, by table', async (t) => {
  const as = (role: Role): Viewer => ({ id: 1, username: 'x', role, rank: 0 });
  const open = { read_role: null, read_rank: 0 };
  const cases: [Role, { read_role: Role | null; read_rank: number }, [boolean, boolean, boolean]][] = [
    // [actor, category, [canManage, canPin, canLock]]
    ['member', open, [false, false, false]],
    ['moderator', open, [true, false, true]],
    ['moderator', { read_role: null, read_rank: 4 }, [true, false, true]],
    ['moderator', { read_role: 'moderator', read_rank: 0 }, [true, false, true]],
    ['moderator', { read_role: 'staff', read_rank: 0 }, [false, false, false]],
    ['staff', { read_role: 'staff', read_rank: 0 }, [true, true, true]],
    ['staff', { read_role: 'admin', read_rank: 0 }, [false, false, false]],
    ['admin', { read_role: 'admin', read_rank: 4 }, [true, true, true]],
  ];
  for (const [role, category, expected] of cases) {
    const flags = threadActionsFor(as(role), category);
    t.same([flags.canManage, flags.canPin, flags.canLock], expected, `${role} in a category read by ${category.read_role ?? 'all'} (rank ${category.read_rank})`);
  }
  t.same(threadActionsFor(null, open), { canManage: false, canPin: false, canLock: false }, 'guests: none');
});

async function setup(t: Test) {
  const env = await moderationSetup(t);
  const { db, make, member, moderator, advance } = env;
  const lounge = await make.category({ name: 'Lounge', slug: 'lounge' });
  const staffRoom = await make.category({ name: 'Staff room', slug: 'staff-room' });
  const adminRoom = await make.category({ name: 'Admin room', slug: 'admin-room' });
  await db.updateTable('categories').set({ read_role: 'staff', post_role: 'staff' }).where('id', '=', staffRoom.id).execute();
  await db.updateTable('categories').set({ read_role: 'admin', post_role: 'admin' }).where('id', '=', adminRoom.id).execute();
  const staffer = await make.member({ role: 'staff' });
  async function thread(categoryId: number, title: string, body: string) {
    const created = await createThread(db, { categoryId, userId: member.id, title, body, at: advance(MINUTE) });
    for (let i = 1; i <= 2; i++) await createReply(db, { threadId: created.id, userId: moderator.id, body: `${body} reply ${i}`, at: advance(MINUTE) });
    return created;
  }
  // Words that appear nowhere but in these threads, so an answer that shows them shows the thread.
  const secret = await thread(staffRoom.id, 'Salary bands wombat', 'Confidential figures aardvark');
  const public_ = await thread(lounge.id, 'Welcome everyone here', 'Say hello in this thread');
  const adminOnly = await thread(adminRoom.id, 'Board minutes pangolin', 'Board figures quokka');
  const staff = await env.signIn(staffer);
  await env.mod.page('/');
  await staff.page('/');

  /** Everything an action could change: the threads, where their posts are, counts and the log. */
  async function snapshot() {
    const [threads, posts, categories, log] = await Promise.all([
      db.selectFrom('threads').selectAll().orderBy('id').execute(),
      db.selectFrom('posts').select(['id', 'thread_id', 'post_number']).orderBy('id').execute(),
      db.selectFrom('categories').select(['id', 'thread_count']).orderBy('id').execute(),
      db.selectFrom('staff_log').select('id').execute(),
    ]);
    return { threads, posts, categories, log: log.length };
  }
  /** An answer that shows nothing of the staff-only (or admin-only) threads. */
  function showsNothing(t: Test, res: Response, what: string) {
    t.ok([403, 404].includes(res.statusCode), `${what}: refused (${res.statusCode})`);
    for (const word of ['wombat', 'aardvark', 'pangolin', 'quokka']) t.notOk(res.body.includes(word), `${what}: the answer does not say "${word}"`);
    t.equal(res.page().querySelectorAll('article.post').length, 0, `${what}: no posts`);
    t.equal(res.page().querySelector('.staff-actions'), null, `${what}: no thread forms`);
  }
  const row = (id: number) => db.selectFrom('threads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return { ...env, lounge, staffRoom, adminRoom, secret, public_, adminOnly, staff, snapshot, showsNothing, row };
}

type Case = [name: string, path: string, fields: Record<string, string>, prepare?: () => Promise<unknown>];

t.test('a moderator can do nothing to a thread in a staff-only category, nor bring one there', async (t) => {
  const { db, mod, secret, public_, snapshot, showsNothing } = await setup(t);
  const set = (values: Record<string, unknown>) => () => db.updateTable('threads').set(values).where('id', '=', secret.id).execute();
  const s = `/t/${secret.id}`;
  const p = `/t/${public_.id}`;
  const cases: Case[] = [
    ['close', `${s}/close`, { after: '1' }],
    ['close now', `${s}/close`, { after: '0' }],
    ['reopen', `${s}/reopen`, {}, set({ closes_at: new Date(Date.now() + 3_600_000) })],
    ['unlist', `${s}/unlist`, {}],
    ['relist', `${s}/relist`, {}, set({ unlisted_at: new Date() })],
    ['move out of it', `${s}/move`, { category: 'lounge' }],
    ['move into it', `${p}/move`, { category: 'staff-room' }],
    ['move into it by id', `${p}/move`, { category: String((await db.selectFrom('categories').select('id').where('slug', '=', 'staff-room').executeTakeFirstOrThrow()).id) }],
    ['merge it into a public thread', `${s}/merge`, { into: String(public_.id) }],
    ['merge a public thread into it', `${p}/merge`, { into: `/t/${secret.id}/${secret.slug}` }],
    ['split it', `${s}/split`, { posts: '2', title: 'Split off somewhere' }],
    ['split it into a public category', `${s}/split`, { posts: '2', title: 'Split off somewhere', category: 'lounge' }],
    ['split a public thread into it', `${p}/split`, { posts: '2', title: 'Split off somewhere', category: 'staff-room' }],
    ['slow mode', `${s}/slow-mode`, { minutes: '5' }],
    ['lock', `${s}/lock`, {}],
    ['unlock', `${s}/unlock`, {}, set({ locked_at: new Date() })],
    ['pin', `${s}/pin`, { scope: 'category', until: '' }],
    ['unpin', `${s}/unpin`, {}, set({ pinned_scope: 'category', pinned_at: new Date() })],
  ];
  for (const [name, path, fields, prepare] of cases) {
    await prepare?.();
    const before = await snapshot();
    showsNothing(t, await mod.submit(path, fields), name);
    showsNothing(t, await mod.submit(path, fields, { htmx: true }), `${name} (htmx)`);
    t.same(await snapshot(), before, `${name}: nothing changed, nothing logged`);
  }
  showsNothing(t, await mod.get(`/t/${secret.id}/${secret.slug}`), 'the thread page itself');
});

t.test('closing with a bad value shows a moderator nothing of a thread they may not read', async (t) => {
  const { mod, secret, snapshot, showsNothing } = await setup(t);
  const before = await snapshot();
  const res = await mod.submit(`/t/${secret.id}/close`, { after: 'nonsense' });
  showsNothing(t, res, 'close after=nonsense');
  t.not(res.page().h1(), 'Salary bands wombat');
  t.same(res.page().fieldErrors(), {}, 'no form was drawn again');
  t.same(await snapshot(), before);
});

t.test('staff act on the staff-only thread; an admin-only one is closed to them too', async (t) => {
  const { db, staff, secret, public_, adminOnly, staffRoom, row, snapshot, showsNothing } = await setup(t);
  let res = await staff.submit(`/t/${secret.id}/close`, { after: '1' });
  t.equal(res.statusCode, 303, 'staff close it');
  t.ok((await row(secret.id)).closes_at);
  t.equal((await staff.submit(`/t/${secret.id}/lock`)).statusCode, 303, 'and lock it');
  t.ok((await row(secret.id)).locked_at);
  t.equal((await staff.submit(`/t/${secret.id}/pin`, { scope: 'category', until: '' })).statusCode, 303, 'and pin it');
  t.equal((await row(secret.id)).pinned_scope, 'category');
  t.equal((await staff.submit(`/t/${public_.id}/move`, { category: 'staff-room' })).statusCode, 303, 'and move a thread into the staff room');
  t.equal((await row(public_.id)).category_id, staffRoom.id);
  res = await staff.submit(`/t/${secret.id}/close`, { after: 'nonsense' });
  t.equal(res.statusCode, 422, 'a bad value shows staff the form again');
  t.equal(res.page().h1(), 'Salary bands wombat');
  t.ok(res.page().fieldErrors().after);
  const page = await staff.page(`/t/${secret.id}/${secret.slug}?page=1`);
  t.ok(page.querySelector(`form[action="/t/${secret.id}/merge"]`), 'the thread forms are on the page for staff');
  t.ok(page.querySelector(`form[action="/t/${secret.id}/unpin"]`));

  const a = `/t/${adminOnly.id}`;
  const cases: Case[] = [
    ['pin', `${a}/pin`, { scope: 'global', until: '' }],
    ['unpin', `${a}/unpin`, {}, () => db.updateTable('threads').set({ pinned_scope: 'global', pinned_at: new Date() }).where('id', '=', adminOnly.id).execute()],
    ['lock', `${a}/lock`, {}],
    ['close', `${a}/close`, { after: 'nonsense' }],
    ['merge into it', `/t/${secret.id}/merge`, { into: String(adminOnly.id) }],
    ['move into it', `/t/${secret.id}/move`, { category: 'admin-room' }],
  ];
  for (const [name, path, fields, prepare] of cases) {
    await prepare?.();
    const before = await snapshot();
    showsNothing(t, await staff.submit(path, fields), `staff: ${name} (admin-only)`);
    t.same(await snapshot(), before, `staff: ${name}: nothing changed`);
  }
});
