/**
 * The escalation ladder for a stalled node, written only against the `Driver` interface:
 *
 *   restart → resync from the registry's latest final snapshot, served by a live sentinel
 *   → reprovision from the node's config CID
 *   → ask the guardians (key rotation / manual help: the orchestrator cannot do it itself).
 *
 * Each rung is one driver call bounded by its own timeout (an AbortSignal that also follows the caller's
 * signal), followed by a bounded wait for the node to look healthy: running, answering, and (when a
 * reference height is known) at most `maxHeightLag` blocks behind it. A rung that throws a DriverError
 * (e.g. "hash-mismatch": the snapshot file did not match the registry and was refused) or leaves the node
 * unhealthy passes the node to the next rung. A rung without its input (no final snapshot, no config CID)
 * is skipped. The resync rung needs both a final snapshot and, when the deployment has a SentinelRegistry
 * (`liveSentinels` given), a live sentinel to sync from: with none, the rung is skipped ("no live sentinel",
 * counted in `healnet_orchestrator_resync_no_sentinel_total`) and the node goes on up the ladder towards the
 * guardians. If the caller's own signal aborts (shutdown, tick timeout), the ladder stops and throws
 * `LadderAborted`: nothing is reported for a ladder that did not finish.
 */
import { keccak256, toUtf8Bytes } from "ethers";

import type { Logger } from "../common/log.js";
import {
  type Driver,
  DriverError,
  type DriverErrorCode,
  type NodeRef,
  type NodeStatus,
  type SentinelRef,
  type SnapshotRef,
} from "./driver.js";
import type { OrchestratorMetrics } from "./metrics.js";

export type Rung = "restart" | "resync" | "reprovision" | "guardian";
export const RUNGS: readonly Rung[] = ["restart", "resync", "reprovision", "guardian"];

export type StepResult = "healed" | "not-healed" | "error" | "skipped";

/** What one rung did (part of the reported details). */
export interface StepRecord {
  rung: Rung;
  result: StepResult;
  /** The DriverError code when the driver threw. */
  code?: DriverErrorCode;
  /** Why a rung was skipped or failed, in a few words. */
  reason?: string;
  /** The node's height before and after the rung, when it answered. */
  heightBefore?: bigint;
  heightAfter?: bigint;
  /** The snapshot used (resync) or the config CID (reprovision). */
  snapshotId?: bigint;
  /** The sentinel the resync synced from. */
  sentinel?: string;
  snapshotHeight?: bigint;
  configCid?: string;
  ms: number;
}

export interface LadderOutcome {
  ok: boolean;
  /** The rung that healed the node, or "guardian" when none did. */
  rung: Rung;
  steps: StepRecord[];
}

export interface LadderOptions {
  /** Budget of each driver call, in ms. */
  restartTimeoutMs: number;
  resyncTimeoutMs: number;
  reprovisionTimeoutMs: number;
  /** After a rung, how long to wait for the node to look healthy. */
  healWaitMs: number;
  /** Status polling interval during that wait. */
  healPollMs: number;
  /** Budget of one status call. */
  statusTimeoutMs: number;
  /** Healthy means at most this many blocks behind the reference height (when one is known). */
  maxHeightLag: bigint;
}

export const DEFAULT_LADDER_OPTIONS: LadderOptions = {
  restartTimeoutMs: 60_000,
  resyncTimeoutMs: 300_000,
  reprovisionTimeoutMs: 300_000,
  healWaitMs: 30_000,
  healPollMs: 1_000,
  statusTimeoutMs: 5_000,
  maxHeightLag: 5n,
};

/** The ladder's inputs for one node. */
export interface LadderInput {
  node: NodeRef;
  /** The registry's latest final snapshot (read when the resync rung is reached); undefined: none. */
  latestFinalSnapshot(): Promise<SnapshotRef | undefined>;
  /**
   * The SentinelRegistry's live sentinels (read when the resync rung is reached). Given whenever the deployment
   * has a registry: the resync then uses one of them and is skipped when there is none. Absent: the driver syncs
   * from wherever it is configured to (deployments without a registry).
   */
  liveSentinels?(): Promise<SentinelRef[]>;
  /** The node's config CID from the orchestrator's config; undefined: the reprovision rung is skipped. */
  configCid?: string;
  /** The height a healthy node should be near (e.g. the network's best height); undefined: unknown. */
  referenceHeight?(): Promise<bigint | undefined>;
}

export interface LadderDeps {
  driver: Driver;
  log: Logger;
  metrics?: OrchestratorMetrics;
  options?: Partial<LadderOptions>;
  /** Waits `ms` (bounded by `signal`); injectable for tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** The caller's signal aborted the ladder: nothing is to be reported. */
export class LadderAborted extends Error {
  override readonly name = "LadderAborted";
}

export async function runLadder(
  deps: LadderDeps,
  input: LadderInput,
  signal: AbortSignal,
): Promise<LadderOutcome> {
  const o = { ...DEFAULT_LADDER_OPTIONS, ...deps.options };
  const sleep = deps.sleep ?? abortableSleep;
  const { driver, metrics } = deps;
  const log = deps.log.child({
    validator: input.node.validator,
    nodeId: input.node.nodeId,
    driver: driver.kind,
  });
  const steps: StepRecord[] = [];

  const status = async (): Promise<NodeStatus | undefined> => {
    try {
      return await driver.status(
        input.node,
        AbortSignal.any([signal, AbortSignal.timeout(o.statusTimeoutMs)]),
      );
    } catch (error) {
      if (signal.aborted) throw new LadderAborted("aborted while reading the node's status");
      countDriverError(metrics, error);
      return undefined;
    }
  };

  const healthy = async (
    minHeight: bigint | undefined,
  ): Promise<{ ok: boolean; height?: bigint; why?: string }> => {
    const s = await status();
    if (s === undefined || !s.running) return { ok: false, why: "not running" };
    if (s.height === undefined) return { ok: false, why: "not answering" };
    if (minHeight !== undefined && s.height < minHeight)
      return { ok: false, height: s.height, why: `at ${s.height}, below ${minHeight}` };
    const ref = input.referenceHeight ? await input.referenceHeight().catch(() => undefined) : undefined;
    if (ref !== undefined && s.height + o.maxHeightLag < ref)
      return {
        ok: false,
        height: s.height,
        why: `at ${s.height}, more than ${o.maxHeightLag} behind ${ref}`,
      };
    return { ok: true, height: s.height };
  };

  /** Polls `healthy` until it holds or `healWaitMs` passes. */
  const waitHealthy = async (minHeight: bigint | undefined) => {
    const deadline = Date.now() + o.healWaitMs;
    let last = await healthy(minHeight);
    while (!last.ok && Date.now() < deadline) {
      await sleep(Math.min(o.healPollMs, Math.max(0, deadline - Date.now())), signal).catch(() => {
        throw new LadderAborted("aborted while waiting for the node to heal");
      });
      last = await healthy(minHeight);
    }
    return last;
  };

  const attempt = async (
    rung: Exclude<Rung, "guardian">,
    timeoutMs: number,
    call: (s: AbortSignal) => Promise<void>,
    extra: Partial<StepRecord>,
    minHeight?: bigint,
  ): Promise<boolean> => {
    const started = Date.now();
    const before = await status();
    const step: StepRecord = { rung, result: "error", ...extra, ms: 0 };
    if (before?.height !== undefined) step.heightBefore = before.height;
    log.info("remediation rung starting", { rung, ...extra });
    try {
      await call(AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]));
      const after = await waitHealthy(minHeight);
      if (after.height !== undefined) step.heightAfter = after.height;
      step.result = after.ok ? "healed" : "not-healed";
      if (!after.ok && after.why !== undefined) step.reason = after.why;
    } catch (error) {
      if (signal.aborted || error instanceof LadderAborted) throw new LadderAborted(`aborted during ${rung}`);
      const code = error instanceof DriverError ? error.code : isAbort(error) ? "aborted" : "failed";
      step.code = code;
      step.reason = error instanceof Error ? error.message.slice(0, 200) : String(error);
      countDriverError(metrics, error);
    }
    step.ms = Date.now() - started;
    steps.push(step);
    metrics?.remediations.inc({ rung, result: step.result === "healed" ? "ok" : "failed" });
    const level = step.result === "healed" ? "info" : "warn";
    log[level]("remediation rung done", { ...step });
    return step.result === "healed";
  };

  const skip = (rung: Rung, reason: string) => {
    steps.push({ rung, result: "skipped", reason, ms: 0 });
    metrics?.remediations.inc({ rung, result: "skipped" });
    log.info("remediation rung skipped", { rung, reason });
  };

  // 1. restart
  if (await attempt("restart", o.restartTimeoutMs, (s) => driver.restart(input.node, s), {}))
    return { ok: true, rung: "restart", steps };

  // 2. resync from the latest final snapshot
  let snapshot: SnapshotRef | undefined;
  try {
    snapshot = await input.latestFinalSnapshot();
  } catch (error) {
    if (signal.aborted) throw new LadderAborted("aborted while reading the snapshot registry");
    log.warn("could not read the latest final snapshot", { error });
  }
  let source: SentinelRef | undefined;
  let noSentinel = false;
  if (snapshot !== undefined && input.liveSentinels !== undefined) {
    let live: SentinelRef[] = [];
    try {
      live = await input.liveSentinels();
    } catch (error) {
      if (signal.aborted) throw new LadderAborted("aborted while reading the sentinel registry");
      log.warn("could not read the live sentinels", { error });
    }
    source = pickSentinel(live, input.node.validator);
    noSentinel = source === undefined;
  }
  if (snapshot === undefined) skip("resync", "no final snapshot");
  else if (noSentinel) {
    metrics?.resyncNoSentinel.inc();
    log.warn(
      "resync skipped: no live sentinel in the SentinelRegistry to sync from (the guardians must restore the " +
        "sentinel pool); escalating",
      { rung: "resync", snapshotId: snapshot.snapshotId },
    );
    skip("resync", "no live sentinel");
  } else if (
    await attempt(
      "resync",
      o.resyncTimeoutMs,
      (s) => driver.resync(input.node, snapshot, s, source),
      {
        snapshotId: snapshot.snapshotId,
        snapshotHeight: snapshot.height,
        ...(source !== undefined && { sentinel: source.sentinel }),
      },
      snapshot.height,
    )
  )
    return { ok: true, rung: "resync", steps };

  // 3. reprovision from the node's config CID
  const cid = input.configCid;
  if (cid === undefined) skip("reprovision", "no config CID for this validator");
  else if (
    await attempt("reprovision", o.reprovisionTimeoutMs, (s) => driver.reprovision(input.node, cid, s), {
      configCid: cid,
    })
  )
    return { ok: true, rung: "reprovision", steps };

  // 4. the guardians: a key rotation (requested by the validator owner, approved by the guardians) or help.
  steps.push({ rung: "guardian", result: "not-healed", reason: "needs the guardians", ms: 0 });
  metrics?.remediations.inc({ rung: "guardian", result: "failed" });
  metrics?.guardianEscalations.inc();
  log.error(
    "every rung failed: the guardians must act (key rotation: the validator owner calls " +
      "RecoveryManager.requestKeyRotation and the guardians approveKeyRotation; or forceReplace, or fix the node by hand)",
    { rung: "guardian", steps: steps.map((s) => `${s.rung}:${s.result}${s.code ? `(${s.code})` : ""}`) },
  );
  return { ok: false, rung: "guardian", steps };
}

/**
 * The sentinel a node resyncs from: one of `live`, chosen by the validator's address so that recovering nodes
 * spread over the pool (and one node keeps its choice while the pool is unchanged). Undefined when none is live.
 */
export function pickSentinel(live: readonly SentinelRef[], validator: string): SentinelRef | undefined {
  if (live.length === 0) return undefined;
  const index = Number(BigInt(keccak256(toUtf8Bytes(validator.toLowerCase()))) % BigInt(live.length));
  return live[index];
}

function countDriverError(metrics: OrchestratorMetrics | undefined, error: unknown): void {
  const code = error instanceof DriverError ? error.code : isAbort(error) ? "aborted" : "failed";
  metrics?.driverErrors.inc({ code });
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

/** A sleep that rejects when `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Reported details: keccak256 of a small canonical JSON (keys sorted, bigints as decimal strings, no spaces).

/** Canonical JSON: object keys sorted, bigints as decimal strings, undefined fields dropped. */
export function canonicalJson(value: unknown): string {
  const norm = (v: unknown): unknown => {
    if (typeof v === "bigint") return v.toString();
    if (Array.isArray(v)) return v.map(norm);
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined) out[k] = norm(x);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(norm(value));
}

export function detailsHash(details: unknown): string {
  return keccak256(toUtf8Bytes(canonicalJson(details)));
}

/** The details reported for an incident ladder. */
export function incidentDetails(
  incidentId: bigint,
  node: NodeRef,
  driverKind: string,
  outcome: LadderOutcome,
): Record<string, unknown> {
  return {
    v: 1,
    subject: "incident",
    incidentId,
    validator: node.validator,
    driver: driverKind,
    ok: outcome.ok,
    rung: outcome.rung,
    ...(outcome.ok ? {} : { needs: "guardians: key rotation or manual help" }),
    steps: outcome.steps.map((s) => ({
      rung: s.rung,
      result: s.result,
      code: s.code,
      heightBefore: s.heightBefore,
      heightAfter: s.heightAfter,
      snapshotId: s.snapshotId,
      snapshotHeight: s.snapshotHeight,
      sentinel: s.sentinel,
      configCid: s.configCid,
    })),
  };
}
