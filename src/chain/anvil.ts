/**
 * A local anvil node (npm `@foundry-rs/anvil`): the one launcher behind the upgrade rehearsal's fork
 * (src/suite/rehearse.ts), the orchestrator's process driver (src/agents/orchestrator/drivers/process.ts) and the
 * tests' nodes (test/helpers/anvil.ts, test/e2e/fleet.ts).
 *
 * `launchAnvil` starts `anvil --host 127.0.0.1 --port <port, default 0: chosen by the OS>` with the caller's
 * flags, drains both pipes for the node's whole life (a full pipe would block anvil and its miner), keeps a
 * bounded tail of its output (stderr marked `[stderr] `), and resolves once anvil prints the address it listens
 * on. If anvil cannot be spawned, exits, does not listen within `timeoutMs`, or `signal` aborts first, the child
 * is SIGKILLed and the launch rejects with an `AnvilStartError` carrying the output. `stop()` is bounded: the
 * stop signal, then SIGKILL after the grace period, then at most `KILL_WAIT_MS` more.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** How long `stop()` waits for the process to go after SIGKILL. */
export const KILL_WAIT_MS = 5_000;
/** How much of the node's output is kept (the tail). */
const OUTPUT_LIMIT = 20_000;
/** How much of it an `AnvilStartError`'s message quotes. */
const MESSAGE_TAIL = 1_000;

/** The anvil binary shipped in the platform package of `@foundry-rs/anvil`. */
export function resolveAnvilBinary(): string {
  const require = createRequire(import.meta.url);
  const arch = ({ x64: "amd64", arm64: "arm64" } as Record<string, string>)[process.arch];
  if (arch === undefined) throw new Error(`anvil: no package for architecture ${process.arch}`);
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  const dir = dirname(require.resolve(`${pkg}/package.json`));
  return join(dir, "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
}

export interface AnvilStopOptions {
  /** The first signal (default SIGTERM; SIGINT makes anvil write its `--dump-state` file first). */
  signal?: NodeJS.Signals;
  /** How long the process may take to exit on `signal` before it is SIGKILLed (default 3 s). */
  graceMs?: number;
  /** Cuts the grace period short (SIGKILL at once). */
  abort?: AbortSignal;
}

export interface AnvilOptions {
  /** Further anvil flags (after `--host 127.0.0.1 --port <port>`), e.g. `--fork-url`, `--dump-state`. */
  args?: readonly string[];
  /** The port on 127.0.0.1 (default 0: chosen by the OS, read from anvil's output). */
  port?: number;
  /** How long anvil may take to listen (default 20 s; a fork may need longer). */
  timeoutMs?: number;
  /**
   * Whether EIP-170's 24,576-byte code size limit is enforced (default true, as on every real network). Only
   * coverage runs lift it (`--disable-code-size-limit`): their artifacts hold instrumented, larger bytecode.
   */
  codeSizeLimit?: boolean;
  /** The anvil binary (default: `resolveAnvilBinary()`). */
  binary?: string;
  /** Aborts the launch (the child is killed and the launch rejects with reason `aborted`). */
  signal?: AbortSignal;
  /** How `stop()` stops the node when called without options (default: SIGTERM, SIGKILL after 3 s). */
  stop?: AnvilStopOptions;
  /** Called with the process as soon as it is spawned, before it listens (e.g. to kill it on exit). */
  onSpawn?: (process: AnvilProcess) => void;
}

/** A spawned anvil process, listening or not yet. */
export interface AnvilProcess {
  readonly child: ChildProcess;
  /** Settles once the process has exited (or could not be spawned). */
  readonly exited: Promise<void>;
  /** The node's recent output (bounded tail; stderr chunks are marked `[stderr] `). */
  output(): string;
  /**
   * Stops the node (a no-op once it has exited): `signal`, then SIGKILL after `graceMs` (or on `abort`), then
   * waits at most `KILL_WAIT_MS`. True when it exited on `signal` (for SIGKILL: within the wait).
   */
  stop(options?: AnvilStopOptions): Promise<boolean>;
}

/** A listening anvil on 127.0.0.1. */
export interface Anvil extends AnvilProcess {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
}

export type AnvilStartFailure = "spawn" | "exited" | "timeout" | "aborted";

/** Anvil did not come up: why (`reason`), and what it printed (`output`). */
export class AnvilStartError extends Error {
  constructor(
    readonly reason: AnvilStartFailure,
    message: string,
    readonly output: string,
    /** The exit code, or the signal that ended it (reason `exited`). */
    readonly exit?: number | NodeJS.Signals,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "AnvilStartError";
  }
}

/** Resolves true once `p` settles, false after `ms` (or as soon as `abort` aborts). */
function settlesWithin(p: Promise<void>, ms: number, abort?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (settled: boolean) => {
      clearTimeout(timer);
      abort?.removeEventListener("abort", onAbort);
      resolve(settled);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(false), ms);
    if (abort?.aborted) return done(false);
    abort?.addEventListener("abort", onAbort, { once: true });
    void p.then(() => done(true));
  });
}

/** Starts anvil on 127.0.0.1 and resolves once it listens (see the module comment). */
export async function launchAnvil(options: AnvilOptions = {}): Promise<Anvil> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const args = [
    "--host",
    "127.0.0.1",
    "--port",
    String(options.port ?? 0),
    ...(options.codeSizeLimit === false ? ["--disable-code-size-limit"] : []),
    ...(options.args ?? []),
  ];
  const child = spawn(options.binary ?? resolveAnvilBinary(), args, { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  let output = "";
  const tail = () => (output.trim() === "" ? "" : `: ${output.trim().slice(-MESSAGE_TAIL)}`);
  const stop = async ({
    signal = options.stop?.signal ?? "SIGTERM",
    graceMs = options.stop?.graceMs ?? 3_000,
    abort = options.stop?.abort,
  }: AnvilStopOptions = {}): Promise<boolean> => {
    if (child.exitCode !== null || child.signalCode !== null) return true;
    child.kill(signal);
    if (signal !== "SIGKILL" && (await settlesWithin(exited, graceMs, abort))) return true;
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    const gone = await settlesWithin(exited, KILL_WAIT_MS);
    return signal === "SIGKILL" && gone;
  };
  const proc: AnvilProcess = { child, exited, output: () => output, stop };
  options.onSpawn?.(proc);

  const port = await new Promise<number>((resolve, reject) => {
    let settled = false;
    const finish = (result: number | AnvilStartError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      if (typeof result === "number") resolve(result);
      else reject(result);
    };
    const timer = setTimeout(
      () =>
        finish(
          new AnvilStartError("timeout", `anvil did not listen within ${timeoutMs} ms${tail()}`, output),
        ),
      timeoutMs,
    );
    const onAbort = () => finish(new AnvilStartError("aborted", "anvil start aborted", output));
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
    // Each pipe is matched on its own (a chunk of the other cannot split the line), both are kept in `output`.
    const drain = (stream: NodeJS.ReadableStream, mark: string) => {
      let recent = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        output = (output + mark + chunk).slice(-OUTPUT_LIMIT);
        if (settled) return;
        recent = (recent + chunk).slice(-4_096);
        const m = /Listening on 127\.0\.0\.1:(\d+)/.exec(recent);
        if (m) finish(Number(m[1]));
      });
    };
    drain(child.stdout!, "");
    drain(child.stderr!, "[stderr] ");
    child.once("error", (error) =>
      finish(
        new AnvilStartError("spawn", `cannot start anvil: ${error.message}`, output, undefined, {
          cause: error,
        }),
      ),
    );
    child.once("exit", (code, sig) => {
      const exit = code ?? sig ?? undefined;
      finish(new AnvilStartError("exited", `anvil exited (${exit}) before listening${tail()}`, output, exit));
    });
  }).catch(async (error: unknown) => {
    await stop({ signal: "SIGKILL" });
    throw error;
  });
  return { ...proc, url: `http://127.0.0.1:${port}`, port };
}
