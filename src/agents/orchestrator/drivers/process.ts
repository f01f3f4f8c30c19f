/**
 * The `process` driver: real local node processes. anvil (npm `@foundry-rs/anvil`) stands in for a
 * validator client: it listens on 127.0.0.1 only, dumps its state to `<dataDir>/<nodeId>/state/state.json`
 * when it gets SIGINT and loads it again on start (`--load-state`), so a restart keeps the chain height.
 *
 * - restart: stop (SIGINT → anvil writes its state; after `stopTimeoutMs` SIGKILL) and start again;
 * - resync: fetch the snapshot file (an anvil state dump) from the content store by CID, check its size
 *   and keccak256 against the registry's SnapshotRef (else `DriverError("hash-mismatch")`, nothing touched),
 *   stop, wipe the state dir, install the file, start, and wait for height ≥ the snapshot's;
 * - reprovision: fetch a JSON config by CID (`{"chainId": 31337, "blockTime": 1, "args": ["--gas-limit",
 *   "30000000"]}`; invalid → `DriverError("bad-config")`), stop, wipe, install it, start;
 * - status: whether the child runs, and `eth_blockNumber` / `net_peerCount` (each bounded by
 *   `statusTimeoutMs`; anvil has no peers and answers net_peerCount with an error, so peers stays unset).
 *
 * Every child is killed on `dispose()` (and, as a last resort, when the parent process exits).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

import { getAddress, isAddress, keccak256 } from "ethers";

import { AnvilStartError, type AnvilProcess, launchAnvil, resolveAnvilBinary } from "../../../chain/anvil.js";
import type { Logger } from "../../common/log.js";
import {
  type Driver,
  DriverError,
  type NodeRef,
  type NodeStatus,
  type SentinelRef,
  type SnapshotRef,
} from "../driver.js";
import type { ContentStore } from "../store.js";

/** A node's configuration: what reprovisioning replaces. */
export interface ProcessNodeConfig {
  /** The chain id the node serves. */
  chainId: number;
  /** Seconds between blocks (interval mining); unset: mine on each transaction. */
  blockTime?: number;
  /** Further anvil flags (the driver's own flags — host, port, state files, forking, IPC — are refused). */
  args?: string[];
}

/** One node the driver runs. */
export interface ProcessNodeSpec {
  /** The validator the node serves. */
  validator: string;
  /** The driver's id: a directory name under `dataDir` ([A-Za-z0-9_-]). */
  nodeId: string;
  /** Initial config (until a reprovision installs another one). */
  config: ProcessNodeConfig;
  /** Listening port on 127.0.0.1 (default 0: chosen by the OS, read from anvil's output). */
  port?: number;
}

export interface ProcessDriverOptions {
  nodes: readonly ProcessNodeSpec[];
  /** Per node: `<dataDir>/<nodeId>/state/` (wiped by resync/reprovision) and `config.json`. */
  dataDir: string;
  /** Where snapshot files and configs are fetched from, by CID. */
  store: ContentStore;
  /** The anvil binary (default: the one in the `@foundry-rs/anvil-<platform>` package). */
  anvilPath?: string;
  /** A started node must answer within this (default 20 s). */
  startTimeoutMs?: number;
  /** After SIGINT, SIGKILL after this (default 10 s). */
  stopTimeoutMs?: number;
  /** Bound of each status RPC call (default 2 s). */
  statusTimeoutMs?: number;
  log?: Logger;
}

/** Flags the driver sets itself, or that would let a config reach outside 127.0.0.1 / the node's own dir. */
const FORBIDDEN_FLAGS = new Set([
  "--host",
  "-p",
  "--port",
  "--dump-state",
  "--load-state",
  "--state",
  "-s",
  "--state-interval",
  "--ipc",
  "--config-out",
  "--chain-id",
  "--block-time",
  "-b",
  "-f",
  "--fork-url",
  "--rpc-url",
  "--allow-origin",
  "--init",
]);

/** Validates a config object (from JSON); throws DriverError("bad-config") naming the bad field. */
export function parseNodeConfig(raw: unknown, where = "config"): ProcessNodeConfig {
  const bad = (msg: string) => new DriverError("bad-config", `${where}: ${msg}`);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw bad("not a JSON object");
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!["chainId", "blockTime", "args"].includes(k))
      throw bad(`unknown field "${k}" (known: chainId, blockTime, args)`);
  const { chainId, blockTime, args } = o;
  if (typeof chainId !== "number" || !Number.isSafeInteger(chainId) || chainId <= 0)
    throw bad(`chainId must be a positive integer, e.g. 31337 (got ${JSON.stringify(chainId)})`);
  const config: ProcessNodeConfig = { chainId };
  if (blockTime !== undefined) {
    if (typeof blockTime !== "number" || !(blockTime > 0) || blockTime > 3600)
      throw bad(`blockTime must be seconds in (0, 3600], e.g. 1 (got ${JSON.stringify(blockTime)})`);
    config.blockTime = blockTime;
  }
  if (args !== undefined) {
    if (
      !Array.isArray(args) ||
      args.length > 64 ||
      !args.every((a) => typeof a === "string" && a.length <= 256)
    )
      throw bad("args must be an array of at most 64 strings");
    for (const a of args as string[]) {
      const flag = a.split("=")[0]!;
      if (FORBIDDEN_FLAGS.has(flag)) throw bad(`args may not set ${flag} (the driver sets it)`);
      if (/[\0\n\r]/.test(a)) throw bad("args may not contain control characters");
    }
    config.args = [...(args as string[])];
  }
  return config;
}

/**
 * Validates the driver's node list as read from a JSON file (for main.ts):
 * `[{"validator": "0x…", "nodeId": "v1", "config": {"chainId": 31337, "blockTime": 1}, "port": 21001}]`.
 * Throws an Error naming the bad entry and field.
 */
export function parseProcessNodes(raw: unknown): ProcessNodeSpec[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new Error("nodes must be a non-empty JSON array");
  const seen = new Set<string>();
  return raw.map((entry: unknown, i) => {
    const where = `nodes[${i}]`;
    if (entry === null || typeof entry !== "object") throw new Error(`${where} is not an object`);
    const e = entry as Record<string, unknown>;
    for (const k of Object.keys(e))
      if (!["validator", "nodeId", "config", "port"].includes(k))
        throw new Error(`${where}: unknown field "${k}" (known: validator, nodeId, config, port)`);
    if (typeof e.validator !== "string" || !isAddress(e.validator))
      throw new Error(
        `${where}.validator is not an address, e.g. "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"`,
      );
    if (typeof e.nodeId !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(e.nodeId))
      throw new Error(`${where}.nodeId must be 1-64 characters of [A-Za-z0-9_-], e.g. "validator-1"`);
    if (seen.has(e.nodeId)) throw new Error(`${where}.nodeId "${e.nodeId}" is used twice`);
    seen.add(e.nodeId);
    if (
      e.port !== undefined &&
      (!Number.isInteger(e.port) || (e.port as number) < 0 || (e.port as number) > 65_535)
    )
      throw new Error(`${where}.port must be an integer port (0 lets the OS choose), e.g. 21001`);
    let config: ProcessNodeConfig;
    try {
      config = parseNodeConfig(e.config, `${where}.config`);
    } catch (error) {
      throw new Error((error as Error).message);
    }
    return {
      validator: getAddress(e.validator),
      nodeId: e.nodeId,
      config,
      ...(e.port !== undefined ? { port: e.port as number } : {}),
    };
  });
}

/** A node's anvil (src/chain/anvil.ts) from its spawn on; `port` is 0 until it listens. */
interface Running {
  anvil: AnvilProcess;
  port: number;
}

interface NodeState {
  spec: ProcessNodeSpec;
  ref: NodeRef;
  running?: Running;
  /** Serialises operations on the node. */
  queue: Promise<unknown>;
}

export class ProcessDriver implements Driver {
  readonly kind = "process";
  readonly #o: Required<Omit<ProcessDriverOptions, "log" | "anvilPath">> & { anvilPath: string };
  readonly #log: Logger | undefined;
  readonly #nodes = new Map<string, NodeState>();
  readonly #byValidator = new Map<string, NodeState>();
  readonly #onExit = () => this.#killAllNow();
  #disposed = false;

  constructor(options: ProcessDriverOptions) {
    this.#o = {
      startTimeoutMs: 20_000,
      stopTimeoutMs: 10_000,
      statusTimeoutMs: 2_000,
      ...options,
      anvilPath: options.anvilPath ?? resolveAnvilBinary(),
    };
    this.#log = options.log;
    for (const spec of options.nodes) {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(spec.nodeId))
        throw new Error(`bad nodeId ${JSON.stringify(spec.nodeId)}`);
      parseNodeConfig(spec.config, `node ${spec.nodeId} config`);
      const state: NodeState = {
        spec,
        ref: { validator: spec.validator, nodeId: spec.nodeId },
        queue: Promise.resolve(),
      };
      if (this.#nodes.has(spec.nodeId)) throw new Error(`duplicate nodeId ${spec.nodeId}`);
      this.#nodes.set(spec.nodeId, state);
      this.#byValidator.set(spec.validator.toLowerCase(), state);
    }
    process.once("exit", this.#onExit);
  }

  nodeOf(validator: string): NodeRef | undefined {
    return this.#byValidator.get(validator.toLowerCase())?.ref;
  }

  /** The node's JSON-RPC URL while it runs. */
  rpcUrl(node: NodeRef): string | undefined {
    const r = this.#node(node).running;
    return r ? `http://127.0.0.1:${r.port}` : undefined;
  }

  /** The child's pid while it runs. */
  pid(node: NodeRef): number | undefined {
    return this.#node(node).running?.anvil.child.pid;
  }

  stateDir(node: NodeRef): string {
    return join(this.#o.dataDir, node.nodeId, "state");
  }

  /** The file anvil dumps to on SIGINT and loads on start. */
  statePath(node: NodeRef): string {
    return join(this.stateDir(node), "state.json");
  }

  /** The config in force: the installed one (after a reprovision) or the spec's. */
  config(node: NodeRef): ProcessNodeConfig {
    const path = this.#configPath(node);
    if (existsSync(path)) return parseNodeConfig(JSON.parse(readFileSync(path, "utf8")), path);
    return this.#node(node).spec.config;
  }

  start(node: NodeRef, signal: AbortSignal): Promise<void> {
    return this.#serial(node, () => this.#start(node, signal));
  }

  stop(node: NodeRef, signal?: AbortSignal): Promise<void> {
    return this.#serial(node, () => this.#stop(node, signal));
  }

  /** Deletes the node's state dir (the node must be stopped). */
  wipe(node: NodeRef): Promise<void> {
    return this.#serial(node, async () => this.#wipe(node));
  }

  async status(node: NodeRef, signal: AbortSignal): Promise<NodeStatus> {
    const r = this.#node(node).running;
    if (!r || r.anvil.child.exitCode !== null || r.anvil.child.signalCode !== null) return { running: false };
    const url = `http://127.0.0.1:${r.port}`;
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(this.#o.statusTimeoutMs)]);
    const status: NodeStatus = { running: true };
    try {
      status.height = BigInt((await rpc(url, "eth_blockNumber", [], bounded)) as string);
    } catch {
      return status;
    }
    try {
      status.peers = Number(BigInt((await rpc(url, "net_peerCount", [], bounded)) as string));
    } catch {
      // anvil has no peer-to-peer layer: "Method not found". Peers stay unknown.
    }
    return status;
  }

  restart(node: NodeRef, signal: AbortSignal): Promise<void> {
    return this.#serial(node, async () => {
      await this.#stop(node, signal);
      await this.#start(node, signal);
    });
  }

  /**
   * The snapshot file comes from the content store (the stand-in for fetching it from `source`'s endpoint: an
   * anvil node loads a state dump and does not sync from peers); `source` is logged, and the hash check is the
   * same whoever served the file.
   */
  resync(node: NodeRef, snapshot: SnapshotRef, signal: AbortSignal, source?: SentinelRef): Promise<void> {
    return this.#serial(node, async () => {
      if (source !== undefined)
        this.#log?.info("resync source", {
          nodeId: node.nodeId,
          sentinel: source.sentinel,
          endpoint: source.endpoint,
        });
      let bytes: Uint8Array;
      try {
        bytes = await this.#o.store.get(snapshot.cid, signal, snapshot.sizeBytes);
      } catch (error) {
        if (signal.aborted)
          throw new DriverError("aborted", "aborted while fetching the snapshot", { cause: error });
        throw new DriverError(
          "fetch-failed",
          `snapshot ${snapshot.snapshotId} (${snapshot.cid}): ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      const hash = keccak256(bytes);
      if (
        BigInt(bytes.length) !== snapshot.sizeBytes ||
        hash.toLowerCase() !== snapshot.contentHash.toLowerCase()
      ) {
        this.#log?.error("snapshot file refused: it does not match the registry", {
          nodeId: node.nodeId,
          snapshotId: snapshot.snapshotId,
          cid: snapshot.cid,
          size: bytes.length,
          expectedSize: snapshot.sizeBytes,
          hash,
          expectedHash: snapshot.contentHash,
        });
        throw new DriverError(
          "hash-mismatch",
          `snapshot ${snapshot.snapshotId}: file has ${bytes.length} bytes / keccak256 ${hash}, ` +
            `registry says ${snapshot.sizeBytes} / ${snapshot.contentHash}; refused`,
        );
      }
      await this.#stop(node, signal);
      this.#wipe(node);
      mkdirSync(this.stateDir(node), { recursive: true });
      atomicWrite(this.statePath(node), bytes);
      await this.#start(node, signal);
      await this.#waitHeight(node, snapshot.height, signal);
    });
  }

  reprovision(node: NodeRef, configCid: string, signal: AbortSignal): Promise<void> {
    return this.#serial(node, async () => {
      let bytes: Uint8Array;
      try {
        bytes = await this.#o.store.get(configCid, signal, 64n * 1024n);
      } catch (error) {
        if (signal.aborted)
          throw new DriverError("aborted", "aborted while fetching the config", { cause: error });
        throw new DriverError(
          "bad-config",
          `config ${configCid} could not be fetched: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
      } catch (error) {
        throw new DriverError("bad-config", `config ${configCid} is not JSON`, { cause: error });
      }
      const config = parseNodeConfig(json, `config ${configCid}`);
      await this.#stop(node, signal);
      this.#wipe(node);
      mkdirSync(dirname(this.#configPath(node)), { recursive: true });
      atomicWrite(this.#configPath(node), new TextEncoder().encode(JSON.stringify(config, null, 2) + "\n"));
      await this.#start(node, signal);
    });
  }

  /** Stops every node (SIGINT, then SIGKILL after the stop timeout) and waits until every child is gone. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    await Promise.all(
      [...this.#nodes.values()].map(async (n) => {
        await n.queue.catch(() => {});
        await this.#stop(n.ref).catch(() => {});
      }),
    );
    process.off("exit", this.#onExit);
  }

  // ------------------------------------------------------------------------------------------------------

  #node(ref: NodeRef): NodeState {
    const n = this.#nodes.get(ref.nodeId);
    if (!n) throw new DriverError("unknown-node", `no node ${ref.nodeId}`);
    return n;
  }

  #configPath(node: NodeRef): string {
    return join(this.#o.dataDir, node.nodeId, "config.json");
  }

  /** Runs `op` after the node's previous operation (operations on one node never interleave). */
  #serial<T>(ref: NodeRef, op: () => Promise<T>): Promise<T> {
    let n: NodeState;
    try {
      n = this.#node(ref);
    } catch (error) {
      return Promise.reject(error);
    }
    const run = n.queue.catch(() => {}).then(op);
    n.queue = run.catch(() => {});
    return run;
  }

  async #start(node: NodeRef, signal: AbortSignal): Promise<void> {
    if (this.#disposed) throw new DriverError("failed", "driver disposed");
    const n = this.#node(node);
    const current = n.running?.anvil.child;
    if (current && current.exitCode === null && current.signalCode === null) return;
    if (signal.aborted) throw new DriverError("aborted", "aborted before start");
    const config = this.config(node);
    mkdirSync(this.stateDir(node), { recursive: true });
    const state = this.statePath(node);
    const args = ["--chain-id", String(config.chainId), "--dump-state", state];
    if (config.blockTime !== undefined) args.push("--block-time", String(config.blockTime));
    const loads = existsSync(state) && statSync(state).size > 0;
    if (loads) args.push("--load-state", state);
    args.push(...(config.args ?? []));

    // The node counts as running from its spawn on (a last-resort kill on exit reaches it while it starts).
    const timeoutMs = this.#o.startTimeoutMs;
    const anvil = await launchAnvil({
      args,
      port: n.spec.port ?? 0,
      timeoutMs,
      binary: this.#o.anvilPath,
      signal,
      onSpawn: (spawned) => {
        n.running = { anvil: spawned, port: 0 };
      },
    }).catch((error: unknown) => {
      n.running = undefined;
      throw startError(error, node.nodeId, timeoutMs);
    });
    const { child, port } = anvil;
    n.running = { anvil, port };

    // Listening is not answering yet: wait for eth_blockNumber.
    const deadline = Date.now() + this.#o.startTimeoutMs;
    for (;;) {
      try {
        await rpc(
          `http://127.0.0.1:${port}`,
          "eth_blockNumber",
          [],
          AbortSignal.any([signal, AbortSignal.timeout(1_000)]),
        );
        break;
      } catch (error) {
        if (signal.aborted || Date.now() > deadline || child.exitCode !== null) {
          await anvil.stop({ signal: "SIGKILL" });
          n.running = undefined;
          throw new DriverError(
            signal.aborted ? "aborted" : "not-ready",
            `node ${node.nodeId} does not answer`,
            { cause: error },
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    this.#log?.info("node started", { nodeId: node.nodeId, pid: child.pid, port, loadedState: loads });
  }

  async #stop(node: NodeRef, signal?: AbortSignal): Promise<void> {
    const n = this.#node(node);
    const r = n.running;
    if (!r) return;
    n.running = undefined;
    const { child } = r.anvil;
    if (child.exitCode !== null || child.signalCode !== null) return;
    // SIGINT: anvil writes its state dump; SIGKILL after the stop timeout (or when `signal` aborts).
    const stopped = await r.anvil.stop({ signal: "SIGINT", graceMs: this.#o.stopTimeoutMs, abort: signal });
    if (!stopped) {
      this.#log?.warn("node did not stop on SIGINT; killed it", { nodeId: node.nodeId, pid: child.pid });
    } else {
      this.#log?.info("node stopped", { nodeId: node.nodeId, pid: child.pid });
    }
  }

  #waitHeight(node: NodeRef, height: bigint, signal: AbortSignal): Promise<void> {
    return waitHeightAt(() => this.status(node, signal), height, signal, node.nodeId);
  }

  #wipe(node: NodeRef): void {
    const n = this.#node(node);
    if (n.running) throw new DriverError("failed", `node ${node.nodeId} is running; stop it before wiping`);
    rmSync(this.stateDir(node), { recursive: true, force: true });
  }

  #killAllNow(): void {
    for (const n of this.#nodes.values()) {
      const c = n.running?.anvil.child;
      if (c && c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    }
  }
}

/** A failed launch of `nodeId`'s anvil as the driver's error. */
function startError(error: unknown, nodeId: string, timeoutMs: number): DriverError {
  if (!(error instanceof AnvilStartError))
    return new DriverError("failed", `cannot start anvil: ${(error as Error).message}`, { cause: error });
  switch (error.reason) {
    case "spawn":
      return new DriverError("failed", error.message, { cause: error.cause });
    case "aborted":
      return new DriverError("aborted", `start of ${nodeId} aborted`);
    case "timeout":
      return new DriverError("not-ready", `node ${nodeId} did not listen within ${timeoutMs} ms`);
    case "exited":
      return new DriverError(
        "not-ready",
        `node ${nodeId} exited at start (${error.exit}): ${error.output.slice(-500)}`,
      );
  }
}

function atomicWrite(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

let rpcId = 0;

/** One JSON-RPC call over HTTP; throws on transport errors and on an error answer. */
async function rpc(url: string, method: string, params: unknown[], signal: AbortSignal): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: ++rpcId, method, params }),
    signal,
  });
  if (!response.ok) throw new Error(`${method}: HTTP ${response.status}`);
  const body = (await response.json()) as { result?: unknown; error?: { message?: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message ?? "error"}`);
  return body.result;
}

/** Waits until the node's height reaches `height` (bounded by `signal`). */
async function waitHeightAt(
  status: () => Promise<NodeStatus>,
  height: bigint,
  signal: AbortSignal,
  nodeId: string,
): Promise<void> {
  let last: bigint | undefined;
  for (;;) {
    const s = await status().catch(() => ({ running: false }) as NodeStatus);
    last = s.height ?? last;
    if (s.height !== undefined && s.height >= height) return;
    if (signal.aborted)
      throw new DriverError(
        "not-ready",
        `node ${nodeId} at ${last ?? "?"} did not reach height ${height} in time`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}
