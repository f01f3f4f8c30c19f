/** The keeper's Prometheus metrics (`healnet_keeper_*`), every series at zero from the start. */
import type { Counter, Gauge, Histogram, Registry } from "../common/metrics.js";
import type { ActionName } from "./keeper.js";

export interface KeeperMetrics {
  actions: Counter;
  /** Work found and not sent (the chain would do nothing, or the outcome was already in the intent log). */
  skipped: Counter;
  rewardClaimed: Counter;
  tickDuration: Histogram;
  /** Intents sent and not yet finished (set by the composition root from the intent log). */
  pendingTransactions: Gauge;
}

/** Every ActionName, once: the `satisfies` makes the compiler refuse a list that misses a new action. */
const ACTION_SET = {
  heartbeatBatch: true,
  checkHeartbeat: true,
  executeSlash: true,
  refreshHealth: true,
  fillVacancies: true,
  evaluateAndRotate: true,
  reportDoubleSign: true,
  claimReward: true,
  restore: true,
  checkSentinels: true,
} as const satisfies Record<ActionName, true>;
export const KEEPER_ACTIONS = Object.keys(ACTION_SET) as readonly ActionName[];
const ACTIONS = KEEPER_ACTIONS;
const RESULTS = ["confirmed", "already-handled", "rejected", "reverted", "error"] as const;
const SKIPS: readonly { action: ActionName; reason: string }[] = [
  { action: "checkHeartbeat", reason: "degraded" },
  { action: "refreshHealth", reason: "no-effect" },
  { action: "refreshHealth", reason: "simulation-reverted" },
  { action: "fillVacancies", reason: "no-effect" },
  { action: "fillVacancies", reason: "simulation-reverted" },
  { action: "evaluateAndRotate", reason: "nothing-below-min-uptime" },
  { action: "evaluateAndRotate", reason: "no-effect" },
  { action: "evaluateAndRotate", reason: "simulation-reverted" },
  { action: "restore", reason: "not-proven" },
  ...ACTIONS.map((action) => ({ action, reason: "replayed" })),
  ...ACTIONS.map((action) => ({ action, reason: "stale-head" })),
];

export function registerKeeperMetrics(registry: Registry): KeeperMetrics {
  return {
    actions: registry.labelledCounter(
      "healnet_keeper_actions_total",
      "Keeper actions by action and result",
      ACTIONS.flatMap((action) => RESULTS.map((result) => ({ action, result }))),
    ),
    skipped: registry.labelledCounter(
      "healnet_keeper_skipped_total",
      "Keeper work found and not sent, by action and reason",
      SKIPS,
    ),
    rewardClaimed: registry.counter(
      "healnet_keeper_reward_claimed_tokens_total",
      "Rewards claimed, in tokens",
    ),
    tickDuration: registry.histogram(
      "healnet_keeper_tick_duration_seconds",
      "Duration of a keeper tick",
      [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    ),
    pendingTransactions: registry.gauge(
      "healnet_keeper_pending_transactions",
      "Intents sent and not yet finished",
    ),
  };
}
