/**
 * The chain's side of the story, read from events only: incidents (opened, replaced, slashed, cancelled,
 * remediation requested / resolved / reported), degradations, and every validator's status. The report's
 * detection and heal times come from here, never from the simulator's own bookkeeping.
 *
 * `ChainWatcher.poll()` reads the logs of the validator set, the stake manager and the recovery manager since
 * the last poll (one getLogs per step), and re-reads `statusOf` for the validators an event touched.
 */
import type { Interface, Log, Provider } from "ethers";

import type { IValidatorSet } from "../../types/ethers-contracts/index.js";

/** IValidatorSet.Status */
export const STATUS_NAMES = ["none", "backup", "active", "parked", "jailed", "tombstoned", "exited"] as const;
export type StatusName = (typeof STATUS_NAMES)[number];
/** IValidatorSet.IncidentKind */
export const KIND_NAMES = ["downtime", "double-sign", "low-uptime", "stall"] as const;
export type KindName = (typeof KIND_NAMES)[number];

export interface TxRef {
  hash: string;
  /** What the transaction did for the incident. */
  what: string;
}

export interface ChainIncident {
  id: number;
  validator: string;
  kind: KindName;
  reporter: string;
  faultAt: number;
  detectedAt: number;
  replacement?: string;
  replacedAt?: number;
  remediationRequestedAt?: number;
  escalateAt?: number;
  remediationResolvedAt?: number;
  /** RecoveryManager.IncidentRemediationReported: the orchestrator's verdict. */
  remediationReported?: { at: number; ok: boolean; operator: string };
  /** RecoveryManager.ValidatorRestored: released from jail into the backup pool after a proven remediation. */
  restored?: { at: number; timeToRecoverS: number; actionId: number; by: string };
  slash: "none" | "pending" | "executed" | "cancelled";
  slashedAmount?: bigint;
  reward?: bigint;
  txs: TxRef[];
}

export interface Degradation {
  at: number;
  silent: number;
  count: number;
  correlated: boolean;
}

export interface Removal {
  at: number;
  removed: string;
  promoted: string | null;
  reason: KindName;
  incidentId: number;
}

export interface WatchedContracts {
  set: { address: string; iface: Interface };
  stake: { address: string; iface: Interface };
  recovery?: { address: string; iface: Interface };
}

const ZERO = "0x0000000000000000000000000000000000000000";

export class ChainWatcher {
  readonly incidents = new Map<number, ChainIncident>();
  readonly degradations: Degradation[] = [];
  readonly recoveries: { at: number; degradedFor: number }[] = [];
  readonly removals: Removal[] = [];
  readonly status = new Map<string, StatusName>();
  /** Jail release time by validator (from Jailed events). */
  readonly jailedUntil = new Map<string, number>();
  /** The latest block seen by the last poll. */
  latestBlock = 0;
  #from: number;
  readonly #c: WatchedContracts;
  readonly #provider: Provider;
  readonly #set: IValidatorSet;
  readonly #addresses: string[];
  readonly #blockTimes = new Map<number, number>();

  constructor(options: {
    provider: Provider;
    contracts: WatchedContracts;
    set: IValidatorSet;
    fromBlock: number;
  }) {
    this.#provider = options.provider;
    this.#c = options.contracts;
    this.#set = options.set;
    this.#from = options.fromBlock;
    this.#addresses = [options.contracts.set.address, options.contracts.stake.address];
    if (options.contracts.recovery) this.#addresses.push(options.contracts.recovery.address);
  }

  /** Reads `statusOf` for every validator (once, at the start). */
  async loadStatuses(validators: readonly string[]): Promise<void> {
    const statuses = await Promise.all(validators.map((v) => this.#set.statusOf(v)));
    validators.forEach((v, i) => this.status.set(v, STATUS_NAMES[Number(statuses[i])] ?? "none"));
  }

  /**
   * Reads new logs up to the latest block. `now` is the block time of the current step (every block of a
   * step has it on the embedded network); other networks have their block timestamps read.
   */
  async poll(now: number, sameTimestamp: boolean): Promise<void> {
    const latest = await this.#provider.getBlockNumber();
    this.latestBlock = latest;
    if (latest < this.#from) return;
    const logs = await this.#provider.getLogs({
      address: this.#addresses,
      fromBlock: this.#from,
      toBlock: latest,
    });
    this.#from = latest + 1;
    const touched = new Set<string>();
    for (const log of logs) {
      const at = sameTimestamp ? now : await this.#timeOf(log.blockNumber);
      this.#apply(log, at, touched);
    }
    if (touched.size > 0) {
      const list = [...touched];
      const statuses = await Promise.all(list.map((v) => this.#set.statusOf(v)));
      list.forEach((v, i) => this.status.set(v, STATUS_NAMES[Number(statuses[i])] ?? "none"));
    }
  }

  async #timeOf(block: number): Promise<number> {
    const cached = this.#blockTimes.get(block);
    if (cached !== undefined) return cached;
    const b = await this.#provider.getBlock(block);
    const t = b?.timestamp ?? 0;
    this.#blockTimes.set(block, t);
    return t;
  }

  #apply(log: Log, at: number, touched: Set<string>): void {
    const address = log.address.toLowerCase();
    const c = this.#c;
    const iface =
      address === c.set.address.toLowerCase()
        ? c.set.iface
        : address === c.stake.address.toLowerCase()
          ? c.stake.iface
          : c.recovery?.iface;
    const parsed = iface?.parseLog(log);
    if (!parsed) return;
    const a = parsed.args;
    const tx = (what: string): TxRef => ({ hash: log.transactionHash, what });
    const incident = (id: bigint) => this.incidents.get(Number(id));
    switch (parsed.name) {
      case "IncidentOpened": {
        const id = Number(a[0] as bigint);
        this.incidents.set(id, {
          id,
          validator: a[1] as string,
          kind: KIND_NAMES[Number(a[2] as bigint)] ?? "downtime",
          reporter: a[3] as string,
          faultAt: Number(a[4] as bigint),
          detectedAt: Number(a[5] as bigint),
          slash: "none",
          txs: [tx("detect")],
        });
        touched.add(a[1] as string);
        break;
      }
      case "ValidatorReplaced": {
        const removed = a[0] as string;
        const promoted = (a[1] as string) === ZERO ? null : (a[1] as string);
        const id = Number(a[4] as bigint);
        this.removals.push({
          at,
          removed,
          promoted,
          reason: KIND_NAMES[Number(a[3] as bigint)] ?? "downtime",
          incidentId: id,
        });
        const inc = this.incidents.get(id);
        if (inc) {
          inc.replacedAt = at;
          if (promoted !== null) inc.replacement = promoted;
          if (!inc.txs.some((t) => t.hash === log.transactionHash)) inc.txs.push(tx("replace"));
        }
        touched.add(removed);
        if (promoted !== null) touched.add(promoted);
        break;
      }
      case "ValidatorActivated":
      case "CandidateRegistered":
      case "BackupParked":
      case "BackupRefreshed":
      case "ValidatorExited":
        touched.add(a[0] as string);
        break;
      case "SlashExecuted": {
        const inc = incident(a[0] as bigint);
        if (inc) {
          inc.slash = "executed";
          inc.slashedAmount = a[2] as bigint;
          inc.reward = a[3] as bigint;
          inc.txs.push(tx("slash"));
        }
        break;
      }
      case "SlashCancelled": {
        const inc = incident(a[0] as bigint);
        if (inc) {
          inc.slash = "cancelled";
          inc.txs.push(tx("cancel"));
        }
        break;
      }
      case "RemediationRequested": {
        const inc = incident(a[0] as bigint);
        if (inc) {
          inc.remediationRequestedAt = at;
          inc.escalateAt = Number(a[3] as bigint);
        }
        break;
      }
      case "RemediationResolved": {
        const inc = incident(a[0] as bigint);
        if (inc) {
          inc.remediationResolvedAt = at;
          inc.txs.push(tx("resolve"));
        }
        break;
      }
      case "SetDegraded":
        this.degradations.push({
          at,
          silent: Number(a[0] as bigint),
          count: Number(a[1] as bigint),
          correlated: a[2] as boolean,
        });
        break;
      case "SetRecovered":
        this.recoveries.push({ at, degradedFor: Number(a[0] as bigint) });
        break;
      // StakeManager
      case "Jailed":
        this.jailedUntil.set(a[0] as string, Number(a[1] as bigint));
        touched.add(a[0] as string);
        break;
      case "Unjailed":
      case "Tombstoned":
        touched.add(a[0] as string);
        break;
      // RecoveryManager
      case "ValidatorRestored": {
        const inc = incident(a[0] as bigint);
        if (inc) {
          inc.restored = {
            at,
            actionId: Number(a[2] as bigint),
            timeToRecoverS: Number(a[3] as bigint),
            by: a[4] as string,
          };
          inc.txs.push(tx("restore"));
        }
        touched.add(a[1] as string);
        break;
      }
      case "IncidentRemediationReported": {
        const inc = incident(a[0] as bigint);
        if (inc) {
          inc.remediationReported = { at, ok: a[1] as boolean, operator: a[3] as string };
          inc.txs.push(tx("report"));
        }
        break;
      }
    }
    // A downtime or double-sign incident carries a slash from the start.
    if (parsed.name === "IncidentOpened") {
      const inc = this.incidents.get(Number(a[0] as bigint));
      if (inc && inc.kind === "downtime") inc.slash = "pending";
    }
  }

  /** Active validators, in the order given (a stable order: the fleet's). */
  activeIn(order: readonly string[]): string[] {
    return order.filter((v) => this.status.get(v) === "active");
  }
}
