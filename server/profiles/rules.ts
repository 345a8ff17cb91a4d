// A member's profile, as pure functions: the profile form's limits and messages. What avatars
// look like and where they are is server/views/avatars.ts, below the pages that show them.

export const DISPLAY_NAME_MAX = 50;
export const BIO_MAX = 2000;
export const LOCATION_MAX = 100;
export const WEBSITE_MAX = 300;

export interface ProfileInput {
  display_name: string;
  bio: string;
  location: string;
  website: string;
}

/** The fields as they are kept: trimmed, line ends made one kind. */
export function cleanProfile(input: Partial<ProfileInput>): ProfileInput {
  const line = (v: string | undefined) => (v ?? '').replace(/\s+/g, ' ').trim();
  return {
    display_name: line(input.display_name),
    bio: (input.bio ?? '').replace(/\r\n?/g, '\n').trim(),
    location: line(input.location),
    website: (input.website ?? '').trim(),
  };
}

/** A website as a link may point at it: http(s) only (never javascript:, data: or a relative path), with a host. */
export function websiteError(website: string): string | null {
  if (!website) return null;
  if (website.length > WEBSITE_MAX) return `At most ${WEBSITE_MAX} characters.`;
  let url: URL;
  try {
    url = new URL(website);
  } catch {
    return 'A website is a full address starting with https:// (or http://).';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'A website is a full address starting with https:// (or http://).';
  if (!url.hostname || !url.hostname.includes('.')) return 'This address has no site name in it (like https://example.com).';
  if (url.username || url.password) return 'A website address may not carry a user name or password.';
  return null;
}

/** Each field's refusal, if any: nothing is saved while there is one. */
export function profileErrors(p: ProfileInput): Record<string, string> {
  const errors: Record<string, string> = {};
  if ([...p.display_name].length > DISPLAY_NAME_MAX) errors.display_name = `At most ${DISPLAY_NAME_MAX} characters.`;
  // Control characters would show as nothing, or shift what follows (bidirectional overrides).
  else if (/[\p{Cc}\u202a-\u202e\u2066-\u2069]/u.test(p.display_name)) errors.display_name = 'A display name may not hold control characters.';
  if ([...p.bio].length > BIO_MAX) errors.bio = `At most ${BIO_MAX} characters (this is ${[...p.bio].length}).`;
  if ([...p.location].length > LOCATION_MAX) errors.location = `At most ${LOCATION_MAX} characters.`;
  const website = websiteError(p.website);
  if (website) errors.website = website;
  return errors;
}

/**
 * A completed profile, the fact the "Introduced" badge reads (server/badges/definitions.ts): the
 * member wrote something about themselves. A name or a place alone says little; the bio is
 * where they introduce themselves. Kept in step with that rule's SQL (`length(btrim(bio)) > 0`).
 */
export const profileCompleted = (p: { bio: string }) => p.bio.trim().length > 0;
