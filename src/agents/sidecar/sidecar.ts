/**
 * The sidecar runs beside a validator node. Each tick it reads the node (NodeProbe) and the host (HostProbe)
 * and either sends `heartbeat(report)` from the validator's signer key ("direct" mode) or signs an EIP-712
 * heartbeat and hands it to a relayer ("relay" mode: a keeper batches it into `heartbeatBatch`). The tick
 * interval should be well under the chain's `heartbeatInterval` so a heartbeat lands early in each interval;
 * a failed read or send is retried at the next tick and counted.
 *
 * It never reports what it did not read: when the node cannot be read, no heartbeat is sent (so a dead node
 * looks dead on-chain), and a node that is syncing still heartbeats with its real (lagging) height, which is
 * how NodeHealth detects a stall.
 */
import type { TypedDataDomain, Wallet } from "ethers";

import { StaleHeadError } from "../../chain/errors.js";
import type { SendRequest, SendResult } from "../../chain/sender.js";
import type { INodeHealth } from "../../../types/ethers-contracts/index.js";
import type { HealthReportInput } from "../../suite/fleet.js";
import { domainOf, signHeartbeat, type SignedHeartbeatInput } from "../../suite/signing.js";
import type { Logger } from "../common/log.js";
import type { SidecarMetrics } from "./metrics.js";
import type { HostProbe, NodeProbe } from "./probe.js";

export type SidecarMode = { kind: "direct" } | { kind: "relay"; relay: HeartbeatRelay; signer: Wallet };

/** Where relay-mode heartbeats go (a keeper's queue, or its HTTP endpoint). */
export interface HeartbeatRelay {
  post(item: SignedHeartbeatInput): Promise<void>;
}

export interface SidecarDeps {
  /** The validator this sidecar heartbeats for. */
  validator: string;
  /** NodeHealth bound to the signer key (direct mode sends through `send`). */
  health: INodeHealth;
  node: NodeProbe;
  host: HostProbe;
  mode: SidecarMode;
  send(request: SendRequest): Promise<SendResult>;
  /** The chain's current time in seconds (the latest block's timestamp). */
  chainTime(): Promise<bigint>;
  log: Logger;
  metrics?: SidecarMetrics;
}

export type SidecarOutcome =
  | { status: "sent"; report: HealthReportInput; txHash?: string }
  | { status: "relayed"; report: HealthReportInput }
  | { status: "node-unreadable"; error: string }
  /** The RPC lags behind our last mined heartbeat: nothing sent this tick, not a failure. */
  | { status: "stale-head"; error: string }
  | { status: "failed"; error: string };

export class Sidecar {
  readonly #deps: SidecarDeps;
  #lastConfirmedAt: bigint | undefined;
  /** The latest chain time seen: a lagging RPC's older head does not move the sidecar's clock back. */
  #chainTime: bigint | undefined;

  constructor(deps: SidecarDeps) {
    this.#deps = deps;
  }

  /** Chain time of the last confirmed (or relayed) heartbeat. */
  get lastConfirmedAt(): bigint | undefined {
    return this.#lastConfirmedAt;
  }

  async tick(signal?: AbortSignal): Promise<SidecarOutcome> {
    const { node, host, log, metrics } = this.#deps;
    let report: HealthReportInput;
    try {
      const [reading, diskUsedBps] = await Promise.all([node.read(signal), host.diskUsedBps()]);
      report = {
        blockHeight: reading.blockNumber,
        blockHash: reading.blockHash,
        peerCount: Math.min(reading.peerCount, 65_535),
        latencyMs: Math.min(reading.latencyMs, 2 ** 32 - 1),
        diskUsedBps,
        clientVersionHash: reading.clientVersionHash,
      };
      metrics?.nodeHeight.set(Number(reading.blockNumber));
      metrics?.peers.set(reading.peerCount);
    } catch (error) {
      metrics?.heartbeats.inc({ result: "node_unreadable" });
      log.warn("node unreadable; no heartbeat this tick", { error });
      return { status: "node-unreadable", error: (error as Error).message };
    }

    // Monotonic: a lagging RPC answering an older block keeps the last time seen, so the heartbeat's intent
    // key (named by the time) is the one already sent, not a new one simulated on a state without it.
    const read = await this.#deps.chainTime();
    const now = this.#chainTime !== undefined && this.#chainTime > read ? this.#chainTime : read;
    this.#chainTime = now;
    const outcome =
      this.#deps.mode.kind === "direct"
        ? await this.#sendDirect(report, now)
        : await this.#relay(report, now);
    if (outcome.status === "sent" || outcome.status === "relayed") {
      this.#lastConfirmedAt = now;
      metrics?.heartbeats.inc({ result: outcome.status });
    } else if (outcome.status === "stale-head") {
      metrics?.heartbeats.inc({ result: "stale_head" });
    } else {
      metrics?.heartbeats.inc({ result: "failed" });
    }
    if (this.#lastConfirmedAt !== undefined)
      metrics?.lastHeartbeatAge.set(Number(now - this.#lastConfirmedAt));
    return outcome;
  }

  async #sendDirect(report: HealthReportInput, now: bigint): Promise<SidecarOutcome> {
    let result: SendResult;
    try {
      result = await this.#deps.send({
        key: `heartbeat:${this.#deps.validator}:${now}`,
        contract: this.#deps.health,
        method: "heartbeat",
        args: [report],
        alreadyHandled: ["NodeHealthDuplicateHeartbeat"],
      });
    } catch (error) {
      if (!(error instanceof StaleHeadError)) throw error;
      this.#deps.log.info("RPC head is stale; heartbeat waits for the next tick", { error: error.message });
      return { status: "stale-head", error: error.message };
    }
    if (result.status === "confirmed") return { status: "sent", report, txHash: result.txHash };
    if (result.status === "already-handled") return { status: "sent", report };
    const error = "error" in result && result.error !== undefined ? result.error : result.status;
    this.#deps.log.warn("heartbeat not sent", { result: result.status, error });
    return { status: "failed", error };
  }

  async #relay(report: HealthReportInput, now: bigint): Promise<SidecarOutcome> {
    const mode = this.#deps.mode;
    if (mode.kind !== "relay") throw new Error("unreachable: relay in direct mode");
    try {
      const [, signerEpoch] = await this.#deps.health.signerOf(this.#deps.validator);
      const domain = await domainCache(this.#deps.health);
      const item = await signHeartbeat(mode.signer, domain, {
        validator: this.#deps.validator,
        signerEpoch,
        timestamp: now,
        report,
      });
      await mode.relay.post(item);
      return { status: "relayed", report };
    } catch (error) {
      this.#deps.log.warn("heartbeat not relayed", { error });
      return { status: "failed", error: (error as Error).message };
    }
  }
}

const domains = new WeakMap<object, Promise<TypedDataDomain>>();

/** The EIP-712 domain of a NodeHealth contract, read once per contract object. */
function domainCache(health: INodeHealth): Promise<TypedDataDomain> {
  const cached = domains.get(health);
  if (cached !== undefined) return cached;
  const domain = domainOf(health);
  domains.set(health, domain);
  return domain;
}
