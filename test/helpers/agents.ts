/**
 * Agents as child processes for the fault and end-to-end tests: `node --import tsx src/agents/<kind>/main.ts`
 * with the node running the tests (the project's pinned Node 22: node:sqlite), a clean environment (only
 * PATH and what the test passes) and every stdout JSON line collected. Every wait is bounded, and
 * `killAll` (call it in `after`) SIGKILLs whatever is still running.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export type AgentKind = "keeper" | "sidecar" | "orchestrator";

export interface AgentProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Parsed JSON log lines from stdout. */
  readonly logs: Record<string, unknown>[];
  readonly stderr: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first log line (already seen or future) matching `pred`; rejects after `timeoutMs`. */
  waitForLog(
    pred: (line: Record<string, unknown>) => boolean,
    timeoutMs: number,
  ): Promise<Record<string, unknown>>;
  /** Sends `signal` and waits (bounded) for the exit. */
  stop(
    signal?: NodeJS.Signals,
    timeoutMs?: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<AgentProcess>();

export function spawnAgent(
  kind: AgentKind,
  args: readonly string[],
  env: Record<string, string> = {},
  name: string = kind,
): AgentProcess {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join("src", "agents", kind, "main.ts"), ...args],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  let buffer = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf("\n")) !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: line, unparsed: true });
      }
      for (const w of waiters) w();
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr.push(...chunk.split("\n").filter((l) => l !== ""));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(agent);
      resolve({ code, signal });
      for (const w of waiters) w();
    }),
  );
  const agent: AgentProcess = {
    name,
    child,
    logs,
    stderr,
    exited,
    waitForLog(pred, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = logs.find(pred);
          if (hit !== undefined) {
            done();
            resolve(hit);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(
              new Error(
                `${name} exited (${child.exitCode ?? child.signalCode}) before the expected log line; stderr: ${stderr.slice(-5).join(" | ")}; last logs: ${JSON.stringify(logs.slice(-5))}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `${name}: no matching log line within ${timeoutMs} ms; last logs: ${JSON.stringify(logs.slice(-5))}; stderr: ${stderr.slice(-5).join(" | ")}`,
            ),
          );
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop(signal = "SIGTERM", timeoutMs = 20_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error(`${name} did not exit within ${timeoutMs} ms of ${signal}`)),
          timeoutMs,
        ).unref(),
      );
      try {
        return await Promise.race([exited, timer]);
      } catch (error) {
        child.kill("SIGKILL");
        throw error;
      }
    },
  };
  running.add(agent);
  return agent;
}

/** SIGKILLs every agent still running and waits (bounded) for them. */
export async function killAll(): Promise<void> {
  const all = [...running];
  for (const a of all) a.child.kill("SIGKILL");
  await Promise.race([Promise.all(all.map((a) => a.exited)), new Promise((r) => setTimeout(r, 5_000))]);
}

/** Writes a private key file with mode 0600. */
export function writeKeyFile(path: string, privateKey: string): string {
  writeFileSync(path, privateKey + "\n", { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

/** Polls `fn` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`,
      );
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The agent's exit, or an error after `timeoutMs` (the agent is then SIGKILLed). */
export async function exitWithin(
  agent: AgentProcess,
  timeoutMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      agent.exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          agent.child.kill("SIGKILL");
          reject(new Error(`${agent.name} did not exit within ${timeoutMs} ms`));
        }, timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
