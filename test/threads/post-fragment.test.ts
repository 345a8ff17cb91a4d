// A post drawn alone (the htmx fragment a reply answers with, a like toggled) is the post as the
// page shows it after a reload: the same links, the same quote address, the same markup.
import t from 'tap';
import { createReply } from '../../server/threads/queries.ts';
import { parsePage } from '../helpers/html.ts';
import { testApp, type Member } from '../helpers/app.ts';
import type { Agent } from '../helpers/agent.ts';

/** Tokens differ on every page, and indentation between a fragment and a page; nothing else may. */
const normalized = (html: string) =>
  html
    .replace(/(name="_csrf" value=")[^"]*"/g, '$1"')
    .replace(/\s+/g, ' ')
    .replace(/> </g, '><')
    .trim();

t.test('a reply posted with htmx is the post the thread page shows after a reload', async (t) => {
  const { make, signIn, db, clock } = await testApp(t);
  const author = await make.member();
  const threads = {
    short: await make.thread({ by: author, replies: 2 }),
    // Twenty posts: the next reply opens page 2, where quoting it leads.
    full: await make.thread({ replies: 19 }),
  };

  async function compare(who: string, member: Member, thread: { id: number; slug: string }, expect: { edit: boolean; held?: boolean; page?: number }) {
    const agent: Agent = await signIn(member);
    clock.advance(60); // past the wait between two posts (the author's thread was just written)
    await agent.get(`/t/${thread.id}/${thread.slug}`);
    const res = await agent.submit(`/t/${thread.id}/replies`, { body: `A reply from ${who}` }, { htmx: true });
    t.equal(res.statusCode, 200, `${who}: the fragment`);
    const fragment = parsePage(res.body).querySelector('article.post');
    t.ok(fragment, `${who}: the fragment is a post`);
    if (!fragment) return;
    const id = fragment.getAttribute('data-post-id');
    const page = expect.page ?? 1;
    const reloaded = await agent.get(`/t/${thread.id}/${thread.slug}?page=${page}`);
    t.equal(reloaded.statusCode, 200);
    const onPage = reloaded.page().querySelector(`#post-${id}`);
    t.ok(onPage, `${who}: the page shows the reply`);
    t.equal(normalized(fragment.outerHTML), normalized(onPage?.outerHTML ?? ''), `${who}: the fragment is the post on the page`);
    t.equal(Boolean(fragment.querySelector(`a[href="/p/${id}/edit"]`)), expect.edit, `${who}: ${expect.edit ? 'an' : 'no'} Edit link`);
    t.equal(Boolean(fragment.querySelector(`a[href="/p/${id}/delete"]`)), expect.edit, `${who}: ${expect.edit ? 'a' : 'no'} Delete link`);
    const quote = fragment.querySelector('a.quote-link')?.getAttribute('href');
    if (expect.held) t.equal(quote, undefined, `${who}: a held post is not quoted`);
    else t.equal(quote, `/t/${thread.id}/${thread.slug}?page=${page}&quote=${id}#field-body`, `${who}: quoting leads to the last page`);
  }

  await compare('the author', author, threads.short, { edit: true });
  await compare('a moderator', await make.member({ role: 'moderator' }), threads.short, { edit: true });
  // A newcomer's first reply waits for approval: shown to them alone, marked so.
  await compare('a newcomer', await make.member({ rank: 0 }), threads.short, { edit: true, held: true });
  await compare('a reply opening page 2', await make.member(), threads.full, { edit: true, page: 2 });

  // Someone else's reply, liked with htmx: the likes block answered is the one on the page.
  const reader = await signIn(await make.member());
  const other = await createReply(db, { threadId: threads.short.id, userId: author.id, body: 'Worth a like' });
  const url = `/t/${threads.short.id}/${threads.short.slug}?page=1`;
  await reader.get(url);
  const liked = await reader.submit(`/p/${other.id}/like`, {}, { htmx: true });
  t.equal(liked.statusCode, 200);
  const block = parsePage(liked.body).querySelector(`#likes-${other.id}`);
  t.equal(block?.querySelector('.like-button')?.text, 'Liked');
  const shown = (await reader.page(url)).querySelector(`#likes-${other.id}`);
  t.equal(normalized(block?.outerHTML ?? 'none'), normalized(shown?.outerHTML ?? ''), 'the like fragment is the likes block on the page');
});
