/**
 * The orchestrator carries out repairs. Each tick (driven by `runAgent`, never overlapping):
 *
 *   1. Reads logs in bounded block ranges from its cursor (at most `maxBlockRange` blocks per getLogs,
 *      `maxRangesPerTick` ranges per tick, stopping `confirmations` blocks behind the head):
 *      - validator set: `RemediationRequested` (a stalled node: new work), `RemediationResolved`, and
 *        `IncidentOpened` of kind Downtime for a node this driver manages (a crashed node the set jailed: new
 *        work; other kinds and unmanaged validators are ignored);
 *      - RecoveryManager: `RecoveryRequested` (a guardian-approved Resync / Reprovision: new work),
 *        `RemediationReported` / `IncidentRemediationReported` (reported — by us or another orchestrator:
 *        the work is done), `RemediationEscalated` (an action overdue: still reportable, logged).
 *      The cursor and the pending work are persisted (a JSON file written atomically, see state.ts) after
 *      every range, so a restart resumes where it stopped.
 *      Reorgs: the state also keeps the hash of the last block of each range read (a ring of the last
 *      `MAX_CHECKPOINTS` = 64). Before each range (and once per tick when caught up) the cursor's block hash is
 *      compared with the chain's; when a reorg deeper than `confirmations` replaced it, the cursor moves back
 *      to the newest checkpoint still on the chain (a binary search of the ring: at most 6 more getBlock
 *      calls) or, when none is, `reorgRewindBlocks` below the oldest checkpoint (logged as a warning: an event
 *      below that is not re-read), and the blocks above are read again. Each rewind is counted in
 *      `healnet_orchestrator_reorgs_total{kind="checkpoint"|"deep"}` and its depth kept in
 *      `healnet_orchestrator_last_reorg_depth_blocks`. Re-reading is idempotent: work
 *      already pending is kept as it is (with its ladder result, so a node is not restarted again), work
 *      whose report is on the new chain is dropped when the report is read (and the on-chain re-read before
 *      acting skips it), and work the new chain changed (another validator for the same incident id) replaces
 *      the old. The hash of a range's last block is read before the cursor check and the logs, so a reorg
 *      racing a range is noticed at the next check. At most two rewinds per tick.
 *   2. Only once caught up with the confirmed head (so no report event it has not read yet can exist below
 *      the head), handles up to `maxWorkPerTick` pending items. Before acting it re-reads the chain: an
 *      incident must still be open (`openRemediationOf(validator) == id`, not resolved) and unreported
 *      (`recovery.incidentReport(id).reportedAt == 0`; the contract accepts one report per incident); an
 *      action must still be
 *      Requested or Escalated; a downtime incident's validator must still be Jailed (not yet restored). Then it runs the ladder (incident) or the one requested step (action),
 *      persists the outcome, re-checks that nobody reported meanwhile and reports it through the chain
 *      layer's sender under a stable intent key — so a crash between send and receipt is reconciled, not
 *      sent again, and a restarted orchestrator never reports twice.
 */
import { getAddress, isAddress, keccak256, type Log, type Provider, toUtf8Bytes } from "ethers";

import type { SendRequest, SendResult } from "../../chain/sender.js";
import type {
  INodeHealth,
  IRecoveryManager,
  ISentinelRegistry,
  ISnapshotRegistry,
  IValidatorSet,
} from "../../../types/ethers-contracts/index.js";
import type { Logger } from "../common/log.js";
import type { TickContext } from "../common/lifecycle.js";
import { type Driver, DriverError, type SentinelRef, type SnapshotRef } from "./driver.js";
import {
  canonicalJson,
  detailsHash,
  incidentDetails,
  LadderAborted,
  type LadderOptions,
  pickSentinel,
  runLadder,
} from "./ladder.js";
import type { OrchestratorMetrics, ReorgKind } from "./metrics.js";
import { isCid } from "./store.js";
import {
  type ActionWork,
  type Checkpoint,
  type IncidentWork,
  MAX_CHECKPOINTS,
  MAX_RECENTLY_REPORTED,
  MemoryStateStore,
  type StateStore,
  type Work,
} from "./state.js";

/** IRecoveryManager.ActionKind */
export const ActionKind = { Resync: 0, Reprovision: 1 } as const;
/** IRecoveryManager.ActionStatus */
export const ActionStatus = {
  None: 0n,
  Requested: 1n,
  Succeeded: 2n,
  Failed: 3n,
  Escalated: 4n,
  Done: 5n,
} as const;

/** IValidatorSet.IncidentKind.Downtime and IValidatorSet.Status.Jailed. */
const DOWNTIME = 0n;
const JAILED = 4n;

/** The contracts the orchestrator reads and reports to (bound to the operator key for reports). */
export interface OrchestratorContracts {
  set: IValidatorSet;
  recovery: IRecoveryManager;
  snapshots: ISnapshotRegistry;
  /** When given, `bestHeight()` is the reference height a healed node must be near. */
  health?: INodeHealth;
  /**
   * The sentinel pool. When given (every deployment since the SentinelRegistry), a resync syncs only from one of
   * its live sentinels, and is skipped (ladder) or fails with "no-live-sentinel" (recovery action) without one.
   */
  sentinels?: ISentinelRegistry;
}

/** What the orchestrator needs from an RPC provider (`getBlock` for the block hashes that detect reorgs). */
export type LogSource = Pick<Provider, "getBlockNumber" | "getLogs" | "getBlock">;

export interface OrchestratorOptions {
  /** First block to read when there is no saved cursor (e.g. the deployment block). */
  fromBlock: bigint;
  /** Blocks per getLogs call. */
  maxBlockRange: number;
  /** getLogs calls per tick (bounds a tick's catch-up). */
  maxRangesPerTick: number;
  /** Logs are read only up to head - confirmations. */
  confirmations: number;
  /**
   * After a reorg that replaced every checkpoint (deeper than the last MAX_CHECKPOINTS ranges read), the
   * cursor moves this many blocks below the oldest checkpoint (not below `fromBlock`) and rescans from there.
   */
  reorgRewindBlocks: number;
  /** Incidents / actions handled per tick (each runs a ladder: set the tick timeout above their sum). */
  maxWorkPerTick: number;
  /** A report rejected this many times is dropped (logged as an error). */
  maxReportAttempts: number;
  /** Config CID per validator (address → CID), for the reprovision rung. */
  nodeConfigs: Record<string, string>;
  ladder: Partial<LadderOptions>;
}

export const DEFAULT_ORCHESTRATOR_OPTIONS: OrchestratorOptions = {
  fromBlock: 0n,
  maxBlockRange: 2_000,
  maxRangesPerTick: 10,
  confirmations: 0,
  reorgRewindBlocks: 128,
  maxWorkPerTick: 4,
  maxReportAttempts: 5,
  nodeConfigs: {},
  ladder: {},
};

export interface OrchestratorDeps {
  contracts: OrchestratorContracts;
  driver: Driver;
  /** Log reads (default: the validator set contract's provider). */
  provider?: LogSource;
  /** Every transaction goes through the chain layer's Sender. */
  send(request: SendRequest): Promise<SendResult>;
  log: Logger;
  metrics?: OrchestratorMetrics;
  /** Cursor and pending work (default: in memory). */
  state?: StateStore;
  options?: Partial<OrchestratorOptions>;
  /** Injectable for tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface HandledWork {
  type: Work["type"];
  id: bigint;
  /** What happened: reported ok/failed, or why nothing was done. */
  result:
    | "reported-ok"
    | "reported-failed"
    | "already-reported"
    | "closed"
    | "not-ours"
    | "report-failed"
    | "error";
  rung?: string;
}

export interface OrchestratorTickReport {
  cursor: bigint;
  caughtUp: boolean;
  handled: HandledWork[];
  pending: number;
}

export class Orchestrator {
  readonly #d: OrchestratorDeps;
  readonly #o: OrchestratorOptions;
  readonly #provider: LogSource;
  readonly #state: StateStore;
  readonly #configs: Map<string, string>;
  #cursor: bigint | undefined;
  /** Recent (number, hash) of blocks read up to, oldest first, on one chain (see state.ts). */
  #checkpoints: Checkpoint[] = [];
  #pending = new Map<string, Work>();
  /** The last work items reported by this orchestrator, with their report (see state.ts). */
  #recentlyReported: Work[] = [];
  #addresses: { set: string; recovery: string } | undefined;

  constructor(deps: OrchestratorDeps) {
    this.#d = deps;
    this.#o = { ...DEFAULT_ORCHESTRATOR_OPTIONS, ...deps.options };
    const provider = deps.provider ?? deps.contracts.set.runner?.provider;
    if (!provider) throw new Error("Orchestrator: give a provider (the validator set contract has none)");
    this.#provider = provider;
    this.#state = deps.state ?? new MemoryStateStore();
    this.#configs = new Map(
      Object.entries(this.#o.nodeConfigs).map(([v, cid]) => [v.toLowerCase(), cid] as const),
    );
  }

  /** Pending work (for tests and /healthz). */
  get pending(): readonly Work[] {
    return [...this.#pending.values()];
  }

  get cursor(): bigint | undefined {
    return this.#cursor;
  }

  /** Loads the saved cursor and pending work (called by the first tick if not called before). */
  async init(): Promise<void> {
    const { set, recovery } = this.#d.contracts;
    this.#addresses = { set: await set.getAddress(), recovery: await recovery.getAddress() };
    const saved = this.#state.load();
    this.#cursor = saved?.cursor ?? this.#o.fromBlock - 1n;
    this.#checkpoints = [...(saved?.checkpoints ?? [])];
    this.#recentlyReported = [...(saved?.recentlyReported ?? [])];
    this.#pending = new Map((saved?.pending ?? []).map((w) => [keyOf(w), w]));
    this.#d.log.info("orchestrator state loaded", {
      cursor: this.#cursor,
      pending: this.#pending.size,
      resumed: saved !== undefined,
      cursorHash:
        this.#checkpoints.at(-1)?.number === this.#cursor ? this.#checkpoints.at(-1)!.hash : "unknown",
    });
    this.#gauges();
  }

  async tick(ctx: TickContext): Promise<OrchestratorTickReport> {
    if (this.#cursor === undefined) await this.init();
    const caughtUp = await this.#poll(ctx.signal);
    const handled: HandledWork[] = [];
    if (caughtUp) {
      const work = [...this.#pending.values()].sort(byId).slice(0, this.#o.maxWorkPerTick);
      for (const w of work) {
        if (ctx.signal.aborted) break;
        const h = await this.#handle(w, ctx.signal);
        if (h) handled.push(h);
      }
    }
    this.#gauges();
    return { cursor: this.#cursor!, caughtUp, handled, pending: this.#pending.size };
  }

  // ------------------------------------------------------------------------------------------------------
  // Finding work

  /**
   * Reads logs range by range; returns whether the cursor reached the confirmed head. Before each range (and
   * once when there is none) checks the cursor's block against the chain and rewinds after a reorg.
   * RPC calls per tick: per range 2 getBlock + 2 getLogs, plus at most 2 rewinds of at most 7 getBlock each.
   */
  async #poll(signal: AbortSignal): Promise<boolean> {
    const head = BigInt(await this.#provider.getBlockNumber());
    const safe = head - BigInt(this.#o.confirmations);
    const { set, recovery } = this.#d.contracts;
    const setTopics = [
      set.interface.getEvent("RemediationRequested").topicHash,
      set.interface.getEvent("RemediationResolved").topicHash,
      set.interface.getEvent("IncidentOpened").topicHash,
    ];
    const rmTopics = [
      recovery.interface.getEvent("RecoveryRequested").topicHash,
      recovery.interface.getEvent("RemediationReported").topicHash,
      recovery.interface.getEvent("IncidentRemediationReported").topicHash,
      recovery.interface.getEvent("RemediationEscalated").topicHash,
    ];
    let rewinds = 0;
    let read = false;
    for (let i = 0; i < this.#o.maxRangesPerTick && !signal.aborted; i++) {
      const from = this.#cursor! + 1n;
      const to = from <= safe ? min(safe, from + BigInt(this.#o.maxBlockRange) - 1n) : undefined;
      // Read before the cursor check and the logs: a reorg after this read replaces block `to` too (it
      // descends from every block below it), so the next check finds the checkpoint gone.
      const toHash = to === undefined ? undefined : await this.#hashAt(to);
      // Caught up after reading this tick: the cursor's hash was just read, the next tick checks it.
      if (to === undefined && read) break;
      const check = await this.#checkCursor();
      // The endpoint lacks the cursor's block (lagging, or a new chain still shorter): read next tick.
      if (check === "unavailable") break;
      if (check === "rewound") {
        if (++rewinds >= MAX_REWINDS_PER_TICK) break;
        continue;
      }
      // Caught up, or block `to` unknown to this endpoint (a lagging node): read on the next tick.
      if (to === undefined || toHash === undefined) break;
      const [setLogs, rmLogs] = await Promise.all([
        this.#provider.getLogs({
          address: this.#addresses!.set,
          topics: [setTopics],
          fromBlock: from,
          toBlock: to,
        }),
        this.#provider.getLogs({
          address: this.#addresses!.recovery,
          topics: [rmTopics],
          fromBlock: from,
          toBlock: to,
        }),
      ]);
      const logs = [...setLogs, ...rmLogs].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
      for (const log of logs) this.#apply(log);
      this.#cursor = to;
      this.#remember({ number: to, hash: toHash });
      read = true;
      this.#save();
      this.#d.metrics?.cursorBlock.set(Number(to));
    }
    return this.#cursor! >= safe;
  }

  /** The hash of block `n` (lower case), or undefined when the endpoint does not have that block. */
  async #hashAt(n: bigint): Promise<string | undefined> {
    const block = await this.#provider.getBlock(n);
    return block?.hash?.toLowerCase() ?? undefined;
  }

  /** Adds a checkpoint (the newest), dropping any at or above it and the oldest beyond MAX_CHECKPOINTS. */
  #remember(c: Checkpoint): void {
    while ((this.#checkpoints.at(-1)?.number ?? -1n) >= c.number) this.#checkpoints.pop();
    this.#checkpoints.push(c);
    if (this.#checkpoints.length > MAX_CHECKPOINTS)
      this.#checkpoints.splice(0, this.#checkpoints.length - MAX_CHECKPOINTS);
  }

  /**
   * Checks that the cursor's block is still the chain's ("ok"). When a reorg replaced it, moves the cursor back
   * (to the newest checkpoint still on the chain, else `reorgRewindBlocks` below the oldest one), saves, and
   * returns "rewound" (the caller reads the blocks above again). "unavailable": the endpoint does not have the
   * block (lagging, or a new chain still shorter); checked again later. At most 1 + ceil(log2(MAX_CHECKPOINTS))
   * getBlock calls.
   */
  async #checkCursor(): Promise<"ok" | "rewound" | "unavailable"> {
    const cursor = this.#cursor!;
    if (cursor < 0n) return "ok";
    const hash = await this.#hashAt(cursor);
    if (hash === undefined) return "unavailable";
    const last = this.#checkpoints.at(-1);
    if (last === undefined || last.number !== cursor) {
      // Hash unknown (a state of the previous version, or a rewind past every checkpoint): taken from the
      // chain now, checked from the next time on.
      this.#remember({ number: cursor, hash });
      this.#save();
      return "ok";
    }
    if (hash === last.hash) return "ok";

    // A reorg below the cursor. The checkpoints are on one chain: if one is still on the chain, so is every
    // older one, so a binary search finds the newest such (bounded by log2 of the ring).
    let lo = 0;
    let hi = this.#checkpoints.length - 2;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = this.#checkpoints[mid]!;
      if ((await this.#hashAt(c.number)) === c.hash) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found >= 0) {
      this.#checkpoints.length = found + 1;
      this.#cursor = this.#checkpoints[found]!.number;
      this.#d.log.warn(
        "chain reorg below the cursor (deeper than confirmations); rewinding to the newest block still on the chain and reading again",
        {
          cursor,
          rewoundTo: this.#cursor,
          confirmations: this.#o.confirmations,
        },
      );
    } else {
      const floor = this.#o.fromBlock - 1n;
      const target = this.#checkpoints[0]!.number - BigInt(this.#o.reorgRewindBlocks);
      this.#cursor = target > floor ? target : floor;
      this.#checkpoints = [];
      this.#d.log.warn(
        "chain reorg below every checkpoint (deeper than confirmations and the last checkpoints); rewinding " +
          "reorgRewindBlocks below the oldest checkpoint and reading again (an event replaced below that is not read)",
        {
          cursor,
          rewoundTo: this.#cursor,
          reorgRewindBlocks: this.#o.reorgRewindBlocks,
          confirmations: this.#o.confirmations,
        },
      );
    }
    const kind: ReorgKind = found >= 0 ? "checkpoint" : "deep";
    this.#d.metrics?.reorgs.inc({ kind });
    this.#d.metrics?.lastReorgDepth.set(Number(cursor - this.#cursor));
    this.#save();
    return "rewound";
  }

  /**
   * Adds work read from a log. A re-read of pending work (a rescan after a reorg) keeps the pending item as it
   * is (its ladder result too: the node is not restarted again); work the new chain changed (the same id for
   * another validator or action) replaces it. Returns whether it was added.
   */
  #add(w: Work): boolean {
    const had = this.#pending.get(keyOf(w));
    if (had !== undefined && sameWork(had, w)) return false;
    const reported = this.#recentlyReported.find((r) => keyOf(r) === keyOf(w) && sameWork(r, w));
    if (had === undefined && reported?.report !== undefined) {
      // Our own report's work, read again (a rescan after a reorg): the report is re-checked on the new chain
      // and, if the reorg dropped it, sent again (same intent key); the node is not acted on again.
      this.#pending.set(keyOf(w), { ...w, seenAt: reported.seenAt, report: { ...reported.report } });
      this.#d.log.info(
        "work read again after we reported it; its report is re-checked, the node left alone",
        {
          work: keyOf(w),
        },
      );
      return false;
    }
    if (had !== undefined)
      this.#d.log.warn("pending work changed by a reorg: the chain's event now differs; replaced", {
        work: keyOf(w),
        was: had.validator,
        now: w.validator,
        hadReport: had.report !== undefined,
      });
    this.#pending.set(keyOf(w), w);
    return true;
  }

  #apply(log: Log): void {
    const { set, recovery } = this.#d.contracts;
    const fromSet = log.address.toLowerCase() === this.#addresses!.set.toLowerCase();
    const parsed = fromSet ? set.interface.parseLog(log) : recovery.interface.parseLog(log);
    if (!parsed) return;
    const args = parsed.args;
    const now = Date.now();
    switch (parsed.name) {
      case "RemediationRequested": {
        const w: IncidentWork = {
          type: "incident",
          id: args[0] as bigint,
          validator: getAddress(args[1]),
          seenAt: now,
        };
        if (this.#add(w)) {
          this.#d.log.info("remediation requested", {
            incidentId: w.id,
            validator: w.validator,
            block: log.blockNumber,
          });
        }
        break;
      }
      case "IncidentOpened": {
        // Only a crashed (Downtime) node this driver manages is ours: the set jailed it; restarting it and
        // reporting the incident lets the keeper's `restore` return it to the backup pool once it heartbeats.
        if ((args[2] as bigint) !== DOWNTIME) break;
        const validator = getAddress(args[1]);
        if (!this.#d.driver.nodeOf(validator)) {
          this.#d.log.debug("downtime incident of a validator this driver does not manage; ignored", {
            incidentId: args[0] as bigint,
            validator,
          });
          break;
        }
        const w: IncidentWork = {
          type: "incident",
          id: args[0] as bigint,
          validator,
          cause: "downtime",
          seenAt: now,
        };
        if (this.#add(w)) {
          this.#d.log.info("downtime incident of a managed node (jailed); restarting it", {
            incidentId: w.id,
            validator: w.validator,
            block: log.blockNumber,
          });
        }
        break;
      }
      case "RemediationResolved":
        // Kept: the re-read before acting decides (the ladder may already have run and await its report).
        this.#d.log.info("remediation resolved on-chain", {
          incidentId: args[0] as bigint,
          block: log.blockNumber,
        });
        break;
      case "RecoveryRequested": {
        const kind = Number(args[1] as bigint);
        if (kind !== ActionKind.Resync && kind !== ActionKind.Reprovision) break;
        const w: ActionWork = {
          type: "action",
          id: args[0] as bigint,
          kind,
          validator: getAddress(args[2]),
          ref: args[3] as bigint,
          payload: String(args[4]),
          seenAt: now,
        };
        if (this.#add(w)) {
          this.#d.log.info("recovery action requested", {
            actionId: w.id,
            kind: kind === ActionKind.Resync ? "resync" : "reprovision",
            validator: w.validator,
            block: log.blockNumber,
          });
        }
        break;
      }
      case "RemediationReported":
      case "IncidentRemediationReported": {
        const type = parsed.name === "RemediationReported" ? "action" : "incident";
        const key = `${type}:${args[0] as bigint}`;
        if (this.#pending.delete(key))
          this.#d.log.info("work reported on-chain; done", { work: key, ok: args[1], operator: args[3] });
        break;
      }
      case "RemediationEscalated": {
        const key = `action:${args[0] as bigint}`;
        this.#d.log.warn("recovery action escalated (report deadline passed)", {
          actionId: args[0] as bigint,
          validator: args[1],
          pendingHere: this.#pending.has(key),
        });
        break;
      }
    }
  }

  // ------------------------------------------------------------------------------------------------------
  // Handling work

  async #handle(w: Work, signal: AbortSignal): Promise<HandledWork | undefined> {
    try {
      return w.type === "incident"
        ? await this.#handleIncident(w, signal)
        : await this.#handleAction(w, signal);
    } catch (error) {
      if (error instanceof LadderAborted || signal.aborted) {
        this.#d.log.warn("work interrupted; it stays pending", { work: keyOf(w), error });
        return undefined;
      }
      // An RPC failure while re-reading or reporting: the item stays pending and the others still run.
      this.#d.log.error("work failed; it stays pending and is retried next tick", { work: keyOf(w), error });
      return { type: w.type, id: w.id, result: "error" };
    }
  }

  async #handleIncident(w: IncidentWork, signal: AbortSignal): Promise<HandledWork> {
    const { set, snapshots, health, sentinels } = this.#d.contracts;
    const log = this.#d.log.child({ incidentId: w.id, validator: w.validator });
    if (await this.#incidentReported(w.id)) return this.#done(w, "already-reported");

    if (w.report === undefined) {
      if (w.cause === "downtime") {
        // A crashed node: worth a restart only while it is still jailed (not restored, exited or tombstoned).
        const [status, restoration] = await Promise.all([
          set.statusOf(w.validator),
          this.#d.contracts.recovery.restorationOf(w.id),
        ]);
        if (status !== JAILED || restoration.validator !== ZERO_ADDRESS) {
          log.info("downtime incident no longer jailed (restored, exited or tombstoned); nothing to do", {
            status,
          });
          return this.#done(w, "closed");
        }
      } else {
        const [incident, open] = await Promise.all([set.incident(w.id), set.openRemediationOf(w.validator)]);
        if (incident.resolvedAt !== 0n || open !== w.id) {
          log.info("incident closed before the orchestrator acted (healed or replaced); nothing to do");
          return this.#done(w, "closed");
        }
      }
      const node = this.#d.driver.nodeOf(w.validator);
      if (!node) {
        log.warn("no node for this validator in this driver; left to another orchestrator", {
          driver: this.#d.driver.kind,
        });
        return this.#done(w, "not-ours");
      }
      const outcome = await runLadder(
        {
          driver: this.#d.driver,
          log: this.#d.log,
          metrics: this.#d.metrics,
          options: this.#o.ladder,
          sleep: this.#d.sleep,
        },
        {
          node,
          latestFinalSnapshot: () => latestFinalSnapshot(snapshots),
          ...(sentinels !== undefined && { liveSentinels: () => liveSentinels(sentinels) }),
          configCid: this.#configs.get(w.validator.toLowerCase()),
          referenceHeight: health ? async () => BigInt(await health.bestHeight()) : undefined,
        },
        signal,
      );
      if (outcome.ok) this.#d.metrics?.timeToHeal.observe((Date.now() - w.seenAt) / 1000);
      const details = {
        ...incidentDetails(w.id, node, this.#d.driver.kind, outcome),
        ...(w.cause === "downtime" ? { cause: "downtime" } : {}),
      };
      w.report = {
        ok: outcome.ok,
        detailsHash: detailsHash(details),
        details: canonicalJson(details),
        attempts: 0,
      };
      this.#save();
    }
    // Someone (another orchestrator) may have reported while the ladder ran.
    if (await this.#incidentReported(w.id)) return this.#done(w, "already-reported");
    return await this.#report(w, {
      key: `reportIncidentRemediation:${w.id}:${w.report.attempts}`,
      contract: this.#d.contracts.recovery,
      method: "reportIncidentRemediation",
      args: [w.id, w.report.ok, w.report.detailsHash],
      // One report per incident on-chain: a racing orchestrator that reported first makes ours "handled".
      alreadyHandled: ["RecoveryManagerIncidentAlreadyReported"],
    });
  }

  async #handleAction(w: ActionWork, signal: AbortSignal): Promise<HandledWork> {
    const { recovery, snapshots, sentinels } = this.#d.contracts;
    const log = this.#d.log.child({ actionId: w.id, validator: w.validator });
    const action = await recovery.action(w.id);
    if (action.status !== ActionStatus.Requested && action.status !== ActionStatus.Escalated) {
      log.info("action no longer awaiting a report; nothing to do", { status: action.status });
      return this.#done(w, "already-reported");
    }
    if (w.report === undefined) {
      const node = this.#d.driver.nodeOf(w.validator);
      if (!node) {
        log.warn("no node for this validator in this driver; left to another orchestrator", {
          driver: this.#d.driver.kind,
        });
        return this.#done(w, "not-ours");
      }
      const ladder = { ...DEFAULT_LADDER_BUDGETS, ...this.#o.ladder };
      const started = Date.now();
      const step: Record<string, unknown> = {
        v: 1,
        subject: "action",
        actionId: w.id,
        validator: w.validator,
        driver: this.#d.driver.kind,
        rung: w.kind === ActionKind.Resync ? "resync" : "reprovision",
      };
      let ok = false;
      try {
        if (w.kind === ActionKind.Resync) {
          const snap = await snapshotRef(snapshots, w.ref);
          step.snapshotId = w.ref;
          const source =
            sentinels === undefined ? undefined : pickSentinel(await liveSentinels(sentinels), w.validator);
          if (snap === undefined) {
            step.error = "snapshot-not-final";
          } else if (sentinels !== undefined && source === undefined) {
            step.error = "no-live-sentinel";
            this.#d.metrics?.resyncNoSentinel.inc();
            log.warn(
              "resync action refused: no live sentinel in the SentinelRegistry to sync from (the guardians " +
                "must restore the sentinel pool)",
            );
          } else {
            step.snapshotHeight = snap.height;
            if (source !== undefined) step.sentinel = source.sentinel;
            await this.#d.driver.resync(
              node,
              snap,
              AbortSignal.any([signal, AbortSignal.timeout(ladder.resyncTimeoutMs)]),
              source,
            );
            ok = true;
          }
        } else {
          step.configCid = w.payload;
          if (keccak256(toUtf8Bytes(w.payload)) !== action.payloadHash) {
            step.error = "payload-mismatch";
          } else {
            await this.#d.driver.reprovision(
              node,
              w.payload,
              AbortSignal.any([signal, AbortSignal.timeout(ladder.reprovisionTimeoutMs)]),
            );
            ok = true;
          }
        }
      } catch (error) {
        if (signal.aborted) throw new LadderAborted("aborted during a recovery action");
        const code = error instanceof DriverError ? error.code : "failed";
        step.error = code;
        this.#d.metrics?.driverErrors.inc({ code });
        log.warn("recovery action failed", { error });
      }
      try {
        const s = await this.#d.driver.status(node, AbortSignal.any([signal, AbortSignal.timeout(5_000)]));
        if (s.height !== undefined) step.heightAfter = s.height;
      } catch {
        // The height is informative only.
      }
      step.ok = ok;
      this.#d.metrics?.remediations.inc({ rung: step.rung as string, result: ok ? "ok" : "failed" });
      if (ok) this.#d.metrics?.timeToHeal.observe((Date.now() - w.seenAt) / 1000);
      log[ok ? "info" : "warn"]("recovery action done", { ...step, ms: Date.now() - started });
      w.report = { ok, detailsHash: detailsHash(step), details: canonicalJson(step), attempts: 0 };
      this.#save();
    }
    return await this.#report(w, {
      key: `reportRemediation:${w.id}:${w.report.attempts}`,
      contract: recovery,
      method: "reportRemediation",
      args: [w.id, w.report.ok, w.report.detailsHash],
      alreadyHandled: ["RecoveryManagerWrongStatus"],
    });
  }

  async #report(w: Work, request: SendRequest): Promise<HandledWork> {
    const report = w.report!;
    const subject = w.type;
    let result: SendResult;
    try {
      result = await this.#d.send(request);
    } catch (error) {
      this.#d.metrics?.reports.inc({ subject, result: "error" });
      this.#d.log.error("report not sent; retried next tick", { work: keyOf(w), error });
      return { type: w.type, id: w.id, result: "report-failed" };
    }
    this.#d.metrics?.reports.inc({ subject, result: result.status });
    if (result.status === "confirmed" || result.status === "already-handled") {
      this.#d.log.info("result reported on-chain", {
        work: keyOf(w),
        ok: report.ok,
        detailsHash: report.detailsHash,
        details: report.details,
        status: result.status,
        txHash: result.txHash,
      });
      if (result.status === "already-handled") return this.#done(w, "already-reported", undefined, false);
      return this.#done(w, report.ok ? "reported-ok" : "reported-failed", rungOf(report));
    }
    report.attempts++;
    const give = report.attempts >= this.#o.maxReportAttempts;
    this.#d.log.error(give ? "report rejected too often; dropped" : "report rejected; retried next tick", {
      work: keyOf(w),
      result: result.status,
      error: "error" in result ? result.error : undefined,
      attempts: report.attempts,
    });
    if (give) this.#pending.delete(keyOf(w));
    this.#save();
    return { type: w.type, id: w.id, result: "report-failed" };
  }

  /** Whether the incident's remediation is already reported on-chain (by us or another orchestrator). */
  async #incidentReported(incidentId: bigint): Promise<boolean> {
    return (await this.#d.contracts.recovery.incidentReport(incidentId)).reportedAt !== 0n;
  }

  /** Drops `w` from the pending work; `countSkip`: an "already reported" found by a re-read is counted. */
  #done(w: Work, result: HandledWork["result"], rung?: string, countSkip = true): HandledWork {
    if (result === "already-reported" && countSkip)
      this.#d.metrics?.reports.inc({ subject: w.type, result: "skipped" });
    this.#pending.delete(keyOf(w));
    if ((result === "reported-ok" || result === "reported-failed") && w.report !== undefined) {
      this.#recentlyReported = this.#recentlyReported.filter((r) => keyOf(r) !== keyOf(w));
      this.#recentlyReported.push(w);
      if (this.#recentlyReported.length > MAX_RECENTLY_REPORTED) this.#recentlyReported.shift();
    }
    this.#save();
    return { type: w.type, id: w.id, result, ...(rung ? { rung } : {}) };
  }

  #save(): void {
    this.#state.save({
      cursor: this.#cursor!,
      pending: [...this.#pending.values()],
      checkpoints: [...this.#checkpoints],
      recentlyReported: [...this.#recentlyReported],
    });
    this.#gauges();
  }

  #gauges(): void {
    this.#d.metrics?.pendingWork.set(this.#pending.size);
    if (this.#cursor !== undefined && this.#cursor >= 0n)
      this.#d.metrics?.cursorBlock.set(Number(this.#cursor));
  }
}

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

const DEFAULT_LADDER_BUDGETS = { resyncTimeoutMs: 300_000, reprovisionTimeoutMs: 300_000 };

/** The registry's latest final snapshot as the driver wants it, or undefined when there is none. */
export async function latestFinalSnapshot(snapshots: ISnapshotRegistry): Promise<SnapshotRef | undefined> {
  const id = await snapshots.latestFinal();
  if (id === 0n) return undefined;
  return await snapshotRef(snapshots, id);
}

/** The registry's live sentinels (served and live now in NodeHealth), as the driver wants them. */
export async function liveSentinels(sentinels: ISentinelRegistry): Promise<SentinelRef[]> {
  const [ids, endpoints] = await sentinels.liveSentinels();
  return ids.map((id, i) => ({ sentinel: getAddress(id), endpoint: endpoints[i] ?? "" }));
}

/** Snapshot `id` as a SnapshotRef, or undefined unless it is final and not rejected. */
export async function snapshotRef(
  snapshots: ISnapshotRegistry,
  id: bigint,
): Promise<SnapshotRef | undefined> {
  const s = await snapshots.snapshot(id);
  if (!s.finalized || s.rejected) return undefined;
  return {
    snapshotId: id,
    height: s.height,
    blockHash: s.blockHash,
    stateRoot: s.stateRoot,
    contentHash: s.contentHash,
    cid: s.cid,
    sizeBytes: s.sizeBytes,
  };
}

/** Rewinds (reorgs found) per tick before the tick gives up reading (bounds its RPC calls). */
const MAX_REWINDS_PER_TICK = 2;

/** Whether two work items with the same key were read from the same event (a re-read, not a reorg change). */
function sameWork(a: Work, b: Work): boolean {
  if (a.validator.toLowerCase() !== b.validator.toLowerCase()) return false;
  if (a.type === "incident" && b.type === "incident") return a.cause === b.cause;
  if (a.type === "action" && b.type === "action")
    return a.kind === b.kind && a.ref === b.ref && a.payload === b.payload;
  return false;
}

function keyOf(w: Pick<Work, "type" | "id">): string {
  return `${w.type}:${w.id}`;
}

function byId(a: Work, b: Work): number {
  return a.seenAt - b.seenAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function rungOf(report: { details: string }): string | undefined {
  try {
    return (JSON.parse(report.details) as { rung?: string }).rung;
  } catch {
    return undefined;
  }
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** What the agents' main.ts composes an orchestrator from. */
export interface MakeOrchestratorArgs {
  contracts: OrchestratorContracts;
  driver: Driver;
  options?: Partial<OrchestratorOptions>;
  /** The chain layer's Sender (or ChainClient): every report goes through its `send`. */
  sender: { send(request: SendRequest): Promise<SendResult> };
  log: Logger;
  metrics?: OrchestratorMetrics;
  /** Cursor + pending work; default in memory. Use `JsonFileStateStore` in production. */
  state?: StateStore;
  provider?: LogSource;
}

export function makeOrchestrator(args: MakeOrchestratorArgs): Orchestrator {
  return new Orchestrator({
    contracts: args.contracts,
    driver: args.driver,
    options: args.options,
    send: (request) => args.sender.send(request),
    log: args.log,
    metrics: args.metrics,
    state: args.state,
    provider: args.provider,
  });
}

/**
 * Validates the validator → config CID map (`nodeConfigs`) as read from JSON, e.g.
 * `{"0x70997970C51812dc3A010C7d01b50e0d17dc79C8": "bafkrei…"}`. Throws an Error naming the bad entry.
 */
export function parseNodeConfigCids(raw: unknown): Record<string, string> {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new Error('nodeConfigs must be a JSON object {"0xValidator": "bafkrei…"}');
  const out: Record<string, string> = {};
  for (const [validator, cid] of Object.entries(raw as Record<string, unknown>)) {
    if (!isAddress(validator)) throw new Error(`nodeConfigs: ${JSON.stringify(validator)} is not an address`);
    if (typeof cid !== "string" || !isCid(cid))
      throw new Error(`nodeConfigs[${validator}]: ${JSON.stringify(cid)} is not a CIDv0 (Qm…) or CIDv1 (b…)`);
    out[getAddress(validator)] = cid;
  }
  return out;
}
