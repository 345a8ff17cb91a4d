// An uploaded avatar's images: the file is decided from its content (an image, never an SVG),
// decoded and encoded again by the uploads' image code (no metadata survives, a polyglot file's
// extra bytes neither), cropped square at the centre, and kept at each size pages show, in the
// uploads' storage, under keys derived from the hash of the largest image.
import { createHash } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { detectUpload } from '../uploads/inspect.ts';
import { reencodeImage, type ImageOptions } from '../uploads/images.ts';
import type { UploadStorage } from '../uploads/storage.ts';
import { AVATAR_SIZES, avatarStorageKey, type AvatarSize } from '../views/avatars.ts';

/** A small picture needs no more: a photo from a phone is a few million pixels. */
const MAX_PIXELS = 40_000_000;

const square = (size: number): ImageOptions => ({ maxWidth: size, thumbWidth: size, square: true, maxPixels: MAX_PIXELS });

/** The avatar's images by size, and the hash that names them; a 4xx HttpError when the file is not an image that may be an avatar. */
export async function avatarImages(file: string, name: string): Promise<{ hash: string; images: Map<AvatarSize, Buffer> }> {
  await detectUpload(file, name, ['image']);
  const largest = AVATAR_SIZES[AVATAR_SIZES.length - 1];
  const { thumb } = await reencodeImage(file, 'webp', square(largest));
  const images = new Map<AvatarSize, Buffer>([[largest, thumb!.bytes]]);
  // The smaller ones from the largest, already square: one decoding of the upload.
  for (const size of AVATAR_SIZES.slice(0, -1)) images.set(size, (await reencodeImage(thumb!.bytes, 'webp', square(size))).thumb!.bytes);
  return { hash: createHash('sha1').update(thumb!.bytes).digest('hex'), images };
}

export async function storeAvatar(storage: UploadStorage, hash: string, images: Map<AvatarSize, Buffer>) {
  for (const [size, bytes] of images) await storage.put(avatarStorageKey(hash, size), { bytes }, 'image/webp');
}

/** Removes an avatar's images no member shows any more; a failure is logged, as the images are only unreferenced bytes then. */
export async function removeAvatarImages(storage: UploadStorage, hash: string, log: FastifyBaseLogger) {
  try {
    for (const size of AVATAR_SIZES) await storage.delete(avatarStorageKey(hash, size));
  } catch (err) {
    log.warn({ err, hash }, 'avatars: could not remove the images of an avatar no longer shown');
  }
}
