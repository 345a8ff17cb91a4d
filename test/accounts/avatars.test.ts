// Avatars: every member's letter avatar (an SVG drawn on the server, its letter escaped, its
// colour from the username, kept forever under a hashed address), an uploaded picture (decided
// from its content, re-encoded square at each size), refusals with nothing stored, removal, and
// the pages showing a member following their avatar at once: the thread page kept for guests
// and the one members share.
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import t from 'tap';
import sharp from 'sharp';
import type { FastifyInstance } from 'fastify';
import { testApp } from '../helpers/app.ts';
import { parsePage } from '../helpers/html.ts';
import type { Agent } from '../helpers/agent.ts';
import type { DiskStorage } from '../../server/uploads/storage.ts';
import { hueOf, letterAvatarKey, letterSvg } from '../../server/views/avatars.ts';
import { openPostItem } from '../../server/moderation/items.ts';

interface SentFile {
  name: string;
  bytes: Buffer;
  type?: string;
}

/** POST /account/avatar as the plain form sends it: multipart, the CSRF token among the fields. */
async function sendAvatar(app: FastifyInstance, agent: Agent, file: SentFile | undefined) {
  await agent.get('/account');
  const boundary = `----hearth${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${agent.csrfToken}\r\n`)];
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="avatar"; filename="${file.name}"\r\nContent-Type: ${file.type ?? 'image/png'}\r\n\r\n`));
    parts.push(file.bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  const cookie = [...agent.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
  const res = await app.inject({ method: 'POST', url: '/account/avatar', payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie } });
  for (const c of res.cookies as { name: string; value: string; maxAge?: number }[]) {
    if (c.maxAge === 0 || c.value === '') agent.cookies.delete(c.name);
    else agent.cookies.set(c.name, c.value);
  }
  return Object.assign(res, { page: () => parsePage(res.body) });
}

const photo = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 30, g: 120, b: 200 } } })
    .jpeg()
    .withMetadata({ exif: { IFD0: { Copyright: 'Someone', ImageDescription: 'secret place' } } })
    .toBuffer();

async function storedFiles(app: FastifyInstance) {
  return readdir((app.uploads as DiskStorage).dir).catch(() => [] as string[]);
}

const avatarOf = (page: { querySelector(s: string): { getAttribute(a: string): string | undefined } | null }, selector: string) =>
  page.querySelector(selector)?.getAttribute('src');

t.test('the letter avatar: an SVG with the letter escaped, a colour from the username, cached forever', async (t) => {
  const { app, make } = await testApp(t);
  const member = await make.member({ username: 'zed' });
  const thread = await make.thread({ by: member });
  const guest = make.guest();
  const page = await guest.page(`/t/${thread.id}/${thread.slug}`);
  const src = avatarOf(page, '#post-' + (await firstPostId(app, thread.id)) + ' img.avatar');
  t.equal(src, `/avatars/${letterAvatarKey({ username: 'zed' })}`);
  const img = page.querySelector('article.post img.avatar');
  t.equal(img?.getAttribute('width'), '48');
  t.equal(img?.getAttribute('height'), '48');
  t.equal(img?.getAttribute('alt'), '', 'the name is beside it');

  const res = await app.inject({ method: 'GET', url: src! });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^image\/svg\+xml/);
  t.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
  t.equal(res.headers['x-content-type-options'], 'nosniff');
  t.match(String(res.headers['content-security-policy']), /default-src 'none'/);
  t.notMatch(String(res.headers['content-security-policy']), /script-src/);
  t.match(res.body, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  t.match(res.body, />Z<\/text>/, 'the first letter, upper-cased');
  t.notMatch(res.body, /<script|on\w+=/i);
  t.equal(res.body, letterSvg(hueOf('zed'), 'Z'));

  t.equal(letterAvatarKey({ username: 'zed' }), letterAvatarKey({ username: 'ZED' }), 'the same member keeps one address');
  t.not(hueOf('zed'), hueOf('amy'), 'another username, another colour');
  t.not(letterAvatarKey({ username: 'zed' }), letterAvatarKey({ username: 'zed', display_name: 'Anna' }), 'the display name gives the letter');

  // A display name starting with markup: the letter is escaped in the SVG.
  const key = letterAvatarKey({ username: 'zed', display_name: '<b>old' });
  const escaped = await app.inject({ method: 'GET', url: `/avatars/${key}` });
  t.equal(escaped.statusCode, 200);
  t.match(escaped.body, />&lt;<\/text>/);
  t.notMatch(escaped.body, /><<\/text>/);
  const amp = await app.inject({ method: 'GET', url: `/avatars/${letterAvatarKey({ username: 'zed', display_name: '&co' })}` });
  t.match(amp.body, />&amp;<\/text>/);

  // An address this site did not make (a changed hash, a hue past 359) names nothing.
  t.equal((await app.inject({ method: 'GET', url: `/avatars/${key.replace(/[0-9a-f]{4}\.svg$/, '0000.svg')}` })).statusCode, 404);
  t.equal((await app.inject({ method: 'GET', url: '/avatars/999-41-0123456789abcdef.svg' })).statusCode, 404);
  t.equal((await app.inject({ method: 'GET', url: '/avatars/..%2F..%2Fetc.svg' })).statusCode, 404);
});

async function firstPostId(app: FastifyInstance, threadId: number) {
  const row = await app.db.selectFrom('posts').select('id').where('thread_id', '=', threadId).where('post_number', '=', 1).executeTakeFirstOrThrow();
  return row.id;
}

t.test('an uploaded avatar is re-encoded square at each size and shows on posts and the profile, the kept thread pages following at once', async (t) => {
  const { app, make, signIn, db } = await testApp(t);
  const author = await make.member({ username: 'painter' });
  const reader = await make.member();
  const thread = await make.thread({ by: author, replies: 1 });
  const postId = await firstPostId(app, thread.id);
  const url = `/t/${thread.id}/${thread.slug}`;
  const guest = make.guest();
  const readerAgent = await signIn(reader);
  const letter = `/avatars/${letterAvatarKey({ username: 'painter' })}`;
  await guest.page('/');
  // Both kept: the guests' page and the members' shared rendering.
  for (let i = 0; i < 2; i++) {
    t.equal(avatarOf(await guest.page(url), `#post-${postId} img.avatar`), letter);
    t.equal(avatarOf(await readerAgent.page(url), `#post-${postId} img.avatar`), letter);
  }

  const agent = await signIn(author);
  const res = await sendAvatar(app, agent, { name: 'me.jpg', bytes: await photo(640, 400), type: 'image/jpeg' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/account');
  const { avatar } = await db.selectFrom('users').select('avatar').where('id', '=', author.id).executeTakeFirstOrThrow();
  t.match(avatar, /^[0-9a-f]{40}$/);
  t.equal((await storedFiles(app)).length, 3, 'three sizes kept');

  const guestPage = await guest.page(url);
  const src = avatarOf(guestPage, `#post-${postId} img.avatar`);
  t.equal(src, `/avatars/${avatar}-48.webp`, "the guests' kept page changed at once");
  t.equal(guestPage.querySelector(`#post-${postId} img.avatar`)?.getAttribute('srcset'), `/avatars/${avatar}-48.webp 1x, /avatars/${avatar}-96.webp 2x`);
  t.equal(avatarOf(await readerAgent.page(url), `#post-${postId} img.avatar`), src, "and the members' shared one");
  t.equal(avatarOf(await guest.page('/u/painter'), '.profile-head img.avatar'), `/avatars/${avatar}-96.webp`, 'the profile shows it');
  // The lists kept for guests (the home page, the thread's category) show it too, small and lazy.
  const category = await db.selectFrom('categories').select('categories.slug').innerJoin('threads', 'threads.category_id', 'categories.id').where('threads.id', '=', thread.id).executeTakeFirstOrThrow();
  for (const list of ['/', `/c/${category.slug}`]) {
    const img = (await guest.page(list)).querySelector(`a[href^="/t/${thread.id}/"]`)?.closest('li')?.querySelector('img.avatar');
    t.equal(img?.getAttribute('src'), `/avatars/${avatar}-48.webp`, `${list}: the list followed the change`);
    t.equal(img?.getAttribute('width'), '24');
    t.equal(img?.getAttribute('loading'), 'lazy');
  }

  for (const size of [48, 96, 192]) {
    const served = await app.inject({ method: 'GET', url: `/avatars/${avatar}-${size}.webp` });
    t.equal(served.statusCode, 200);
    t.equal(served.headers['content-type'], 'image/webp');
    t.equal(served.headers['cache-control'], 'public, max-age=31536000, immutable');
    t.equal(served.headers['x-content-type-options'], 'nosniff');
    const meta = await sharp(served.rawPayload).metadata();
    t.same([meta.format, meta.width, meta.height], ['webp', size, size], `${size} px square`);
    t.equal(meta.exif, undefined, 'no metadata kept');
  }
  // A signed-in reader gets the same public answer.
  const asMember = await readerAgent.get(`/avatars/${avatar}-48.webp`);
  t.equal(asMember.headers['cache-control'], 'public, max-age=31536000, immutable');

  // Removing it brings the letter back, on the kept pages too, and its images go.
  await agent.get('/account');
  const removed = await agent.submit('/account/avatar/remove', {});
  t.equal(removed.statusCode, 303);
  t.equal(avatarOf(await guest.page(url), `#post-${postId} img.avatar`), letter);
  t.equal(avatarOf(await readerAgent.page(url), `#post-${postId} img.avatar`), letter);
  t.same(await storedFiles(app), [], 'its images are removed');
  t.equal((await app.inject({ method: 'GET', url: `/avatars/${avatar}-48.webp` })).statusCode, 404);
});

t.test('a changed display name reaches the kept thread pages', async (t) => {
  const { app, make, signIn } = await testApp(t);
  const author = await make.member({ username: 'writer' });
  const thread = await make.thread({ by: author });
  const postId = await firstPostId(app, thread.id);
  const guest = make.guest();
  const reader = await signIn(await make.member());
  const url = `/t/${thread.id}/${thread.slug}`;
  await guest.page(url);
  await reader.page(url);
  const agent = await signIn(author);
  await agent.get('/account');
  t.equal((await agent.submit('/account/profile', { display_name: 'Wren Writer' })).statusCode, 303);
  for (const [who, page] of [['guest', await guest.page(url)], ['member', await reader.page(url)]] as const) {
    t.equal(page.querySelector(`#post-${postId} .display-name`)?.text, 'Wren Writer', `${who}: the display name shows`);
    t.equal(page.querySelector(`#post-${postId} .post-author`)?.text, 'writer', `${who}: beside the username`);
    t.equal(avatarOf(page, `#post-${postId} img.avatar`), `/avatars/${letterAvatarKey({ username: 'writer', display_name: 'Wren Writer' })}`, `${who}: the letter follows the name`);
  }
});

t.test('an SVG, a file that is not an image, a PHP file named .png, an empty or a urlencoded form: refused beside the field, nothing stored', async (t) => {
  const { app, make, signIn, db } = await testApp(t);
  const member = await make.member();
  const agent = await signIn(member);
  const cases: [string, SentFile | undefined, RegExp][] = [
    ['an SVG', { name: 'face.svg', bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), type: 'image/svg+xml' }, /SVG/],
    ['an SVG named .png', { name: 'face.png', bytes: Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>') }, /SVG/],
    ['a PHP file named .png', { name: 'shell.png', bytes: Buffer.from('<?php system($_GET["c"]); ?>') }, /named .png, but its content is plain text/],
    ['a PDF', { name: 'cv.pdf', bytes: Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n'), type: 'application/pdf' }, /cannot be uploaded/],
    ['a broken PNG', { name: 'broken.png', bytes: Buffer.concat([(await sharp({ create: { width: 20, height: 20, channels: 3, background: '#fff' } }).png().toBuffer()).subarray(0, 40)]) }, /could not be read/],
    ['an empty file', { name: 'empty.png', bytes: Buffer.alloc(0) }, /empty/],
    ['no file', undefined, /Choose a picture/],
  ];
  for (const [what, file, message] of cases) {
    const res = await sendAvatar(app, agent, file);
    t.ok(res.statusCode >= 400 && res.statusCode < 500, `${what}: ${res.statusCode}`);
    const page = res.page();
    t.match(page.fieldErrors().avatar, message, `${what}: said beside the field`);
    t.ok(page.querySelector('form[action="/account/avatar"]'), `${what}: on the account page`);
  }
  // Larger than the image limit.
  const big = await sendAvatar(app, agent, { name: 'big.png', bytes: Buffer.concat([await photo(16, 16), randomBytes(5 * 1024 * 1024)]) });
  t.equal(big.statusCode, 413);
  t.match(big.page().fieldErrors().avatar, /larger than 4 MB/);

  const { avatar } = await db.selectFrom('users').select('avatar').where('id', '=', member.id).executeTakeFirstOrThrow();
  t.equal(avatar, null, 'no avatar set');
  t.same(await storedFiles(app), [], 'nothing stored');

  // A urlencoded body, or a broken multipart one: a 4xx, never a 500.
  await agent.get('/account');
  const plain = await agent.submit('/account/avatar', { avatar: 'not a file' });
  t.equal(plain.statusCode, 415);
  const cookie = [...agent.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
  const broken = await app.inject({ method: 'POST', url: '/account/avatar', payload: '--x\r\nContent-Disposition: form-data; name="avatar"; filename="a.png"\r\n\r\nabc', headers: { 'content-type': 'multipart/form-data; boundary=x', cookie } });
  t.ok(broken.statusCode >= 400 && broken.statusCode < 500, `a broken body: ${broken.statusCode}`);
});

t.test('notifications and the moderation queue show the avatar of the member they name', async (t) => {
  const { make, signIn, db } = await testApp(t);
  const writer = await make.member({ username: 'writer' });
  const reader = await make.member({ username: 'reader' });
  const moderator = await make.member({ role: 'moderator' });
  const hash = 'ab'.repeat(20);
  await db.updateTable('users').set({ avatar: hash }).where('id', '=', writer.id).execute();
  const thread = await make.thread({ by: reader });
  const agent = await signIn(writer);
  await agent.get(`/t/${thread.id}/${thread.slug}`);
  t.equal((await agent.submit(`/t/${thread.id}/replies`, { body: 'A reply for @reader, about the thing they asked.' })).statusCode, 303);
  const list = await (await signIn(reader)).page('/notifications');
  const img = list.querySelector('.notification img.avatar');
  t.equal(img?.getAttribute('src'), `/avatars/${hash}-48.webp`, 'the notification shows who');
  t.equal(img?.getAttribute('width'), '24');
  t.equal(img?.getAttribute('loading'), 'lazy');

  const reply = await db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).where('user_id', '=', writer.id).executeTakeFirstOrThrow();
  await openPostItem(db, { kind: 'approval', postId: reply.id, detail: 'To look at' });
  const queue = await (await signIn(moderator)).page('/mod');
  const item = queue.querySelector('article.queue-item .queue-post img.avatar');
  t.equal(item?.getAttribute('src'), `/avatars/${hash}-48.webp`, 'the queue shows the author');
  t.equal(item?.getAttribute('alt'), '');
});
