// The app's own entry points as real processes, for the start-up tests: a free port, and a
// script run with node and tsx (by its full address, so that it runs from any folder, as `npm
// start` may) with its output kept.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const tsx = import.meta.resolve('tsx');

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Runs one of the project's scripts (a path from the project's root) with only `env` (and PATH) set. */
export function runScript(script: string, opts: { args?: string[]; cwd?: string; env: Record<string, string> }) {
  const child = spawn(process.execPath, [`--import=${tsx}`, path.join(root, script), ...(opts.args ?? [])], {
    cwd: opts.cwd ?? root,
    env: { PATH: process.env.PATH, ...opts.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

export type ScriptRun = ReturnType<typeof runScript>;
