/**
 * Turns a run's raw record into the report: one row per incident (a fault and what the chain did about
 * it), figures per fault type, false positives against the ground truth, quorum, stake conservation, the
 * audit trail, and the targets. Times are simulated seconds after the start of the run. Detection and heal
 * times come from on-chain events (ChainWatcher), never from the injector's bookkeeping.
 */
import type { ChainIncident } from "./events.js";
import type { InjectedFault } from "./faults.js";
import type { Condition } from "./fleet.js";
import type { Segment, SimRecord } from "./engine.js";
import type { FaultType } from "./scenario.js";

export interface IncidentRow {
  /** The fault's id in the schedule. */
  id: number;
  fault: FaultType;
  /** The validator hit (its address), a list for a correlated outage, or the agent hit. */
  validator: string;
  node: string;
  injectedAt: number;
  /** When the fault itself ended (the node fixed, the link back, the agent restarted). */
  endsAt: number;
  detectedAt: number | null;
  healedAt: number | null;
  timeToDetectS: number | null;
  timeToHealS: number | null;
  action: string;
  /** The chain's incident id(s). */
  chainIncidents: number[];
  gas: number;
  /** Who paid the gas of the handling transactions, and who paid / was paid by the slash. */
  gasPaidBy: string[];
  paidBy: string | null;
  paidTo: string[];
  slashed: string | null;
  reward: string | null;
  /**
   * The remediation rung that healed it (stall: "restart", "resync", "reprovision"; "replace" when the set
   * replaced the validator; byzantine-proposer: "rollback"), or null.
   */
  rung: string | null;
  /** crash: healed within heartbeatInterval + gracePeriod + one block of the fault. */
  withinTarget?: boolean;
  validators?: string[];
}

export interface FaultStats {
  count: number;
  detected: number;
  healed: number;
  timeToDetectS: { median: number | null; p95: number | null };
  timeToHealS: { median: number | null; p95: number | null };
}

export interface FalsePositive {
  chainIncident: number;
  validator: string;
  node: string;
  kind: string;
  at: number;
  why: string;
}

export interface Target {
  name: string;
  target: string;
  actual: string;
  ok: boolean | null;
}

export interface TimelineRow {
  node: string;
  validator: string;
  /** [from, to, status, condition], seconds after the start. */
  segments: [number, number, string, Condition][];
}

export interface Report {
  version: 1;
  scenario: {
    name: string;
    seed: string;
    validators: number;
    activeSeats: number;
    backups: number;
    duration: number;
    keepers: number;
    guardians: string;
    faults: number;
  };
  wallTimeS: number;
  setupWallTimeS: number;
  params: SimRecord["chainParams"];
  network: string;
  startTime: number;
  falsePositives: number;
  falsePositiveDetails: FalsePositive[];
  liveQuorumShare: number;
  stakeConserved: boolean;
  stake: Record<string, string | boolean>;
  auditVerified: boolean | null;
  auditEntries: number;
  validatorsLost: number;
  setBelowMinActiveS: number;
  finalActive: number;
  chainHaltS: number;
  slashedDuringHalt: number;
  tx: { count: number; perSecond: number; gasUsed: string; blocks: number };
  /** Where the wall time went (seconds per phase of the steps) and the agents' view reads. */
  performance: { phasesS: Record<string, number>; viewCalls: number; viewCacheHits: number };
  targets: Target[];
  byFault: Partial<Record<FaultType, FaultStats>>;
  incidents: IncidentRow[];
  chainIncidents: {
    id: number;
    validator: string;
    node: string;
    kind: string;
    detectedAt: number;
    replacedAt: number | null;
    resolvedAt: number | null;
    slash: string;
    /** When the RecoveryManager restored the jailed validator to the backup pool (null if it did not). */
    restoredAt: number | null;
    /** Seconds from the fault to the restore (`ValidatorRestored.timeToRecover`), or null. */
    timeToRecoverS: number | null;
  }[];
  agents: {
    keepers: { name: string; address: string; actions: Record<string, number>; failedTicks: number }[];
    orchestrator: {
      address: string;
      ticks: number;
      reports: number;
      driverOps: { at: number; op: string; node: string; ok: boolean }[];
    };
    guardians: { threshold: number; addresses: string[] };
    addresses: Record<string, string>;
  };
  /** Guardian council actions taken by the simulation's guardian bot. */
  guardianActions: {
    proposalId: number;
    type: string;
    faultId: number;
    reason: string;
    triggeredAt: number;
    proposedAt: number;
    approvedAt: number | null;
    executedAt: number | null;
    approvals: number;
    /** Seconds from the proposal to its execution. */
    timeToExecuteS: number | null;
    pausedUntil: number | null;
    gas: number;
    error: string | null;
  }[];
  /** The "upgrade during faults" step: a proxy upgraded mid-run while faults were active (null: none). */
  upgrade: {
    contract: string;
    proxy: string;
    implementation: string;
    at: number;
    activeFaults: number[];
    versionBefore: number;
    versionAfter: number;
    gas: number;
    /** What was checked to be unchanged by the upgrade, with its detail. */
    checks: { name: string; ok: boolean; detail: string }[];
    ok: boolean;
    error: string | null;
  } | null;
  /** Snapshots proposed, attested by the guardians and finalized (what a resync restores). */
  snapshots: { id: number; height: number; cid: string; proposedAt: number; finalizedAt: number | null }[];
  /** Appeals of pending downtime slashes by wrongly accused validators. */
  appeals: {
    incidentId: number;
    validator: string;
    node: string;
    at: number;
    ok: boolean;
    error: string | null;
  }[];
  /** The state commitment chain: honest batches, batches verified by the watcher, rollbacks. */
  stateCommitments: {
    honestBatches: number;
    verified: number;
    rollbacks: { fromCommitmentId: number; at: number }[];
  };
  timeline: TimelineRow[];
}

const TOKEN = 10n ** 18n;

function tokens(wei: bigint): string {
  const whole = wei / TOKEN;
  const frac = ((wei % TOKEN) * 100n) / TOKEN;
  return `${whole.toLocaleString("en-US")}.${frac.toString().padStart(2, "0")} HEAL`;
}

/** Nearest-rank percentile of a non-empty list. */
export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] ?? null;
}

const DOWN: readonly Condition[] = ["crashed", "outage", "restarting"];
const OUT_OF_SYNC: readonly Condition[] = ["stalled", "partitioned", "restarting", "crashed", "outage"];

/**
 * Whether a segment in one of `conditions` overlaps [from, to). A segment that starts at `to` does not count:
 * for a detection at `to` that is the fleet's reaction to it (the orchestrator restarting the node the chain
 * just jailed), not a fault before it, and counting it hid the false positive of a live node slashed and then
 * restarted in the same step.
 */
function overlaps(
  segments: readonly Segment[],
  conditions: readonly Condition[],
  from: number,
  to: number,
): boolean {
  return segments.some((s) => conditions.includes(s.condition) && s.from < to && s.to > from);
}

export function buildReport(r: SimRecord): Report {
  const receipts = r.receipts;
  const rel = (t: number | undefined | null) => (t === undefined || t === null ? null : t - r.start);
  const p = r.chainParams;
  const labels = new Map<string, string>();
  for (const n of r.nodes) labels.set(n.validator.toLowerCase(), n.label);
  r.agents.keepers.forEach((k, i) => labels.set(k.toLowerCase(), `keeper-${i + 1}`));
  labels.set(r.agents.orchestrator.toLowerCase(), "orchestrator");
  labels.set(r.agents.treasury.toLowerCase(), "treasury");
  for (const lie of r.fraud.lies.values()) labels.set(lie.challenger.toLowerCase(), "fraud-watcher");
  const label = (a: string) => labels.get(a.toLowerCase()) ?? `${a.slice(0, 8)}…`;

  const incidents = [...r.watcher.incidents.values()].sort((a, b) => a.id - b.id);
  const byValidator = (v: string) => incidents.filter((i) => i.validator.toLowerCase() === v.toLowerCase());
  const window = p.heartbeatInterval + p.gracePeriod;

  const gasOf = (incs: ChainIncident[]) => {
    let gas = 0n;
    const payers = new Set<string>();
    for (const inc of incs)
      for (const tx of new Set(inc.txs.map((t) => t.hash))) {
        const rc = receipts.get(tx);
        if (rc) {
          gas += rc.gasUsed;
          payers.add(label(rc.from));
        }
      }
    return { gas: Number(gas), payers: [...payers] };
  };

  const rows: IncidentRow[] = [];
  let slashedDuringHalt = 0;
  for (const f of r.faults) rows.push(...rowsFor(f));

  function base(f: InjectedFault, validator: string, node: string): IncidentRow {
    return {
      id: f.id,
      fault: f.type,
      validator,
      node,
      injectedAt: f.injectedAt - r.start,
      endsAt: f.endsAt - r.start,
      detectedAt: null,
      healedAt: null,
      timeToDetectS: null,
      timeToHealS: null,
      action: "",
      chainIncidents: [],
      gas: 0,
      gasPaidBy: [],
      paidBy: null,
      paidTo: [],
      slashed: null,
      reward: null,
      rung: null,
    };
  }

  function fill(
    row: IncidentRow,
    inc: ChainIncident | undefined,
    detected: number | null,
    healed: number | null,
  ) {
    row.detectedAt = detected;
    row.healedAt = healed;
    row.timeToDetectS = detected === null ? null : detected - row.injectedAt;
    row.timeToHealS = healed === null ? null : healed - row.injectedAt;
    if (inc) {
      row.chainIncidents = [inc.id];
      const g = gasOf([inc]);
      row.gas = g.gas;
      row.gasPaidBy = g.payers;
      if (inc.slash === "executed" && inc.slashedAmount !== undefined) {
        row.paidBy = label(inc.validator);
        row.slashed = tokens(inc.slashedAmount);
        row.reward = tokens(inc.reward ?? 0n);
        row.paidTo = [
          `${label(inc.reporter)} (reward ${tokens(inc.reward ?? 0n)})`,
          `treasury (${tokens(inc.slashedAmount - (inc.reward ?? 0n))})`,
        ];
      } else if (inc.slash === "pending") {
        row.paidBy = `${label(inc.validator)} (slash pending: appeal window until t=${inc.detectedAt - r.start + p.appealWindow})`;
        row.paidTo = [`${label(inc.reporter)} (reward when executed)`];
      }
    }
  }

  function rowsFor(f: InjectedFault): IncidentRow[] {
    const after = (v: string, kinds: string[]) =>
      byValidator(v).find((i) => i.detectedAt >= f.injectedAt && kinds.includes(i.kind));
    switch (f.type) {
      case "crash":
      case "double-sign":
      case "stall":
      case "partition":
        return f.validators.map((v, k) => {
          const row = base(f, v, f.nodes[k] ?? label(v));
          const kinds =
            f.type === "crash"
              ? ["downtime", "low-uptime"]
              : f.type === "double-sign"
                ? ["double-sign"]
                : ["stall", "downtime"];
          const inc = after(v, kinds);
          if (!inc) {
            row.action =
              f.type === "partition" || f.type === "stall"
                ? `not detected: back in sync at t=${f.endsAt - r.start} before the chain saw a stall`
                : "not detected";
            return row;
          }
          const detected = inc.detectedAt - r.start;
          let healed: number | null = null;
          const by = `by ${label(inc.reporter)}`;
          if (inc.kind === "downtime" || inc.kind === "double-sign" || inc.kind === "low-uptime") {
            healed = rel(inc.replacedAt);
            const repl = inc.replacement
              ? `replaced by ${label(inc.replacement)} in the same transaction`
              : "removed without replacement";
            row.action =
              inc.kind === "double-sign"
                ? `reportDoubleSign ${by}: slashed at once, tombstoned, ${repl}`
                : inc.kind === "downtime"
                  ? `checkHeartbeat ${by}: jailed, ${inc.slash === "executed" ? "slash executed" : "slash pending (appealable)"}, ${repl}`
                  : `evaluateAndRotate ${by}: rotated out (low uptime), ${repl}`;
          } else {
            // Stall: remediation first, replacement only if unhealed after the escalation delay.
            const report = inc.remediationReported
              ? `; orchestrator reported ${inc.remediationReported.ok ? "healed" : "not healed"} at t=${inc.remediationReported.at - r.start}`
              : "";
            const ops = r.driverOps
              .filter((o) => o.validator.toLowerCase() === v.toLowerCase() && o.at >= inc.detectedAt)
              .map((o) => o.op);
            const ladder = ops.length > 0 ? `; driver: ${[...new Set(ops)].join(" → ")}` : "";
            const okOps = r.driverOps.filter(
              (o) =>
                o.validator.toLowerCase() === v.toLowerCase() &&
                o.at >= inc.detectedAt &&
                o.ok &&
                (inc.remediationReported === undefined || o.at <= inc.remediationReported.at),
            );
            if (inc.remediationResolvedAt !== undefined) {
              healed = rel(inc.remediationResolvedAt);
              row.rung = okOps.length > 0 ? okOps[okOps.length - 1]!.op : null;
              row.action = `remediation requested ${by}${ladder}${report}; resolved on-chain (live again), no slash`;
            } else if (inc.replacedAt !== undefined) {
              healed = rel(inc.replacedAt);
              row.rung = "replace";
              row.action = `remediation requested ${by}${ladder}${report}; escalated: replaced by ${inc.replacement ? label(inc.replacement) : "nobody"} (jailed, no slash)`;
            } else {
              row.action = `remediation requested ${by}${ladder}${report}; still open at the end`;
            }
          }
          fill(row, inc, detected, healed);
          if (healed !== null && row.rung === null && inc.replacedAt !== undefined) row.rung = "replace";
          if (f.type === "crash" && healed !== null)
            row.withinTarget = healed - row.injectedAt <= window + p.blockTime;
          else if (f.type === "crash") row.withinTarget = false;
          return row;
        });
      case "flap":
      case "latency":
        return f.validators.map((v, k) => {
          const row = base(f, v, f.nodes[k] ?? label(v));
          const incs = byValidator(v).filter(
            (i) => i.detectedAt >= f.injectedAt && i.detectedAt <= f.endsAt + window,
          );
          if (incs.length === 0) {
            row.action =
              f.type === "flap"
                ? "tolerated: intermittent heartbeats stayed inside the grace period; no incident"
                : "tolerated: late heartbeats stayed inside the grace period; no incident";
          } else {
            const inc = incs[0]!;
            fill(row, inc, inc.detectedAt - r.start, rel(inc.replacedAt ?? inc.remediationResolvedAt));
            row.action = `${inc.kind} incident opened (expected none)`;
          }
          return row;
        });
      case "correlated-outage": {
        const row = base(f, `${f.validators.length} validators`, f.nodes.join(" "));
        row.validators = f.validators;
        const degraded = r.watcher.degradations.find((d) => d.correlated && d.at >= f.injectedAt);
        const healed = r.correlatedHealedAt.get(f.id);
        const during = f.validators.flatMap((v) =>
          byValidator(v).filter(
            (i) =>
              i.detectedAt >= f.injectedAt && i.detectedAt <= f.endsAt + window && i.kind !== "double-sign",
          ),
        );
        slashedDuringHalt += during.length;
        fill(
          row,
          undefined,
          degraded ? degraded.at - r.start : null,
          healed === undefined ? null : healed - r.start,
        );
        row.chainIncidents = during.map((i) => i.id);
        const pause = r.guardianActions.find((a) => a.faultId === f.id);
        const guardians =
          pause === undefined
            ? "guardians alerted"
            : pause.executedAt !== null
              ? `guardians paused slashing (proposal ${pause.proposalId}, ${pause.approvals} approvals, executed at t=${pause.executedAt - r.start}, until t=${(pause.pausedUntil ?? 0) - r.start})`
              : `guardian pause proposal ${pause.proposalId || "-"} not executed${pause.error ? `: ${pause.error}` : ""}`;
        if (pause?.executedAt != null) row.rung = "guardian-pause";
        row.action =
          (degraded
            ? `SetDegraded(silent ${degraded.silent} of ${degraded.count}, correlated): nobody slashed or removed; ${guardians}`
            : "no degradation seen") +
          (during.length > 0 ? `; ${during.length} validator(s) handled anyway` : "") +
          (healed !== undefined ? "; every validator heartbeating again" : "");
        return [row];
      }
      case "byzantine-proposer": {
        const v = f.validators[0] ?? "";
        const row = base(f, v, f.nodes[0] ?? label(v));
        const lie = r.fraud.lies.get(f.id);
        if (lie === undefined || lie.commitmentId === null) {
          row.action = "no batch posted (no verified head to lie on)";
          return [row];
        }
        fill(row, undefined, rel(lie.detectedAt), rel(lie.rolledBackAt));
        row.gas = Number(lie.gasUsed);
        row.gasPaidBy = [label(lie.challenger)];
        if (lie.rolledBackAt !== null) {
          row.rung = "rollback";
          row.paidBy = label(lie.proposer);
          row.slashed = tokens(lie.slashed);
          row.paidTo = [`${label(lie.challenger)} (challenger reward)`, "treasury"];
          row.action = `rollback: watcher proved commitment ${lie.commitmentId} fraudulent (single-step proof) at t=${lie.rolledBackAt - r.start}; chain rolled back to the last valid root; proposer slashed ${tokens(lie.slashed)}`;
        } else {
          row.action = `lie in commitment ${lie.commitmentId} not rolled back (${lie.result})`;
        }
        return [row];
      }
      case "keeper-crash":
      case "rpc-outage": {
        const name = `keeper-${(f.keeper ?? 0) + 1}`;
        const row = base(f, name, name);
        const times = r.agentFaultTimes.get(f.id) ?? {};
        fill(row, undefined, rel(times.detectedAt), rel(times.healedAt));
        const others = new Set(
          r.actions
            .filter(
              (a) =>
                a.agent !== name &&
                a.at >= row.injectedAt &&
                a.at < f.endsAt - r.start &&
                a.txHash !== undefined,
            )
            .map((a) => a.txHash),
        ).size;
        row.action =
          f.type === "keeper-crash"
            ? `process exited; the other keeper(s) sent ${others} transaction(s) meanwhile; restarted at t=${f.endsAt - r.start} (state from the chain and its intent log)`
            : `its RPC refused connections; ticks failed and were retried; the other keeper(s) sent ${others} transaction(s) meanwhile`;
        return [row];
      }
      case "sentinel-outage": {
        const pool = r.sentinels;
        const silent = pool?.outages.get(f.id) ?? [];
        const row = base(f, `${silent.length} sentinel(s)`, f.nodes.join(" "));
        const sLabel = (id: string) => {
          const i = pool?.ids.indexOf(id) ?? -1;
          return i >= 0 ? `s${i + 1}` : label(id);
        };
        const events = pool?.events ?? [];
        const drops = events.filter(
          (e) => e.kind === "dropped" && e.at >= f.injectedAt && silent.includes(e.sentinel ?? ""),
        );
        const restores = silent.map(
          (id) => events.find((e) => e.kind === "restored" && e.sentinel === id && e.at >= f.endsAt)?.at,
        );
        const detected = drops.length > 0 ? Math.min(...drops.map((e) => e.at)) : undefined;
        const healed = restores.every((x) => x !== undefined)
          ? Math.max(...(restores as number[]))
          : undefined;
        fill(row, undefined, rel(detected), rel(healed));
        const degraded = events.find(
          (e) => e.kind === "degraded" && e.at >= f.injectedAt && e.at <= f.endsAt,
        );
        const resyncs = r.driverOps.filter(
          (o) => o.op === "resync" && o.at >= f.injectedAt && o.at <= f.endsAt,
        );
        const fromDown = resyncs.filter((o) => o.sentinel !== undefined && o.sentinelUp !== true);
        const sources = [...new Set(resyncs.map((o) => (o.sentinel ? sLabel(o.sentinel) : "none")))];
        row.action =
          `${silent.map(sLabel).join(", ")} stopped heartbeating; ` +
          (drops.length > 0
            ? `dropped from the served list at t=${drops.map((e) => e.at - r.start).join(", ")}`
            : "not dropped") +
          (degraded
            ? `; SentinelPoolDegraded (served ${degraded.served} < minSentinels ${pool?.min}): guardians alerted`
            : "; the pool stayed at or above minSentinels") +
          `; ${resyncs.length} resync(s) during the outage` +
          (resyncs.length > 0 ? ` from ${sources.join(", ")}` : "") +
          (fromDown.length > 0 ? ` (${fromDown.length} from a silent sentinel!)` : " (only live sentinels)") +
          (healed !== undefined ? "; every sentinel served again" : "");
        if (fromDown.length > 0) row.rung = "resync-from-silent-sentinel";
        return [row];
      }
    }
  }

  // False positives: slashes or removals of a validator the ground truth says was live.
  const falsePositives: FalsePositive[] = [];
  const uptimeWindow = p.uptimeWindowS;
  const stallLead = (p.maxHeightLag + 2) * p.blockTime + (p.stallReports + 1) * p.heartbeatInterval;
  for (const inc of incidents) {
    const segs = r.timeline.get(inc.validator) ?? [];
    const d = inc.detectedAt - r.start;
    let justified = true;
    let why = "";
    if (inc.kind === "downtime") {
      justified = overlaps(segs, DOWN, d - window - p.blockTime, d);
      why = "it was running during the whole liveness window";
    } else if (inc.kind === "double-sign") {
      justified = r.faults.some((f) => f.type === "double-sign" && f.validators.includes(inc.validator));
      why = "it never equivocated";
    } else if (inc.kind === "low-uptime") {
      justified = overlaps(segs, DOWN, d - uptimeWindow, d);
      why = "it was never down in the uptime window";
    } else if (inc.kind === "stall" && inc.replacedAt !== undefined) {
      justified = overlaps(segs, OUT_OF_SYNC, d - stallLead, inc.replacedAt - r.start);
      why = "it was in sync from the stall's start to its removal";
    }
    if (!justified)
      falsePositives.push({
        chainIncident: inc.id,
        validator: inc.validator,
        node: label(inc.validator),
        kind: inc.kind,
        at: d,
        why,
      });
  }

  // Figures per fault type.
  const byFault: Partial<Record<FaultType, FaultStats>> = {};
  for (const row of rows) {
    const stats = (byFault[row.fault] ??= {
      count: 0,
      detected: 0,
      healed: 0,
      timeToDetectS: { median: null, p95: null },
      timeToHealS: { median: null, p95: null },
    });
    stats.count++;
    if (row.detectedAt !== null) stats.detected++;
    if (row.healedAt !== null) stats.healed++;
  }
  for (const [type, stats] of Object.entries(byFault) as [FaultType, FaultStats][]) {
    const ttd = rows.filter((x) => x.fault === type && x.timeToDetectS !== null).map((x) => x.timeToDetectS!);
    const tth = rows.filter((x) => x.fault === type && x.timeToHealS !== null).map((x) => x.timeToHealS!);
    stats.timeToDetectS = { median: percentile(ttd, 0.5), p95: percentile(ttd, 0.95) };
    stats.timeToHealS = { median: percentile(tth, 0.5), p95: percentile(tth, 0.95) };
  }

  const validatorsLost = r.watcher.removals.filter((x) => x.promoted === null).length;
  const lieRows = rows.filter((x) => x.fault === "byzantine-proposer");
  const txPerSecond = r.wallTimeS > 0 ? r.chain.txs / r.wallTimeS : 0;
  const crashRows = rows.filter((x) => x.fault === "crash");
  const budget = wallBudget(r);
  // Resyncs the driver was asked to make (with a pool, each names its sentinel; a refused one counts too).
  const resyncOps = r.sentinels === undefined ? [] : r.driverOps.filter((o) => o.op === "resync");
  const targets: Target[] = [
    {
      name: "crash replaced in time",
      target: `≤ heartbeatInterval + gracePeriod + one block = ${window + p.blockTime} s after the fault`,
      actual:
        crashRows.length === 0
          ? "no crash in this scenario"
          : crashRows.map((x) => (x.timeToHealS === null ? "not healed" : `${x.timeToHealS} s`)).join(", "),
      ok: crashRows.length === 0 ? null : crashRows.every((x) => x.withinTarget === true),
    },
    {
      name: "false positives",
      target: "0 slashes or removals of live validators",
      actual: String(falsePositives.length),
      ok: falsePositives.length === 0,
    },
    {
      name: "chain halt: nobody slashed",
      target: "0 incidents against validators in a correlated outage",
      actual: r.faults.some((f) => f.type === "correlated-outage")
        ? String(slashedDuringHalt)
        : "no correlated outage",
      ok: r.faults.some((f) => f.type === "correlated-outage") ? slashedDuringHalt === 0 : null,
    },
    {
      name: "byzantine proposer rolled back",
      target: "every lie proven and rolled back inside the challenge window",
      actual:
        lieRows.length === 0
          ? "no byzantine proposer"
          : lieRows
              .map((x) => (x.timeToHealS === null ? "not rolled back" : `${x.timeToHealS} s`))
              .join(", "),
      ok: lieRows.length === 0 ? null : lieRows.every((x) => x.rung === "rollback"),
    },
    {
      name: "resync only from live sentinels",
      target: "every resync synced from a sentinel that was live (served and heartbeating)",
      actual:
        resyncOps.length === 0
          ? "no resync"
          : `${resyncOps.filter((o) => o.sentinelUp === true).length} of ${resyncOps.length} resync(s) from a live sentinel`,
      ok: resyncOps.length === 0 ? null : resyncOps.every((o) => o.sentinelUp === true),
    },
    {
      name: "stake conserved",
      target: "deposited = bonded + unbonding + withdrawn + slashed",
      actual: r.stake.conserved && r.stake.balanceMatches ? "yes" : "NO",
      ok: r.stake.conserved && r.stake.balanceMatches,
    },
    {
      name: "audit trail verified",
      target: "recomputed hash chain = on-chain head",
      actual:
        r.audit.verified === null
          ? "not available"
          : r.audit.verified
            ? `yes (${r.audit.entries} entries)`
            : `NO: ${r.audit.reason ?? ""}`,
      ok: r.audit.verified,
    },
    {
      name: "upgrade during faults: nothing lost",
      target: "stakes, pending slashes, incidents, audit head and active set unchanged; version + 1",
      actual:
        r.upgrade === null
          ? "no upgrade in this scenario"
          : r.upgrade.error !== undefined
            ? `FAILED: ${r.upgrade.error}`
            : `${r.upgrade.contract} v${r.upgrade.versionBefore} → v${r.upgrade.versionAfter} at ${r.upgrade.at - r.start} s with ${r.upgrade.activeFaults.length} fault(s) active${
                r.upgrade.ok
                  ? ""
                  : `: ${r.upgrade.checks
                      .filter((c) => !c.ok)
                      .map((c) => c.name)
                      .join(", ")}`
              }`,
      ok: r.upgrade === null ? null : r.upgrade.ok,
    },
    {
      name: "wall time",
      target: budget === null ? "(no target for this size)" : `< ${budget} s`,
      actual: `${r.wallTimeS.toFixed(1)} s, ${r.chain.txs} transactions, ${txPerSecond.toFixed(1)} tx/s`,
      ok: budget === null ? null : r.wallTimeS < budget,
    },
  ];

  const timeline: TimelineRow[] = r.nodes.map((n) => ({
    node: n.label,
    validator: n.validator,
    segments: (r.timeline.get(n.validator) ?? []).map((s) => [s.from, s.to, s.status, s.condition]),
  }));

  const keeperStats = r.agents.keepers.map((address, i) => {
    const name = `keeper-${i + 1}`;
    const actions: Record<string, number> = {};
    const seen = new Set<string>();
    for (const a of r.actions) {
      // A repeated intent returns its recorded outcome (same hash): count each transaction once.
      if (a.agent !== name || a.result !== "confirmed" || a.txHash === undefined || seen.has(a.txHash))
        continue;
      seen.add(a.txHash);
      actions[a.action] = (actions[a.action] ?? 0) + 1;
    }
    const failedTicks = r.agentEvents.filter(
      (e) => e.agent === name && (e.event === "rpc-failed" || e.event === "tick-failed"),
    ).length;
    return { name, address, actions, failedTicks };
  });

  return {
    version: 1,
    scenario: {
      name: r.scenario.name,
      seed: r.scenario.seed,
      validators: r.scenario.validators,
      activeSeats: p.maxActive,
      backups: r.scenario.backups,
      duration: r.scenario.duration,
      keepers: r.scenario.keepers,
      guardians: `${r.agents.threshold}-of-${r.agents.guardians.length}`,
      faults: r.faults.length,
    },
    wallTimeS: round(r.wallTimeS, 2),
    setupWallTimeS: round(r.setupWallTimeS, 2),
    params: p,
    network: r.network,
    startTime: r.start,
    falsePositives: falsePositives.length,
    falsePositiveDetails: falsePositives,
    liveQuorumShare: round(r.quorum.samples === 0 ? 0 : r.quorum.withQuorum / r.quorum.samples, 4),
    stakeConserved: r.stake.conserved && r.stake.balanceMatches,
    stake: {
      deposited: tokens(r.stake.deposited),
      bonded: tokens(r.stake.bonded),
      unbonding: tokens(r.stake.unbonding),
      withdrawn: tokens(r.stake.withdrawn),
      slashed: tokens(r.stake.slashed),
      rewardsOwed: tokens(r.stake.rewardsOwed),
      tokenBalanceMatches: r.stake.balanceMatches,
    },
    auditVerified: r.audit.verified,
    auditEntries: r.audit.entries,
    validatorsLost,
    setBelowMinActiveS: r.belowMinActiveS,
    finalActive: r.finalActive,
    chainHaltS: r.networkHaltedS,
    slashedDuringHalt,
    tx: {
      count: r.chain.txs,
      perSecond: round(txPerSecond, 1),
      gasUsed: r.chain.gasUsed.toString(),
      blocks: r.chain.blocks,
    },
    performance: {
      phasesS: Object.fromEntries(
        Object.entries(r.performance.phaseMs).map(([k, v]) => [k, round(v / 1000, 2)]),
      ),
      viewCalls: r.performance.viewCalls,
      viewCacheHits: r.performance.viewCacheHits,
    },
    targets,
    byFault,
    incidents: rows,
    chainIncidents: incidents.map((i) => ({
      id: i.id,
      validator: i.validator,
      node: label(i.validator),
      kind: i.kind,
      detectedAt: i.detectedAt - r.start,
      replacedAt: rel(i.replacedAt),
      resolvedAt: rel(i.remediationResolvedAt),
      slash: i.slash,
      restoredAt: rel(i.restored?.at),
      timeToRecoverS: i.restored?.timeToRecoverS ?? null,
    })),
    agents: {
      keepers: keeperStats,
      orchestrator: {
        address: r.agents.orchestrator,
        ticks: r.orchestrator.ticks,
        reports: r.orchestrator.reports,
        driverOps: r.driverOps.map((o) => ({ at: o.at - r.start, op: o.op, node: o.node, ok: o.ok })),
      },
      guardians: { threshold: r.agents.threshold, addresses: r.agents.guardians },
      addresses: r.addresses,
    },
    guardianActions: r.guardianActions.map((a) => ({
      proposalId: a.proposalId,
      type: a.type,
      faultId: a.faultId,
      reason: a.reason,
      triggeredAt: a.triggeredAt - r.start,
      proposedAt: a.proposedAt - r.start,
      approvedAt: rel(a.approvedAt),
      executedAt: rel(a.executedAt),
      approvals: a.approvals,
      timeToExecuteS: a.executedAt === null ? null : a.executedAt - a.proposedAt,
      pausedUntil: rel(a.pausedUntil),
      gas: Number(a.gasUsed),
      error: a.error ?? null,
    })),
    upgrade:
      r.upgrade === null
        ? null
        : {
            contract: r.upgrade.contract,
            proxy: r.upgrade.proxy,
            implementation: r.upgrade.implementation,
            at: r.upgrade.at - r.start,
            activeFaults: r.upgrade.activeFaults,
            versionBefore: r.upgrade.versionBefore,
            versionAfter: r.upgrade.versionAfter,
            gas: Number(r.upgrade.gasUsed),
            checks: r.upgrade.checks.map((c) => ({ name: c.name, ok: c.ok, detail: c.detail })),
            ok: r.upgrade.ok,
            error: r.upgrade.error ?? null,
          },
    snapshots: r.snapshots.map((x) => ({
      ...x,
      proposedAt: x.proposedAt - r.start,
      finalizedAt: rel(x.finalizedAt),
    })),
    appeals: r.appeals.map((a) => ({
      incidentId: a.incidentId,
      validator: a.validator,
      node: label(a.validator),
      at: a.at - r.start,
      ok: a.ok,
      error: a.error ?? null,
    })),
    stateCommitments: {
      honestBatches: r.fraud.honestBatches,
      verified: r.fraud.verified,
      rollbacks: r.fraud.rollbacks.map((x) => ({ fromCommitmentId: x.fromCommitmentId, at: x.at - r.start })),
    },
    timeline,
  };
}

/** The wall-time target: 60 s per simulated hour up to 21 validators, 5 min per hour up to 200. */
export function wallBudget(r: Pick<SimRecord, "scenario">): number | null {
  const hours = r.scenario.duration / 3_600;
  if (r.scenario.validators <= 21) return Math.max(60, Math.round(60 * hours));
  if (r.scenario.validators <= 200) return Math.max(300, Math.round(300 * hours));
  return null;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The report without the bulky timeline, and with every wall-clock figure removed (for determinism checks). */
export function deterministicView(report: Report): unknown {
  const { timeline: _t, wallTimeS: _w, setupWallTimeS: _s, performance: _p, targets, tx, ...rest } = report;
  void _t;
  void _w;
  void _s;
  void _p;
  return {
    ...rest,
    tx: { ...tx, perSecond: undefined },
    targets: targets.filter((x) => x.name !== "wall time"),
  };
}
