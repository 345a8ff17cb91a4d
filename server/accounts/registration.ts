// Who may register (the registration_mode setting, /admin/settings): anyone; only someone holding
// an invite; or no one new, where an invite an admin or staff member sent still lets its invitee
// in. Pure: the register route and the invite's page ask it with what they know.
import type { Settings } from '../moderation/settings/queries.ts';

export type RegistrationMode = Settings['registration_mode'];

export const INVITE_ONLY = 'Registration here is by invitation only: open the invite link you were sent.';
export const CLOSED = 'Registration is closed for now. Members can still sign in.';

/** Why registering is refused under this mode, or null when it is not. */
export function registrationModeRefusal(mode: RegistrationMode, hasInvite: boolean): string | null {
  if (hasInvite) return null;
  if (mode === 'invite') return INVITE_ONLY;
  if (mode === 'closed') return CLOSED;
  return null;
}
