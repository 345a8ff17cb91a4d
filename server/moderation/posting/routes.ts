// /admin/watched-words: the words admins watch for in posts (./watched-words.ts says what each
// action does to a post). Admins only: others are refused (403), guests asked to sign in. Every
// change is written to the staff log in its own transaction (addWatchedWord, removeWatchedWord).
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { isUniqueViolation } from '../../db/index.ts';
import { invalid, notFound } from '../../errors.ts';
import { can } from '../../permissions.ts';
import { csrfField, emptyForm, idParams, text } from '../../schemas.ts';
import { requireRight } from '../../sessions/guards.ts';
import { answer } from '../../views/index.ts';
import {
  actionLabels,
  actionNames,
  addWatchedWord,
  removeWatchedWord,
  watchedWordActions,
  watchedWordByText,
  watchedWords,
  WORD_MAX,
} from './watched-words.ts';

const wordBody = {
  type: 'object',
  required: ['word', 'action'],
  properties: { word: text(1000), action: text(40), _csrf: csrfField },
} as const;

export const watchedWordPages: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.addHook('preValidation', requireRight('change settings', 'The moderation settings and watched words are kept by administrators.'));

  /** The watched words page around its form; nothing for those who may not see it. */
  async function wordsPage(req: FastifyRequest) {
    if (!can(req.viewer, 'change settings')) return { words: [], actions: [] };
    const words = await watchedWords(app.db);
    return {
      words: words.map((w) => ({ ...w, actionName: actionNames[w.action] })),
      actions: watchedWordActions.map((value) => ({ value, label: actionLabels[value] })),
    };
  }

  const wordsFormConfig = { template: 'moderation/watched-words', title: 'Watched words', load: wordsPage };

  app.get('/watched-words', async (req, reply) => {
    return reply.page(wordsFormConfig.template, { title: wordsFormConfig.title, ...(await wordsPage(req)), values: { action: 'block' }, errors: {} });
  });

  app.post('/watched-words', { schema: { body: wordBody }, config: { form: wordsFormConfig } }, async (req, reply) => {
    const viewer = req.viewer!;
    const input = req.body;
    const word = input.word.trim().replace(/\s+/g, ' ');
    const action = watchedWordActions.find((a) => a === input.action);
    const errors: Record<string, string> = {};
    if (!word) errors.word = 'Write the word (or phrase) to watch.';
    else if ([...word].length > WORD_MAX) errors.word = `A watched word is at most ${WORD_MAX} characters.`;
    if (!action) errors.action = 'Choose what happens to a post with this word.';
    if (!errors.word) {
      const existing = await watchedWordByText(app.db, word);
      if (existing) errors.word = `“${existing.word}” is already watched (${actionNames[existing.action].toLowerCase()}); remove it first to change what it does.`;
    }
    if (!action || Object.keys(errors).length) throw invalid(errors);
    try {
      await addWatchedWord(app.db, { word, action, by: viewer.id });
    } catch (err) {
      // Added by another admin a moment ago.
      if (!isUniqueViolation(err)) throw err;
      throw invalid({ word: `“${word}” is already watched.` });
    }
    return answer(req, reply, { redirect: '/admin/watched-words', flash: `“${word}” is now watched.` });
  });

  app.post('/watched-words/:id/delete', { schema: { params: idParams, body: emptyForm } }, async (req, reply) => {
    const viewer = req.viewer!;
    const removed = await removeWatchedWord(app.db, req.params.id, viewer.id);
    if (!removed) throw notFound('That watched word');
    return answer(req, reply, { redirect: '/admin/watched-words', flash: `“${removed.word}” is no longer watched.` });
  });
};
