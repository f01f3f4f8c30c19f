/**
 * The simulated validator network: one `SimNode` per operator, and the network's height. This is the
 * scenario's ground truth — which nodes are running, reachable, in sync — that the report holds the
 * on-chain verdicts against (a slash of a node that was live here is a false positive).
 *
 * Time is the simulated chain time in seconds. The network produces one block per `blockTime` while at
 * least two thirds of the active set is up; with more than a third down it halts (a correlated outage).
 * A node reports the network height when it is in sync, or the height it froze at when it is stalled or
 * cut off from its peers. Sidecars read nodes through `probe()` (a NodeProbe), orchestrators through the
 * SimulatedDriver.
 */
import { keccak256, solidityPacked } from "ethers";

import type { NodeProbe, NodeReading } from "../agents/sidecar/probe.js";
import { NodeProbeError } from "../agents/sidecar/probe.js";
import type { Operator } from "../suite/fleet.js";

/** What the timeline shows for a node (ground truth, not the chain's view). */
export type Condition =
  | "ok"
  | "crashed"
  | "restarting"
  | "stalled"
  | "partitioned"
  | "outage"
  | "flapping"
  | "slow"
  | "equivocated";

const CLIENT_VERSION_HASH = keccak256(solidityPacked(["string"], ["healnet-sim/1.0.0"]));

export class SimNode {
  /** Down until this time (a crash; the node's supervisor restarts it then). */
  crashedUntil: number | null = null;
  /** Restarting (by the supervisor or the orchestrator) until this time. */
  restartingUntil: number | null = null;
  /** Stuck at `frozenHeight` (a stall: alive, not following the chain) until cured or this time. */
  stalledUntil: number | null = null;
  /** Cut off from its peers until this time (reachable by its sidecar, but not following the chain). */
  partitionedUntil: number | null = null;
  /** Down with a correlated outage until this time. */
  outageUntil: number | null = null;
  /** Flapping (intermittently unreachable) until this time, and unreachable right now until `unreachableUntil`. */
  flappingUntil: number | null = null;
  unreachableUntil: number | null = null;
  /** Latency spike until this time, at `latencyMs`. */
  slowUntil: number | null = null;
  latencyMs = 40;
  /** Signed two conflicting votes (a tombstoning offence). */
  equivocatedAt: number | null = null;
  /** Its data is corrupted (a "corrupted" stall): a restart does not cure it, a resync or reprovision does. */
  corrupted = false;
  /** Height the node froze at while stalled or partitioned. */
  frozenHeight: bigint | null = null;
  /** Restarts done by a driver (for the report). */
  restarts = 0;

  constructor(
    readonly index: number,
    readonly label: string,
    readonly operator: Operator,
    readonly network: SimNetwork,
  ) {}

  get validator(): string {
    return this.operator.account.address;
  }

  /** The process is running (not crashed, not restarting, not in an outage). */
  running(t: number): boolean {
    return !(before(t, this.crashedUntil) || before(t, this.restartingUntil) || before(t, this.outageUntil));
  }

  /** The node answers its sidecar right now. */
  reachable(t: number): boolean {
    return this.running(t) && !before(t, this.unreachableUntil);
  }

  /** Following the chain (not stalled, not partitioned). */
  inSync(t: number): boolean {
    return !before(t, this.stalledUntil) && !before(t, this.partitionedUntil);
  }

  /**
   * Ground truth "live": running, in sync and not cut off. Flapping and slow nodes are live (their
   * heartbeats arrive inside the grace period); an equivocator is not honest but is still live.
   */
  live(t: number): boolean {
    return this.running(t) && this.inSync(t);
  }

  /** The height the node is at. */
  height(t: number): bigint {
    if (!this.inSync(t) && this.frozenHeight !== null) return this.frozenHeight;
    return this.network.height;
  }

  condition(t: number): Condition {
    if (before(t, this.crashedUntil)) return "crashed";
    if (before(t, this.outageUntil)) return "outage";
    if (before(t, this.restartingUntil)) return "restarting";
    if (before(t, this.partitionedUntil)) return "partitioned";
    if (before(t, this.stalledUntil)) return "stalled";
    if (this.equivocatedAt !== null) return "equivocated";
    if (before(t, this.flappingUntil)) return "flapping";
    if (before(t, this.slowUntil)) return "slow";
    return "ok";
  }

  /** Freezes the height (stall or partition start). */
  freeze(): void {
    this.frozenHeight ??= this.network.height;
  }

  /** Clears expired fault marks; called once per step. */
  settle(t: number): void {
    if (!before(t, this.crashedUntil)) this.crashedUntil = null;
    if (!before(t, this.restartingUntil)) this.restartingUntil = null;
    if (!before(t, this.outageUntil)) this.outageUntil = null;
    if (!before(t, this.unreachableUntil)) this.unreachableUntil = null;
    if (!before(t, this.flappingUntil)) this.flappingUntil = null;
    if (!before(t, this.slowUntil)) {
      this.slowUntil = null;
      this.latencyMs = 40;
    }
    if (!before(t, this.stalledUntil)) {
      this.stalledUntil = null;
      this.corrupted = false;
    }
    if (!before(t, this.partitionedUntil)) this.partitionedUntil = null;
    if (this.stalledUntil === null && this.partitionedUntil === null) this.frozenHeight = null;
  }

  /** The sidecar's view of the node: a NodeProbe reading at the simulated clock. */
  probe(clock: () => number): NodeProbe {
    return {
      read: async (): Promise<NodeReading> => {
        const t = clock();
        if (!this.running(t)) throw new NodeProbeError(`${this.label}: connection refused`);
        if (!this.reachable(t)) throw new NodeProbeError(`${this.label}: request timed out`);
        const height = this.height(t);
        return {
          blockNumber: height,
          blockHash: blockHashOf(height),
          peerCount: before(t, this.partitionedUntil) ? 0 : 24,
          syncing: !this.inSync(t),
          latencyMs: this.latencyMs,
          clientVersionHash: CLIENT_VERSION_HASH,
        };
      },
    };
  }
}

/** The simulated network's height and halts. */
export class SimNetwork {
  height = 1n;
  halted = false;
  /** Seconds the network was halted (for the report). */
  haltedSeconds = 0;
}

/** A deterministic stand-in for the hash of the simulated network's block `height`. */
export function blockHashOf(height: bigint): string {
  return keccak256(solidityPacked(["string", "uint64"], ["healnet-sim-block", height]));
}

function before(t: number, until: number | null): boolean {
  return until !== null && t < until;
}

/** The fleet: every node, by validator address and by label. */
export class Fleet {
  readonly network = new SimNetwork();
  readonly nodes: SimNode[];
  readonly #byValidator = new Map<string, SimNode>();

  constructor(operators: readonly Operator[]) {
    this.nodes = operators.map(
      (op, i) => new SimNode(i, `v${String(i + 1).padStart(2, "0")}`, op, this.network),
    );
    for (const node of this.nodes) this.#byValidator.set(node.validator.toLowerCase(), node);
  }

  byValidator(validator: string): SimNode | undefined {
    return this.#byValidator.get(validator.toLowerCase());
  }

  /**
   * Advances the network by one block unless more than a third of `active` is down (a halt), and clears
   * expired fault marks.
   */
  step(t: number, active: readonly string[], blockTime: number): void {
    for (const node of this.nodes) node.settle(t);
    const down = active.filter((v) => !(this.byValidator(v)?.live(t) ?? false)).length;
    this.network.halted = active.length > 0 && down * 3 > active.length;
    if (this.network.halted) this.network.haltedSeconds += blockTime;
    else this.network.height += 1n;
  }
}
