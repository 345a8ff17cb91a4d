import { readdir } from 'node:fs/promises';
import t, { type Test } from 'tap';
import sharp from 'sharp';
import { testApp } from '../helpers/app.ts';
import { scheduled } from '../../server/jobs/index.ts';
import { changeSetting } from '../../server/moderation/settings/queries.ts';
import { DiskStorage } from '../../server/uploads/storage.ts';
import { fetchBytes, photoWithGps, pngClaiming, pngImage, upload, zipDeclaring } from './upload-helpers.ts';

type Harness = Awaited<ReturnType<typeof testApp>>;

/** Nothing was kept: no row, and no file in the app's storage folder. */
async function nothingStored(t: Test, h: Harness) {
  const rows = await h.db.selectFrom('uploads').select('id').execute();
  t.equal(rows.length, 0, 'no upload row');
  const storage = h.app.uploads as DiskStorage;
  const files = await readdir(storage.dir).catch(() => []);
  t.same(files, [], 'no file in the storage');
}

t.test('an image is uploaded, re-encoded with a thumbnail, and served with headers that let no script run', async (t) => {
  const h = await testApp(t);
  const member = await h.make.member();
  const agent = await h.signIn(member);
  const res = await upload(h.app, agent, { name: 'screen shot.png', bytes: await pngImage(2400, 600), type: 'image/png' });
  t.equal(res.statusCode, 201);
  const answer = res.json();
  t.match(answer.key, /^[0-9a-f]{40}\.png$/);
  t.equal(answer.markdown, `![screen shot.png](/uploads/${answer.key})`);

  const served = await fetchBytes(h.app, agent, answer.url);
  t.equal(served.statusCode, 200);
  t.equal(served.headers['content-type'], 'image/png');
  t.equal(served.headers['x-content-type-options'], 'nosniff');
  t.equal(served.headers['content-security-policy'], "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
  t.match(String(served.headers['content-disposition']), /^inline; filename="screen shot.png"/);
  t.match(String(served.headers['cache-control']), /max-age=31536000.*immutable/);
  const meta = await sharp(served.rawPayload).metadata();
  t.equal(meta.width, 1920, 'made no wider than 1920 pixels');
  t.equal(meta.height, 480);

  const row = await h.db.selectFrom('uploads').selectAll().executeTakeFirstOrThrow();
  t.equal(row.user_id, member.id);
  const thumb = await fetchBytes(h.app, agent, `/uploads/${row.thumb_key}`);
  t.equal(thumb.statusCode, 200);
  t.equal((await sharp(thumb.rawPayload).metadata()).width, 400, 'a thumbnail 400 pixels wide');

  // Not in a post yet: its uploader's alone.
  const other = await h.signIn(await h.make.member());
  t.equal((await fetchBytes(h.app, other, answer.url)).statusCode, 404);
  t.equal((await fetchBytes(h.app, null, answer.url)).statusCode, 404);

  // A file that is not an image is served as an attachment.
  const text = await upload(h.app, agent, { name: 'notes.txt', bytes: Buffer.from('Steps to reproduce:\n1. Open the app\n') });
  t.equal(text.statusCode, 201);
  t.equal(text.json().markdown, `[notes.txt](/uploads/${text.json().key})`);
  const got = await fetchBytes(h.app, agent, text.json().url);
  t.equal(got.headers['content-type'], 'text/plain; charset=utf-8');
  t.match(String(got.headers['content-disposition']), /^attachment; filename="notes.txt"/);
  t.equal(got.body, 'Steps to reproduce:\n1. Open the app\n');

  // With htmx, the answer is a fragment with the markdown.
  const frag = await upload(h.app, agent, { name: 'b.png', bytes: await pngImage(10, 10) }, { htmx: true, json: false });
  t.equal(frag.statusCode, 200);
  t.match(frag.body, /upload-markdown/);
  t.match(frag.body, /!\[b\.png\]\(\/uploads\/[0-9a-f]{40}\.png\)/);
});

t.test('the GPS position in a photo\'s EXIF is gone once it is uploaded', async (t) => {
  const h = await testApp(t);
  const agent = await h.signIn(await h.make.member());
  const photo = await photoWithGps();
  const before = await sharp(photo).metadata();
  t.ok(before.exif, 'the photo carries EXIF');
  // The GPS IFD's pointer tag (0x8825), in either byte order.
  t.ok(before.exif!.includes(Buffer.from([0x88, 0x25])) || before.exif!.includes(Buffer.from([0x25, 0x88])), 'with a GPS position');
  const started = performance.now();
  const res = await upload(h.app, agent, { name: 'holiday.jpg', bytes: photo, type: 'image/jpeg' });
  t.equal(res.statusCode, 201);
  t.comment(`a ${Math.round(photo.length / 1024)} KB photo took ${Math.round(performance.now() - started)} ms to upload`);
  const served = await fetchBytes(h.app, agent, res.json().url);
  const after = await sharp(served.rawPayload).metadata();
  t.equal(after.format, 'jpeg');
  t.equal(after.exif, undefined, 'no EXIF at all');
  t.equal(after.width, 1920);
});

t.test('refusals say why, and keep nothing', async (t) => {
  const h = await testApp(t);
  const admin = await h.make.member({ role: 'admin' });
  const agent = await h.signIn(await h.make.member());

  const php = await upload(h.app, agent, { name: 'cat.png', bytes: Buffer.from('<?php system($_GET["c"]); ?>\n'), type: 'image/png' });
  t.equal(php.statusCode, 415, 'a PHP file named .png');
  t.match(php.json().error, /named \.png, but its content is plain text/);

  const svg = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\n');
  const asSvg = await upload(h.app, agent, { name: 'logo.svg', bytes: svg, type: 'image/svg+xml' });
  t.equal(asSvg.statusCode, 415, 'an SVG with script');
  t.match(asSvg.json().error, /SVG images cannot be uploaded/);
  const svgAsText = await upload(h.app, agent, { name: 'logo.txt', bytes: svg });
  t.equal(svgAsText.statusCode, 415, 'an SVG named as text');
  t.match(svgAsText.json().error, /SVG/);

  const bomb = await upload(h.app, agent, { name: 'logs.zip', bytes: zipDeclaring(0xfff00000), type: 'application/zip' });
  t.equal(bomb.statusCode, 413, 'a zip declaring 4 GB unpacked');
  t.match(bomb.json().error, /unpack to more than 100 MB/);
  const smallZip = await upload(h.app, agent, { name: 'logs.zip', bytes: zipDeclaring(1000) });
  t.equal(smallZip.statusCode, 201, 'a zip of a sensible size is taken');
  await h.db.deleteFrom('uploads').execute();
  for (const f of await readdir((h.app.uploads as DiskStorage).dir)) await h.app.uploads.delete(f);

  const big = await upload(h.app, agent, { name: 'huge.txt', bytes: Buffer.alloc(9 * 1024 * 1024, 'a') });
  t.equal(big.statusCode, 413, 'a file past the largest size');
  t.match(big.json().error, /larger than 8 MB/);
  const bigImage = await sharp({ create: { width: 1500, height: 1500, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png().toBuffer();
  t.ok(bigImage.length > 4 * 1024 * 1024 && bigImage.length < 8 * 1024 * 1024, 'an image of 4 to 8 MB');
  const tooBigImage = await upload(h.app, agent, { name: 'noise.png', bytes: bigImage });
  t.equal(tooBigImage.statusCode, 413, 'an image past the image limit');
  t.match(tooBigImage.json().error, /An image may be at most 4 MB/);

  const bombImage = await upload(h.app, agent, { name: 'tiny.png', bytes: await pngClaiming(30000, 30000) });
  t.equal(bombImage.statusCode, 413, 'an image that would decode to 900 million pixels');
  t.match(bombImage.json().error, /too many pixels/);

  const gzip = await upload(h.app, agent, { name: 'a.gz', bytes: Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]) });
  t.equal(gzip.statusCode, 415, 'a kind that is never allowed');
  t.match(gzip.json().error, /application\/gzip.*cannot be uploaded here\. Allowed: images/);

  await changeSetting(h.db, 'upload_kinds', ['image', 'text'], admin.id);
  const pdf = await upload(h.app, agent, { name: 'manual.pdf', bytes: Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n') });
  t.equal(pdf.statusCode, 415, 'a kind the admins turned off');
  t.match(pdf.json().error, /A PDF document cannot be uploaded here\. Allowed: images \(JPEG, PNG, WebP, GIF\), plain text\./);

  const empty = await upload(h.app, agent, undefined);
  t.equal(empty.statusCode, 422);
  t.match(empty.json().error, /Choose a file/);
  await nothingStored(t, h);

  // The daily quota: 1 MB a day for a Member here; the second file passes it.
  await changeSetting(h.db, 'upload_daily_mb', [1, 1, 100, 200, 500], admin.id);
  const first = await upload(h.app, agent, { name: 'one.txt', bytes: Buffer.alloc(700 * 1024, 'b') });
  t.equal(first.statusCode, 201);
  const second = await upload(h.app, agent, { name: 'two.txt', bytes: Buffer.alloc(700 * 1024, 'c') });
  t.equal(second.statusCode, 429, 'over the daily quota');
  t.match(second.json().error, /daily quota is 1 MB/);
  t.equal((await h.db.selectFrom('uploads').select('id').execute()).length, 1, 'only the first is kept');
  // A day later the quota is free again.
  h.clock.advance(24 * 3600 + 60);
  t.equal((await upload(h.app, agent, { name: 'two.txt', bytes: Buffer.alloc(700 * 1024, 'c') })).statusCode, 201);

  // Guests and forms that are not multipart.
  const guest = h.make.guest();
  t.equal((await upload(h.app, guest, { name: 'a.txt', bytes: Buffer.from('hi') })).statusCode, 401);
  t.equal((await agent.submit('/uploads', { body: 'not a file' })).statusCode, 415);
  const broken = await h.app.inject({
    method: 'POST', url: '/uploads', payload: '--x\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc',
    headers: { 'content-type': 'multipart/form-data; boundary=x', cookie: [...agent.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; '), 'x-csrf-token': agent.csrfToken },
  });
  t.ok(broken.statusCode >= 400 && broken.statusCode < 500, `a broken multipart body is a 4xx (${broken.statusCode})`);
  const forged = await upload(h.app, agent, { name: 'a.txt', bytes: Buffer.from('hi') }, { fields: { _csrf: 'forged' } });
  t.equal(forged.statusCode, 403, 'a forged token');
});

t.test('an upload in a hidden post is refused to members and served to moderators; a private category\'s to those who may read it', async (t) => {
  const h = await testApp(t);
  const author = await h.make.member();
  const thread = await h.make.thread();
  const agent = await h.signIn(author);
  const res = await upload(h.app, agent, { name: 'error.png', bytes: await pngImage() });
  const { markdown, url } = res.json();
  await agent.get(`/t/${thread.id}/${thread.slug}`);
  const posted = await agent.submit(`/t/${thread.id}/replies`, { body: `It fails like this:\n\n${markdown}` });
  t.equal(posted.statusCode, 303);
  const post = await h.db.selectFrom('posts').select(['id', 'cooked']).where('thread_id', '=', thread.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
  t.match(post.cooked, `<img src="${url}" alt="error.png"`);
  const links = await h.db.selectFrom('post_uploads').selectAll().execute();
  t.same(links.map((l) => l.post_id), [post.id], 'the reply holds the upload');

  const reader = await h.signIn(await h.make.member());
  const moderator = await h.signIn(await h.make.member({ role: 'moderator' }));
  t.equal((await fetchBytes(h.app, reader, url)).statusCode, 200, 'a public post\'s upload is anyone\'s');
  t.equal((await fetchBytes(h.app, null, url)).statusCode, 200);

  await h.db.updateTable('posts').set({ hidden_at: new Date(), hidden_reason: 'moderator' }).where('id', '=', post.id).execute();
  t.equal((await fetchBytes(h.app, reader, url)).statusCode, 404, 'hidden: refused to members');
  t.equal((await fetchBytes(h.app, null, url)).statusCode, 404, 'and to guests');
  t.equal((await fetchBytes(h.app, moderator, url)).statusCode, 200, 'served to moderators');
  t.equal((await fetchBytes(h.app, agent, url)).statusCode, 200, 'and to its author');

  // Deleting the post keeps its upload, for moderators.
  await h.db.updateTable('posts').set({ hidden_at: null, hidden_reason: null, deleted_at: new Date() }).where('id', '=', post.id).execute();
  t.equal((await fetchBytes(h.app, reader, url)).statusCode, 404);
  t.equal((await fetchBytes(h.app, moderator, url)).statusCode, 200);
  h.clock.advance(48 * 3600);
  await scheduled.uploads_sweep.run(h.db, h.app.log, h.app.now, h.app);
  t.equal((await fetchBytes(h.app, moderator, url)).statusCode, 200, 'the sweep leaves a deleted post\'s upload');

  // In a category only staff read.
  await h.db.updateTable('posts').set({ deleted_at: null }).where('id', '=', post.id).execute();
  const { category_id } = await h.db.selectFrom('threads').select('category_id').where('id', '=', thread.id).executeTakeFirstOrThrow();
  await h.db.updateTable('categories').set({ read_role: 'staff' }).where('id', '=', category_id).execute();
  t.equal((await fetchBytes(h.app, reader, url)).statusCode, 404, 'private: refused to who may not read the category');
  const staff = await h.signIn(await h.make.member({ role: 'staff' }));
  t.equal((await fetchBytes(h.app, staff, url)).statusCode, 200);

  // Another member's key in a post links nothing.
  await reader.get(`/t/${thread.id}/${thread.slug}`);
  await reader.submit(`/t/${thread.id}/replies`, { body: `Same here: ${markdown}` });
  t.equal((await h.db.selectFrom('post_uploads').selectAll().execute()).length, 1);
});

t.test('a newcomer keeps their one image a post; too many uploads in a post are refused with the text kept', async (t) => {
  const h = await testApp(t);
  const thread = await h.make.thread();
  const newcomer = await h.make.member({ rank: 0 });
  await h.db.updateTable('settings').set({ value: '0' }).where('key', '=', 'approval_posts').execute();
  await h.db.insertInto('settings').values({ key: 'approval_posts', value: '0', updated_by: null }).onConflict((oc) => oc.column('key').doUpdateSet({ value: '0' })).execute();
  const agent = await h.signIn(newcomer);
  const a = (await upload(h.app, agent, { name: 'a.png', bytes: await pngImage(10, 10) })).json();
  const b = (await upload(h.app, agent, { name: 'b.png', bytes: await pngImage(11, 11) })).json();
  await agent.get(`/t/${thread.id}/${thread.slug}`);
  const body = `Two pictures\n\n${a.markdown}\n\n${b.markdown}`;
  const res = await agent.submit(`/t/${thread.id}/replies`, { body });
  t.equal(res.statusCode, 422);
  t.match(res.page().text, /at most 1 image/);
  t.equal(res.page().querySelector('form.reply-form textarea[name=body]')?.text, body, 'the text is kept');
  t.equal((await h.db.selectFrom('post_uploads').selectAll().execute()).length, 0);

  // Two files that are not images: the per-post count for a newcomer (1).
  const c = (await upload(h.app, agent, { name: 'c.txt', bytes: Buffer.from('one\n') })).json();
  const d = (await upload(h.app, agent, { name: 'd.txt', bytes: Buffer.from('two\n') })).json();
  const files = await agent.submit(`/t/${thread.id}/replies`, { body: `Two logs attached here: ${c.markdown} and ${d.markdown}` });
  t.equal(files.statusCode, 422);
  t.match(files.page().text, /at most 1 upload/);
  t.equal((await h.db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).execute()).length, 1, 'no reply written');
});

t.test('an upload no post holds is removed by the sweep after the grace period', async (t) => {
  const h = await testApp(t);
  const agent = await h.signIn(await h.make.member());
  const thread = await h.make.thread();
  const kept = (await upload(h.app, agent, { name: 'kept.png', bytes: await pngImage(20, 20) })).json();
  const lost = (await upload(h.app, agent, { name: 'lost.png', bytes: await pngImage(21, 21) })).json();
  await agent.get(`/t/${thread.id}/${thread.slug}`);
  t.equal((await agent.submit(`/t/${thread.id}/replies`, { body: `Here it is: ${kept.markdown}` })).statusCode, 303);
  const lostRow = await h.db.selectFrom('uploads').select(['key', 'thumb_key']).where('key', '=', lost.key).executeTakeFirstOrThrow();

  h.clock.advance(23 * 3600);
  t.equal(await scheduled.uploads_sweep.run(h.db, h.app.log, h.app.now, h.app), 0, 'within the grace period, kept');
  h.clock.advance(2 * 3600);
  t.equal(await scheduled.uploads_sweep.run(h.db, h.app.log, h.app.now, h.app), 1, 'after it, removed');
  t.notOk(await h.app.uploads.exists(lostRow.key), 'its bytes are gone');
  t.notOk(await h.app.uploads.exists(lostRow.thumb_key!), 'and its thumbnail');
  t.equal((await fetchBytes(h.app, agent, lost.url)).statusCode, 404);
  t.ok(await h.app.uploads.exists(kept.key), 'the one in a post stays');
  t.equal((await fetchBytes(h.app, agent, kept.url)).statusCode, 200);
});

t.test('without JavaScript, the Upload button comes back to the form with the markdown added to the text', async (t) => {
  const h = await testApp(t);
  const thread = await h.make.thread();
  const member = await h.make.member();
  const agent = await h.signIn(member);
  const page = await agent.page(`/t/${thread.id}/${thread.slug}`);
  const button = page.querySelector('form.reply-form button[data-upload-button]');
  t.equal(button?.getAttribute('formaction'), '/uploads');
  t.equal(button?.getAttribute('formenctype'), 'multipart/form-data');
  t.ok(page.querySelector('form.reply-form input[type=file][name=file]'), 'a plain file input');
  const returnTo = page.querySelector('form.reply-form input[name=return_to]')?.getAttribute('value');
  t.equal(returnTo, `/t/${thread.id}`);

  const res = await upload(h.app, agent, { name: 'shot.png', bytes: await pngImage() }, { json: false, fields: { body: 'It breaks here:', return_to: returnTo! } });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, `/t/${thread.id}#field-body`);
  const back = await agent.get(`/t/${thread.id}/${thread.slug}`);
  const key = (await h.db.selectFrom('uploads').select('key').executeTakeFirstOrThrow()).key;
  t.equal(back.page().querySelector('form.reply-form textarea[name=body]')?.text, `It breaks here:\n\n![shot.png](/uploads/${key})\n`);
  t.match(back.page().messages().join(' '), /shot\.png is uploaded/);
  // Once: the next visit shows the form as it would be.
  t.equal((await agent.page(`/t/${thread.id}/${thread.slug}`)).querySelector('form.reply-form textarea[name=body]')?.text, '');

  // The new-thread form keeps its title, kind, tags and poll too.
  const category = await h.make.category();
  const form = await agent.page(`/c/${category.slug}/new`);
  const from = form.querySelector('input[name=return_to]')?.getAttribute('value');
  t.equal(from, `/c/${category.slug}/new`);
  const again = await upload(h.app, agent, { name: 'notes.txt', bytes: Buffer.from('log\n') }, { json: false, fields: {
    title: 'It crashes on start', body: '', return_to: from!, kind: 'question', tags: 'crash, startup',
    poll_question: 'Which version?', poll_options: '1.0\n2.0', poll_multiple: 'on',
  } });
  t.equal(again.statusCode, 303);
  const newPage = await agent.page(`/c/${category.slug}/new`);
  t.match(newPage.querySelector('textarea[name=body]')?.text ?? '', /^\[notes\.txt\]\(\/uploads\/[0-9a-f]{40}\.txt\)\n$/);
  t.equal(newPage.querySelector('input[name=title]')?.getAttribute('value'), 'It crashes on start');
  t.equal(newPage.querySelector('input[name=kind][checked]')?.getAttribute('value'), 'question', 'the kind chosen is still chosen');
  t.equal(newPage.querySelector('input[name=tags]')?.getAttribute('value'), 'crash, startup');
  t.equal(newPage.querySelector('input[name=poll_question]')?.getAttribute('value'), 'Which version?');
  t.equal(newPage.querySelector('textarea[name=poll_options]')?.text, '1.0\n2.0');
  t.ok(newPage.querySelector('input[name=poll_multiple][checked]'), 'and the poll as it was');

  // And the edit form: the new text names the upload, and saving links it to the post.
  const own = await h.make.thread({ by: member });
  const post = await h.db.selectFrom('posts').select('id').where('thread_id', '=', own.id).executeTakeFirstOrThrow();
  const edit = await agent.page(`/p/${post.id}/edit`);
  const editFrom = edit.querySelector('input[name=return_to]')?.getAttribute('value');
  t.equal(editFrom, `/p/${post.id}/edit`);
  const third = await upload(h.app, agent, { name: 'edit.png', bytes: await pngImage(30, 30) }, { json: false, fields: { body: 'Edited, with a picture.', return_to: editFrom! } });
  t.equal(third.headers.location, `/p/${post.id}/edit#field-body`);
  const editBody = (await agent.page(`/p/${post.id}/edit`)).querySelector('textarea[name=body]')?.text ?? '';
  t.match(editBody, /^Edited, with a picture\.\n\n!\[edit\.png\]\(\/uploads\/[0-9a-f]{40}\.png\)\n$/);
  t.equal((await agent.submit(`/p/${post.id}/edit`, { body: editBody, title: 'A thread to talk about' })).statusCode, 303);
  const linked = await h.db.selectFrom('post_uploads').select('upload_id').where('post_id', '=', post.id).execute();
  t.equal(linked.length, 1, 'the edited post holds its upload');
});

t.test('erasing a member\'s uploads removes their rows and bytes', async (t) => {
  const h = await testApp(t);
  const member = await h.make.member();
  const agent = await h.signIn(member);
  const other = await h.signIn(await h.make.member());
  const mine = (await upload(h.app, agent, { name: 'a.png', bytes: await pngImage() })).json();
  const theirs = (await upload(h.app, other, { name: 'b.png', bytes: await pngImage() })).json();
  const { eraseUploadsOf } = await import('../../server/uploads/sweep.ts');
  t.equal(await eraseUploadsOf(h.db, h.app.uploads, h.app.log, member.id), 1);
  t.notOk(await h.app.uploads.exists(mine.key));
  t.ok(await h.app.uploads.exists(theirs.key));
  t.not(mine.key, theirs.key, 'the same image from two members is two uploads');
});

t.test('a photo of about 4 MB is taken, and how long it takes is said', async (t) => {
  const h = await testApp(t);
  const agent = await h.signIn(await h.make.member());
  // Noise compresses badly: a 6-megapixel camera photo's size.
  const photo = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .jpeg({ quality: 90 })
    .toBuffer();
  t.ok(photo.length > 3.5 * 1024 * 1024 && photo.length <= 4 * 1024 * 1024, `a photo of ${(photo.length / 1024 / 1024).toFixed(2)} MB`);
  const started = performance.now();
  const res = await upload(h.app, agent, { name: 'camera.jpg', bytes: photo });
  const ms = Math.round(performance.now() - started);
  t.equal(res.statusCode, 201);
  t.comment(`a ${(photo.length / 1024 / 1024).toFixed(2)} MB photo (3000×2000) took ${ms} ms to upload, re-encode at 1920 px and keep with its thumbnail`);
});

t.test('admins set the upload limits and kinds at /admin/settings', async (t) => {
  const h = await testApp(t);
  const admin = await h.signIn(await h.make.member({ role: 'admin' }));
  const page = await admin.page('/admin/settings');
  t.equal(page.querySelector('input[name=upload_image_max_mb]')?.getAttribute('value'), '4');
  t.equal(page.querySelector('input[name=upload_file_max_mb]')?.getAttribute('value'), '8');
  t.equal(page.querySelector('input[name=uploads_per_post_0]')?.getAttribute('value'), '1');
  const boxes = page.querySelectorAll('input[type=checkbox][name^=upload_kind_]');
  t.same(boxes.map((b) => [b.getAttribute('name'), b.hasAttribute('checked')]), [
    ['upload_kind_image', true], ['upload_kind_pdf', true], ['upload_kind_text', true], ['upload_kind_zip', true],
  ]);
  // As a browser sends it: the ticked boxes only, the zip one unticked.
  const { _csrf, upload_kind_zip, ...form } = page.values('form.settings-form');
  const res = await admin.submit('/admin/settings', { ...form, upload_image_max_mb: '2' });
  t.equal(res.statusCode, 303);
  const { loadSettings } = await import('../../server/moderation/settings/queries.ts');
  const settings = await loadSettings(h.db);
  t.same(settings.upload_kinds, ['image', 'pdf', 'text']);
  t.equal(settings.upload_image_max_mb, 2);
  const bad = await admin.submit('/admin/settings', { ...form, upload_file_max_mb: '0' });
  t.equal(bad.statusCode, 422);
  t.match(bad.page().fieldErrors().upload_file_max_mb, /from 1 to 100/);
});
