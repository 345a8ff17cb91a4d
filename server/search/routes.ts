// Full-text search: a plain GET form, so it works with JavaScript off and its results have an address.
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import Handlebars from 'handlebars';
import { text } from '../schemas.ts';
import { readableCategories } from '../access/categories.ts';
import { memberIdByUsername, searchPosts } from './queries.ts';
import { highlight, MAX_PAGE, QUERY_MAX, readSearch, RESULTS_PAGE, SEARCH_CANDIDATES, searchKinds, searchUrl } from './rules.ts';

// Generous bounds: the rules give the real limits with a message beside the field, and the
// form comes back with what was typed (a schema error could only answer with an error page).
const searchQuerystring = {
  type: 'object',
  properties: {
    q: text(4000), category: text(200), author: text(200), kind: text(200), from: text(200), to: text(200), page: text(20),
  },
} as const;

export const search: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.get('/search', { schema: { querystring: searchQuerystring } }, async (req, reply) => {
    // Result pages are endless variations of the threads themselves; crawlers follow the sitemap.
    reply.header('X-Robots-Tag', 'noindex');
    const cats = await readableCategories(app.db, req.viewer);
    const { search, values, errors, pageError } = readSearch(req.query, cats.map((c) => c.slug));
    const author = search.author && !errors.author ? await memberIdByUsername(app.db, search.author) : undefined;
    if (search.author && !errors.author && !author) errors.author = `No member is called "${search.author}".`;

    const form = {
      title: search.q ? `Search: ${search.q.slice(0, 60)}` : 'Search',
      values,
      errors,
      queryMax: QUERY_MAX,
      categoryOptions: cats.map((c) => ({ value: c.slug, label: c.name, selected: c.slug === values.category })),
      kindOptions: searchKinds.map((k) => ({ ...k, selected: k.value === values.kind })),
    };
    if (Object.keys(errors).length || pageError) {
      return reply.page('search/index', { ...form, error: pageError ?? 'Please correct the marked fields.' }, 422);
    }
    if (!search.q) return reply.page('search/index', form);

    const categoryId = cats.find((c) => c.slug === search.categorySlug)?.id;
    const found = await searchPosts(app.db, req.viewer, { ...search, categoryId, authorId: author?.id });
    const results = found.results.map((r) => ({
      ...r,
      // Escaped text with <mark> added by highlight(); the only HTML built from member text.
      titleHtml: new Handlebars.SafeString(highlight(r.title_marked)),
      snippetHtml: new Handlebars.SafeString(highlight(r.snippet_marked)),
    }));
    return reply.page('search/index', {
      ...form,
      searched: true,
      results,
      next: found.more && search.page < MAX_PAGE ? searchUrl(values, search.page + 1) : null,
      capped: found.more && search.page >= MAX_PAGE,
      // Only the newest matches were ranked: say so, and how to reach older ones.
      newestOnly: found.limited ? SEARCH_CANDIDATES.toLocaleString('en') : null,
      prev: search.page > 1 ? searchUrl(values, search.page - 1) : null,
      firstNumber: (search.page - 1) * RESULTS_PAGE + 1,
    });
  });
};
