// Each app process keeps the settings and watched words in memory; a change made anywhere
// reaches every process before its next post is checked.
import t from 'tap';
import { buildApp } from '../../server/app.ts';
import { KeptSettings } from '../../server/cache/settings.ts';
import { PostingRules } from '../../server/moderation/posting/posting-rules.ts';
import { changeSetting } from '../../server/moderation/settings/queries.ts';
import { addWatchedWord } from '../../server/moderation/posting/watched-words.ts';
import { Agent } from '../helpers/agent.ts';
import { testApp, testConfig } from '../helpers/app.ts';

t.test('the rules are read once per announced change', async (t) => {
  const { db, make } = await testApp(t);
  let version: number | undefined = 0;
  const rules = new PostingRules(db, new KeptSettings({ version: () => version }, true));
  const first = await rules.get();
  t.equal(await rules.get(), first, 'the same copy while nothing changed');
  await changeSetting(db, 'approval_posts', 5, (await make.member({ role: 'admin' })).id);
  t.equal((await rules.get()).settings.approval_posts, 2, 'an unannounced change is not seen yet');
  version = 1;
  t.equal((await rules.get()).settings.approval_posts, 5, 'an announced one is');
  version = undefined;
  t.not(await rules.get(), await rules.get(), 'without a listener, read every time');

});

t.test('a word watched through one process is enforced by another at once', async (t) => {
  const { app, make, databaseUrl } = await testApp(t);
  const other = await buildApp(testConfig(databaseUrl));
  t.teardown(() => other.close());
  const admin = await make.member({ role: 'admin' });
  const member = await make.member({ rank: 2 });
  const thread = await make.thread();

  // The member posts through the other process, which has read (and kept) the rules.
  const reader = new Agent(other);
  await reader.get('/login');
  t.equal((await reader.submit('/login', { login: member.username, password: member.password })).statusCode, 303);
  await reader.get(`/t/${thread.id}/${thread.slug}`);
  const first = await reader.submit(`/t/${thread.id}/replies`, { body: 'A first reply about gizmos.' });
  t.equal(first.statusCode, 303, first.statusCode === 303 ? 'replied' : `${first.statusCode} ${first.page().messages().join(' ')} ${first.page().querySelector('h1')?.text}`);

  await addWatchedWord(app.db, { word: 'frobnicate', action: 'block', by: admin.id });
  await other.pageCache?.sync();
  const refused = await reader.submit(`/t/${thread.id}/replies`, { body: 'Please frobnicate the widget.' });
  t.equal(refused.statusCode, 422, 'the other process refuses the newly watched word');
  t.match(refused.page().messages().join(' '), /frobnicate/);
});
