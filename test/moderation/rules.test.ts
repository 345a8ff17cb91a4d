import t from 'tap';
import type { Role } from '../../server/db/schema.ts';
import { flagReasonsFor, type Viewer } from '../../server/permissions.ts';
import { accuracyBonus, dailyFlagLimit, flagErrors, flagWeight, hidesAtOnce, hidesByScore } from '../../server/moderation/flags/rules.ts';
import { actionsFor, claimedByOther, flagOutcome, safeQueueAddress } from '../../server/moderation/queue/rules.ts';

t.test('a flag weighs 1 + rank (moderators and above 5) + the accuracy bonus', async (t) => {
  const cases: [string, Role, number, number, number, number][] = [
    // label, role, rank, agreed, disagreed, weight
    ['newcomer', 'member', 0, 0, 0, 1],
    ['member', 'member', 1, 0, 0, 2],
    ['contributor', 'member', 2, 0, 0, 3],
    ['advocate', 'member', 3, 0, 0, 4],
    ['ambassador', 'member', 4, 0, 0, 5],
    ['moderator', 'moderator', 0, 0, 0, 5],
    ['staff', 'staff', 1, 0, 0, 5],
    ['admin', 'admin', 4, 0, 0, 5],
    ['four resolved flags are too few to judge', 'member', 2, 4, 0, 3],
    ['five agreed of five: +2', 'member', 2, 5, 0, 5],
    ['exactly 70% agreed: no bonus', 'member', 2, 7, 3, 3],
    ['85% agreed: +1', 'member', 2, 17, 3, 4],
    ['35% agreed: −1', 'member', 2, 7, 13, 2],
    ['never agreed: −2', 'member', 2, 0, 10, 1],
    ['never agreed, newcomer: floor of 0.5', 'member', 0, 0, 10, 0.5],
    ['a moderator with a perfect record', 'moderator', 0, 10, 0, 7],
  ];
  for (const [label, role, rank, flagsAgreed, flagsDisagreed, weight] of cases) {
    t.equal(flagWeight({ role, rank, flagsAgreed, flagsDisagreed }), weight, label);
  }
});

t.test('the accuracy bonus', async (t) => {
  const cases: [number, number, number][] = [
    [0, 0, 0], [3, 1, 0], [5, 0, 2], [9, 1, 1.33], [7, 3, 0], [0, 5, -2], [1, 4, -1.43],
  ];
  for (const [agreed, disagreed, bonus] of cases) t.equal(accuracyBonus(agreed, disagreed), bonus, `${agreed} agreed, ${disagreed} disagreed`);
});

t.test('hiding: by score at the threshold, and at once for a spam flag from rank 3 or a moderator', async (t) => {
  const threshold = 8;
  const sum = (...ranks: number[]) => ranks.reduce((s, rank) => s + flagWeight({ role: 'member', rank, flagsAgreed: 0, flagsDisagreed: 0 }), 0);
  const cases: [string, number, boolean][] = [
    ['three contributors (rank 2)', sum(2, 2, 2), true],
    ['two members (rank 1)', sum(1, 1), false],
    ['two ambassadors (rank 4)', sum(4, 4), true],
    ['an advocate and a member', sum(3, 1), false],
    ['eight newcomers', sum(0, 0, 0, 0, 0, 0, 0, 0), true],
    ['seven newcomers', sum(0, 0, 0, 0, 0, 0, 0), false],
  ];
  for (const [label, score, hides] of cases) t.equal(hidesByScore(score, threshold), hides, label);
  t.equal(hidesByScore(100, 0), false, 'a threshold of 0 turns hiding by flags off');

  const atOnce: [string, Parameters<typeof hidesAtOnce>[0], Role, number, boolean][] = [
    ['spam from an advocate', 'spam', 'member', 3, true],
    ['spam from an ambassador', 'spam', 'member', 4, true],
    ['spam from a contributor', 'spam', 'member', 2, false],
    ['spam from a moderator of rank 0', 'spam', 'moderator', 0, true],
    ['offensive from an advocate', 'offensive', 'member', 3, false],
    ['off topic from a moderator', 'off_topic', 'moderator', 0, false],
  ];
  for (const [label, reason, role, rank, hides] of atOnce) t.equal(hidesAtOnce(reason, { role, rank }), hides, label);
});

t.test('who may raise which flags, and how many a day', async (t) => {
  const viewer = (rank: number, role: Role = 'member'): Viewer => ({ id: 1, username: 'x', role, rank });
  t.same(flagReasonsFor(null), []);
  t.same(flagReasonsFor(viewer(0)), ['spam'], 'newcomers flag spam only');
  t.same(flagReasonsFor(viewer(1)), ['spam', 'offensive', 'off_topic', 'other']);
  t.same(flagReasonsFor(viewer(0, 'moderator')), ['spam', 'offensive', 'off_topic', 'other']);
  const limits: [number, Role, number | null][] = [[0, 'member', 20], [1, 'member', 20], [2, 'member', 30], [3, 'member', 40], [4, 'member', 60], [0, 'moderator', null]];
  for (const [rank, role, limit] of limits) t.equal(dailyFlagLimit({ role, rank }), limit, `rank ${rank} ${role}`);
});

t.test('the flag form', async (t) => {
  const cases: [Record<string, string>, Record<string, string>][] = [
    [{ reason: 'spam' }, {}],
    [{ reason: 'off_topic', note: '' }, {}],
    [{ reason: 'other', note: '  ' }, { note: 'Tell the moderators what is wrong with this post.' }],
    [{ reason: 'other', note: 'Copied from elsewhere' }, {}],
    [{}, { reason: 'Choose why you are flagging this post.' }],
    [{ reason: 'boring' }, { reason: 'Choose why you are flagging this post.' }],
    [{ reason: 'spam', note: 'x'.repeat(1001) }, { note: 'Keep the note under 1000 characters.' }],
  ];
  for (const [input, errors] of cases) t.same(flagErrors(input), errors, JSON.stringify(input).slice(0, 60));
});

t.test('what a moderator may do with an item, and what it says of the flags', async (t) => {
  t.same(actionsFor({ kind: 'approval', state: 'pending' }), ['approve', 'edit_approve', 'reject'], 'no dismiss for a held post');
  t.same(actionsFor({ kind: 'flag', state: 'public' }), ['approve', 'edit_approve', 'hide', 'delete', 'dismiss']);
  t.same(actionsFor({ kind: 'flag', state: 'hidden', hiddenReason: 'flags' }), ['approve', 'edit_approve', 'hide', 'delete', 'dismiss']);
  t.same(actionsFor({ kind: 'flag', state: 'hidden', hiddenReason: 'moderator' }), ['approve', 'edit_approve', 'delete', 'dismiss']);
  t.same(actionsFor({ kind: 'flag', state: 'deleted' }), ['delete', 'dismiss']);
  t.same(actionsFor({ kind: 'appeal', state: null }), ['uphold', 'lift']);
  const outcomes: [Parameters<typeof flagOutcome>[0], string | null][] = [
    ['approve', 'disagreed'], ['dismiss', 'disagreed'], ['edit_approve', 'agreed'], ['hide', 'agreed'], ['delete', 'agreed'], ['reject', 'agreed'], ['lift', null],
  ];
  for (const [action, outcome] of outcomes) t.equal(flagOutcome(action), outcome, action);
});

t.test('claims lapse after 30 minutes; the address a form returns to stays in the queue', async (t) => {
  const now = new Date('2026-03-01T12:00:00Z');
  const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);
  t.equal(claimedByOther({ claimed_by: null, claimed_at: null }, 1, now), false);
  t.equal(claimedByOther({ claimed_by: 1, claimed_at: at(1) }, 1, now), false, 'one\'s own claim');
  t.equal(claimedByOther({ claimed_by: 2, claimed_at: at(29) }, 1, now), true);
  t.equal(claimedByOther({ claimed_by: 2, claimed_at: at(31) }, 1, now), false, 'a lapsed claim');
  for (const [back, expected] of [
    ['/mod', '/mod'], ['/mod?kind=flag&reason=spam', '/mod?kind=flag&reason=spam'], ['/mod/items/12', '/mod/items/12'],
    ['https://evil.example/mod', '/mod'], ['//evil.example', '/mod'], ['/modx', '/mod'], ['/mod/../admin', '/mod'], [undefined, '/mod'],
  ] as const) t.equal(safeQueueAddress(back), expected, String(back));
});
