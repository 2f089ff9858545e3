/** Progress on the terminal: a redrawn bar on a TTY, a line every 10 % otherwise (logs, CI). */
import type { Progress } from '../model/recording';
import { EtaEstimator, formatDuration } from '../io/timeLeft';

export function progressReporter(label: string, stream: NodeJS.WriteStream = process.stderr): { update(p: Progress): void; done(): void } {
  const start = performance.now();
  const eta = new EtaEstimator();
  let lastDecile = -1;
  let lastDraw = 0;
  // Under bin/mesostp.js stderr is the launcher's pipe; MESOSTP_STDERR_TTY says whether it leads to a terminal.
  const tty = stream === process.stderr && process.env.MESOSTP_STDERR_TTY !== undefined ? process.env.MESOSTP_STDERR_TTY === '1' : Boolean(stream.isTTY);
  const line = (p: Progress) => {
    const elapsed = (performance.now() - start) / 1000;
    const left = eta.update(elapsed, p.fraction);
    const etaText = left === null ? '' : `, ${formatDuration(left)} left`;
    return `${label} ${(100 * p.fraction).toFixed(0).padStart(3)}% (${p.completedSteps}/${p.steps} steps, ${elapsed.toFixed(1)} s${etaText})`;
  };
  return {
    update(p) {
      if (tty) {
        const now = performance.now();
        if (now - lastDraw < 100 && p.fraction < 1) return;
        lastDraw = now;
        const width = 24;
        const filled = Math.round(width * p.fraction);
        stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${line(p)}\x1b[K`);
      } else {
        const decile = Math.floor(10 * p.fraction);
        if (decile > lastDecile) {
          lastDecile = decile;
          stream.write(`${line(p)}\n`);
        }
      }
    },
    done() {
      if (tty) stream.write('\n');
    },
  };
}
