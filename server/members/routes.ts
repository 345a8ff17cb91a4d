// Members: the admins' search over every member and a member's page (their facts, posts, flags
// and sanctions, with the forms to change their role, sanction them or delete them), and the
// member's own data from /account: downloading all of it, and deleting the account. Both kinds
// of deletion are deleteMember (queries.ts); the member's uploads go after it commits.
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { HttpError, invalid, notFound } from '../errors.ts';
import { can, canSanction, rankNames, roles } from '../permissions.ts';
import { csrfField, idParams, sentId, text } from '../schemas.ts';
import { requireRight, requireViewer, signInFirst } from '../sessions/guards.ts';
import { SESSION_COOKIE } from '../sessions/index.ts';
import { answer } from '../views/index.ts';
import { verifyPassword } from '../accounts/passwords.ts';
import { passwordHashOf } from '../account/queries.ts';
import { adminCount } from '../admin/queries.ts';
import { logAction } from '../moderation/log/write.ts';
import { sanctionsOf } from '../moderation/sanctions/queries.ts';
import { sanctionView } from '../moderation/sanctions/rules.ts';
import { explainMemberRank } from '../ranks/standing.ts';
import { memberFacts, noFacts } from '../ranks/queries.ts';
import { rankThresholds } from '../ranks/rules.ts';
import { eraseUploadsOf } from '../uploads/sweep.ts';
import type { UploadStorage } from '../uploads/storage.ts';
import type { Db } from '../db/index.ts';
import { deleteMember, flagsAgainst, flagsRaisedBy, latestPostsOf, memberRecord, searchMembers, type PostsChoice } from './queries.ts';
import { ownDataStream } from './export.ts';
import { invitesOf } from '../invites/queries.ts';

/** The box that confirms a deletion: ticked, it sends `yes` (views/partials/members/confirm.hbs). */
const confirmBox = { type: 'string', enum: ['yes'] } as const;

const searchQuery = {
  type: 'object',
  properties: { q: text(200), after: text(200) },
} as const;

/**
 * The member's uploads, erased once their deletion has committed. Bytes that cannot be removed
 * are logged by eraseUploadsOf itself; a failure to reach the database here leaves the rows, which
 * name a deleted member's files, for an admin to see in the log and remove.
 */
async function eraseUploadsAfter(db: Db, storage: UploadStorage, log: FastifyBaseLogger, userId: number) {
  try {
    await eraseUploadsOf(db, storage, log, userId);
  } catch (err) {
    log.error({ err, userId }, 'members: the account is deleted, but its uploads could not be erased; they are left behind');
  }
}

export const adminMembers: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.addHook('preValidation', requireRight('view admin', 'This page is for administrators.'));

  app.get('/members', { schema: { querystring: searchQuery } }, async (req, reply) => {
    const q = (req.query.q ?? '').trim();
    const { members, next } = await searchMembers(app.db, { q, after: req.query.after });
    const more = next === null ? null : `/admin/members?${new URLSearchParams({ ...(q ? { q } : {}), after: next })}`;
    return reply.page('admin/members', {
      title: 'Members',
      q,
      members: members.map((m) => ({ ...m, rankName: rankNames[m.rank] })),
      more,
      searched: Boolean(q || req.query.after),
    });
  });

  /** Everything the member's page shows, for the page and for its delete form drawn again. */
  async function memberPage(req: FastifyRequest, id: number) {
    const member = await memberRecord(app.db, id);
    if (!member) throw notFound('That member');
    const now = app.now();
    const { settings } = await app.postingRules.get();
    const [posts, raised, against, sanctions, standing, facts, invites] = await Promise.all([
      latestPostsOf(app.db, id),
      flagsRaisedBy(app.db, id),
      flagsAgainst(app.db, id),
      sanctionsOf(app.db, id),
      explainMemberRank(app.db, id, settings, now),
      memberFacts(app.db, [id], now, rankThresholds(settings)).then((all) => all.get(id) ?? noFacts()),
      // Who invited them and whom they invited (views/partials/admin/invited-by.hbs).
      invitesOf(app.db, id),
    ]);
    const isSelf = req.viewer?.id === id;
    return {
      title: member.username,
      member: { ...member, rankName: rankNames[member.rank] },
      facts: { ...facts, readingMinutes: Math.round(facts.readingSeconds / 60) },
      standing,
      invites,
      posts,
      raised,
      against,
      sanctions: sanctions.map((s) => sanctionView(s, now)),
      roleOptions: roles.map((r) => ({ value: r, selected: r === member.role })),
      canSanction: !member.deleted_at && canSanction(req.viewer, member),
      // An admin deletes their own account from /account, where the password is asked again.
      canDelete: !member.deleted_at && !isSelf,
      isSelf,
    };
  }

  app.get('/members/:id', { schema: { params: idParams } }, async (req, reply) => {
    return reply.page('admin/member', { ...(await memberPage(req, req.params.id)), values: {}, errors: {} });
  });

  app.post(
    '/members/:id/delete',
    {
      schema: {
        params: idParams,
        body: {
          type: 'object',
          required: ['posts'],
          properties: { posts: { type: 'string', enum: ['anonymise', 'remove'] }, confirm: confirmBox, reason: text(500), _csrf: csrfField },
        },
      },
      config: {
        form: {
          template: 'admin/member',
          title: 'Member',
          load: async (req: FastifyRequest) => (can(req.viewer, 'view admin') ? memberPage(req, sentId(req.params)) : {}),
        },
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      if (id === req.viewer!.id) throw new HttpError(422, 'Delete your own account from your account page, with your password.');
      if (!req.body.confirm) throw invalid({ confirm: 'Tick the box to confirm: the account cannot be brought back.' }, 'The member was not deleted.');
      const done = await deleteMember(app.db, { userId: id, by: req.viewer!.id, posts: req.body.posts as PostsChoice, at: app.now(), reason: (req.body.reason ?? '').trim() });
      if (!done) throw notFound('That member');
      await eraseUploadsAfter(app.db, app.uploads, req.log, id);
      const said = req.body.posts === 'remove'
        ? `${done.username}'s account is deleted, and their posts removed.`
        : `${done.username}'s account is deleted; their posts are kept under "deleted member".`;
      return answer(req, reply, { redirect: `/admin/members/${id}`, flash: said });
    },
  );
};

export interface OwnDataOptions {
  /** Password attempts are limited as sign-in attempts are. */
  limits: { loginPerMinute: number };
}

export const ownData: FastifyPluginAsyncJsonSchemaToTs<{ Options: OwnDataOptions }> = async (app, opts) => {
  // Counted per member, as the password change is (server/account/routes.ts).
  const rateLimit = {
    max: opts.limits.loginPerMinute,
    timeWindow: 60 * 1000,
    keyGenerator: (req: FastifyRequest) => (req.session.userId ? `member:${req.session.userId}` : req.ip),
  };
  const exportForm = { template: 'members/export', title: 'Download your data', secret: ['password'], load: async () => ({}) };
  const deleteForm = { template: 'members/delete', title: 'Delete your account', secret: ['password'], load: async () => ({}) };

  /** The password asked again: a wrong one is refused beside its field. */
  async function confirmPassword(viewerId: number, password: string, refused: string) {
    const hash = await passwordHashOf(app.db, viewerId);
    if (!hash || !(await verifyPassword(hash, password))) throw invalid({ password: 'That is not your password.' }, refused);
  }

  app.get('/account/export', { preHandler: signInFirst }, async (_req, reply) => reply.page(exportForm.template, { title: exportForm.title, values: {}, errors: {} }));

  app.post(
    '/account/export',
    {
      schema: { body: { type: 'object', required: ['password'], properties: { password: text(4096), _csrf: csrfField } } },
      config: { form: exportForm, rateLimit },
    },
    async (req, reply) => {
      const viewer = requireViewer(req);
      await confirmPassword(viewer.id, req.body.password, 'Your data was not downloaded.');
      const at = app.now();
      await logAction(app.db, { actorId: viewer.id, action: 'user.export', target: { type: 'user', id: viewer.id, label: viewer.username }, at });
      const day = at.toISOString().slice(0, 10);
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="hearth-${viewer.username}-${day}.json"`)
        .header('cache-control', 'no-store')
        .send(ownDataStream(app.db, viewer.id, at));
    },
  );

  app.get('/account/delete', { preHandler: signInFirst }, async (_req, reply) => reply.page(deleteForm.template, { title: deleteForm.title, values: {}, errors: {} }));

  app.post(
    '/account/delete',
    {
      schema: { body: { type: 'object', required: ['password'], properties: { password: text(4096), confirm: confirmBox, _csrf: csrfField } } },
      config: { form: deleteForm, rateLimit },
    },
    async (req, reply) => {
      const viewer = requireViewer(req);
      const refused = 'Your account was not deleted.';
      if (!req.body.confirm) throw invalid({ confirm: 'Tick the box to confirm: your account cannot be brought back.' }, refused);
      await confirmPassword(viewer.id, req.body.password, refused);
      if (viewer.role === 'admin' && (await adminCount(app.db)) <= 1) {
        throw new HttpError(422, 'You are the only administrator; make someone else an admin first.');
      }
      const done = await deleteMember(app.db, { userId: viewer.id, by: viewer.id, posts: 'anonymise', at: app.now() });
      if (!done) throw notFound('That member');
      await eraseUploadsAfter(app.db, app.uploads, req.log, viewer.id);
      return signedOut(req, reply);
    },
  );

  /** The session's row went with the account; the cookie goes too. */
  async function signedOut(req: FastifyRequest, reply: FastifyReply) {
    await req.session.destroy();
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return answer(req, reply, { redirect: '/', flash: 'Your account is deleted. Your posts stay, under "deleted member". Goodbye.' });
  }
};
