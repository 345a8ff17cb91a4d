// Images are decoded and encoded again with sharp before they are kept: what was in the file
// besides its pixels (EXIF with the GPS position, comments, a script glued on behind the image
// data of a polyglot file) does not survive, the picture is turned upright from its EXIF
// orientation, and it is made no wider than a page shows. Shared by post uploads and avatars.
import sharp, { type Sharp } from 'sharp';
import { HttpError } from '../errors.ts';

export interface ImageOptions {
  /** Wider images are scaled down to this width. */
  maxWidth: number;
  /** The thumbnail's width (none when 0); a square `cover` crop when `square`. */
  thumbWidth: number;
  square?: boolean;
  /** Decoding stops past this many pixels: a small file can unpack into gigabytes (a decompression bomb). */
  maxPixels: number;
}

export const postImages: ImageOptions = { maxWidth: 1920, thumbWidth: 400, maxPixels: 50_000_000 };

export interface EncodedImage {
  bytes: Buffer;
  width: number;
  height: number;
}

/** The format written: each kept as it came, so that a PNG's transparency and a GIF stay what they were. */
type Format = 'jpeg' | 'png' | 'webp' | 'gif';

function encode(image: Sharp, format: Format) {
  switch (format) {
    case 'jpeg':
      return image.jpeg({ quality: 85, mozjpeg: true });
    case 'png':
      return image.png({ compressionLevel: 9 });
    case 'webp':
      return image.webp({ quality: 85 });
    case 'gif':
      return image.gif();
  }
}

/**
 * The image re-encoded (and its thumbnail), from a file or bytes; an HttpError (422) when it
 * cannot be read as an image or has too many pixels. The output holds no metadata: sharp keeps
 * none unless asked (withMetadata), and nothing here asks.
 */
export async function reencodeImage(input: string | Buffer, format: Format, opts: ImageOptions): Promise<{ image: EncodedImage; thumb: EncodedImage | null }> {
  // One frame: an animated GIF is kept as its first picture (frames multiply the pixels decoded).
  const source = () => sharp(input, { limitInputPixels: opts.maxPixels, failOn: 'error', animated: false }).rotate();
  try {
    const meta = await sharp(input, { limitInputPixels: opts.maxPixels }).metadata();
    if (!meta.width || !meta.height) throw new HttpError(422, 'This image could not be read: it may be damaged.');
    const full = await encode(source().resize({ width: opts.maxWidth, withoutEnlargement: true }), format).toBuffer({ resolveWithObject: true });
    const thumb = opts.thumbWidth
      ? await encode(
          source().resize(opts.square ? { width: opts.thumbWidth, height: opts.thumbWidth, fit: 'cover' } : { width: opts.thumbWidth, withoutEnlargement: true }),
          format,
        ).toBuffer({ resolveWithObject: true })
      : null;
    return {
      image: { bytes: full.data, width: full.info.width, height: full.info.height },
      thumb: thumb && { bytes: thumb.data, width: thumb.info.width, height: thumb.info.height },
    };
  } catch (err) {
    if (err instanceof HttpError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (/pixel limit/i.test(message)) {
      throw new HttpError(413, `This image has too many pixels (at most ${Math.round(opts.maxPixels / 1_000_000)} million): please make it smaller and upload it again.`);
    }
    throw new HttpError(422, 'This image could not be read: it may be damaged, or not the image its content starts like.');
  }
}
