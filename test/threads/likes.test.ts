import t from 'tap';
import { testApp } from '../helpers/app.ts';

t.test('a member likes and unlikes a post; not their own; guests are asked to sign in', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const author = await make.member();
  const thread = await make.thread({ by: author });
  const post = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).executeTakeFirstOrThrow();
  const fan = await signIn(await make.member());
  let page = await fan.page(`/t/${thread.id}/${thread.slug}`);
  t.equal(page.querySelector(`#likes-${post.id} .like-button`)?.text.trim(), 'Like');

  let res = await fan.submit(`/p/${post.id}/like`);
  t.equal(res.statusCode, 303);
  t.match(res.headers.location, new RegExp(`#post-${post.id}$`));
  page = await fan.page(`/t/${thread.id}/${thread.slug}`);
  t.equal(page.querySelector(`#likes-${post.id} .like-count`)?.text, '1 like');
  t.equal(page.querySelector(`#likes-${post.id} .like-button`)?.getAttribute('aria-pressed'), 'true');

  res = await fan.submit(`/p/${post.id}/like`, {}, { htmx: true });
  t.equal(res.statusCode, 200);
  t.equal(res.page().querySelector('.like-count')?.text, '0 likes', 'the htmx fragment shows the toggled count');
  t.notMatch(res.body, /<html/);

  const self = await signIn(author);
  await self.get('/');
  res = await self.submit(`/p/${post.id}/like`);
  t.equal(res.statusCode, 403, 'not on your own post');
  const ownPage = await self.page(`/t/${thread.id}/${thread.slug}`);
  t.equal(ownPage.querySelector(`#likes-${post.id} .like-button`), null, 'and no button for it');

  const guest = make.guest();
  await guest.get('/');
  t.equal((await guest.submit(`/p/${post.id}/like`)).statusCode, 401);
  t.equal((await fan.submit('/p/999999/like')).statusCode, 404);
  const row = await db.selectFrom('posts').select('like_count').where('id', '=', post.id).executeTakeFirstOrThrow();
  t.equal(row.like_count, 0);
});

t.test('30 members liking one post at once give exactly 30', async (t) => {
  const { make, signIn, db } = await testApp(t, { poolSize: 10 });
  const thread = await make.thread();
  const post = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).executeTakeFirstOrThrow();
  const agents = await Promise.all(Array.from({ length: 30 }, async () => signIn(await make.member())));
  await Promise.all(agents.map((a) => a.get('/')));
  const results = await Promise.all(agents.map((a) => a.submit(`/p/${post.id}/like`)));
  t.same(results.map((r) => r.statusCode), Array(30).fill(303));
  const row = await db.selectFrom('posts').select('like_count').where('id', '=', post.id).executeTakeFirstOrThrow();
  t.equal(row.like_count, 30);
  const likes = await db.selectFrom('post_likes').select('user_id').where('post_id', '=', post.id).execute();
  t.equal(likes.length, 30);
});

t.test('/p/:id leads to the post inside its thread', async (t) => {
  const { make, db } = await testApp(t);
  const thread = await make.thread({ replies: 25 });
  const last = await db.selectFrom('posts').select(['id']).where('thread_id', '=', thread.id).where('post_number', '=', 26).executeTakeFirstOrThrow();
  const res = await make.guest().get(`/p/${last.id}`);
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, `/t/${thread.id}/${thread.slug}?page=2#post-${last.id}`);
});
