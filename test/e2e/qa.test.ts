// A member asks (and is shown a similar question first), another answers, the asker accepts; the
// answerer sees the reputation, the badge and, with facts seeded to the next rank, the
// promotion — with JavaScript on and off.
import t from 'tap';
import { scheduled } from '../../server/jobs/index.ts';
import { createReply, createThread } from '../../server/threads/queries.ts';
import { browserApp } from '../helpers/browser.ts';

const DAY = 24 * 60 * 60 * 1000;

for (const javaScript of [true, false]) {
  t.test(`ask, answer, accept, and the answerer's recognition (JavaScript ${javaScript ? 'on' : 'off'})`, async (t) => {
    const { app, clock, errors, make, db, signInPage } = await browserApp(t);
    const help = await make.category({ name: 'Help', slug: 'help' });
    const other = await make.member({ username: 'earlier' });
    await createThread(db, { categoryId: help.id, userId: other.id, title: 'Remote control will not pair with the hub', body: 'It blinks red.', kind: 'question' });
    const asker = await make.member({ username: `asker_${javaScript ? 'js' : 'plain'}` });
    const answerer = await make.member({ username: `answerer_${javaScript ? 'js' : 'plain'}` });

    // The asker starts a question; the similar one shows under the title before anything is posted.
    const a = await signInPage(asker, { javaScript });
    await a.goto('/c/help/new');
    await a.locator('input[name=kind][value=question]').check();
    await a.getByLabel('Title').fill('Pairing the remote control fails');
    if (javaScript) {
      await a.waitForSelector('#similar-questions a:text("Remote control will not pair with the hub")');
      t.pass('the similar question appears as the title is typed');
    } else {
      await a.getByRole('button', { name: 'Check for similar questions' }).click();
      await a.waitForSelector('#similar-questions a:text("Remote control will not pair with the hub")');
      t.equal(await a.getByLabel('Title').inputValue(), 'Pairing the remote control fails', 'the title is kept');
    }
    await a.getByLabel('Post').fill('The light blinks twice and stops.');
    await a.getByRole('button', { name: 'Post thread' }).click();
    await a.waitForSelector('h1:text("Pairing the remote control fails")');
    const questionUrl = a.url().split('#')[0]!;

    // The answerer, a Member with a history just short of Contributor: 15 days, reading, likes
    // given and received, and replies in two threads (a third makes the bar).
    const now = app.now().getTime();
    await db
      .insertInto('member_days')
      .values(Array.from({ length: 15 }, (_, i) => ({
        user_id: answerer.id, day: new Date(now - (i + 1) * DAY).toISOString().slice(0, 10), threads_entered: 2, posts_read: 10, reading_seconds: 300,
      })))
      .execute();
    const chat = await make.thread({ by: other, title: 'Show your setup' });
    const mine = await createReply(db, { threadId: chat.id, userId: answerer.id, body: 'Mine is tidy.' });
    await createReply(db, { threadId: (await make.thread({ by: other })).id, userId: answerer.id, body: 'Agreed.' });
    await db.insertInto('post_likes').values([{ post_id: mine.id, user_id: other.id }]).execute();
    const firstPost = await db.selectFrom('posts').select('id').where('thread_id', '=', chat.id).where('post_number', '=', 1).executeTakeFirstOrThrow();
    await db.insertInto('post_likes').values([{ post_id: firstPost.id, user_id: answerer.id }]).execute();
    // The like route keeps the posts' counts; written directly, they are set as it would.
    await db.updateTable('posts').set({ like_count: 1 }).where('id', 'in', [mine.id, firstPost.id]).execute();

    // Those replies were a while ago: the posting limits' wait between posts is over.
    clock.advance(60);
    const b = await signInPage(answerer, { javaScript });
    await b.goto(questionUrl);
    await b.getByLabel('Your reply').fill('Hold both buttons for five seconds, then release.');
    await b.getByRole('button', { name: 'Reply' }).click();
    await b.waitForSelector('article.post >> nth=1');

    // The asker accepts it.
    await a.goto(questionUrl);
    await a.getByRole('button', { name: 'Accept this answer' }).click();
    await a.waitForSelector('.accept-button[aria-pressed=true]');
    t.pass('the answer is accepted');

    // What the minute job does (badges, then the rank review), run now rather than waited for.
    await scheduled.badges_due!.run(db, app.log, app.now);

    await b.goto(`/u/${answerer.username}`);
    t.match(await b.locator('.stats .reputation').textContent(), /16/, 'the answerer sees the reputation: 1 + 15 for the accept');
    t.ok(await b.locator('.profile-badges [data-badge=helpful]').count(), 'the Helpful badge');
    t.match(await b.locator('.profile-meta .rank').textContent(), /Contributor/, 'and the promotion to Contributor');
    await b.goto('/notifications');
    t.ok(await b.locator('a.notice-link[href="/badges/helpful"]').count(), 'told of the badge');
    t.ok(await b.locator('[data-kind=rank]').count(), 'and of the rank');
    t.same(errors, [], 'no script or CSP errors');
  });
}
