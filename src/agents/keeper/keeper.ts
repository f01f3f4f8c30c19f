/**
 * The keeper: anyone can run it, several may run at once. Each tick (the lifecycle never overlaps them) it
 * finds work with bounded view calls — no event scans — and triggers the validator set's permissionless
 * functions through the chain layer's safe sender, which re-simulates before each send and treats
 * "already handled" as success. Two keepers racing therefore cause one effect: the loser's simulation (or
 * its mined transaction's re-check) reports "already handled".
 *
 * Work, in order, each step bounded:
 *   1. relay queued signed heartbeats in one `heartbeatBatch` (at most `relayBatchMax` items);
 *   2. `checkHeartbeat` every active validator that is overdue or stalled (the active set is capped);
 *   3. `executeSlash` pending slashes whose appeal window closed (an incident cursor, `incidentScanPerTick`
 *      ids per tick);
 *   3b. while the set is degraded, `refreshHealth` when an eth_call of it says the degradation clears;
 *   4. `fillVacancies` when the set has room and an eth_call of it promotes at least one ready backup;
 *   5. every `rotateEveryTicks` ticks, `evaluateAndRotate(rotateMaxChecks)` when an active validator is
 *      below `minUptimeBps` and an eth_call of it rotates at least one;
 *   6. `reportDoubleSign` for evidence handed in by an evidence source;
 *   7. `claimReward` once the owed reward reaches `claimRewardsAbove`;
 *   8. (with the RecoveryManager) `restore(incidentId, actionId)` for a jailed validator whose remediation was
 *      reported ok (the incident's own report, or a succeeded Resync / Reprovision among the last
 *      `restoreActionScan` actions) once an eth_call of it succeeds (heartbeat proof and height close). New
 *      incidents are picked up from a cursor (`incidentScanPerTick` per tick); a candidate is dropped once restored, unjailed or tombstoned, and
 *      at most `restoreCandidatesMax` are followed (the oldest dropped first);
 *   9. (with the SentinelRegistry) sweeps the sentinel pool: reads every registered sentinel's served flag and
 *      liveness (views, at most MAX_SENTINELS = 64) and, only when one would change (a served sentinel silent,
 *      or a dropped / never-served one live), calls `checkSentinel(id)` (one change) or `checkAll()` (several).
 * While the set is degraded (`degradedSince != 0`) an overdue validator is only checked when an eth_call of
 * `checkHeartbeat` says it would act. A healthy network costs view calls only: zero transactions per tick.
 * An intent whose outcome the intent log already holds (`fromLog`) is not reported as a new action.
 */
import { StaleHeadError } from "../../chain/errors.js";
import type { Logger } from "../common/log.js";
import type { SendRequest, SendResult } from "../../chain/sender.js";
import type {
  INodeHealth,
  IRecoveryManager,
  ISentinelRegistry,
  IStakeManager,
  IValidatorSet,
} from "../../../types/ethers-contracts/index.js";
import type { INodeHealth as NodeHealthTypes } from "../../../types/ethers-contracts/contracts/interfaces/INodeHealth.js";
import type { IValidatorSet as ValidatorSetTypes } from "../../../types/ethers-contracts/contracts/interfaces/IValidatorSet.js";
import type { KeeperMetrics } from "./metrics.js";

/** INodeHealth.Liveness */
export const Liveness = { Unknown: 0n, Live: 1n, Late: 2n, Overdue: 3n, Stalled: 4n } as const;
/** IValidatorSet.SlashState */
export const SlashState = { None: 0n, Pending: 1n, Executed: 2n, Cancelled: 3n } as const;

export const CHECK_ALREADY_HANDLED = [
  "ValidatorSetNotActive",
  "ValidatorSetNotOverdue",
  "ValidatorSetRemediationPending",
  "ValidatorSetSlashingPaused",
] as const;
export const EXECUTE_ALREADY_HANDLED = ["ValidatorSetSlashNotPending", "ValidatorSetSlashingPaused"] as const;
export const EVIDENCE_ALREADY_HANDLED = ["ValidatorSetAlreadyTombstoned"] as const;
export const RESTORE_ALREADY_HANDLED = [
  "RecoveryManagerAlreadyRestored",
  "RecoveryManagerNotRestorable",
] as const;

/** IValidatorSet.IncidentKind.DoubleSign (tombstoned: never restorable). */
const DOUBLE_SIGN = 1n;
/** IRecoveryManager.ActionKind Resync / Reprovision and ActionStatus.Succeeded. */
const RESYNC = 0n;
const REPROVISION = 1n;
const SUCCEEDED = 2n;

export type SignedHeartbeat = NodeHealthTypes.SignedHeartbeatStruct;
export type DoubleSignEvidence = ValidatorSetTypes.DoubleSignEvidenceStruct;

/** Signed heartbeats posted by sidecars in relay mode, waiting for the next batch. */
export interface HeartbeatSource {
  /** Removes and returns up to `max` queued items. */
  take(max: number): SignedHeartbeat[];
}

/** Equivocation evidence found by whoever watches votes. */
export interface EvidenceSource {
  take(max: number): DoubleSignEvidence[];
}

export interface KeeperContracts {
  set: IValidatorSet;
  health: INodeHealth;
  stake: IStakeManager;
  /** Optional: with it the keeper also restores remediated jailed validators (`restore`). */
  recovery?: IRecoveryManager;
  /** Optional: with it the keeper also drops silent sentinels and restores live ones (`checkSentinel`). */
  sentinels?: ISentinelRegistry;
}

export interface KeeperOptions {
  /** Most transactions sent in one tick (a bound on a tick's duration). */
  maxActionsPerTick: number;
  /** Incident ids looked at per tick when hunting for executable slashes. */
  incidentScanPerTick: number;
  relayBatchMax: number;
  rotateEveryTicks: number;
  rotateMaxChecks: number;
  fillMaxPromotions: number;
  /** Claim the owed reward once it reaches this (0 disables claiming). */
  claimRewardsAbove: bigint;
  /** Jailed incidents followed for `restore` at once (the oldest are dropped beyond it). */
  restoreCandidatesMax: number;
  /** Most recent recovery actions searched for a succeeded Resync / Reprovision of a jailed validator. */
  restoreActionScan: number;
}

export const DEFAULT_KEEPER_OPTIONS: KeeperOptions = {
  maxActionsPerTick: 16,
  incidentScanPerTick: 64,
  relayBatchMax: 100,
  rotateEveryTicks: 10,
  rotateMaxChecks: 32,
  fillMaxPromotions: 8,
  claimRewardsAbove: 10n ** 18n,
  restoreCandidatesMax: 64,
  restoreActionScan: 32,
};

export interface KeeperDeps {
  contracts: KeeperContracts;
  /** The keeper's sending address (its reward accrues there). */
  address: string;
  send(request: SendRequest): Promise<SendResult>;
  /** The chain's current time, in seconds (the latest block's timestamp). */
  chainTime(): Promise<bigint>;
  log: Logger;
  metrics?: KeeperMetrics;
  heartbeats?: HeartbeatSource;
  evidence?: EvidenceSource;
  options?: Partial<KeeperOptions>;
}

export type ActionName =
  | "heartbeatBatch"
  | "checkHeartbeat"
  | "executeSlash"
  | "fillVacancies"
  | "refreshHealth"
  | "evaluateAndRotate"
  | "reportDoubleSign"
  | "claimReward"
  | "restore"
  | "checkSentinels";

export interface KeeperAction {
  action: ActionName;
  subject: string;
  result: SendResult["status"];
  txHash?: string;
  gasUsed?: bigint;
}

export interface KeeperTickReport {
  tick: number;
  chainTime: bigint;
  actions: KeeperAction[];
}

export class Keeper {
  readonly #deps: KeeperDeps;
  readonly #options: KeeperOptions;
  /** Lowest incident id that may still hold a pending slash. */
  #incidentCursor = 1n;
  /** Next incident id to consider for `restore`, and the followed candidates (incident id → validator). */
  #restoreCursor = 1n;
  readonly #restoreCandidates = new Map<bigint, string>();
  #ticks = 0;

  constructor(deps: KeeperDeps) {
    this.#deps = deps;
    this.#options = { ...DEFAULT_KEEPER_OPTIONS, ...deps.options };
  }

  /** One pass over the work; never throws for a single failed action (it is logged and counted). */
  async tick(): Promise<KeeperTickReport> {
    const started = Date.now();
    const tick = ++this.#ticks;
    const now = await this.#deps.chainTime();
    const actions: KeeperAction[] = [];
    const budget = () => actions.length < this.#options.maxActionsPerTick;

    await this.#relayHeartbeats(actions);
    for (const { validator, key } of await this.#findActionable(await this.#findUnhealthy(now))) {
      if (!budget()) break;
      const request = {
        key,
        contract: this.#deps.contracts.set,
        method: "checkHeartbeat",
        args: [validator],
        alreadyHandled: CHECK_ALREADY_HANDLED,
      };
      const result = await this.#act(actions, "checkHeartbeat", validator, request);
      // The intent log held this fault's key, yet the validator is still active and overdue: the earlier call
      // did not remove it (e.g. it only marked the set degraded, which has since recovered). Send again under
      // a new key if the chain says the call would now act.
      if (
        result?.fromLog === true &&
        budget() &&
        (await this.#wouldDo("checkHeartbeat", async () => {
          const set = this.#deps.contracts.set;
          return (await set.checkHeartbeat.staticCall(validator)) !== 0n;
        }))
      )
        await this.#act(actions, "checkHeartbeat", validator, { ...request, key: `${key}:retry:${now}` });
    }
    if (budget()) await this.#refreshHealth(actions);
    for (const incidentId of await this.#findExecutableSlashes(now)) {
      if (!budget()) break;
      await this.#act(actions, "executeSlash", `incident-${incidentId}`, {
        key: `executeSlash:${incidentId}`,
        contract: this.#deps.contracts.set,
        method: "executeSlash",
        args: [incidentId],
        alreadyHandled: EXECUTE_ALREADY_HANDLED,
      });
    }
    if (budget()) await this.#fillVacancies(actions, now);
    if (budget() && tick % this.#options.rotateEveryTicks === 0 && (await this.#rotationDue())) {
      await this.#act(actions, "evaluateAndRotate", "active-set", {
        key: `evaluateAndRotate:${now}`,
        contract: this.#deps.contracts.set,
        method: "evaluateAndRotate",
        args: [this.#options.rotateMaxChecks],
      });
    }
    for (const evidence of this.#deps.evidence?.take(this.#options.maxActionsPerTick) ?? []) {
      if (!budget()) break;
      const subject = `${evidence.first.height}/${evidence.first.round}`;
      await this.#act(actions, "reportDoubleSign", subject, {
        key: `reportDoubleSign:${evidence.first.r}:${evidence.second.r}`,
        contract: this.#deps.contracts.set,
        method: "reportDoubleSign",
        args: [evidence],
        alreadyHandled: EVIDENCE_ALREADY_HANDLED,
      });
    }
    if (budget()) await this.#claimReward(actions, now);
    if (this.#deps.contracts.sentinels && budget()) await this.#sweepSentinels(actions, now);
    if (this.#deps.contracts.recovery) await this.#restore(actions, budget);

    this.#deps.metrics?.tickDuration.observe((Date.now() - started) / 1000);
    return { tick, chainTime: now, actions };
  }

  async #relayHeartbeats(actions: KeeperAction[]): Promise<void> {
    const items = this.#deps.heartbeats?.take(this.#options.relayBatchMax) ?? [];
    if (items.length === 0) return;
    const first = items[0] as SignedHeartbeat;
    await this.#act(actions, "heartbeatBatch", `${items.length} items`, {
      key: `heartbeatBatch:${first.r}:${items.length}`,
      contract: this.#deps.contracts.health,
      method: "heartbeatBatch",
      args: [items],
    });
  }

  /**
   * Active validators that are overdue (by the set's own clock) or stalled, each with the intent key of the
   * call: an overdue fault is named by its `overdueAt`, so a restarted keeper recognises the same fault; a
   * stall is retried per tick (it may be escalated later). Bounded by the active-set cap.
   */
  async #findUnhealthy(now: bigint): Promise<{ validator: string; key: string }[]> {
    const { set, health } = this.#deps.contracts;
    const active = await set.activeValidators();
    const unhealthy: { validator: string; key: string }[] = [];
    for (const validator of active) {
      const [overdueAt, liveness, openRemediation] = await Promise.all([
        set.overdueAt(validator),
        health.livenessOf(validator),
        set.openRemediationOf(validator),
      ]);
      const overdue = now > overdueAt;
      const stalled = liveness === Liveness.Stalled;
      // A stalled node with a request already open is only worth a call to escalate or close it; the
      // simulation in the sender says which (RemediationPending is "already handled").
      const healed = openRemediation !== 0n && liveness === Liveness.Live;
      if (overdue) unhealthy.push({ validator, key: `checkHeartbeat:${validator}:overdue:${overdueAt}` });
      else if (stalled || healed)
        unhealthy.push({ validator, key: `checkHeartbeat:${validator}:stall:${now}` });
    }
    return unhealthy;
  }

  /**
   * Drops the candidates the set would not act on. While the set is degraded (`degradedSince != 0`: at
   * `minActive` with no ready backup, or a correlated outage) `checkHeartbeat` of an overdue validator
   * changes nothing and returns 0, so each one is simulated first (an eth_call) and sent only if it would
   * open or resolve an incident. Outside degradation nothing is filtered (the sender simulates anyway).
   */
  async #findActionable(
    candidates: { validator: string; key: string }[],
  ): Promise<{ validator: string; key: string }[]> {
    if (candidates.length === 0) return candidates;
    const { set } = this.#deps.contracts;
    const degradedSince = await set.degradedSince();
    if (degradedSince === 0n) return candidates;
    const actionable: { validator: string; key: string }[] = [];
    for (const candidate of candidates) {
      const act = await this.#wouldDo(
        "checkHeartbeat",
        async () => (await set.checkHeartbeat.staticCall(candidate.validator)) !== 0n,
      );
      // Named by the degradation too, so an outcome saved in an earlier degradation is not replayed.
      if (act) actionable.push({ ...candidate, key: `${candidate.key}:degraded:${degradedSince}` });
      else this.#skip("checkHeartbeat", candidate.validator, "degraded");
    }
    return actionable;
  }

  /**
   * Whether `evaluateAndRotate(rotateMaxChecks)` would rotate anyone: first a cheap read of every active
   * validator's uptime against `minUptimeBps` (bounded by the active-set cap), then, only if one is below,
   * the call itself as an eth_call (the set also skips validators activated less than one uptime window ago
   * and needs a ready backup, and its cursor decides which ones are looked at).
   */
  async #rotationDue(): Promise<boolean> {
    const { set, health } = this.#deps.contracts;
    const [active, params] = await Promise.all([set.activeValidators(), set.parameters()]);
    const uptimes = await Promise.all(active.map((v) => health.uptimeBps(v)));
    if (!uptimes.some((u) => u < params.minUptimeBps)) {
      this.#skip("evaluateAndRotate", "active-set", "nothing-below-min-uptime");
      return false;
    }
    return this.#wouldDo("evaluateAndRotate", async () => {
      const [, rotated] = await set.evaluateAndRotate.staticCall(this.#options.rotateMaxChecks);
      return rotated > 0n;
    });
  }

  /** Runs a simulation; false (with a skip) when it says the call would change nothing or reverts. */
  async #wouldDo(action: ActionName, simulate: () => Promise<boolean | bigint>): Promise<boolean> {
    try {
      const outcome = await simulate();
      const act = typeof outcome === "bigint" ? outcome > 0n : outcome;
      if (!act && action !== "checkHeartbeat") this.#skip(action, "active-set", "no-effect");
      return act;
    } catch (error) {
      if (action !== "checkHeartbeat") this.#skip(action, "active-set", "simulation-reverted");
      this.#deps.log.debug("keeper simulation reverted", { action, error });
      return false;
    }
  }

  #skip(action: ActionName, subject: string, reason: string): void {
    this.#deps.metrics?.skipped.inc({ action, reason });
    this.#deps.log.debug("keeper action skipped", { action, subject, reason });
  }

  /** Pending slashes whose appeal window has closed, scanning forward from a cursor. */
  async #findExecutableSlashes(now: bigint): Promise<bigint[]> {
    const { set } = this.#deps.contracts;
    const count = await set.incidentCount();
    const { appealWindow } = await set.parameters();
    const executable: bigint[] = [];
    let allResolvedSoFar = true;
    const last = this.#incidentCursor + BigInt(this.#options.incidentScanPerTick) - 1n;
    for (let id = this.#incidentCursor; id <= count && id <= last; id++) {
      const incident = await set.incident(id);
      const pending = incident.slashState === SlashState.Pending;
      if (pending && now >= incident.detectedAt + appealWindow) executable.push(id);
      if (pending) allResolvedSoFar = false;
      else if (allResolvedSoFar) this.#incidentCursor = id + 1n;
    }
    return executable;
  }

  /**
   * While the set is degraded, `refreshHealth()` clears the degradation as soon as the silent share is back
   * under the threshold; sent only when an eth_call of it says it would (it returns whether the set stays
   * degraded), under a key naming the degradation it ends.
   */
  async #refreshHealth(actions: KeeperAction[]): Promise<void> {
    const { set } = this.#deps.contracts;
    const degradedSince = await set.degradedSince();
    if (degradedSince === 0n) return;
    if (!(await this.#wouldDo("refreshHealth", async () => !(await set.refreshHealth.staticCall())))) return;
    await this.#act(actions, "refreshHealth", "active-set", {
      key: `refreshHealth:${degradedSince}`,
      contract: set,
      method: "refreshHealth",
      args: [],
    });
  }

  async #fillVacancies(actions: KeeperAction[], now: bigint): Promise<void> {
    const { set } = this.#deps.contracts;
    const [activeCount, backupCount, params] = await Promise.all([
      set.activeCount(),
      set.backupCount(),
      set.parameters(),
    ]);
    if (activeCount >= params.maxActive || backupCount === 0n) return;
    // Room and backups, but maybe none ready (Live and within the height lag): ask the chain what the call
    // would do (an eth_call, bounded by `fillMaxPromotions`) and send only if it promotes someone.
    if (
      !(await this.#wouldDo("fillVacancies", () =>
        set.fillVacancies.staticCall(this.#options.fillMaxPromotions),
      ))
    )
      return;
    await this.#act(actions, "fillVacancies", "active-set", {
      key: `fillVacancies:${now}`,
      contract: set,
      method: "fillVacancies",
      args: [this.#options.fillMaxPromotions],
    });
  }

  async #claimReward(actions: KeeperAction[], now: bigint): Promise<void> {
    if (this.#options.claimRewardsAbove === 0n) return;
    const { stake } = this.#deps.contracts;
    const owed = await stake.rewardOf(this.#deps.address);
    if (owed < this.#options.claimRewardsAbove) return;
    const result = await this.#act(actions, "claimReward", this.#deps.address, {
      key: `claimReward:${now}`,
      contract: stake,
      method: "claimReward",
      args: [this.#deps.address],
      alreadyHandled: ["StakeManagerNoReward"],
    });
    if (result?.status === "confirmed" && !result.fromLog)
      this.#deps.metrics?.rewardClaimed.inc({}, Number(owed) / 1e18);
  }

  /**
   * Keeps the sentinel pool's served list true: a served sentinel that is not live (NodeHealth Overdue,
   * Stalled or Unknown) is dropped, an unserved one that is live is restored. Views first (the registry's
   * sentinels, served list and `isLive` of each: bounded by MAX_SENTINELS = 64); nothing is sent when they
   * agree. One change: `checkSentinel(id)`; several: one `checkAll()`. The intent key names the chain time,
   * so the same sentinel dropped again later (after a restore) is a new intent.
   */
  async #sweepSentinels(actions: KeeperAction[], now: bigint): Promise<void> {
    const registry = this.#deps.contracts.sentinels!;
    const [ids, served] = await Promise.all([registry.sentinels(), registry.servedSentinels()]);
    if (ids.length === 0) return;
    const servedNow = new Set(served.map((a) => a.toLowerCase()));
    const live = await Promise.all(ids.map((id) => registry.isLive(id)));
    const changed = ids.filter((id, i) => live[i] !== servedNow.has(id.toLowerCase()));
    if (changed.length === 0) return;
    if (changed.length === 1) {
      const sentinel = changed[0]!;
      await this.#act(actions, "checkSentinels", sentinel, {
        key: `checkSentinel:${sentinel}:${now}`,
        contract: registry,
        method: "checkSentinel",
        args: [sentinel],
      });
      return;
    }
    await this.#act(actions, "checkSentinels", `${changed.length} sentinels`, {
      key: `checkAll:${now}`,
      contract: registry,
      method: "checkAll",
      args: [],
    });
  }

  /**
   * Restores jailed validators whose remediation is proven. Follows new incidents (not double-signs) from a
   * cursor; each tick, per candidate: dropped once restored or no longer jailed (or tombstoned); otherwise the
   * proof is the incident's own ok report, else a succeeded Resync / Reprovision of the validator among the
   * last `restoreActionScan` actions, and the call is sent only if an eth_call of it succeeds.
   */
  async #restore(actions: KeeperAction[], budget: () => boolean): Promise<void> {
    const { set, stake } = this.#deps.contracts;
    const recovery = this.#deps.contracts.recovery!;
    const count = await set.incidentCount();
    // At most `incidentScanPerTick` new incidents read per tick (a keeper started late catches up over ticks).
    const last = this.#restoreCursor + BigInt(this.#options.incidentScanPerTick) - 1n;
    for (; this.#restoreCursor <= count && this.#restoreCursor <= last; this.#restoreCursor++) {
      const incident = await set.incident(this.#restoreCursor);
      if (incident.kind === DOUBLE_SIGN) continue;
      this.#restoreCandidates.set(this.#restoreCursor, incident.validator);
      if (this.#restoreCandidates.size > this.#options.restoreCandidatesMax) {
        const oldest = this.#restoreCandidates.keys().next().value!;
        this.#restoreCandidates.delete(oldest);
      }
    }
    let actionsRead: { id: bigint; validator: string; reportedAt: bigint }[] | undefined;
    for (const [incidentId, validator] of [...this.#restoreCandidates]) {
      if (!budget()) break;
      const [restoration, jailed, tombstoned] = await Promise.all([
        recovery.restorationOf(incidentId),
        stake.isJailed(validator),
        stake.isTombstoned(validator),
      ]);
      if (restoration.validator !== ZERO_ADDRESS || !jailed || tombstoned) {
        this.#restoreCandidates.delete(incidentId);
        continue;
      }
      let actionId: bigint | undefined;
      const report = await recovery.incidentReport(incidentId);
      if (report.reportedAt !== 0n && report.ok) actionId = 0n;
      else {
        actionsRead ??= await this.#succeededActions(recovery);
        const { detectedAt } = await set.incident(incidentId);
        actionId = actionsRead.find(
          (a) => a.validator.toLowerCase() === validator.toLowerCase() && a.reportedAt >= detectedAt,
        )?.id;
      }
      if (actionId === undefined) continue;
      const subject = `incident-${incidentId}`;
      try {
        await recovery.restore.staticCall(incidentId, actionId);
      } catch (error) {
        this.#skip("restore", subject, "not-proven");
        this.#deps.log.debug("keeper restore not yet possible", { incidentId, validator, error });
        continue;
      }
      const result = await this.#act(actions, "restore", subject, {
        key: `restore:${incidentId}`,
        contract: recovery,
        method: "restore",
        args: [incidentId, actionId],
        alreadyHandled: RESTORE_ALREADY_HANDLED,
      });
      if (result?.status === "confirmed" || result?.status === "already-handled")
        this.#restoreCandidates.delete(incidentId);
    }
  }

  /** Succeeded Resync / Reprovision actions among the last `restoreActionScan`, newest first. */
  async #succeededActions(
    recovery: IRecoveryManager,
  ): Promise<{ id: bigint; validator: string; reportedAt: bigint }[]> {
    const count = await recovery.actionCount();
    const found: { id: bigint; validator: string; reportedAt: bigint }[] = [];
    const stop = count - BigInt(this.#options.restoreActionScan);
    for (let id = count; id > 0n && id > stop; id--) {
      const a = await recovery.action(id);
      if ((a.kind === RESYNC || a.kind === REPROVISION) && a.status === SUCCEEDED)
        found.push({ id, validator: a.validator, reportedAt: a.reportedAt });
    }
    return found;
  }

  async #act(
    actions: KeeperAction[],
    action: ActionName,
    subject: string,
    request: SendRequest,
  ): Promise<SendResult | undefined> {
    try {
      const result = await this.#deps.send(request);
      if (result.fromLog) {
        // The intent log already held this key: an old outcome, not a new action. Not reported, not
        // counted as an action, logged at debug only.
        this.#deps.metrics?.skipped.inc({ action, reason: "replayed" });
        this.#deps.log.debug("keeper intent already finished", {
          action,
          subject,
          intentKey: request.key,
          result: result.status,
        });
        return result;
      }
      const entry: KeeperAction = { action, subject, result: result.status };
      if (result.status === "confirmed") {
        entry.txHash = result.txHash;
        entry.gasUsed = result.gasUsed;
      }
      actions.push(entry);
      this.#deps.metrics?.actions.inc({ action, result: result.status });
      const level = result.status === "confirmed" || result.status === "already-handled" ? "info" : "warn";
      this.#deps.log[level]("keeper action", {
        action,
        subject,
        intentKey: request.key,
        result: result.status,
        ...describe(result),
      });
      return result;
    } catch (error) {
      if (error instanceof StaleHeadError) {
        // The RPC lags behind one of our mined transactions: its state may not hold our own last heal.
        // Nothing sent; the next tick (on a fresh head) decides again.
        this.#skip(action, subject, "stale-head");
        return undefined;
      }
      actions.push({ action, subject, result: "rejected" });
      this.#deps.metrics?.actions.inc({ action, result: "error" });
      this.#deps.log.error("keeper action failed", { action, subject, error });
      return undefined;
    }
  }
}

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

function describe(result: SendResult): Record<string, unknown> {
  switch (result.status) {
    case "confirmed":
      return { txHash: result.txHash, gasUsed: result.gasUsed, block: result.blockNumber };
    case "already-handled":
    case "rejected":
      return { error: result.error };
    case "reverted":
      return { txHash: result.txHash, error: result.error };
  }
}
