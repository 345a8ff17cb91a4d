// Watched words: whole-word, case-insensitive, Unicode-aware, literal matching; the admin page
// that keeps them; and each action on new threads, replies and edits.
import t from 'tap';
import { censorText, findWords, screenPost, wordPattern, type WatchedWord } from '../../server/moderation/posting/watched-words.ts';
import { testApp } from '../helpers/app.ts';

type Fixture = Awaited<ReturnType<typeof testApp>>;

t.test('a watched word matches as a whole word, in any case and script, and only literally', async (t) => {
  const cases: [string, string, boolean][] = [
    ['ass', 'a class act', false],
    ['ass', 'assess the passage', false],
    ['ass', 'you ass!', true],
    ['ass', 'ASS.', true],
    ['Spam', 'no spam here', true],
    ['spam', 'spam_bot', false],
    ['spam', 'spam2', false],
    ['spam', '(spam)', true],
    ['café', 'CAFÉ au lait', true],
    ['café', 'cafés', false],
    ['café', 'cafe\u0301 written decomposed', true],
    ['naïve', 'naïveté', false],
    ['спам', 'Это СПАМ!', true],
    ['спам', 'спамер', false],
    ['日本', '日本語', false],
    ['buy now', 'BUY   now!', true],
    ['buy now', 'buy nowhere', false],
    ['a.b', 'see a.b here', true],
    ['a.b', 'axb', false],
    ['a.b', 'xa.b', false],
    ['(x+)+', 'a (x+)+ b', true],
    ['(x+)+', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxy', false],
    ['c++', 'I like c++.', true],
    ['c++', 'I like c.', false],
    ['[abc]', 'a b c', false],
    ['[abc]', 'it says [abc]', true],
    ['a|b', 'a', false],
    ['.*', 'anything at all', false],
    ['\\d', '5', false],
    ['\\d', 'a \\d b', true],
    ['$5', 'only $5 today', true],
    ['^x', 'x', false],
  ];
  for (const [word, text, expected] of cases) {
    t.equal(wordPattern(word).test(text.normalize('NFC')), expected, `${word} in "${text}"`);
    t.equal(findWords([{ word, action: 'block' }], text).block.length > 0, expected);
  }
  // A pattern that would backtrack for ever, were it taken as one, answers at once.
  const started = performance.now();
  findWords([{ word: '(x+)+y', action: 'block' }, { word: '(a|a)*$', action: 'flag' }], 'x'.repeat(5000) + 'a'.repeat(5000) + '!');
  t.ok(performance.now() - started < 200, 'no catastrophic backtracking');
});

t.test('censoring stars out each censored word and nothing else', async (t) => {
  const words: WatchedWord[] = [
    { word: 'darn', action: 'censor' },
    { word: 'heck', action: 'censor' },
    { word: 'bad', action: 'flag' },
  ];
  t.equal(censorText(words, 'Darn it, DARN! The darned heck is bad.'), '■■■■ it, ■■■■! The darned ■■■■ is bad.');
  const screened = screenPost(words, { title: 'Heck of a title', body: 'A bad day' });
  t.equal(screened.title, '■■■■ of a title');
  t.equal(screened.body, 'A bad day', 'a body without censored words is left as it is');
  t.same(screened.found.flag, ['bad']);
  t.same(screenPost([{ word: 'no', action: 'block' }], { title: 'No way', body: 'fine' }).blockedIn, 'title');
});

/** Watched words set up through the admin page. */
async function watch(fx: Fixture, words: [string, string][]) {
  const admin = await fx.signIn(await fx.make.member({ role: 'admin' }));
  await admin.get('/admin/watched-words');
  for (const [word, action] of words) {
    const res = await admin.submit('/admin/watched-words', { word, action });
    if (res.statusCode !== 303) throw new Error(`could not watch ${word}: ${res.statusCode}`);
  }
  return admin;
}

t.test('admins keep the list: add, see, remove, each written to the staff log', async (t) => {
  const fx = await testApp(t);
  const { db, make, signIn } = fx;
  const admin = await watch(fx, [['forbidden', 'block'], ['holdme', 'require_approval']]);
  const page = await admin.page('/admin/watched-words');
  t.equal(page.h1(), 'Watched words');
  t.match(page.messages().join(' '), /“holdme” is now watched/);
  const rows = page.querySelectorAll('tr.watched-word');
  t.same(rows.map((r) => [r.querySelector('code')?.text, r.getAttribute('data-action')]), [['forbidden', 'block'], ['holdme', 'require_approval']]);

  let res = await admin.submit('/admin/watched-words', { word: 'FORBIDDEN', action: 'censor' });
  t.equal(res.statusCode, 422, 'a word already watched, in any case');
  t.match(res.page().fieldErrors().word, /already watched/);
  t.equal(res.page().values().word, 'FORBIDDEN', 'the input is kept');
  res = await admin.submit('/admin/watched-words', { word: '   ', action: 'block' });
  t.equal(res.statusCode, 422);
  t.match(res.page().fieldErrors().word, /Write the word/);
  res = await admin.submit('/admin/watched-words', { word: 'fine', action: 'explode' });
  t.equal(res.statusCode, 422);
  t.match(res.page().fieldErrors().action, /Choose what happens/);
  res = await admin.submit('/admin/watched-words', { word: 'x'.repeat(101), action: 'block' });
  t.match(res.page().fieldErrors().word, /at most 100/);
  t.equal((await db.selectFrom('watched_words').select('id').execute()).length, 2, 'nothing more was written');

  const word = await db.selectFrom('watched_words').select('id').where('word', '=', 'forbidden').executeTakeFirstOrThrow();
  await admin.get('/admin/watched-words');
  res = await admin.submit(`/admin/watched-words/${word.id}/delete`);
  t.equal(res.statusCode, 303);
  t.match((await admin.page('/admin/watched-words')).messages().join(' '), /“forbidden” is no longer watched/);
  t.equal((await admin.submit(`/admin/watched-words/${word.id}/delete`)).statusCode, 404, 'removing twice: not found');

  const log = await db.selectFrom('staff_log').select(['action', 'target_type', 'target_label', 'before', 'after']).orderBy('id').execute();
  t.same(log, [
    { action: 'watched_word.add', target_type: 'watched_word', target_label: 'forbidden', before: null, after: { word: 'forbidden', action: 'block' } },
    { action: 'watched_word.add', target_type: 'watched_word', target_label: 'holdme', before: null, after: { word: 'holdme', action: 'require_approval' } },
    { action: 'watched_word.remove', target_type: 'watched_word', target_label: 'forbidden', before: { word: 'forbidden', action: 'block' }, after: null },
  ]);

  // Members and moderators are refused; guests asked to sign in; forged requests refused.
  for (const role of ['member', 'moderator', 'staff'] as const) {
    const who = await signIn(await make.member({ role }));
    t.equal((await who.get('/admin/watched-words')).statusCode, 403, `a ${role} may not see the list`);
    await who.get('/');
    const refused = await who.submit('/admin/watched-words', { word: `from_${role}`, action: 'block' });
    t.equal(refused.statusCode, 403, `nor add to it (${role})`);
    t.notMatch(refused.body, /holdme/, 'and the refusal shows none of the list');
    t.equal((await who.submit(`/admin/watched-words/${word.id}/delete`)).statusCode, 403);
  }
  const guest = make.guest();
  const away = await guest.get('/admin/watched-words');
  t.equal(away.statusCode, 303);
  t.equal(away.headers.location, '/login?next=%2Fadmin%2Fwatched-words');
  res = await admin.submit('/admin/watched-words', { word: 'forged', action: 'block' }, { csrf: false });
  t.equal(res.statusCode, 403, 'a request without the CSRF token is refused');
  t.equal((await db.selectFrom('watched_words').select('word').execute()).length, 1, 'nothing was written by the refused requests');
});

t.test('block, require approval, censor and flag on new threads and replies', async (t) => {
  const fx = await testApp(t);
  const { db, make, signIn } = fx;
  await make.category({ slug: 'general' });
  await watch(fx, [['forbidden', 'block'], ['holdme', 'require_approval'], ['darn', 'censor'], ['lookme', 'flag'], ['ass', 'block'], ['(x+)+', 'block'], ['a.b', 'block']]);
  const thread = await make.thread();
  const url = `/t/${thread.id}/${thread.slug}`;
  const member = await make.member();
  const m = await signIn(member);
  const post = async (body: string) => {
    fx.clock.advance(10);
    await m.get(`${url}?page=1`);
    return m.submit(`/t/${thread.id}/replies`, { body });
  };
  const count = async () => (await db.selectFrom('posts').select('id').execute()).length;
  const before = await count();

  let res = await post('This is Forbidden here');
  t.equal(res.statusCode, 422);
  t.match(res.page().fieldErrors().body, /contains “forbidden”, which is not allowed/, 'the word is named beside the body');
  t.equal(res.page().querySelector('#field-body')?.text, 'This is Forbidden here', 'the text is kept');
  await m.get('/c/general/new');
  res = await m.submit('/c/general/threads', { title: 'A forbidden title', body: 'An innocent body' });
  t.equal(res.statusCode, 422);
  t.match(res.page().fieldErrors().title, /The title contains “forbidden”/, 'in a title, beside the title');
  res = await post('Say (x+)+ again');
  t.equal(res.statusCode, 422, 'a word with pattern characters matches itself');
  t.equal(await count(), before, 'nothing was written');

  res = await post('A classy assessment of xxxxxxxxxxxxxxxxxxxxxxxxxxy and axb');
  t.equal(res.statusCode, 303, '“ass” is not in “classy”, and pattern words match only themselves');

  res = await post('Darn it, DARN!');
  t.equal(res.statusCode, 303);
  const censored = await db.selectFrom('posts').select(['raw', 'cooked']).orderBy('id', 'desc').executeTakeFirstOrThrow();
  t.equal(censored.raw, '■■■■ it, ■■■■!', 'censored words are starred out in what is written');
  t.notMatch(censored.cooked, /darn/i);

  res = await post('Please holdme and lookme');
  t.equal(res.statusCode, 303);
  const heldId = Number(/#post-(\d+)$/.exec(res.headers.location as string)![1]);
  const held = await db.selectFrom('posts').select(['pending_reason']).where('id', '=', heldId).executeTakeFirstOrThrow();
  t.equal(held.pending_reason, 'watched_word');
  let item = await db.selectFrom('queue_items').select(['kind', 'detail', 'status']).where('post_id', '=', heldId).executeTakeFirstOrThrow();
  t.equal(item.kind, 'watched_word');
  t.match(item.detail, /holdme/, 'the queue item names the word');
  t.match(item.detail, /lookme/);
  const other = await signIn(await make.member());
  t.notOk((await other.page(`${url}?page=1`)).querySelector(`#post-${heldId}`), 'others do not see the held post');
  t.ok((await m.page(`${url}?page=1`)).querySelector(`#post-${heldId} .pending-marker`), 'its author does');

  res = await post('Have a lookme at this');
  t.equal(res.statusCode, 303);
  const flaggedId = Number(/#post-(\d+)$/.exec(res.headers.location as string)![1]);
  const flagged = await db.selectFrom('posts').select(['pending_at', 'hidden_at']).where('id', '=', flaggedId).executeTakeFirstOrThrow();
  t.same(flagged, { pending_at: null, hidden_at: null }, 'a flagged word posts as usual');
  item = await db.selectFrom('queue_items').select(['kind', 'detail', 'status']).where('post_id', '=', flaggedId).executeTakeFirstOrThrow();
  t.same([item.kind, item.status], ['watched_word', 'open'], 'and brings it to the queue');
  t.match(item.detail, /lookme/);
  t.ok((await other.page(`${url}?page=1`)).querySelector(`#post-${flaggedId}`), 'everyone sees it');

  // Moderators post through require-approval and flag words; blocked and censored words still apply.
  const moderator = await signIn(await make.member({ role: 'moderator' }));
  await moderator.get(`${url}?page=1`);
  res = await moderator.submit(`/t/${thread.id}/replies`, { body: 'We do not holdme or lookme posts; darn.' });
  t.equal(res.statusCode, 303);
  const modPost = await db.selectFrom('posts').select(['id', 'raw', 'pending_at']).orderBy('id', 'desc').executeTakeFirstOrThrow();
  t.equal(modPost.pending_at, null);
  t.equal(modPost.raw, 'We do not holdme or lookme posts; ■■■■.');
  t.equal((await db.selectFrom('queue_items').select('id').where('post_id', '=', modPost.id).execute()).length, 0);
});

t.test('watched words apply to edits: block refuses, censor rewrites, approval holds, flag queues', async (t) => {
  const fx = await testApp(t);
  const { db, make, signIn } = fx;
  await watch(fx, [['forbidden', 'block'], ['holdme', 'require_approval'], ['darn', 'censor'], ['lookme', 'flag']]);
  const author = await make.member();
  const thread = await make.thread({ by: author, title: 'A thread about edits', body: 'The first post.' });
  const first = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).executeTakeFirstOrThrow();
  const a = await signIn(author);
  const edit = async (fields: Record<string, string>) => {
    await a.get(`/p/${first.id}/edit`);
    return a.submit(`/p/${first.id}/edit`, fields);
  };
  const row = () => db.selectFrom('posts as p').innerJoin('threads as t', 't.id', 'p.thread_id')
    .select(['p.raw', 'p.pending_at', 'p.pending_reason', 't.title', 't.pending_at as thread_pending_at']).where('p.id', '=', first.id).executeTakeFirstOrThrow();

  let res = await edit({ title: 'A thread about edits', body: 'Now forbidden words' });
  t.equal(res.statusCode, 422);
  t.match(res.page().fieldErrors().body, /“forbidden”/);
  t.equal(res.page().querySelector('#field-body')?.text, 'Now forbidden words', 'the text is kept');
  res = await edit({ title: 'A forbidden title', body: 'The first post.' });
  t.equal(res.statusCode, 422);
  t.match(res.page().fieldErrors().title, /“forbidden”/);
  t.equal((await row()).raw, 'The first post.', 'nothing was written');

  res = await edit({ title: 'Darn edits', body: 'The first post, darn it.' });
  t.equal(res.statusCode, 303);
  t.match(await row(), { raw: 'The first post, ■■■■ it.', title: '■■■■ edits', pending_at: null });

  res = await edit({ title: '■■■■ edits', body: 'Have a lookme.' });
  t.equal(res.statusCode, 303);
  t.equal((await row()).pending_at, null, 'a flag word leaves the post public');
  const items = await db.selectFrom('queue_items').select(['kind', 'detail', 'status']).where('post_id', '=', first.id).execute();
  t.equal(items.length, 1);
  t.match(items[0], { kind: 'watched_word', status: 'open' });
  t.match(items[0].detail, /lookme/);

  res = await edit({ title: '■■■■ edits', body: 'Have a lookme, and holdme.' });
  t.equal(res.statusCode, 303);
  t.match((await a.page(res.headers.location as string)).messages().join(' '), /wait for a moderator's approval/);
  t.match(await row(), { pending_reason: 'watched_word' }, 'a require-approval word holds the edited post');
  t.ok((await row()).thread_pending_at, 'and its thread, for a first post');
  t.equal((await db.selectFrom('queue_items').select('id').where('post_id', '=', first.id).where('status', '=', 'open').execute()).length, 1, 'joining the open queue item');
  t.equal((await make.guest().get(`/t/${thread.id}/darn-edits`)).statusCode, 404, 'the held thread is gone for others');
});
