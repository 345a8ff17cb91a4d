// Where uploads' bytes are kept, behind one small interface: a folder on this machine's disk
// (DATA_DIR/uploads, the default), or an S3-compatible bucket (S3_URL), which is what several
// processes on several machines share. Keys are made by server/uploads/rules.ts (a hash and an
// extension), so a key is always a safe file name. Avatars keep their images here too.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { S3Config, UploadStorageConfig } from '../config.ts';

/** What is put: bytes in memory (a re-encoded image) or a file on disk (a checked upload). */
export type StoredBody = { bytes: Buffer } | { file: string; size: number };

export interface UploadStorage {
  put(key: string, body: StoredBody, contentType: string): Promise<void>;
  /** The bytes as a stream, or null when nothing is kept under the key. */
  get(key: string): Promise<Readable | null>;
  /** Removing a key that is not there is not an error: the sweep may meet one twice. */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
}

const KEY = /^[0-9a-f]{40}(\.thumb)?\.[a-z0-9]{1,5}$/;

function checkedKey(key: string): string {
  // The keys come from our own rows, but a key is also a path on disk: never a `..`.
  if (!KEY.test(key)) throw new Error(`uploads: not a storage key: ${JSON.stringify(key)}`);
  return key;
}

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

export class DiskStorage implements UploadStorage {
  constructor(readonly dir: string) {}

  private pathOf(key: string) {
    return path.join(this.dir, checkedKey(key));
  }

  async put(key: string, body: StoredBody, _contentType: string) {
    const target = this.pathOf(key);
    await mkdir(this.dir, { recursive: true });
    // Written beside its place and renamed into it, so a reader never meets half a file.
    const partial = `${target}.${randomUUID()}.part`;
    try {
      const source = 'bytes' in body ? Readable.from([body.bytes]) : createReadStream(body.file);
      await pipeline(source, createWriteStream(partial, { mode: 0o640 }));
      await rename(partial, target);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
  }

  async get(key: string) {
    const file = this.pathOf(key);
    try {
      await stat(file);
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    return createReadStream(file);
  }

  async delete(key: string) {
    await rm(this.pathOf(key), { force: true });
  }

  async exists(key: string) {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }
}

const notThere = (err: unknown) =>
  err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata.httpStatusCode === 404);

export class S3Storage implements UploadStorage {
  readonly client: S3Client;

  constructor(readonly config: S3Config) {
    this.client = new S3Client({
      endpoint: config.endpoint,
      region: config.region,
      // Path-style addresses (HOST/BUCKET/KEY): what every S3-compatible server answers.
      forcePathStyle: true,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      // Checksums on every request are newer than many compatible servers; sent when asked for.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(key: string, body: StoredBody, contentType: string) {
    const Body = 'bytes' in body ? body.bytes : createReadStream(body.file);
    const ContentLength = 'bytes' in body ? body.bytes.length : body.size;
    await this.client.send(new PutObjectCommand({ Bucket: this.config.bucket, Key: checkedKey(key), Body, ContentLength, ContentType: contentType }));
  }

  async get(key: string) {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: checkedKey(key) }));
      return answer.Body instanceof Readable ? answer.Body : null;
    } catch (err) {
      if (notThere(err)) return null;
      throw err;
    }
  }

  async delete(key: string) {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: checkedKey(key) }));
  }

  async exists(key: string) {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: checkedKey(key) }));
      return true;
    } catch (err) {
      if (notThere(err)) return false;
      throw err;
    }
  }
}

export function openStorage(config: UploadStorageConfig): UploadStorage {
  return config.kind === 's3' ? new S3Storage(config) : new DiskStorage(config.dir);
}

/**
 * The storage an app is built with: the configured one, or (tests, which name none) a folder
 * of its own under the system's temporary folder, removed when the app closes.
 */
export async function storageFor(config: UploadStorageConfig | undefined): Promise<{ storage: UploadStorage; close: () => Promise<void> }> {
  if (config) return { storage: openStorage(config), close: async () => {} };
  const dir = await mkdtemp(path.join(tmpdir(), 'hearth-uploads-'));
  return { storage: new DiskStorage(dir), close: () => rm(dir, { recursive: true, force: true }) };
}
