/**
 * Progress of a run: a redrawn bar on a terminal, plain lines (every 10 %) otherwise, so CI logs stay
 * readable. Writes to the given stream (stderr by default, keeping stdout for the summary or `--json`).
 */
import type { ProgressInfo } from "./engine.js";

export interface Progress {
  update(p: ProgressInfo): void;
  /** A line that is not progress (setup phases); clears the bar first on a terminal. */
  line(text: string): void;
  done(): void;
}

function mmss(seconds: number): string {
  const m = Math.floor(seconds / 60);
  return `${m}:${String(Math.floor(seconds % 60)).padStart(2, "0")}`;
}

export function makeProgress(
  stream: NodeJS.WriteStream = process.stderr,
  tty = stream.isTTY === true,
): Progress {
  let lastDraw = 0;
  let lastDecile = -1;
  let drawn = false;
  const width = 30;
  const describe = (p: ProgressInfo) =>
    `${mmss(p.elapsed)}/${mmss(p.duration)} simulated · ${p.faults} faults injected · ${p.incidents} incidents on-chain · ${p.txs} tx`;
  return {
    update(p) {
      const share = p.steps === 0 ? 1 : p.step / p.steps;
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 100 && p.step < p.steps) return;
        lastDraw = now;
        const filled = Math.round(share * width);
        stream.write(
          `\r\x1b[2K[${"█".repeat(filled)}${"░".repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}% ${describe(p)}`,
        );
        drawn = true;
      } else {
        const decile = Math.floor(share * 10);
        if (decile === lastDecile) return;
        lastDecile = decile;
        stream.write(`${String(decile * 10).padStart(3)}% ${describe(p)}\n`);
      }
    },
    line(text) {
      if (tty && drawn) {
        stream.write("\r\x1b[2K");
        drawn = false;
      }
      stream.write(`${text}\n`);
    },
    done() {
      if (tty && drawn) stream.write("\n");
      drawn = false;
    },
  };
}
