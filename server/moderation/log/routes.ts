// /mod/log: the staff action log, newest first, filterable by actor, action and target. Open to
// moderators and above; members are refused, guests asked to sign in. A plain GET form, so a
// filtered page has an address to share and works with JavaScript off.
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { text } from '../../schemas.ts';
import { requireRight } from '../../sessions/guards.ts';
import { actorByUsername, staffLogLines } from './queries.ts';
import { changeLines, LOG_PAGE, logTargetTypes, logTime, logUrl, readLogQuery, targetHref } from './rules.ts';

// Generous bounds: readLogQuery gives the real rules with a message beside the field.
const logQuerystring = {
  type: 'object',
  properties: { actor: text(200), action: text(200), target: text(200), before: text(40) },
} as const;

export const staffLog: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.get('/', { schema: { querystring: logQuerystring }, preValidation: requireRight('see staff log', 'The staff log is open to moderators and above.') }, async (req, reply) => {
    const { values, filters, errors } = readLogQuery(req.query);
    const actor = filters.actor ? await actorByUsername(app.db, filters.actor) : undefined;
    if (filters.actor && !actor) errors.actor = `No member is called "${filters.actor}".`;

    const form = { title: 'Staff log', values, errors, targetHint: `A kind (${logTargetTypes.join(', ')}), optionally with an id: post:12.` };
    if (Object.keys(errors).length) {
      return reply.page('moderation/log', { ...form, lines: [], error: errors.before ?? 'Please correct the marked filters.' }, 422);
    }
    const rows = await staffLogLines(app.db, { actorId: actor?.id, action: filters.action, target: filters.target, before: filters.before }, LOG_PAGE + 1);
    const lines = rows.slice(0, LOG_PAGE).map((l) => ({
      id: l.id,
      when: logTime(l.created_at),
      created_at: l.created_at,
      actor: l.actor,
      action: l.action,
      targetType: l.target_type,
      targetId: l.target_id,
      label: l.target_label || (l.target_id !== null ? `#${l.target_id}` : ''),
      targetHref: targetHref(l),
      // Every line about the same target: its history at a glance.
      targetHistory: logUrl({ target: l.target_id !== null ? `${l.target_type}:${l.target_id}` : l.target_type }),
      changes: changeLines(l.before, l.after),
      reason: l.reason,
    }));
    const last = lines.at(-1);
    return reply.page('moderation/log', {
      ...form,
      lines,
      filtered: Boolean(values.actor || values.action || values.target),
      next: rows.length > LOG_PAGE && last ? logUrl(values, last.id) : null,
      newest: filters.before !== undefined ? logUrl(values) : null,
    });
  });
};
