/**
 * The `simulated` Driver: the orchestrator's escalation ladder acting on the simulated fleet.
 *
 * Operations take effect at once in wall time; their duration shows in simulated time: a restarted node is
 * down for `restartTime` seconds, then follows the chain again. What each operation cures:
 * - restart: a crashed or stalled node (a stuck process); not a partition (the network is at fault), and not
 *   a stall with corrupted data (the node comes back stuck at the same height).
 * - resync: anything a restart cures, and corrupted data (the data directory is wiped and restored from the
 *   snapshot), after checking the snapshot file against the registry's hash. The file is fetched from the
 *   sentinel the orchestrator picked: a sentinel that is down (a sentinel outage) fails the fetch.
 * - reprovision: the same as a resync, from a config CID (a fresh machine).
 * A partitioned node stays behind until the partition ends, whatever the driver does, so the ladder
 * escalates exactly as it would on real machines.
 */
import { keccak256 } from "ethers";

import {
  DriverError,
  type Driver,
  type NodeRef,
  type NodeStatus,
  type SentinelRef,
  type SnapshotRef,
} from "../agents/orchestrator/driver.js";
import type { SimClock } from "./clock.js";
import type { Fleet, SimNode } from "./fleet.js";

export interface DriverOp {
  at: number;
  op: "restart" | "resync" | "reprovision";
  validator: string;
  node: string;
  ok: boolean;
  error?: string;
  /** resync: the sentinel it synced from, and whether that sentinel was up at the time. */
  sentinel?: string;
  sentinelUp?: boolean;
}

export interface SimulatedDriverOptions {
  fleet: Fleet;
  /** The simulated clock: a restart resolves once the node is back, in simulated time. */
  clock: SimClock;
  /** Seconds a node needs to come back. */
  restartTime: number;
  /** Snapshot files by CID (the simulation's stand-in for IPFS). */
  files?: Map<string, Uint8Array>;
  /** Whether a sentinel answers at simulated time `t` (a resync fetches from it). Default: always. */
  sentinelUp?: (sentinel: string, t: number) => boolean;
}

export class SimulatedDriver implements Driver {
  readonly kind = "simulated";
  /** Every operation, in order (the report lists them). */
  readonly ops: DriverOp[] = [];
  readonly #o: SimulatedDriverOptions;
  /** The source of the resync in flight (recorded with its op). */
  #source: { sentinel: string; sentinelUp: boolean } | undefined;

  constructor(options: SimulatedDriverOptions) {
    this.#o = options;
  }

  nodeOf(validator: string): NodeRef | undefined {
    const node = this.#o.fleet.byValidator(validator);
    return node === undefined ? undefined : { validator: node.validator, nodeId: node.label };
  }

  async status(ref: NodeRef, signal: AbortSignal): Promise<NodeStatus> {
    const node = this.#node(ref, signal);
    const t = this.#o.clock.now;
    if (!node.reachable(t)) return { running: node.running(t) };
    return { running: true, height: node.height(t), peers: node.partitionedUntil !== null ? 0 : 24 };
  }

  async restart(ref: NodeRef, signal: AbortSignal): Promise<void> {
    const node = this.#node(ref, signal);
    await this.#restart(node, "restart", signal);
  }

  async resync(
    ref: NodeRef,
    snapshot: SnapshotRef,
    signal: AbortSignal,
    source?: SentinelRef,
  ): Promise<void> {
    const node = this.#node(ref, signal);
    const up =
      source === undefined ? undefined : (this.#o.sentinelUp?.(source.sentinel, this.#o.clock.now) ?? true);
    this.#source = source === undefined ? undefined : { sentinel: source.sentinel, sentinelUp: up === true };
    if (source !== undefined && up !== true) {
      this.#record(node, "resync", false, "fetch-failed");
      throw new DriverError(
        "fetch-failed",
        `sentinel ${source.sentinel} (${source.endpoint}) does not answer`,
      );
    }
    const file = this.#o.files?.get(snapshot.cid);
    if (file === undefined) {
      this.#record(node, "resync", false, "fetch-failed");
      throw new DriverError("fetch-failed", `snapshot ${snapshot.cid} not found`);
    }
    if (keccak256(file) !== snapshot.contentHash || BigInt(file.length) !== snapshot.sizeBytes) {
      this.#record(node, "resync", false, "hash-mismatch");
      throw new DriverError("hash-mismatch", `snapshot ${snapshot.cid} does not match the registry's hash`);
    }
    await this.#restart(node, "resync", signal);
    this.#source = undefined;
  }

  async reprovision(ref: NodeRef, configCid: string, signal: AbortSignal): Promise<void> {
    const node = this.#node(ref, signal);
    if (configCid.length === 0) {
      this.#record(node, "reprovision", false, "bad-config");
      throw new DriverError("bad-config", "empty config CID");
    }
    await this.#restart(node, "reprovision", signal);
  }

  #node(ref: NodeRef, signal: AbortSignal): SimNode {
    if (signal.aborted) throw new DriverError("aborted", "aborted before it started");
    const node = this.#o.fleet.byValidator(ref.validator);
    if (node === undefined || node.label !== ref.nodeId)
      throw new DriverError("unknown-node", `no simulated node ${ref.nodeId} for ${ref.validator}`);
    return node;
  }

  /**
   * The node goes down for `restartTime` and comes back cured of what a restart cures; resolves once it
   * answers again (in simulated time).
   */
  async #restart(node: SimNode, op: DriverOp["op"], signal: AbortSignal): Promise<void> {
    const t = this.#o.clock.now;
    node.crashedUntil = null;
    node.outageUntil = null;
    // A plain restart keeps the node's data: a corrupted node comes back stuck where it was.
    if (op !== "restart" || !node.corrupted) {
      node.stalledUntil = null;
      node.corrupted = false;
    }
    node.restartingUntil = t + this.#o.restartTime;
    node.restarts += 1;
    this.#record(node, op, true);
    try {
      await this.#o.clock.until(node.restartingUntil, signal);
    } catch (error) {
      throw new DriverError("aborted", `${op} of ${node.label} aborted`, { cause: error });
    }
  }

  #record(node: SimNode, op: DriverOp["op"], ok: boolean, error?: string): void {
    const entry: DriverOp = { at: this.#o.clock.now, op, validator: node.validator, node: node.label, ok };
    if (error !== undefined) entry.error = error;
    if (op === "resync" && this.#source !== undefined) {
      entry.sentinel = this.#source.sentinel;
      entry.sentinelUp = this.#source.sentinelUp;
    }
    this.ops.push(entry);
  }
}
