/**
 * The agent loop: `init` once, then `tick` every `intervalMs` (measured from the end of one tick to the
 * start of the next, so ticks never overlap). SIGINT/SIGTERM stop the loop: the tick in flight finishes,
 * and `runAgent` resolves with exit code 0. Every wait is bounded:
 * - `init` by `initTimeoutMs`;
 * - a tick by `tickTimeoutMs`: its AbortSignal fires; if it still has not settled `abortGraceMs` later the
 *   agent is wedged and `runAgent` resolves with 1 (the supervisor restarts it; a new tick never starts
 *   beside a wedged one);
 * - shutdown by `shutdownTimeoutMs`: a tick that does not finish in time makes `runAgent` resolve with 1.
 * A tick that throws is logged and counted; the loop goes on.
 */
import type { Logger } from "./log.js";
import type { Counter, Gauge, Histogram, Registry } from "./metrics.js";

export interface TickContext {
  /** Aborted when the tick exceeds `tickTimeoutMs`: stop early, nothing will wait for you. */
  signal: AbortSignal;
  /** 1 for the first tick. */
  tick: number;
}

/** Shared with the HTTP server's /healthz. */
export interface AgentHealth {
  startedAt: number;
  ticks: number;
  failures: number;
  lastTickAt: number | null;
  lastSuccessAt: number | null;
  lastTickOk: boolean;
  lastError: string | null;
  stopping: boolean;
}

export function newAgentHealth(now = Date.now()): AgentHealth {
  return {
    startedAt: now,
    ticks: 0,
    failures: 0,
    lastTickAt: null,
    lastSuccessAt: null,
    lastTickOk: false,
    lastError: null,
    stopping: false,
  };
}

/** Healthy: the last tick succeeded, at most `maxAgeMs` ago. */
export function isHealthy(health: AgentHealth, maxAgeMs: number, now = Date.now()): boolean {
  return health.lastTickOk && health.lastSuccessAt !== null && now - health.lastSuccessAt <= maxAgeMs;
}

export interface RunAgentOptions {
  name?: string;
  init?: () => Promise<void>;
  tick: (ctx: TickContext) => Promise<void>;
  intervalMs: number;
  initTimeoutMs?: number;
  tickTimeoutMs?: number;
  abortGraceMs?: number;
  shutdownTimeoutMs?: number;
  logger?: Logger;
  health?: AgentHealth;
  /** Registers healnet_agent_* metrics on it. */
  metrics?: Registry;
  /** Signals that stop the agent (default SIGINT, SIGTERM). */
  signals?: readonly NodeJS.Signals[];
  /** Stops the agent like a signal (for embedding, e.g. the simulation). */
  stopSignal?: AbortSignal;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;

type Outcome = { kind: "ok" } | { kind: "error"; error: unknown } | { kind: "timeout" };

export async function runAgent(options: RunAgentOptions): Promise<number> {
  const {
    tick,
    intervalMs,
    initTimeoutMs = 60_000,
    tickTimeoutMs = Math.max(60_000, intervalMs * 5),
    abortGraceMs = 10_000,
    shutdownTimeoutMs = 30_000,
    signals = ["SIGINT", "SIGTERM"],
  } = options;
  const log = options.logger;
  const health = options.health ?? newAgentHealth();
  const m = options.metrics ? agentMetrics(options.metrics) : null;

  // Stop requests (signals, stopSignal) resolve `stopped`.
  let stopRequested = false;
  let resolveStop!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStop = resolve));
  const stop = (why: string) => {
    if (stopRequested) return;
    stopRequested = true;
    health.stopping = true;
    log?.info("stopping: finishing the tick in flight", { reason: why });
    resolveStop();
  };
  const handlers = signals.map((sig) => {
    const h = () => stop(sig);
    process.on(sig, h);
    return [sig, h] as const;
  });
  const onAbort = () => stop("stop requested");
  options.stopSignal?.addEventListener("abort", onAbort, { once: true });
  if (options.stopSignal?.aborted) onAbort();

  try {
    if (options.init) {
      const r = await settle(options.init(), initTimeoutMs);
      if (r.kind !== "ok") {
        log?.error("init failed; not starting", {
          error: r.kind === "timeout" ? `init did not finish within ${initTimeoutMs} ms` : r.error,
        });
        return EXIT_FAILURE;
      }
      log?.info("init done", { name: options.name });
    }

    for (let n = 1; !stopRequested; n++) {
      const controller = new AbortController();
      const abortTimer = setTimeout(() => controller.abort(new Error("tick timeout")), tickTimeoutMs);
      const started = Date.now();
      const running = tick({ signal: controller.signal, tick: n });
      // Bounded: normally by tickTimeoutMs + abortGraceMs; once a stop is requested, by shutdownTimeoutMs.
      const r = await Promise.race([
        settle(running, tickTimeoutMs + abortGraceMs),
        stopped.then(() => settle(running, shutdownTimeoutMs)),
      ]);
      clearTimeout(abortTimer);
      const seconds = (Date.now() - started) / 1000;
      health.ticks++;
      health.lastTickAt = Date.now();
      m?.ticks.inc();
      m?.duration.observe(seconds);
      if (r.kind === "ok") {
        health.lastTickOk = true;
        health.lastSuccessAt = health.lastTickAt;
        health.lastError = null;
        m?.lastSuccess.set(health.lastSuccessAt / 1000);
        log?.debug("tick done", { tick: n, seconds });
      } else if (r.kind === "error") {
        health.lastTickOk = false;
        health.failures++;
        health.lastError = r.error instanceof Error ? r.error.message : String(r.error);
        m?.failures.inc();
        log?.error("tick failed", { tick: n, error: r.error });
      } else {
        health.lastTickOk = false;
        m?.failures.inc();
        log?.error(
          stopRequested ? "tick did not finish before the shutdown timeout" : "tick wedged past its timeout",
          {
            tick: n,
            timeoutMs: stopRequested ? shutdownTimeoutMs : tickTimeoutMs + abortGraceMs,
          },
        );
        return EXIT_FAILURE;
      }
      if (stopRequested) break;
      await Promise.race([delay(intervalMs), stopped]);
    }
    log?.info("stopped", { ticks: health.ticks });
    return EXIT_OK;
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
    options.stopSignal?.removeEventListener("abort", onAbort);
    resolveStop();
  }
}

/** Settles `p` into an outcome, or "timeout" after `ms` (the timer does not keep the process alive). */
function settle(p: Promise<unknown>, ms: number): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const timer = setTimeout(() => resolve({ kind: "timeout" }), ms);
    timer.unref();
    p.then(
      () => {
        clearTimeout(timer);
        resolve({ kind: "ok" });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ kind: "error", error });
      },
    );
  });
}

/** A wait that does not keep the process alive on its own (signals still wake it through `stopped`). */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function agentMetrics(r: Registry): {
  ticks: Counter;
  failures: Counter;
  duration: Histogram;
  lastSuccess: Gauge;
} {
  return {
    ticks: r.counter("healnet_agent_ticks_total", "Ticks run (successful or not)."),
    failures: r.counter("healnet_agent_tick_failures_total", "Ticks that threw or timed out."),
    duration: r.histogram(
      "healnet_agent_tick_duration_seconds",
      "Duration of one tick.",
      [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    ),
    lastSuccess: r.gauge(
      "healnet_agent_last_success_timestamp_seconds",
      "Unix time of the last successful tick.",
    ),
  };
}
