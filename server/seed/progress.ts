// How a long seed shows its progress: on a terminal, a bar for the whole seed and one for the
// current step, each with its rate and time left; elsewhere (CI, logs, tests) one line per step.
import cliProgress from 'cli-progress';
import type { SeedProgress } from './large.ts';

const number = (n: number) => Math.round(n).toLocaleString('en');
const duration = (seconds: number) => {
  const s = Math.round(seconds);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

function stepLine(p: SeedProgress, seconds: number) {
  const rate = seconds > 0 ? ` (${number(p.done / seconds)}/s)` : '';
  return `${p.step.padEnd(11)} ${number(p.done).padStart(11)} ${p.unit.padEnd(11)} ${seconds.toFixed(1).padStart(6)} s${rate}`;
}

export interface ProgressReporter {
  onProgress(p: SeedProgress): void;
  /** Takes the bars off the terminal (also after a failure). */
  stop(): void;
}

export function progressReporter(stream: NodeJS.WriteStream = process.stdout): ProgressReporter {
  let stepStarted = performance.now();
  let current = '';

  if (!stream.isTTY) {
    return {
      onProgress(p) {
        if (p.step !== current) {
          current = p.step;
          stepStarted = performance.now();
        }
        if (p.finished) stream.write(stepLine(p, (performance.now() - stepStarted) / 1000) + '\n');
      },
      stop() {},
    };
  }

  // Time left is worked out here from the rate so far: cli-progress's own estimate shows
  // "NULL" until a bar moves, and the steps move in uneven batches.
  const bars = new cliProgress.MultiBar(
    {
      stream,
      hideCursor: true,
      clearOnComplete: false,
      fps: 5,
      format: '{name} [{bar}] {percentage}% | {counts} | {rate} | {left} left',
      formatValue: (v, _o, type) => (type === 'percentage' ? String(v).padStart(3) : String(v)),
    },
    cliProgress.Presets.shades_classic,
  );
  const all = bars.create(1000, 0, { name: 'all'.padEnd(11), counts: '', left: '…' }, { format: '{name} [{bar}] {percentage}% | {counts} so far | {left} left' });
  let step: cliProgress.SingleBar | null = null;
  const started = performance.now();

  return {
    onProgress(p) {
      if (p.step !== current) {
        current = p.step;
        stepStarted = performance.now();
        step = bars.create(Math.max(1, p.total), 0, { name: p.step.padEnd(11), counts: '', rate: '', left: '…' });
      }
      const seconds = (performance.now() - stepStarted) / 1000;
      const elapsed = (performance.now() - started) / 1000;
      all.update(Math.round(p.overall * 1000), {
        counts: duration(elapsed),
        left: p.overall > 0.02 ? duration((elapsed * (1 - p.overall)) / p.overall) : '…',
      });
      const rate = seconds > 0 ? p.done / seconds : 0;
      step!.setTotal(Math.max(1, p.total, p.done));
      step!.update(p.done, {
        counts: `${number(p.done)}/${number(p.total)} ${p.unit}`,
        rate: `${number(rate)} ${p.unit}/s`,
        left: rate > 0 ? duration(Math.max(0, p.total - p.done) / rate) : '…',
      });
      if (p.finished) {
        bars.remove(step!);
        step = null;
        current = '';
        bars.log(stepLine(p, seconds) + '\n');
      }
    },
    stop() {
      bars.stop();
    },
  };
}
