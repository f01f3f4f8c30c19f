/**
 * An anvil node for tests: 127.0.0.1, a port the OS picks, both pipes drained for the node's whole life,
 * killed by `stop()`. Under `--coverage` the artifacts hold instrumented bytecode larger than EIP-170 allows,
 * so the size limit is lifted there (as the in-process network does).
 */
import { type ChildProcess, spawn } from "node:child_process";

import { resolveAnvilBinary } from "../../src/agents/orchestrator/drivers/process.js";

export interface Anvil {
  readonly url: string;
  readonly child: ChildProcess;
  /** The node's recent output (bounded), for a failed run. */
  output(): string;
  stop(): Promise<void>;
}

export async function startAnvil(args: string[] = []): Promise<Anvil> {
  const hre = await import("hardhat");
  const sizeLimit = hre.default.globalOptions.coverage ? ["--disable-code-size-limit"] : [];
  const child = spawn(resolveAnvilBinary(), ["--host", "127.0.0.1", "--port", "0", ...sizeLimit, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`anvil did not start: ${output}`));
    }, 20_000);
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      output = (output + "[stderr] " + chunk).slice(-20_000);
    });
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      output = (output + chunk).slice(-20_000);
      const m = /Listening on (127\.0\.0\.1:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(`http://${m[1]}`);
      }
    });
    child.once("exit", () => {
      clearTimeout(timer);
      reject(new Error(`anvil exited: ${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    },
  };
}

/** One JSON-RPC call straight to `url` (bounded by 30 s); a JSON-RPC error throws with its message. */
export async function rawRpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const r = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await r.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/**
 * A reorg of the last `depth` blocks: anvil rolls them back and mines `depth` new (empty) blocks in their
 * place, so the head keeps its height and the transactions of the dropped blocks are gone (not back in the
 * mempool).
 */
export async function reorg(url: string, depth: number): Promise<void> {
  await rawRpc(url, "anvil_reorg", [depth, []]);
}
