/**
 * Invariant checks of a running healnet deployment, reusable on any chain (a live network, an anvil fork in an
 * upgrade rehearsal, the simulation's embedded network): what an upgrade, or anything else, must never break.
 *
 * - `captureState` reads what must survive an upgrade: stake totals, the stake token balance, incidents (their
 *   slash states), the active set and its bounds, every proxy's version, the AuditLog head and length.
 * - `checkInvariants` checks one state: stake conservation (the StakeManager holds at least the stake it
 *   accounts for: bonded + unbonding + rewards owed), the audit trail verifies (src/suite/audit.ts), the
 *   active set within [minActive, maxActive] (or, below minActive, no smaller than before).
 * - `compareStates` checks a later state against an earlier one: incidents and pending slashes preserved,
 *   the audit log only grown (its head unchanged when no entry was added), versions never decreasing and
 *   rising by at most one step (a skipped migration shows as a jump), stake totals unchanged when nothing
 *   ran in between (`sameTotals`).
 *
 * Every check is a `Check` with a name, ok and a one-line detail, so a caller prints them as reasons.
 */
import { type Provider } from "ethers";

import type { SuiteContracts } from "./addresses.js";
import { verifyAuditTrail } from "./audit.js";

/** One invariant: its name, whether it holds, and a one-line detail. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** The read-only state the checks compare. */
export interface DeploymentState {
  block: number;
  stakeBalance: bigint;
  totals: { bonded: bigint; unbonding: bigint; rewardsOwed: bigint; slashed: bigint; deposited: bigint };
  /** Incident id → slash state (IValidatorSet.SlashState: 0 None, 1 Pending, 2 Executed, 3 Cancelled). */
  incidents: Map<bigint, number>;
  incidentCount: bigint;
  active: string[];
  minActive: number;
  maxActive: number;
  /** Contract key (stake, health, set, …) → version() (absent when the contract has no version()). */
  versions: Map<string, bigint>;
  auditHead?: string;
  auditLength?: bigint;
}

export interface CaptureOptions {
  /** Read at most this many incidents, newest first (default 500): bounds the reads on a long-lived network. */
  maxIncidents?: number;
}

const SLASH_PENDING = 1;

/** Reads the state of the deployment the contracts point at (at the latest block). */
export async function captureState(
  contracts: SuiteContracts,
  provider: Provider,
  options: CaptureOptions = {},
): Promise<DeploymentState> {
  const { token, stake, set, audit } = contracts;
  const block = await provider.getBlockNumber();
  const [stakeBalance, totals, incidentCount, active, parameters] = await Promise.all([
    token.balanceOf(await stake.getAddress()),
    stake.totals(),
    set.incidentCount(),
    set.activeValidators(),
    set.parameters(),
  ]);
  const incidents = new Map<bigint, number>();
  const oldest = incidentCount - BigInt(options.maxIncidents ?? 500) + 1n;
  for (let id = incidentCount; id >= 1n && id >= oldest; id--) {
    incidents.set(id, Number((await set.incident(id)).slashState));
  }
  const versions = new Map<string, bigint>();
  for (const [key, contract] of Object.entries(contracts)) {
    if (contract === undefined || !("version" in contract)) continue;
    try {
      versions.set(key, BigInt(await (contract as { version(): Promise<bigint> }).version()));
    } catch {
      // no version() (the token, the governor, the timelock)
    }
  }
  return {
    block,
    stakeBalance,
    totals: {
      bonded: totals.bonded,
      unbonding: totals.unbonding,
      rewardsOwed: totals.rewardsOwed,
      slashed: totals.slashed,
      deposited: totals.deposited,
    },
    incidents,
    incidentCount,
    active: [...active],
    minActive: Number(parameters.minActive),
    maxActive: Number(parameters.maxActive),
    versions,
    ...(audit && { auditHead: await audit.auditHead(), auditLength: await audit.auditLength() }),
  };
}

export interface CheckOptions {
  /** The earlier state, for the active-set floor (a set already below minActive must not shrink). */
  before?: DeploymentState;
  /** First block of the audit trail to read (default 0). */
  auditFromBlock?: number;
}

/** The invariants of one state. */
export async function checkInvariants(
  contracts: SuiteContracts,
  state: DeploymentState,
  options: CheckOptions = {},
): Promise<Check[]> {
  const checks: Check[] = [];
  const t = state.totals;
  const accounted = t.bonded + t.unbonding + t.rewardsOwed;
  checks.push({
    name: "stake conservation",
    ok: state.stakeBalance >= accounted,
    detail: `StakeManager holds ${state.stakeBalance} wei, accounts for ${accounted} (bonded ${t.bonded} + unbonding ${t.unbonding} + rewards ${t.rewardsOwed})`,
  });
  if (contracts.audit !== undefined) {
    try {
      const v = await verifyAuditTrail(contracts.audit, {
        toBlock: state.block,
        ...(options.auditFromBlock !== undefined && { fromBlock: options.auditFromBlock }),
      });
      checks.push({
        name: "audit trail verifies",
        ok: v.ok,
        detail: v.ok ? `${v.length} entries, head ${v.head}` : (v.reason ?? "mismatch"),
      });
    } catch (error) {
      checks.push({ name: "audit trail verifies", ok: false, detail: `cannot be read: ${String(error)}` });
    }
  }
  const n = state.active.length;
  const floor =
    options.before === undefined ? state.minActive : Math.min(state.minActive, options.before.active.length);
  checks.push({
    name: "active set within bounds",
    ok: n <= state.maxActive && n >= floor,
    detail: `${n} active, bounds [${state.minActive}, ${state.maxActive}]${floor < state.minActive ? ` (was ${floor} before)` : ""}`,
  });
  return checks;
}

export interface CompareOptions {
  /** Nothing but the upgrade ran in between: the stake totals must be equal, not merely conserved. */
  sameTotals?: boolean;
  /** Contract keys (stake, health, …) expected to move to a new version (others must keep theirs). */
  upgraded?: readonly string[];
}

/** A later state against an earlier one. */
export function compareStates(
  before: DeploymentState,
  after: DeploymentState,
  options: CompareOptions = {},
): Check[] {
  const checks: Check[] = [];
  const lost: string[] = [];
  for (const [id, slashState] of before.incidents) {
    const now = after.incidents.get(id);
    if (now === undefined) lost.push(`incident ${id} missing`);
    else if (slashState === SLASH_PENDING && now !== SLASH_PENDING && options.sameTotals === true) {
      lost.push(`incident ${id}: pending slash became state ${now}`);
    } else if (slashState !== SLASH_PENDING && now !== slashState) {
      lost.push(`incident ${id}: slash state ${slashState} became ${now}`);
    }
  }
  const pending = [...before.incidents.values()].filter((s) => s === SLASH_PENDING).length;
  checks.push({
    name: "incidents and pending slashes preserved",
    ok: lost.length === 0 && after.incidentCount >= before.incidentCount,
    detail:
      lost.length === 0
        ? `${before.incidentCount} incident(s) before, ${after.incidentCount} after; ${pending} pending slash(es) kept`
        : lost.slice(0, 3).join("; "),
  });
  if (before.auditLength !== undefined && after.auditLength !== undefined) {
    const grew = after.auditLength >= before.auditLength;
    const headKept = after.auditLength !== before.auditLength || after.auditHead === before.auditHead;
    checks.push({
      name: "audit log kept",
      ok: grew && headKept,
      detail: `length ${before.auditLength} → ${after.auditLength}, head ${before.auditHead} → ${after.auditHead}`,
    });
  }
  const problems: string[] = [];
  const moved: string[] = [];
  for (const [address, v] of before.versions) {
    const now = after.versions.get(address);
    if (now === undefined) problems.push(`${address} lost version()`);
    else if (now < v) problems.push(`${address} went back from version ${v} to ${now}`);
    else if (now > v + 1n)
      problems.push(`${address} jumped from version ${v} to ${now} (a skipped migration)`);
    else if (now !== v) {
      moved.push(`${address} ${v} → ${now}`);
      if (options.upgraded !== undefined && !options.upgraded.includes(address)) {
        problems.push(`${address} changed version without being upgraded`);
      }
    }
  }
  checks.push({
    name: "versions increase without skipped migrations",
    ok: problems.length === 0,
    detail:
      problems.length > 0 ? problems.join("; ") : moved.length > 0 ? moved.join(", ") : "no version changed",
  });
  if (options.sameTotals === true) {
    const a = before.totals;
    const b = after.totals;
    const same =
      a.bonded === b.bonded &&
      a.unbonding === b.unbonding &&
      a.rewardsOwed === b.rewardsOwed &&
      a.slashed === b.slashed &&
      a.deposited === b.deposited &&
      before.stakeBalance === after.stakeBalance;
    checks.push({
      name: "stakes unchanged by the upgrade",
      ok: same,
      detail: same
        ? `bonded ${b.bonded}, balance ${after.stakeBalance}`
        : `bonded ${a.bonded} → ${b.bonded}, balance ${before.stakeBalance} → ${after.stakeBalance}`,
    });
  }
  const activeSame = before.active.join() === after.active.join();
  if (options.sameTotals === true) {
    checks.push({
      name: "active set unchanged by the upgrade",
      ok: activeSame,
      detail: `${after.active.length} active`,
    });
  }
  return checks;
}
