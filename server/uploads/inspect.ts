// What an uploaded file is, decided from its content and never from its name or the type the
// browser declared: npm file-type reads the first bytes' signatures; a file with none that is
// valid UTF-8 is plain text. An SVG (text that is an image, and can carry script) is refused, and
// so is a zip whose central directory declares more than the limit unpacked (read with yauzl,
// which reads only that directory; nothing is extracted).
import { createReadStream } from 'node:fs';
import { fileTypeFromFile } from 'file-type';
import yauzl from 'yauzl';
import { HttpError } from '../errors.ts';
import { detectedTypes, kindNames, MB, nameMismatch, plainText, uploadKinds, type Detected } from './rules.ts';
import type { UploadKind } from '../db/schema.ts';

const allowedList = (allowed: readonly UploadKind[]) => uploadKinds.filter((k) => allowed.includes(k)).map((k) => kindNames[k]).join(', ');

export const refusedKind = (what: string, allowed: readonly UploadKind[]) =>
  new HttpError(415, `${what} cannot be uploaded here. Allowed: ${allowedList(allowed) || 'nothing (uploads are turned off)'}.`);

const svgRefusal = () => new HttpError(415, 'SVG images cannot be uploaded: an SVG can carry script. Please upload it as a PNG or JPEG instead.');

/** Whether the whole file is UTF-8 text without NUL bytes (and so no binary format file-type missed). */
async function isText(file: string): Promise<{ text: boolean; head: string }> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let head = '';
  try {
    for await (const chunk of createReadStream(file)) {
      const bytes = chunk as Buffer;
      if (bytes.includes(0)) return { text: false, head };
      const decoded = decoder.decode(bytes, { stream: true });
      if (head.length < 4096) head += decoded.slice(0, 4096 - head.length);
    }
    decoder.decode();
    return { text: true, head };
  } catch (err) {
    if (err instanceof TypeError) return { text: false, head };
    throw err;
  }
}

/** An SVG document, whatever it is named: `<svg` near the start, after an XML declaration, comments or a doctype. */
const looksLikeSvg = (head: string) => /^\uFEFF?\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/i.test(head) || /<svg[\s>][\s\S]*xmlns=["']http:\/\/www\.w3\.org\/2000\/svg/i.test(head);

/** The file's type, from its content; refused (4xx) when it is not one that may be uploaded or its name says otherwise. */
export async function detectUpload(file: string, name: string, allowed: readonly UploadKind[]): Promise<Detected> {
  const found = await fileTypeFromFile(file);
  let detected: Detected | undefined;
  // An SVG starting with an XML declaration is found as XML: looked into like any text.
  if (found && !/^(application|text)\/xml$/.test(found.mime)) {
    if (found.mime === 'image/svg+xml') throw svgRefusal();
    detected = detectedTypes[found.mime];
    if (!detected) throw refusedKind(`This file's content is ${found.mime} (.${found.ext}), which`, allowed);
  } else {
    const { text, head } = await isText(file);
    if (!text) throw refusedKind('A file of a kind that could not be recognised', allowed);
    if (looksLikeSvg(head) || /\.svgz?$/i.test(name)) throw svgRefusal();
    detected = plainText;
  }
  const mismatch = nameMismatch(name, detected);
  if (mismatch) throw new HttpError(415, mismatch);
  if (!allowed.includes(detected.kind)) throw refusedKind(`${detected.label[0].toUpperCase()}${detected.label.slice(1)}`, allowed);
  return detected;
}

/** At most this many entries: a directory of millions of empty files is a bomb of another kind. */
const MAX_ZIP_ENTRIES = 10_000;

/**
 * Refuses (413/422) a zip whose central directory declares more than `maxMb` unpacked, or more
 * entries than anyone attaches to a post; reads that directory only.
 */
export async function checkZip(file: string, maxMb: number): Promise<void> {
  const limit = maxMb * MB;
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (err, z) => (err || !z ? reject(err) : resolve(z))),
  ).catch((err: unknown) => {
    throw new HttpError(422, `This zip archive could not be read (${err instanceof Error ? err.message : 'damaged'}).`);
  });
  try {
    if (zip.entryCount > MAX_ZIP_ENTRIES) throw new HttpError(413, `This zip archive holds ${zip.entryCount} files; at most ${MAX_ZIP_ENTRIES} may be uploaded.`);
    let total = 0;
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        total += entry.uncompressedSize;
        if (total > limit) {
          reject(new HttpError(413, `This zip archive would unpack to more than ${maxMb} MB, the most an archive may hold. Please split it or upload less.`));
          return;
        }
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', (err: Error) => reject(new HttpError(422, `This zip archive could not be read (${err.message}).`)));
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}
