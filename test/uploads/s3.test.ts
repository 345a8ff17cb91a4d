// The same flows with the uploads in S3-compatible object storage: a local S3 server (npm
// s3rver) started by this file on 127.0.0.1, in a folder of its own.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import S3rver from 's3rver';
import sharp from 'sharp';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { testApp } from '../helpers/app.ts';
import { scheduled } from '../../server/jobs/index.ts';
import { ConfigError, readConfig, readS3Url } from '../../server/config.ts';
import { S3Storage } from '../../server/uploads/storage.ts';
import { fetchBytes, photoWithGps, pngImage, upload } from './upload-helpers.ts';

const dir = await mkdtemp(path.join(tmpdir(), 'hearth-s3rver-'));
const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: 'hearth-uploads', configs: [] }] });
const { port } = await server.run();
t.teardown(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const s3Url = `s3+http://S3RVER:S3RVER@127.0.0.1:${port}/hearth-uploads`;

async function objects(storage: S3Storage) {
  const listed = await storage.client.send(new ListObjectsV2Command({ Bucket: storage.config.bucket }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

t.test('S3_URL is read into the storage settings, and a wrong one stops start-up naming it', async (t) => {
  t.same(readS3Url('s3://AK%2FID:se%2Bcret@s3.eu-west-1.example.com/my-bucket?region=eu-west-1'), {
    endpoint: 'https://s3.eu-west-1.example.com', region: 'eu-west-1', bucket: 'my-bucket', accessKeyId: 'AK/ID', secretAccessKey: 'se+cret',
  });
  const config = readConfig({ S3_URL: s3Url, SESSION_SECRET: 'x'.repeat(40) }, dir);
  t.equal(config.uploads.kind, 's3');
  t.equal(readConfig({ SESSION_SECRET: 'x'.repeat(40) }, dir).uploads.kind, 'disk');
  for (const bad of ['http://a:b@host/bucket', 's3://host/bucket', 's3://a:b@host/', 'not a url']) {
    try {
      readConfig({ S3_URL: bad, SESSION_SECRET: 'x'.repeat(40) }, dir);
      t.fail(`${bad} is taken`);
    } catch (err) {
      t.ok(err instanceof ConfigError, `${bad}: a ConfigError`);
      t.match((err as Error).message, /^S3_URL must look like s3:\/\/KEY:SECRET@HOST\/BUCKET/);
      t.notMatch((err as Error).message, /:b@/, 'the secret is not repeated');
    }
  }
});

t.test('uploads kept in S3: served with their headers, refused ones leave nothing, hidden posts\' refused, the sweep removes', async (t) => {
  const h = await testApp(t, { uploads: { kind: 's3', ...readS3Url(s3Url) } });
  const storage = h.app.uploads as S3Storage;
  t.ok(storage instanceof S3Storage);
  const author = await h.make.member();
  const agent = await h.signIn(author);

  const refused = await upload(h.app, agent, { name: 'shell.png', bytes: Buffer.from('<?php echo 1; ?>\n') });
  t.equal(refused.statusCode, 415);
  t.same(await objects(storage), [], 'a refused file leaves nothing in the bucket');

  const res = await upload(h.app, agent, { name: 'photo.jpg', bytes: await photoWithGps() });
  t.equal(res.statusCode, 201);
  const { key, url, markdown } = res.json();
  const row = await h.db.selectFrom('uploads').select(['thumb_key']).where('key', '=', key).executeTakeFirstOrThrow();
  t.same(await objects(storage), [key, row.thumb_key].sort(), 'the image and its thumbnail are in the bucket');
  const served = await fetchBytes(h.app, agent, url);
  t.equal(served.statusCode, 200);
  t.equal(served.headers['content-type'], 'image/jpeg');
  t.equal(served.headers['x-content-type-options'], 'nosniff');
  t.match(String(served.headers['content-security-policy']), /default-src 'none'.*sandbox/);
  t.equal((await sharp(served.rawPayload).metadata()).exif, undefined, 'no EXIF kept');

  const file = await upload(h.app, agent, { name: 'report.pdf', bytes: Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n') });
  t.equal(file.statusCode, 201);
  const pdf = await fetchBytes(h.app, agent, file.json().url);
  t.equal(pdf.headers['content-type'], 'application/pdf');
  t.match(String(pdf.headers['content-disposition']), /^attachment; filename="report.pdf"/);

  const thread = await h.make.thread();
  await agent.get(`/t/${thread.id}/${thread.slug}`);
  t.equal((await agent.submit(`/t/${thread.id}/replies`, { body: `Like this: ${markdown}` })).statusCode, 303);
  const post = await h.db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
  const reader = await h.signIn(await h.make.member());
  const moderator = await h.signIn(await h.make.member({ role: 'moderator' }));
  t.equal((await fetchBytes(h.app, reader, url)).statusCode, 200);
  await h.db.updateTable('posts').set({ hidden_at: new Date(), hidden_reason: 'moderator' }).where('id', '=', post.id).execute();
  t.equal((await fetchBytes(h.app, reader, url)).statusCode, 404, 'hidden: refused to members');
  t.equal((await fetchBytes(h.app, moderator, url)).statusCode, 200, 'served to moderators');

  // The PDF is in no post: a day later the sweep takes it from the bucket.
  h.clock.advance(25 * 3600);
  t.equal(await scheduled.uploads_sweep.run(h.db, h.app.log, h.app.now, h.app), 1);
  t.same(await objects(storage), [key, row.thumb_key].sort(), 'only the image in a post is left');
  t.notOk(await storage.exists(file.json().key));
  t.equal(await storage.get(file.json().key), null);
  t.equal((await fetchBytes(h.app, agent, file.json().url)).statusCode, 404);
});

t.test('a missing object is a 404, not a fault', async (t) => {
  const h = await testApp(t, { uploads: { kind: 's3', ...readS3Url(s3Url) } });
  const agent = await h.signIn(await h.make.member());
  const res = await upload(h.app, agent, { name: 'a.png', bytes: await pngImage() });
  await h.app.uploads.delete(res.json().key);
  t.equal((await fetchBytes(h.app, agent, res.json().url)).statusCode, 404);
});
