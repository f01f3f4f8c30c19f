/**
 * A scriptable Driver for the orchestrator's tests (no test of its own). Each method's behaviour is set per
 * test: "heal" (the node answers afterwards), "no-heal" (the call succeeds but the node still does not
 * answer), or a DriverError to throw. Calls are recorded.
 */
import type {
  Driver,
  NodeRef,
  NodeStatus,
  SentinelRef,
  SnapshotRef,
} from "../../src/agents/orchestrator/driver.js";
import { DriverError } from "../../src/agents/orchestrator/driver.js";

export type Behaviour = "heal" | "no-heal" | DriverError | "hang";

export interface FakeCall {
  method: "restart" | "resync" | "reprovision";
  nodeId: string;
  snapshot?: SnapshotRef;
  /** The sentinel a resync was told to sync from. */
  source?: SentinelRef;
  configCid?: string;
}

export class FakeDriver implements Driver {
  readonly kind = "fake";
  readonly calls: FakeCall[] = [];
  /** Per-method behaviour (default "no-heal"). */
  behaviour: { restart?: Behaviour; resync?: Behaviour; reprovision?: Behaviour } = {};
  /**
   * Called when a "hang" begins: a test that stops the orchestrator mid-rung aborts here, so the abort lands
   * inside the rung whatever the machine's speed (a wall-clock timeout could fire before the rung starts).
   */
  onHang?: (method: FakeCall["method"]) => void;
  /** Whether the node answers; its height when it does. */
  answering = false;
  height = 10n;
  readonly #nodes: Map<string, NodeRef>;

  constructor(validators: readonly string[]) {
    this.#nodes = new Map(
      validators.map((v, i) => [v.toLowerCase(), { validator: v, nodeId: `node-${i}` }] as const),
    );
  }

  nodeOf(validator: string): NodeRef | undefined {
    return this.#nodes.get(validator.toLowerCase());
  }

  async status(_node: NodeRef, _signal: AbortSignal): Promise<NodeStatus> {
    return this.answering ? { running: true, height: this.height, peers: 3 } : { running: true };
  }

  async restart(node: NodeRef, signal: AbortSignal): Promise<void> {
    this.calls.push({ method: "restart", nodeId: node.nodeId });
    await this.#act("restart", this.behaviour.restart, signal);
  }

  async resync(
    node: NodeRef,
    snapshot: SnapshotRef,
    signal: AbortSignal,
    source?: SentinelRef,
  ): Promise<void> {
    this.calls.push({ method: "resync", nodeId: node.nodeId, snapshot, ...(source && { source }) });
    await this.#act("resync", this.behaviour.resync, signal, snapshot.height);
  }

  async reprovision(node: NodeRef, configCid: string, signal: AbortSignal): Promise<void> {
    this.calls.push({ method: "reprovision", nodeId: node.nodeId, configCid });
    await this.#act("reprovision", this.behaviour.reprovision, signal);
  }

  async #act(
    method: FakeCall["method"],
    b: Behaviour | undefined,
    signal: AbortSignal,
    height?: bigint,
  ): Promise<void> {
    if (b instanceof DriverError) throw b;
    if (b === "hang") {
      await new Promise<void>((_resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("fake hang not aborted within 10 s")), 10_000);
        const abort = () => {
          clearTimeout(timer);
          reject(new DriverError("aborted", "aborted"));
        };
        if (signal.aborted) return abort();
        signal.addEventListener("abort", abort, { once: true });
        this.onHang?.(method);
      });
    }
    if (b === "heal") {
      this.answering = true;
      if (height !== undefined) this.height = height;
    }
  }
}
