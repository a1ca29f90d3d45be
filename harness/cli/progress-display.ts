import cliProgress from 'cli-progress';
import type { RunProgress } from '../engine/run-contract.ts';

export interface ProgressDisplay {
  phase(text: string): void;
  update(progress: RunProgress): void;
  stop(): void;
}

/**
 * A live progress line on a TTY (cli-progress), plain timestamped lines otherwise (CI logs),
 * at most one per second. Written to stderr so `--json` output on stdout stays clean.
 */
export function createProgressDisplay(interactive: boolean, label: string): ProgressDisplay {
  if (!interactive) {
    let lastLine = 0;
    return {
      phase: (text) => process.stderr.write(`[${label}] ${text}\n`),
      update: (p) => {
        if (Date.now() - lastLine < 1000) return;
        lastLine = Date.now();
        process.stderr.write(
          `[${label}] ${formatSeconds(p.elapsedMs)}${p.plannedMs ? `/${formatSeconds(p.plannedMs)}` : ''} ` +
            `sent ${p.sent} answered ${p.answered} failed ${p.failed} discarded ${p.discarded}\n`,
        );
      },
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format:
        `${label} {bar} {percentage}% | {elapsed}s | ` +
        'sent {sent} answered {answered} failed {failed} discarded {discarded}',
      hideCursor: true,
      clearOnComplete: true,
      stream: process.stderr,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let stopped = false;
  return {
    phase: (text) => {
      if (!started) process.stderr.write(`${label}: ${text}\n`);
    },
    update: (p) => {
      // After stop() (an interrupt): no redraw over the messages that follow.
      if (stopped) return;
      const total = Math.max(1, Math.round((p.plannedMs ?? 0) / 100));
      const payload = {
        sent: p.sent,
        answered: p.answered,
        failed: p.failed,
        discarded: p.discarded,
        elapsed: (p.elapsedMs / 1000).toFixed(1),
      };
      const value = Math.min(total, Math.round(p.elapsedMs / 100));
      if (!started) {
        process.on('exit', showCursor);
        bar.start(total, value, payload);
        started = true;
      } else bar.update(value, payload);
    },
    stop: () => {
      stopped = true;
      if (started) bar.stop();
      started = false;
    },
  };
}

/**
 * cli-progress hides the cursor until bar.stop(); a process that exits on a signal or an error
 * never gets there, so the cursor is shown again on any exit. Harmless when already visible.
 */
function showCursor(): void {
  try {
    process.stderr.write('\u001b[?25h');
  } catch {
    // The terminal is gone.
  }
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
