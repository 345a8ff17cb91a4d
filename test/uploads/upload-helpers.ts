// Sending files as a browser would (multipart/form-data), from a test's signed-in Agent, and
// the files the tests send: made here, never read from elsewhere.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import type { Agent } from '../helpers/agent.ts';

export interface SentFile {
  name: string;
  bytes: Buffer;
  /** What the browser says it is (never believed). */
  type?: string;
}

/** A multipart body with these fields and, if given, the file in the field `file`. */
export function multipartBody(fields: Record<string, string>, file?: SentFile) {
  const boundary = `----hearth${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`));
    parts.push(file.bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

const cookieHeader = (agent: Agent) => [...agent.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');

/** Keeps the answer's cookies in the agent, as its own requests do. */
function remember(agent: Agent, res: LightMyRequestResponse) {
  for (const c of res.cookies as { name: string; value: string; maxAge?: number }[]) {
    if (c.maxAge === 0 || c.value === '') agent.cookies.delete(c.name);
    else agent.cookies.set(c.name, c.value);
  }
}

/**
 * POST /uploads from the agent (its CSRF token in the form, as the plain form sends it). `json`:
 * as the editor's script asks (Accept: application/json), else as a plain form.
 */
export async function upload(
  app: FastifyInstance,
  agent: Agent,
  file: SentFile | undefined,
  opts: { fields?: Record<string, string>; json?: boolean; htmx?: boolean } = {},
) {
  // A page first, for a token bound to who the agent is now (signing in changes it).
  await agent.get('/search');
  // Settings changed by the test reach the app's copy first (as Agent.request waits for them).
  await app.pageCache?.sync();
  const { payload, contentType } = multipartBody({ _csrf: agent.csrfToken, ...opts.fields }, file);
  const res = await app.inject({
    method: 'POST',
    url: '/uploads',
    payload,
    headers: {
      'content-type': contentType,
      cookie: cookieHeader(agent),
      ...(opts.json !== false ? { accept: 'application/json' } : {}),
      ...(opts.htmx ? { 'hx-request': 'true' } : {}),
    },
  });
  remember(agent, res);
  return res;
}

/** GET a path with the agent's cookies, the bytes kept as they came. */
export async function fetchBytes(app: FastifyInstance, agent: Agent | null, url: string) {
  return app.inject({ method: 'GET', url, headers: agent ? { cookie: cookieHeader(agent) } : {} });
}

export async function pngImage(width = 64, height = 48) {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 20 } } }).png().toBuffer();
}

/** A JPEG photo with the GPS position of where it was taken in its EXIF, as phones write. */
export async function photoWithGps() {
  return sharp({ create: { width: 2400, height: 1200, channels: 3, background: { r: 30, g: 120, b: 200 } } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'Hearth Test Phone', Model: 'Pocket 1' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
    })
    .toBuffer();
}

/**
 * A zip whose central directory says its one entry unpacks to `declared` bytes while it holds a
 * few: what a zip bomb's directory looks like to a reader that does not unpack it.
 */
export function zipDeclaring(declared: number) {
  const name = Buffer.from('big.bin');
  const data = Buffer.from([0x03, 0x00]); // an empty deflate stream
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(0, 6);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(0, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(declared, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(0, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(declared, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt32LE(0, 42);
  const cdOffset = local.length + name.length + data.length;
  const cdSize = central.length + name.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, name, data, central, name, end]);
}

/**
 * A small PNG whose header says it is `width`×`height` pixels: decoding it would unpack far more
 * than the file holds (a decompression bomb, as far as a decoder can tell from the header).
 */
export async function pngClaiming(width: number, height: number) {
  const png = Buffer.from(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).png().toBuffer());
  // The IHDR chunk: length (4), type (4) at 8, then width and height, then its CRC after 13 bytes of data.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}
