/** The orchestrator's Prometheus metrics (`healnet_orchestrator_*`), every series at zero from the start. */
import type { Counter, Gauge, Histogram, Registry } from "../common/metrics.js";
import type { DriverErrorCode } from "./driver.js";
import { RUNGS } from "./ladder.js";

export interface OrchestratorMetrics {
  /** Rung attempts by rung and result (ok | failed | skipped). */
  remediations: Counter;
  /** From first sight of the work to a healed node, in seconds. */
  timeToHeal: Histogram;
  driverErrors: Counter;
  /** Ladders that ended with "the guardians must act". */
  guardianEscalations: Counter;
  /** Resyncs skipped (ladder) or refused (recovery action) because no sentinel was live. */
  resyncNoSentinel: Counter;
  /** On-chain reports by subject (incident | action) and result. */
  reports: Counter;
  /**
   * Cursor rewinds after a reorg deeper than `confirmations`, by kind: `checkpoint` (back to a saved block
   * hash still on the chain) or `deep` (every saved block was replaced: `reorgRewindBlocks` below the oldest).
   */
  reorgs: Counter;
  /** Blocks the cursor moved back at the last rewind (0 until one happens). */
  lastReorgDepth: Gauge;
  /** Last block whose logs were read. */
  cursorBlock: Gauge;
  /** Incidents and actions waiting to be handled or reported. */
  pendingWork: Gauge;
}

const CODES: readonly DriverErrorCode[] = [
  "unknown-node",
  "fetch-failed",
  "hash-mismatch",
  "bad-config",
  "not-ready",
  "aborted",
  "failed",
];
/** The kinds of cursor rewind (`healnet_orchestrator_reorgs_total{kind}`). */
export const REORG_KINDS = ["checkpoint", "deep"] as const;
export type ReorgKind = (typeof REORG_KINDS)[number];
const REPORT_RESULTS = ["confirmed", "already-handled", "skipped", "rejected", "reverted", "error"] as const;

export function registerOrchestratorMetrics(registry: Registry): OrchestratorMetrics {
  const lastReorgDepth = registry.gauge(
    "healnet_orchestrator_last_reorg_depth_blocks",
    "Blocks the log cursor moved back at its last reorg rewind (0 until one happens)",
  );
  lastReorgDepth.set(0);
  return {
    remediations: registry.labelledCounter(
      "healnet_orchestrator_remediations_total",
      "Remediation rungs by rung and result (ok, failed, skipped)",
      RUNGS.flatMap((rung) => ["ok", "failed", "skipped"].map((result) => ({ rung, result }))),
    ),
    timeToHeal: registry.histogram(
      "healnet_orchestrator_time_to_heal_seconds",
      "Seconds from first sight of a remediation request to a healed node",
      [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    ),
    driverErrors: registry.labelledCounter(
      "healnet_orchestrator_driver_errors_total",
      "Driver errors by code",
      CODES.map((code) => ({ code })),
    ),
    guardianEscalations: registry.counter(
      "healnet_orchestrator_guardian_escalations_total",
      "Incidents no rung healed: the guardians must rotate the key or help by hand",
    ),
    resyncNoSentinel: registry.counter(
      "healnet_orchestrator_resync_no_sentinel_total",
      "Resyncs skipped or refused because the SentinelRegistry had no live sentinel to sync from",
    ),
    reports: registry.labelledCounter(
      "healnet_orchestrator_reports_total",
      "On-chain reports by subject and result",
      ["incident", "action"].flatMap((subject) => REPORT_RESULTS.map((result) => ({ subject, result }))),
    ),
    reorgs: registry.labelledCounter(
      "healnet_orchestrator_reorgs_total",
      "Log cursor rewinds after a reorg deeper than confirmations: to a saved block still on the chain " +
        "(checkpoint) or past every saved block (deep: an event replaced below the rewind is missed)",
      REORG_KINDS.map((kind) => ({ kind })),
    ),
    lastReorgDepth,
    cursorBlock: registry.gauge("healnet_orchestrator_cursor_block", "Last block whose logs were read"),
    pendingWork: registry.gauge(
      "healnet_orchestrator_pending_work",
      "Incidents and recovery actions waiting to be handled or reported",
    ),
  };
}
