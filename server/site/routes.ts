// The site banner's pages: /admin/banner, where brand staff and admins publish one (markdown,
// an optional end) or remove it, and /banner/dismiss, where each reader hides it for themselves.
// Publishing and removing are written to the staff log with the change (server/site/banner.ts).
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalid } from '../errors.ts';
import { can } from '../permissions.ts';
import { csrfField, emptyForm, text } from '../schemas.ts';
import { requireRight } from '../sessions/guards.ts';
import { safeNext } from '../accounts/rules.ts';
import { formatMoment, parseMoment } from '../text/moments.ts';
import { answer } from '../views/index.ts';
import { BANNER_COOKIE, BANNER_MAX, currentBanner, dismissForMember, publishBanner, removeBanner } from './banner.ts';
import { bannerInForce } from './site.ts';

const STAFF_ONLY = 'The site banner is published by brand staff and administrators.';
/** A guest's dismissal is remembered this long: longer than any banner is likely to run. */
const COOKIE_DAYS = 365;

const bannerBody = {
  type: 'object',
  properties: { _csrf: csrfField, body: text(BANNER_MAX * 2), ends_at: text(40) },
} as const;

const dismissFields = { banner_id: text(20), return_to: text(2000) } as const;
const dismissBody = { type: 'object', properties: { _csrf: csrfField, ...dismissFields } } as const;
const dismissQuery = { type: 'object', properties: dismissFields } as const;

/** The banner form's fields read, or the message beside each that is wrong. */
export function readBannerForm(form: { body?: string; ends_at?: string }, now: Date) {
  const errors: Record<string, string> = {};
  const body = (form.body ?? '').replace(/\r\n?/g, '\n').trim();
  if (body === '') errors.body = 'Write what the banner says.';
  else if (body.length > BANNER_MAX) errors.body = `At most ${BANNER_MAX} characters (this is ${body.length}).`;
  let endsAt: Date | null = null;
  const end = (form.ends_at ?? '').trim();
  if (end !== '') {
    endsAt = parseMoment(end);
    if (!endsAt) errors.ends_at = 'Enter a date, like 2026-12-31, or a date and time in UTC, like 2026-12-31T18:00.';
    else if (endsAt <= now) errors.ends_at = 'The end must be in the future.';
  }
  return { body, endsAt, errors };
}

export const siteBanner: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const guard = requireRight('publish banner', STAFF_ONLY);

  /** What the banner page shows around its form: the banner in force. Nothing for those who may not see it. */
  async function bannerPage(req: FastifyRequest) {
    if (!can(req.viewer, 'publish banner')) return { current: null };
    const banner = await currentBanner(app.db);
    const now = app.now();
    return {
      current: banner && {
        ...banner,
        ended: bannerInForce(banner, now) === null,
        endsText: banner.endsAt && formatMoment(banner.endsAt),
      },
    };
  }
  const bannerForm = { template: 'site/banner', title: 'Site banner', load: bannerPage };

  app.get('/admin/banner', { preValidation: guard }, async (req, reply) =>
    reply.page(bannerForm.template, { title: bannerForm.title, ...(await bannerPage(req)), values: {}, errors: {} }),
  );

  app.post('/admin/banner', { preValidation: guard, schema: { body: bannerBody }, config: { form: bannerForm } }, async (req, reply) => {
    const now = app.now();
    const { body, endsAt, errors } = readBannerForm(req.body, now);
    if (Object.keys(errors).length) throw invalid(errors);
    await publishBanner(app.db, { body, endsAt, by: req.viewer!.id, at: now });
    return answer(req, reply, { redirect: '/admin/banner', flash: endsAt ? `The banner is up until ${formatMoment(endsAt)}.` : 'The banner is up.' });
  });

  app.post('/admin/banner/remove', { preValidation: guard, schema: { body: emptyForm } }, async (req, reply) => {
    const removed = await removeBanner(app.db, req.viewer!.id, app.now());
    return answer(req, reply, { redirect: '/admin/banner', flash: removed ? 'The banner is removed.' : 'There was no banner to remove.' });
  });

  /**
   * Dismisses the banner for this reader: on a member's row, in a guest's cookie. Only the banner
   * in force can be dismissed (an old page's form changes nothing). With htmx the banner goes in
   * place (an empty answer); without, back to the page the reader was on.
   */
  async function dismiss(req: FastifyRequest, reply: FastifyReply, form: { banner_id?: string; return_to?: string }) {
    const banner = bannerInForce((await app.site.get()).banner, app.now());
    const id = Number(form.banner_id);
    if (banner && banner.id === id) {
      if (req.viewer) await dismissForMember(app.db, req.viewer.id, id);
      else {
        reply.setCookie(BANNER_COOKIE, String(id), {
          // Marked Secure under an https BASE_URL with every other cookie (server/sessions).
          path: '/', httpOnly: true, sameSite: 'lax', maxAge: COOKIE_DAYS * 24 * 60 * 60,
        });
      }
    }
    reply.header('Vary', 'HX-Request');
    if (req.headers['hx-request'] === 'true') return reply.code(200).type('text/html; charset=utf-8').send('');
    return reply.redirect(safeNext(form.return_to), 303);
  }

  app.post('/banner/dismiss', { schema: { body: dismissBody } }, async (req, reply) => dismiss(req, reply, req.body));

  // A guest's kept page holds no token (server/cache/guest-pages.ts), so its dismiss button asks
  // here: the guest's own cookie is all it changes. A member's pages post with their token; one
  // who comes here anyway gets that form.
  app.get('/banner/dismiss', { schema: { querystring: dismissQuery } }, async (req, reply) => {
    if (!req.viewer) return dismiss(req, reply, req.query);
    return reply.page('site/dismiss', { title: 'Dismiss the banner', values: { banner_id: req.query.banner_id ?? '', return_to: safeNext(req.query.return_to) } });
  });
};
