// A member's profile and avatar: what the account page shows of them, and their writes.
import type { Db } from '../db/index.ts';
import type { ProfileInput } from './rules.ts';

export function profileOf(db: Db, userId: number) {
  return db
    .selectFrom('users')
    .select(['username', 'display_name', 'bio', 'location', 'website', 'avatar'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
}

/**
 * One update, so the source and its HTML never disagree. The row's change announces user:<id>
 * (migrations/0024: the profile page), author:<id> when the display name changed (0039: the
 * thread pages showing their posts), and marks the member due for the badge rules when the bio
 * changed (0029).
 */
export async function saveProfile(db: Db, userId: number, profile: ProfileInput, bioCooked: string) {
  await db
    .updateTable('users')
    .set({ display_name: profile.display_name, bio: profile.bio, bio_cooked: bioCooked, location: profile.location, website: profile.website })
    .where('id', '=', userId)
    .execute();
}

/** Sets (or, with null, removes) the member's uploaded avatar; the hash it had before, for its images to go. */
export async function setAvatar(db: Db, userId: number, hash: string | null): Promise<string | null> {
  return db.transaction().execute(async (tx) => {
    const before = await tx.selectFrom('users').select('avatar').where('id', '=', userId).forUpdate().executeTakeFirstOrThrow();
    await tx.updateTable('users').set({ avatar: hash }).where('id', '=', userId).execute();
    return before.avatar;
  });
}

/** Whether any member still shows this avatar (two members may upload the same picture). */
export async function avatarInUse(db: Db, hash: string): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').where('avatar', '=', hash).limit(1).executeTakeFirst();
  return row !== undefined;
}
