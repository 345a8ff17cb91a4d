// The pure rules of categories and invites: reading by name, archiving, the roles an invite gives.
import t from 'tap';
import { canReadCategory, canStartThread, inviteRoles, replyRefusal, startThreadRefusal, type Viewer } from '../../server/permissions.ts';
import { inviteRefusal } from '../../server/invites/queries.ts';

const viewer = (role: Viewer['role'], rank = 1, memberOf?: number[]): Viewer => ({ id: 1, username: 'someone', role, rank, memberOf });
const staffRoom = { read_role: 'staff' as const, read_rank: 0, post_role: 'member' as const, post_rank: 0, category_id: 7 };

t.test('a member let in by name reads a private category; nobody else gains by it', async (t) => {
  t.notOk(canReadCategory(viewer('member'), staffRoom));
  t.ok(canReadCategory(viewer('member', 0, [7]), staffRoom), 'let in by name, whatever the role and rank');
  t.notOk(canReadCategory(viewer('member', 1, [8]), staffRoom), 'another category\'s name does not open this one');
  t.notOk(canReadCategory(viewer('member', 1, [7]), { ...staffRoom, category_id: undefined }), 'without the id, by role and rank alone');
  t.notOk(canReadCategory(null, staffRoom), 'guests never');
  t.ok(canReadCategory(viewer('staff'), staffRoom));
  t.notOk(canReadCategory(viewer('moderator'), staffRoom), 'a staff room is closed to moderators');
  t.ok(canReadCategory(viewer('moderator'), { ...staffRoom, read_role: 'moderator' }));
  // Let in to read, a member posts by the category's posting rule.
  t.ok(canStartThread(viewer('member', 1, [7]), staffRoom));
  t.notOk(canStartThread(viewer('member', 1, [7]), { ...staffRoom, post_role: 'staff' }));
});

t.test('an archived category takes no new threads and no replies, from anyone', async (t) => {
  const now = new Date();
  const archived = { read_role: null, read_rank: 0, post_role: 'member' as const, post_rank: 0, archived_at: now };
  for (const role of ['member', 'moderator', 'admin'] as const) {
    t.notOk(canStartThread(viewer(role), archived), `${role}: no new thread`);
    t.equal(startThreadRefusal(viewer(role), archived)?.statusCode, 409);
    const thread = { deleted_at: null, locked_at: null, closes_at: null, slow_mode_seconds: 0, category_archived_at: now };
    t.equal(replyRefusal(viewer(role), thread, now)?.statusCode, 409, `${role}: no reply`);
    t.equal(replyRefusal(viewer(role), { ...thread, category_archived_at: null }, now), null, `${role}: replies once unarchived`);
  }
});

t.test('an invite gives a role up to its maker\'s own', async (t) => {
  t.same(inviteRoles(null), []);
  t.same(inviteRoles(viewer('member')), []);
  t.same(inviteRoles(viewer('moderator')), []);
  t.same(inviteRoles(viewer('staff')), ['member', 'moderator', 'staff']);
  t.same(inviteRoles(viewer('admin')), ['member', 'moderator', 'staff', 'admin']);
});

t.test('an invite is usable until it expires, is used up or revoked', async (t) => {
  const now = new Date('2026-06-01T12:00:00Z');
  const open = { expires_at: new Date('2026-06-02T12:00:00Z'), max_uses: 2, used_count: 1, revoked_at: null };
  t.equal(inviteRefusal(open, now), null);
  t.match(inviteRefusal({ ...open, expires_at: now }, now), 'expired', 'expired at its very moment');
  t.match(inviteRefusal({ ...open, used_count: 2 }, now), 'used as many times');
  t.match(inviteRefusal({ ...open, revoked_at: now }, now), 'not valid');
  t.match(inviteRefusal(undefined, now), 'not valid');
});
