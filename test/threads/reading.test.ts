import t from 'tap';
import { testApp } from '../helpers/app.ts';

t.test('a thread page shows its title and posts with the contract hooks; old slugs redirect', async (t) => {
  const { make } = await testApp(t);
  const thread = await make.thread({ title: 'Hello, *World*!', body: 'First **bold** post.', replies: 2 });
  const guest = make.guest();
  const page = await guest.page(`/t/${thread.id}/${thread.slug}`);
  t.equal(page.h1(), 'Hello, *World*!');
  const posts = page.querySelectorAll('article.post');
  t.equal(posts.length, 3);
  t.equal(posts[0].getAttribute('id'), `post-${posts[0].getAttribute('data-post-id')}`);
  t.equal(posts[0].querySelector('.post-body strong')?.text, 'bold', 'markdown is cooked');
  t.equal(posts[2].querySelector('.post-body')?.text.trim(), 'Reply 2');

  for (const old of [`/t/${thread.id}`, `/t/${thread.id}/old-title`]) {
    const res = await guest.get(old);
    t.equal(res.statusCode, 301, old);
    t.equal(res.headers.location, `/t/${thread.id}/${thread.slug}`);
  }
  t.equal((await guest.get('/t/999999/x')).statusCode, 404);
  t.equal((await guest.get('/t/abc')).statusCode, 404);
});

t.test('long threads are paged by post number with a fixed number of queries', async (t) => {
  const { make, app } = await testApp(t);
  const small = await make.thread({ replies: 4 });
  const large = await make.thread({ replies: 49 });
  const guest = make.guest();
  const count = async (url: string) => {
    const before = app.queryCount();
    const res = await guest.get(url);
    t.equal(res.statusCode, 200, url);
    return app.queryCount() - before;
  };
  // What every page reads once and keeps (the site's name and banner) is read by the first page.
  await guest.get('/');
  const q5 = await count(`/t/${small.id}/${small.slug}`);
  const q50 = await count(`/t/${large.id}/${large.slug}`);
  t.equal(q5, q50, `the same number of queries for 5 and 50 posts (${q5})`);
  const page3 = await guest.page(`/t/${large.id}/${large.slug}?page=3`);
  t.equal(page3.querySelectorAll('article.post').length, 10);
  t.equal(page3.querySelector('a[rel=prev]')?.getAttribute('href'), `/t/${large.id}/${large.slug}?page=2`);
  t.equal(page3.querySelector('a[rel=next]'), null);
  t.equal((await guest.get(`/t/${large.id}/${large.slug}?page=9`)).statusCode, 404);
});

t.test('a category lists its threads, newest activity first, with keyset paging', async (t) => {
  const { make, db } = await testApp(t);
  const category = await make.category({ name: 'Help', slug: 'help' });
  const member = await make.member();
  const { createThread } = await import('../../server/threads/queries.ts');
  for (let i = 0; i < 35; i++) {
    await createThread(db, { categoryId: category.id, userId: member.id, title: `Question number ${i}`, body: 'Body', at: new Date(Date.UTC(2026, 0, 1, 0, i)) });
  }
  const guest = make.guest();
  const first = await guest.page('/c/help');
  t.equal(first.h1(), 'Help');
  const titles = first.querySelectorAll('.thread-title').map((a) => a.text);
  t.equal(titles.length, 30);
  t.equal(titles[0], 'Question number 34');
  const next = first.querySelector('a[rel=next]')!.getAttribute('href')!;
  const second = await guest.page(next);
  t.same(second.querySelectorAll('.thread-title').map((a) => a.text), ['Question number 4', 'Question number 3', 'Question number 2', 'Question number 1', 'Question number 0']);
  t.equal((await guest.get('/c/nothing-here')).statusCode, 404);
});

t.test('a thread page carries canonical and OpenGraph tags, text only', async (t) => {
  const { make } = await testApp(t);
  const thread = await make.thread({ title: 'Tips & "tricks"', body: 'Use **bold** & <script>alert(1)</script> carefully.' });
  const res = await make.guest().get(`/t/${thread.id}/${thread.slug}`);
  const page = res.page();
  t.equal(page.querySelector('link[rel=canonical]')?.getAttribute('href'), `http://localhost:3000/t/${thread.id}/${thread.slug}`);
  t.equal(page.querySelector('meta[property="og:title"]')?.getAttribute('content'), 'Tips & "tricks"');
  t.equal(page.querySelector('meta[property="og:type"]')?.getAttribute('content'), 'article');
  const description = page.querySelector('meta[property="og:description"]')?.getAttribute('content') ?? '';
  t.match(description, /^Use bold &/);
  t.match(description, /<script>alert\(1\)<\/script> carefully/, 'what the member typed, as text');
  t.notMatch(res.body, /<script>alert/, 'never as markup');
  t.equal(page.querySelectorAll('script').filter((s) => !s.getAttribute('src')).length, 0);
});
