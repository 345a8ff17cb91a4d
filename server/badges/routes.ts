// /badges: every badge with how many hold it; /badges/:slug: one badge, how to earn it, and its
// holders, newest first (keyset paged). Admins grant a badge by hand and take a grant back, each
// with a reason, logged (server/moderation/log).
//
// Both pages are public. A guest's copy comes from the page cache with no scope (trusted for the
// minute kept values are, server/cache/kept.ts): grants come from a job, a minute at a time, and
// announcing each would wake every process for pages few read.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { invalid, notFound } from '../errors.ts';
import { can } from '../permissions.ts';
import { csrfField, parseTimeCursor, rowId, sentText, text } from '../schemas.ts';
import { requireRight } from '../sessions/guards.ts';
import { badgeBySlug, badges, groupNames, type Badge, type BadgeGroup } from './definitions.ts';
import { grantByHand, holderCounts, holdersOf, revokeGrant } from './queries.ts';

const slugParams = { type: 'object', required: ['slug'], properties: { slug: text(60) } } as const;
const REASON_MAX = 500;

function badgeOf(slug: string | undefined): Badge {
  const badge = slug === undefined ? undefined : badgeBySlug.get(slug);
  if (!badge) throw notFound('That badge');
  return badge;
}

const tierWords = { bronze: 'Bronze', silver: 'Silver', gold: 'Gold' } as const;

export const badgePages: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.get('/badges', async (req, reply) =>
    reply.cached([], async () => {
      const counts = await holderCounts(app.db);
      const groups = (Object.keys(groupNames) as BadgeGroup[]).map((group) => ({
        name: groupNames[group],
        badges: badges
          .filter((b) => b.group === group)
          .map((b) => ({ ...b, tierName: tierWords[b.tier], holders: counts.get(b.slug) ?? 0 })),
      }));
      return reply.page('badges/index', { title: 'Badges', groups, total: badges.length });
    }),
  );

  /** The badge's page: what the GET shows, and what a refused grant or revocation draws again. */
  async function badgePage(req: FastifyRequest) {
    const badge = badgeOf(sentText(req.params, 'slug'));
    const raw = (req.query as { after?: string } | undefined)?.after;
    const after = parseTimeCursor(raw);
    if (after === null) throw notFound('That page of holders');
    const [{ holders, next }, counts] = await Promise.all([holdersOf(app.db, req.viewer, badge.slug, after ?? null), holderCounts(app.db)]);
    return {
      title: `Badge: ${badge.name}`,
      badge: { ...badge, tierName: tierWords[badge.tier], holders: counts.get(badge.slug) ?? 0 },
      holders,
      nextHref: next ? `/badges/${badge.slug}?after=${encodeURIComponent(`${next.at.toISOString()}_${next.id}`)}` : null,
      firstHref: after ? `/badges/${badge.slug}` : null,
      mayGrant: can(req.viewer, 'grant badges'),
    };
  }

  app.get('/badges/:slug', { schema: { params: slugParams, querystring: { type: 'object', properties: { after: text(80) } } } }, async (req, reply) =>
    reply.cached([], async () => reply.page('badges/show', { ...(await badgePage(req)), values: {}, errors: {} })),
  );

  const form = { template: 'badges/show', title: 'Badge', load: badgePage };
  const mayGrant = requireRight('grant badges', 'Only administrators grant and revoke badges.');

  app.post(
    '/badges/:slug/grant',
    {
      preValidation: mayGrant,
      config: { form },
      schema: {
        params: slugParams,
        body: { type: 'object', properties: { username: text(60), reason: text(REASON_MAX), _csrf: csrfField } },
      },
    },
    async (req, reply) => {
      const badge = badgeOf(req.params.slug);
      const username = (req.body.username ?? '').trim();
      const reason = (req.body.reason ?? '').trim();
      const errors: Record<string, string> = {};
      if (!username) errors.username = 'Whose badge is it? Give their username.';
      if (!reason) errors.reason = 'Say why: the reason is kept in the staff log.';
      if (Object.keys(errors).length) throw invalid(errors);
      const done = await grantByHand(app.db, badge, { username, reason, by: req.viewer!.id, now: app.now() });
      if (!done.ok) throw invalid({ [done.field]: done.message });
      reply.flash('notice', `“${badge.name}” granted to ${username}.`);
      return reply.redirect(`/badges/${badge.slug}`, 303);
    },
  );

  app.post(
    '/badges/:slug/revoke',
    {
      preValidation: mayGrant,
      config: { form },
      schema: {
        params: slugParams,
        body: { type: 'object', required: ['grant'], properties: { grant: rowId, reason: text(REASON_MAX), _csrf: csrfField } },
      },
    },
    async (req, reply) => {
      const badge = badgeOf(req.params.slug);
      const reason = (req.body.reason ?? '').trim();
      // The summary at the top of the page says it: each holder's row has a revoke form of its own.
      if (!reason) throw invalid({ revoke: 'missing reason' }, 'To revoke a badge, say why: the reason is kept in the staff log.');
      const done = await revokeGrant(app.db, badge, { grantId: req.body.grant, reason, by: req.viewer!.id, now: app.now() });
      if (!done) throw notFound('That grant');
      reply.flash('notice', `“${badge.name}” taken back from ${done.username}.`);
      return reply.redirect(`/badges/${badge.slug}`, 303);
    },
  );
};
