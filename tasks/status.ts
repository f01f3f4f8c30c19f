/**
 * `heal status`: one row per validator (active, then backups) with state, liveness, heartbeat age, uptime, stake,
 * jail; then the sentinel pool (when the deployment has a SentinelRegistry).
 */
import {
  pendingSlashes,
  sentinelRows,
  type SentinelRow,
  validatorRows,
  type ValidatorRow,
} from "../src/suite/status.js";
import { connectSuite, type Connected, healAction, parseUint, printTable } from "./common.js";

export interface StatusArgs {
  addresses: string;
  backups: string;
  incidents: string;
}

export interface StatusReport {
  chainId: bigint;
  active: number;
  backups: number;
  rows: Array<ValidatorRow & { pendingSlash: string }>;
  /** The sentinel pool; absent for a deployment without a SentinelRegistry. */
  sentinels?: { served: number; min: number; degraded: boolean; rows: SentinelRow[] };
}

/** Reads and prints the status of `c`'s suite (also used by `heal deploy` as its smoke check). */
export async function printStatus(
  c: Connected,
  backupLimit = 50n,
  incidentLimit = 100n,
): Promise<StatusReport> {
  const { set, health, stake } = c.suite.contracts;
  const [active, backupCount, degradedSince, pausedUntil] = await Promise.all([
    set.activeValidators(),
    set.backupCount(),
    set.degradedSince(),
    set.slashingPausedUntil(),
  ]);
  const backups = await set.backupValidators(0n, backupLimit);
  // Jailed validators are in neither list: those with a pending slash among the newest incidents follow.
  const slashes = await pendingSlashes(set, incidentLimit);
  const listed = new Set([...active, ...backups]);
  const validators = [...active, ...backups, ...[...slashes.keys()].filter((v) => !listed.has(v))];
  const rows = await validatorRows(
    { set, health, stake, admin: { provider: c.ethers.provider } },
    validators,
  );
  const now = BigInt((await c.ethers.provider.getBlock("latest"))?.timestamp ?? 0);
  console.log(
    `healnet on ${c.networkName} (chain ${c.suite.chainId}), set ${c.suite.addresses.set}: ` +
      `${active.length} active, ${backupCount} backup` +
      (degradedSince > 0n ? `, DEGRADED since ${degradedSince}` : "") +
      (pausedUntil > now ? `, slashing paused until ${pausedUntil}` : ""),
  );
  printTable(
    rows.map((r, i) => ({
      validator: r.validator,
      state: r.state,
      liveness: r.liveness,
      "heartbeat age (s)": r.heartbeatAgeS,
      uptime: r.uptime,
      stake: r.stake,
      jailed: r.jailed,
      "pending slash": slashes.get(validators[i]!) ?? "",
    })),
    "(no validators registered yet)",
  );
  if (backupCount > BigInt(backups.length))
    console.log(`… and ${backupCount - BigInt(backups.length)} more backups`);
  let sentinels: StatusReport["sentinels"];
  const registry = c.suite.contracts.sentinels;
  if (registry !== undefined) {
    const [served, params, degraded] = await Promise.all([
      registry.servedCount(),
      registry.parameters(),
      registry.degraded(),
    ]);
    const sentinelTable = await sentinelRows({ sentinels: registry, health, provider: c.ethers.provider });
    console.log(
      `sentinels: ${served} served of ${sentinelTable.length} (minimum ${params.minSentinels})` +
        (degraded ? ", DEGRADED: fewer than the minimum served, the guardians must restore the pool" : ""),
    );
    printTable(
      sentinelTable.map((r) => ({
        sentinel: r.sentinel,
        operator: r.operator,
        endpoint: r.endpoint,
        liveness: r.liveness,
        served: r.served,
        "heartbeat age (s)": r.heartbeatAgeS,
      })),
      "(no sentinels registered yet: heal sentinel add)",
    );
    sentinels = { served: Number(served), min: Number(params.minSentinels), degraded, rows: sentinelTable };
  }
  return {
    ...(sentinels !== undefined && { sentinels }),
    chainId: c.suite.chainId,
    active: active.length,
    backups: Number(backupCount),
    rows: rows.map((r, i) => ({ ...r, pendingSlash: slashes.get(validators[i]!) ?? "" })),
  };
}

export default healAction("status", async (args: StatusArgs, hre) => {
  const limit = parseUint(args.backups, "--backups");
  const incidents = parseUint(args.incidents, "--incidents");
  return await printStatus(await connectSuite(hre, args.addresses), limit, incidents);
});
