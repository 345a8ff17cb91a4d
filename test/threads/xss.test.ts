// Every payload through every field a member controls here, checked on every page that shows it.
import t from 'tap';
import { testApp } from '../helpers/app.ts';
import { payloads, unsafeMarkup } from '../helpers/xss.ts';

t.test(`${payloads.length} XSS payloads in titles and bodies stay inert everywhere they show`, async (t) => {
  t.ok(payloads.length >= 50);
  const { make, signIn, db, clock } = await testApp(t);
  await make.category({ name: 'Lab', slug: 'lab' });
  const author = await make.member({ username: 'author' });
  const watcher = await make.member({ username: 'watcher' });
  const agent = await signIn(author);
  const w = await signIn(watcher);
  await w.page('/c/lab');
  await w.submit('/c/lab/watch', { level: 'watching' });

  const threadUrls: string[] = [];
  await agent.page('/c/lab/new');
  for (const [i, payload] of payloads.entries()) {
    // Past the wait between two posts, and fewer posts in any hour than a member may make.
    clock.advance(65);
    const title = `Payload ${payload}`.slice(0, 200);
    const res = await agent.submit('/c/lab/threads', { title, body: `${payload}\n\nand @watcher ${payload}\n\nNumber ${i + 1}, so that no two are the same post.` });
    t.equal(res.statusCode, 303, `posted: ${payload.slice(0, 40)}`);
    threadUrls.push(res.headers.location as string);
  }
  // A reply with every payload, and an edit, so revisions show them too.
  const firstId = Number(/\/t\/(\d+)/.exec(threadUrls[0])![1]);
  await agent.get(threadUrls[0]);
  clock.advance(65);
  await agent.submit(`/t/${firstId}/replies`, { body: payloads.join('\n\n') });
  const post = await db.selectFrom('posts').select('id').where('thread_id', '=', firstId).where('post_number', '=', 1).executeTakeFirstOrThrow();
  await agent.get(`/p/${post.id}/edit`);
  await agent.submit(`/p/${post.id}/edit`, { title: 'Edited <script>alert(1)</script>', body: payloads.slice(0, 20).join('\n') });

  const pages = [
    '/', '/c/lab', `/u/author`, `/p/${post.id}/revisions`, `/p/${post.id}/edit`,
    ...threadUrls.map((u) => u.replace(/#.*/, '')),
  ];
  let checked = 0;
  for (const path of pages) {
    const res = await agent.get(path);
    if (res.statusCode === 301) continue; // the edited thread's old slug
    t.equal(res.statusCode, 200, path);
    t.same(unsafeMarkup(res.body), [], `inert: ${path}`);
    checked++;
  }
  const notes = await w.get('/notifications');
  t.same(unsafeMarkup(notes.body), [], 'inert: /notifications');
  t.ok(checked > payloads.length);
  // The text is still there, as text: nothing was silently swallowed from titles.
  const home = await agent.page('/');
  t.ok(home.querySelectorAll('.thread-title').some((a) => a.text.includes('<script>alert(1)</script>')));
});

t.test('a rejected form echoes the payload back inert', async (t) => {
  const { make, signIn } = await testApp(t);
  await make.category({ slug: 'lab' });
  const agent = await signIn(await make.member());
  await agent.page('/c/lab/new');
  for (const payload of payloads.slice(0, 30)) {
    const res = await agent.submit('/c/lab/threads', { title: 'x', body: payload, tags: payload });
    t.equal(res.statusCode, 422);
    t.same(unsafeMarkup(res.body), [], `inert re-render: ${payload.slice(0, 40)}`);
    t.equal(res.page().querySelector('#field-body')?.text, payload, 'kept as typed');
    // A one-line input cannot keep a newline (browsers drop it too).
    if (!payload.includes('\n')) t.equal(res.page().values().tags, payload, 'tags too');
  }
});

t.test('the check itself catches live markup', async (t) => {
  const live = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="JaVa\tScRiPt:alert(1)">x</a>',
    '<iframe src="/"></iframe>',
    '<p style="color:red">x</p>',
    '<svg><g/></svg>',
    '<div class="post-body"><form><input></form></div>',
    '<div class="post-body"><span hx-get="/logout">x</span></div>',
    '<a href="data:text/html,x">x</a>',
  ];
  for (const html of live) t.not(unsafeMarkup(`<html><body>${html}</body></html>`).length, 0, html);
  t.same(unsafeMarkup('<html><body><p>&lt;script&gt;alert(1)&lt;/script&gt;</p><a href="/u/x">x</a></body></html>'), []);
});
