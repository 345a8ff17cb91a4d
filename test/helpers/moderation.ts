// A moderation test's starting point: an app on a clock the test moves, a moderator signed in,
// and a member for them to act on.
import type { Test } from 'tap';
import { testApp } from './app.ts';

export async function moderationSetup(t: Test) {
  let clock = new Date();
  const env = await testApp(t, { now: () => clock });
  const moderator = await env.make.member({ role: 'moderator', rank: 2 });
  const member = await env.make.member({ rank: 2 });
  const mod = await env.signIn(moderator);
  return {
    ...env,
    moderator,
    member,
    mod,
    now: () => clock,
    /** Moves the clock on by `ms` and answers the new time. */
    advance: (ms: number) => (clock = new Date(clock.getTime() + ms)),
  };
}
