/**
 * Anvil for tests: `startAnvil` is src/chain/anvil.ts's launcher (127.0.0.1, a port the OS picks, both pipes
 * drained for the node's whole life, 20 s to listen) with the tests' settings: under `--coverage` the artifacts
 * hold instrumented bytecode larger than EIP-170 allows, so the size limit is lifted there (as the in-process
 * network does), and `stop()` SIGKILLs the node (bounded). Plus raw JSON-RPC and reorg helpers.
 */
import { type Anvil, launchAnvil } from "../../src/chain/anvil.js";

export type { Anvil };

/** Whether Hardhat runs with `--coverage` (instrumented artifacts: too large for EIP-170). */
export async function underCoverage(): Promise<boolean> {
  const hre = await import("hardhat");
  return hre.default.globalOptions.coverage;
}

/** An anvil node with `args` for a test (see the module comment); `stop()` it in cleanup. */
export async function startAnvil(args: readonly string[] = []): Promise<Anvil> {
  return await launchAnvil({
    args,
    codeSizeLimit: !(await underCoverage()),
    timeoutMs: 20_000,
    stop: { signal: "SIGKILL" },
  });
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
