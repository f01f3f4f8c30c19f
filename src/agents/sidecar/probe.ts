/**
 * What a sidecar reads about its node and host. `rpcNodeProbe` reads a real node over JSON-RPC (block number
 * and hash, peers, sync state, client version, and the latency of the call); the simulation provides its own
 * NodeProbe for simulated nodes. `diskProbe` reads the disk use of the node's data directory with statfs.
 */
import { statfs } from "node:fs/promises";

import { id } from "ethers";

export interface NodeReading {
  blockNumber: bigint;
  blockHash: string;
  peerCount: number;
  syncing: boolean;
  /** Latency of the block read, in ms. */
  latencyMs: number;
  /** keccak256 of the client's version string. */
  clientVersionHash: string;
}

export interface NodeProbe {
  read(signal?: AbortSignal): Promise<NodeReading>;
}

export interface HostProbe {
  /** Disk use of the node's volume, in basis points of its capacity. */
  diskUsedBps(): Promise<number>;
}

export class NodeProbeError extends Error {
  override name = "NodeProbeError";
}

interface JsonRpcAnswer {
  result?: unknown;
  error?: { code: number; message: string };
}

/** Reads a node over JSON-RPC. Every request is bounded by `timeoutMs`. */
export function rpcNodeProbe(
  url: string,
  timeoutMs = 5_000,
  now: () => number = () => performance.now(),
): NodeProbe {
  let nextId = 1;
  async function call(method: string, params: unknown[], signal?: AbortSignal): Promise<unknown> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
        signal: combined,
      });
    } catch (error) {
      throw new NodeProbeError(`node ${method} failed: ${(error as Error).message}`);
    }
    if (!response.ok) throw new NodeProbeError(`node ${method} answered HTTP ${response.status}`);
    const answer = (await response.json().catch(() => ({}))) as JsonRpcAnswer;
    if (answer.error !== undefined)
      throw new NodeProbeError(`node ${method} error ${answer.error.code}: ${answer.error.message}`);
    if (answer.result === undefined) throw new NodeProbeError(`node ${method} answered without a result`);
    return answer.result;
  }
  return {
    async read(signal) {
      const started = now();
      const block = (await call("eth_getBlockByNumber", ["latest", false], signal)) as {
        number?: string;
        hash?: string;
      } | null;
      const latencyMs = Math.max(0, Math.round(now() - started));
      if (block === null || typeof block.number !== "string" || typeof block.hash !== "string") {
        throw new NodeProbeError("node returned no latest block");
      }
      const [peers, syncing, version] = await Promise.all([
        call("net_peerCount", [], signal).catch(() => "0x0"),
        call("eth_syncing", [], signal).catch(() => false),
        call("web3_clientVersion", [], signal).catch(() => "unknown"),
      ]);
      return {
        blockNumber: BigInt(block.number),
        blockHash: block.hash,
        peerCount: typeof peers === "string" ? Number(BigInt(peers)) : 0,
        syncing: syncing !== false,
        latencyMs,
        clientVersionHash: id(String(version)),
      };
    },
  };
}

/** Disk use of the volume holding `path`, from statfs. */
export function diskProbe(path: string): HostProbe {
  return {
    async diskUsedBps() {
      const stats = await statfs(path);
      const total = stats.blocks * stats.bsize;
      if (total === 0) return 0;
      const free = stats.bavail * stats.bsize;
      return Math.min(10_000, Math.max(0, Math.round(((total - free) / total) * 10_000)));
    },
  };
}
