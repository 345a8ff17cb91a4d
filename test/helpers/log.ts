// What an app logs, captured line by line: `testApp(t, { logger: log.config })`.
import { Writable } from 'node:stream';

export interface LogLine {
  level: number;
  msg: string;
  err?: { message: string; code?: string };
  [key: string]: unknown;
}

export const WARN = 40;

export function capturedLog() {
  const lines: LogLine[] = [];
  const waiting: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split('\n').filter(Boolean)) {
        const line = JSON.parse(text) as LogLine;
        lines.push(line);
        for (const w of [...waiting]) {
          if (!w.match(line)) continue;
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve(line);
        }
      }
      done();
    },
  });
  return {
    config: { level: 'info', stream },
    lines,
    /** The first line logged from now on that matches. */
    next: (match: (l: LogLine) => boolean) => new Promise<LogLine>((resolve) => waiting.push({ match, resolve })),
  };
}
