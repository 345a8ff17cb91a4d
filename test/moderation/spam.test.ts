// Spam defences on new posts: a newcomer's links and images, posting rates by rank (with a
// moved clock), duplicates; and moderators, who are never held back.
import t from 'tap';
import { countLinks, linkLimitError, postingWait, waitInWords } from '../../server/moderation/posting/spam.ts';
import { changeSetting } from '../../server/moderation/settings/queries.ts';
import { testApp } from '../helpers/app.ts';

t.test('links and images are counted as readers would get them', async (t) => {
  const cases: [string, { links: number; images: number }][] = [
    ['No links at all.', { links: 0, images: 0 }],
    ['[one](https://a.example) and [two](https://b.example)', { links: 2, images: 0 }],
    ['A bare address counts: https://a.example; www.b.example stays text', { links: 1, images: 0 }],
    ['![pic](https://a.example/x.png)', { links: 0, images: 1 }],
    ['[![pic](https://a.example/x.png)](https://a.example)', { links: 1, images: 1 }],
    ['`https://in.code.example` does not link', { links: 0, images: 0 }],
    ['<a href="https://raw.example">raw html</a> is text, but its address links', { links: 1, images: 0 }],
    ['[bad](javascript:alert(1)) is no link', { links: 0, images: 0 }],
  ];
  for (const [body, expected] of cases) t.same(countLinks(body), expected, body);
});

t.test('the link limit message names the limit', async (t) => {
  const s = { newcomer_links: 2, newcomer_images: 1 };
  t.equal(linkLimitError({ links: 2, images: 1 }, s), null);
  t.match(linkLimitError({ links: 3, images: 0 }, s), /at most 2 links \(this one has 3\)/);
  t.match(linkLimitError({ links: 0, images: 2 }, s), /at most 1 image \(this one has 2\)/);
  t.match(linkLimitError({ links: 3, images: 2 }, s), /2 links .* and at most 1 image/);
  t.match(linkLimitError({ links: 1, images: 0 }, { newcomer_links: 0, newcomer_images: 0 }), /at most 0 links/);
});

t.test('how long a member waits before posting again', async (t) => {
  const now = new Date('2030-01-01T12:00:00Z');
  const ago = (s: number) => new Date(now.getTime() - s * 1000);
  const s = { post_interval_seconds: [30, 5, 5, 5, 5], posts_per_hour: [3, 60, 90, 120, 180] };
  const cases: [string, Date[], number, ReturnType<typeof postingWait>][] = [
    ['a first post', [], 0, null],
    ['a newcomer 10 s after a post', [ago(10)], 0, { seconds: 20, reason: 'interval' }],
    ['a newcomer 30 s after a post', [ago(30)], 0, null],
    ['a member 2 s after a post', [ago(2)], 1, { seconds: 3, reason: 'interval' }],
    ['a member 5 s after a post', [ago(5)], 1, null],
    ['a newcomer with 3 posts in the hour', [ago(100), ago(1000), ago(3000)], 0, { seconds: 600, reason: 'hourly' }],
    ['a newcomer whose oldest post is an hour old', [ago(100), ago(1000), ago(3600)], 0, null],
    ['both: the longer wait counts', [ago(10), ago(20), ago(3590)], 0, { seconds: 20, reason: 'interval' }],
    ['a rank beyond the list reads its last value', [ago(2)], 9, { seconds: 3, reason: 'interval' }],
  ];
  for (const [what, recent, rank, expected] of cases) t.same(postingWait(recent, now, rank, s), expected, what);
  t.same(['1 second', '20 seconds', '1 minute', '2 minutes', '60 minutes'], [1, 20, 60, 61, 3600].map(waitInWords));
});

t.test('a newcomer may put only so many links and images in a post; a member more', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const thread = await make.thread();
  const url = `/t/${thread.id}/${thread.slug}`;
  const newcomer = await signIn(await make.member({ rank: 0 }));
  await newcomer.get(url);
  const links = 'See https://a.example, [this](https://b.example) and <https://c.example>';
  let res = await newcomer.submit(`/t/${thread.id}/replies`, { body: links });
  t.equal(res.statusCode, 422);
  t.match(res.page().fieldErrors().body, /at most 2 links \(this one has 3\)/, 'beside the body, naming the limit');
  t.equal(res.page().querySelector('#field-body')?.text, links, 'the text is kept');

  res = await newcomer.submit(`/t/${thread.id}/replies`, { body: '![a](https://a.example/a.png) ![b](https://a.example/b.png)' });
  t.equal(res.statusCode, 422);
  t.match(res.page().fieldErrors().body, /at most 1 image \(this one has 2\)/);
  t.equal((await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).execute()).length, 1, 'nothing was written');

  res = await newcomer.submit(`/t/${thread.id}/replies`, { body: 'Two are fine: https://a.example and https://b.example ![a](https://a.example/a.png)' });
  t.equal(res.statusCode, 303);

  const member = await signIn(await make.member({ rank: 1 }));
  await member.get(url);
  res = await member.submit(`/t/${thread.id}/replies`, { body: links });
  t.equal(res.statusCode, 303, 'the limit is for newcomers only');

  // An edit cannot bring in what a new post may not.
  const first = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).where('post_number', '=', 2).executeTakeFirstOrThrow();
  await newcomer.get(`/p/${first.id}/edit`);
  res = await newcomer.submit(`/p/${first.id}/edit`, { body: links });
  t.equal(res.statusCode, 422);
  t.match(res.page().fieldErrors().body, /at most 2 links/);
});

t.test('posting faster than a rank may is refused with how long to wait, until the clock moves on', async (t) => {
  const { make, signIn, db, clock } = await testApp(t);
  const thread = await make.thread();
  const url = `/t/${thread.id}/${thread.slug}`;
  const member = await signIn(await make.member({ rank: 1 }));
  await member.get(url);
  t.equal((await member.submit(`/t/${thread.id}/replies`, { body: 'A first reply' })).statusCode, 303);
  clock.advance(2);
  let res = await member.submit(`/t/${thread.id}/replies`, { body: 'A second reply, too soon' });
  t.equal(res.statusCode, 429);
  t.match(res.page().messages().join(' '), /please wait 3 seconds before posting again/);
  t.equal(res.headers['retry-after'], '3', 'Retry-After says the same wait');
  t.equal(res.page().querySelector('#field-body')?.text, 'A second reply, too soon', 'the text is kept');
  clock.advance(3);
  res = await member.submit(`/t/${thread.id}/replies`, { body: 'A second reply, too soon' });
  t.equal(res.statusCode, 303, 'after the interval it goes through');

  // A newcomer waits 30 seconds; their held posts count too.
  const newcomer = await signIn(await make.member({ rank: 0 }));
  await newcomer.get(url);
  t.equal((await newcomer.submit(`/t/${thread.id}/replies`, { body: 'Hello, I am new' })).statusCode, 303);
  clock.advance(10);
  res = await newcomer.submit(`/t/${thread.id}/replies`, { body: 'And me again' });
  t.equal(res.statusCode, 429);
  t.match(res.page().messages().join(' '), /faster than a Newcomer may: please wait 20 seconds/);
  clock.advance(20);
  t.equal((await newcomer.submit(`/t/${thread.id}/replies`, { body: 'And me again' })).statusCode, 303);

  const posts = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).execute();
  t.equal(posts.length, 5, 'nothing was written by the refused tries');
});

t.test('posts in an hour are limited by rank', async (t) => {
  const { make, signIn, clock, db } = await testApp(t);
  const admin = await make.member({ role: 'admin' });
  await changeSetting(db, 'posts_per_hour', [2, 3, 3, 3, 3], admin.id);
  await make.category({ slug: 'general' });
  const member = await signIn(await make.member({ rank: 2 }));
  await member.get('/c/general/new');
  for (let i = 1; i <= 3; i++) {
    const res = await member.submit('/c/general/threads', { title: `Thread number ${i}`, body: `Body number ${i}` });
    t.equal(res.statusCode, 303);
    clock.advance(60);
  }
  await member.get('/c/general/new');
  let res = await member.submit('/c/general/threads', { title: 'Thread number 4', body: 'Body number 4' });
  t.equal(res.statusCode, 429);
  t.match(res.page().messages().join(' '), /posted 3 times in the last hour, as many as a Contributor may: please wait 57 minutes/);
  t.equal(res.page().values().title, 'Thread number 4', 'the title is kept');
  clock.advance(57 * 60);
  res = await member.submit('/c/general/threads', { title: 'Thread number 4', body: 'Body number 4' });
  t.equal(res.statusCode, 303, 'an hour after the first post, one more may go');
});

t.test('the same post again within the window is refused; after it, or changed, it goes through', async (t) => {
  const { make, signIn, db, clock } = await testApp(t);
  const one = await make.thread();
  const two = await make.thread();
  const member = await signIn(await make.member());
  await member.get(`/t/${one.id}/${one.slug}`);
  t.equal((await member.submit(`/t/${one.id}/replies`, { body: 'Buy the best widgets today!' })).statusCode, 303);
  clock.advance(60);
  await member.get(`/t/${two.id}/${two.slug}`);
  let res = await member.submit(`/t/${two.id}/replies`, { body: '  buy the BEST\n widgets   today!  ' });
  t.equal(res.statusCode, 422, 'in another thread, in other case and spacing');
  t.match(res.page().fieldErrors().body, /You posted this already/);
  t.equal((await db.selectFrom('posts').select('id').where('thread_id', '=', two.id).execute()).length, 1, 'nothing was written');

  res = await member.submit(`/t/${two.id}/replies`, { body: 'Buy the best widgets today! Really.' });
  t.equal(res.statusCode, 303, 'a different post is fine');
  clock.advance(5 * 60);
  res = await member.submit(`/t/${two.id}/replies`, { body: 'Buy the best widgets today!' });
  t.equal(res.statusCode, 303, 'after the window the same words may come again');

  // A deleted post is no duplicate: the member may post it again to put it right.
  const other = await signIn(await make.member());
  await other.get(`/t/${one.id}/${one.slug}`);
  res = await other.submit(`/t/${one.id}/replies`, { body: 'Posted, deleted, posted again' });
  const id = Number(/#post-(\d+)$/.exec(res.headers.location as string)![1]);
  await other.get(`/p/${id}/delete`);
  await other.submit(`/p/${id}/delete`);
  clock.advance(10);
  await other.get(`/t/${one.id}/${one.slug}?page=1`);
  t.equal((await other.submit(`/t/${one.id}/replies`, { body: 'Posted, deleted, posted again' })).statusCode, 303);
});

t.test('moderators and staff are never rate-limited nor refused as duplicates', async (t) => {
  const { make, signIn } = await testApp(t);
  const thread = await make.thread();
  const moderator = await signIn(await make.member({ role: 'moderator', rank: 0 }));
  await moderator.get(`/t/${thread.id}/${thread.slug}`);
  for (let i = 0; i < 3; i++) {
    const res = await moderator.submit(`/t/${thread.id}/replies`, { body: 'Please keep to the topic. https://a.example https://b.example https://c.example' });
    t.equal(res.statusCode, 303, `notice ${i + 1}`);
  }
});

