/**
 * The status of a deployed suite as table rows: one per validator (active first, then backups), with its
 * state, liveness, last heartbeat age, uptime, stake and jail / pending-slash marks. Used by `npm start`
 * and, later, by `heal status`.
 */
import type { Provider } from "ethers";

import type { CoreSuite } from "./deploy.js";

/** What `validatorRows` reads: a CoreSuite, or any typed contracts whose `admin` carries a provider. */
export type StatusSource = Pick<CoreSuite, "set" | "health" | "stake"> & {
  admin: { provider: Provider | null };
};

const STATUS = ["none", "backup", "active", "parked", "jailed", "tombstoned", "exited"] as const;
const LIVENESS = ["unknown", "live", "late", "overdue", "stalled"] as const;

export interface ValidatorRow {
  validator: string;
  state: string;
  liveness: string;
  heartbeatAgeS: string;
  uptime: string;
  stake: string;
  jailed: string;
}

function short(address: string): string {
  return `${address.slice(0, 8)}…${address.slice(-4)}`;
}

function tokens(wei: bigint): string {
  return (Number(wei / 10n ** 14n) / 10_000).toLocaleString("en-US", { maximumFractionDigits: 4 });
}

/** Rows for `validators` (bounded by the caller), read with view calls at the latest block. */
export async function validatorRows(
  suite: StatusSource,
  validators: readonly string[],
): Promise<ValidatorRow[]> {
  const provider = suite.admin.provider;
  if (provider === null) throw new Error("the admin signer has no provider");
  const now = BigInt((await provider.getBlock("latest"))?.timestamp ?? 0);
  const rows: ValidatorRow[] = [];
  for (const validator of validators) {
    const [status, liveness, last, uptime, bonded, jailed] = await Promise.all([
      suite.set.statusOf(validator),
      suite.health.livenessOf(validator),
      suite.health.lastHeartbeatAt(validator),
      suite.health.uptimeBps(validator),
      suite.stake.bondedOf(validator),
      suite.stake.isJailed(validator),
    ]);
    rows.push({
      validator: short(validator),
      state: STATUS[Number(status)] ?? `status ${status}`,
      liveness: LIVENESS[Number(liveness)] ?? `liveness ${liveness}`,
      heartbeatAgeS: last === 0n ? "-" : String(now - last),
      uptime: `${(Number(uptime) / 100).toFixed(1)}%`,
      stake: tokens(bonded),
      jailed: jailed ? "yes" : "",
    });
  }
  return rows;
}

/**
 * Pending downtime slashes among the newest `limit` incidents (bounded: incidents are not indexed by
 * validator), as validator address → "#<incident> <bps/100>%" (the newest wins).
 */
export async function pendingSlashes(set: StatusSource["set"], limit: bigint): Promise<Map<string, string>> {
  const count = await set.incidentCount();
  const pending = new Map<string, string>();
  for (let id = count; id >= 1n && count - id < limit; id--) {
    const incident = await set.incident(id);
    if (incident.slashState !== 1n || pending.has(incident.validator)) continue; // SlashState.Pending
    pending.set(incident.validator, `#${id} ${(Number(incident.slashBps) / 100).toFixed(2)}%`);
  }
  return pending;
}

/** A sentinel of the SentinelRegistry, as `heal status` and `heal sentinel list` show it. */
export interface SentinelRow {
  sentinel: string;
  operator: string;
  endpoint: string;
  liveness: string;
  served: string;
  heartbeatAgeS: string;
}

/** What `sentinelRows` reads: the registry and NodeHealth (the sentinels heartbeat there). */
export interface SentinelSource {
  sentinels: {
    sentinels(): Promise<string[]>;
    sentinel(id: string): Promise<{ operator: string; endpoint: string; served: boolean }>;
  };
  health: Pick<CoreSuite["health"], "livenessOf" | "lastHeartbeatAt">;
  provider: Provider;
}

/** One row per registered sentinel (at most the registry's cap, 64). */
export async function sentinelRows(source: SentinelSource): Promise<SentinelRow[]> {
  const now = BigInt((await source.provider.getBlock("latest"))?.timestamp ?? 0);
  const rows: SentinelRow[] = [];
  for (const id of await source.sentinels.sentinels()) {
    const [record, liveness, last] = await Promise.all([
      source.sentinels.sentinel(id),
      source.health.livenessOf(id),
      source.health.lastHeartbeatAt(id),
    ]);
    rows.push({
      sentinel: id,
      operator: short(record.operator),
      endpoint: record.endpoint,
      liveness: LIVENESS[Number(liveness)] ?? `liveness ${liveness}`,
      served: record.served ? "yes" : "",
      heartbeatAgeS: last === 0n ? "-" : String(now - last),
    });
  }
  return rows;
}
