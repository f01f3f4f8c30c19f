/**
 * The orchestrator's view of the machines it repairs. The escalation ladder (restart → resync from the latest
 * final snapshot → reprovision from a config CID → ask the guardians for a key rotation) is written only
 * against this interface, so a new way of running nodes (Kubernetes, systemd, a cloud API) is a new `Driver`
 * and nothing else:
 * - `process`  (src/agents/orchestrator/drivers/process.ts): real local node processes (anvil from the npm
 *   registry stands in for a validator client: state dump on stop, load on start);
 * - `simulated` (src/sim): the simulated fleet of the chaos simulation.
 *
 * Every method is bounded by the `signal` it is given (the orchestrator aborts a step that overruns its
 * budget) and either resolves with the outcome or throws a `DriverError` whose `code` says what went wrong.
 * A method never reports success for something it did not do.
 */

/** A node as the orchestrator knows it: the validator it serves and the driver's own id for it. */
export interface NodeRef {
  /** The validator address (checksummed) whose node this is. */
  readonly validator: string;
  /** The driver's id for the node (a process name, a pod name, a simulated node index). */
  readonly nodeId: string;
}

/** What the driver can see of a node right now. */
export interface NodeStatus {
  /** The process / container / simulated node is running. */
  running: boolean;
  /** Its chain head, when it answers; undefined when it does not. */
  height?: bigint;
  /** Peers, when it answers. */
  peers?: number;
}

/**
 * A final snapshot from the SnapshotRegistry, as the ladder hands it to `resync`. The driver fetches the
 * file named by `cid`, and must refuse it (code "hash-mismatch") unless keccak256 of its bytes equals
 * `contentHash` and its size equals `sizeBytes`.
 */
export interface SnapshotRef {
  readonly snapshotId: bigint;
  readonly height: bigint;
  readonly blockHash: string;
  readonly stateRoot: string;
  readonly contentHash: string;
  readonly cid: string;
  readonly sizeBytes: bigint;
}

/**
 * A live sentinel of the SentinelRegistry (a read-only node that heartbeats like a validator): the only source a
 * resync downloads from. The orchestrator picks it from `SentinelRegistry.liveSentinels()` right before the
 * resync; the driver fetches the snapshot (and the chain after it) from `endpoint`, and still checks the file's
 * hash against the registry: a sentinel is trusted for availability, never for content.
 */
export interface SentinelRef {
  /** The sentinel's id in the registry (checksummed). */
  readonly sentinel: string;
  /** Where it answers (e.g. "http://10.0.0.7:8545"). */
  readonly endpoint: string;
}

export type DriverErrorCode =
  /** The driver does not know this node. */
  | "unknown-node"
  /** The snapshot file could not be fetched from its CID. */
  | "fetch-failed"
  /** The fetched file does not match the registry's contentHash / sizeBytes: refused, nothing loaded. */
  | "hash-mismatch"
  /** The config named by a CID could not be fetched or is not valid. */
  | "bad-config"
  /** The node did not come back (did not answer, or did not reach the expected height) in time. */
  | "not-ready"
  /** The step was aborted by the orchestrator's signal. */
  | "aborted"
  /** Anything else (the message says what). */
  | "failed";

export class DriverError extends Error {
  override readonly name = "DriverError";
  constructor(
    readonly code: DriverErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface Driver {
  /** "process", "simulated", … (used in logs, metrics and the detailsHash of reported results). */
  readonly kind: string;
  /** The node serving `validator`, or undefined when this driver does not run it. */
  nodeOf(validator: string): NodeRef | undefined;
  status(node: NodeRef, signal: AbortSignal): Promise<NodeStatus>;
  /** Stops the node (if running) and starts it again with its current data. Resolves once it answers. */
  restart(node: NodeRef, signal: AbortSignal): Promise<void>;
  /**
   * Stops the node, wipes its data, loads the snapshot (after checking its hash) and starts it again, syncing
   * from `source` (a live sentinel; the orchestrator always gives one when the deployment has a
   * SentinelRegistry). Resolves once it answers at a height ≥ the snapshot's.
   */
  resync(node: NodeRef, snapshot: SnapshotRef, signal: AbortSignal, source?: SentinelRef): Promise<void>;
  /** Stops the node, replaces its configuration with the one at `configCid`, wipes and starts it again. */
  reprovision(node: NodeRef, configCid: string, signal: AbortSignal): Promise<void>;
}
