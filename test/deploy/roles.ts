/**
 * The roles every healnet deployment must wire (docs/access-control.md, "Who holds what"), as a table that
 * both the Ignition test and the TypeScript deployment's test check against.
 */
import type { ContractRunner } from "ethers";
import { Contract, id, ZeroHash } from "ethers";

export interface SuiteAddresses {
  stake: string;
  health: string;
  set: string;
  audit: string;
  snapshots: string;
  recovery: string;
  council: string;
}

export type Holder =
  "stake" | "set" | "recovery" | "snapshots" | "council" | "operator" | "deployer" | "timelock";
export type Target = "stake" | "health" | "set" | "audit" | "snapshots" | "recovery";

/** [contract, role, holder] for the core and guardian side. */
export const SUITE_ROLES: ReadonlyArray<readonly [Target, string, Holder]> = [
  ["stake", "SLASHER_ROLE", "set"],
  ["stake", "JAILER_ROLE", "set"],
  ["health", "REGISTRAR_ROLE", "set"],
  ["audit", "APPENDER_ROLE", "set"],
  ["recovery", "GUARDIAN_ROLE", "council"],
  ["snapshots", "GUARDIAN_ROLE", "council"],
  ["set", "PAUSER_ROLE", "recovery"],
  ["set", "PARAMETER_ROLE", "recovery"],
  ["set", "RECOVERY_ROLE", "recovery"],
  ["stake", "JAILER_ROLE", "recovery"],
  ["stake", "PARAMETER_ROLE", "recovery"],
  ["health", "ROTATOR_ROLE", "recovery"],
  ["health", "PARAMETER_ROLE", "recovery"],
  ["audit", "APPENDER_ROLE", "recovery"],
  ["recovery", "PARAMETER_ROLE", "recovery"],
  ["audit", "APPENDER_ROLE", "snapshots"],
  ["audit", "APPENDER_ROLE", "council"],
  ["recovery", "OPERATOR_ROLE", "operator"],
  // Until the hand-over to the DAO, the deployer administers every contract.
  ...(["stake", "health", "set", "audit", "snapshots", "recovery"] as const).map(
    (t) => [t, "DEFAULT_ADMIN_ROLE", "deployer"] as const,
  ),
];

/** The timelock's roles once HealnetGovernance is deployed. */
export const GOVERNANCE_ROLES: ReadonlyArray<readonly [Target, string, Holder]> = [
  ...(["stake", "health", "set", "recovery", "snapshots"] as const).map(
    (t) => [t, "PARAMETER_ROLE", "timelock"] as const,
  ),
  ...(["stake", "health", "set", "recovery", "snapshots", "audit"] as const).map(
    (t) => [t, "DEFAULT_ADMIN_ROLE", "timelock"] as const,
  ),
];

const HAS_ROLE = ["function hasRole(bytes32 role, address account) view returns (bool)"];

/** The rows of `table` whose holder does NOT hold the role, as "contract.ROLE → holder" strings. */
export async function missingRoles(
  runner: ContractRunner,
  targets: Record<Target, string>,
  holders: Partial<Record<Holder, string>>,
  table: ReadonlyArray<readonly [Target, string, Holder]>,
): Promise<string[]> {
  const missing: string[] = [];
  for (const [target, roleName, holder] of table) {
    const account = holders[holder];
    if (account === undefined) throw new Error(`no address for holder ${holder}`);
    const contract = new Contract(targets[target], HAS_ROLE, runner);
    const roleId = roleName === "DEFAULT_ADMIN_ROLE" ? ZeroHash : id(roleName);
    if (!((await contract.getFunction("hasRole")(roleId, account)) as boolean)) {
      missing.push(`${target}.${roleName} → ${holder}`);
    }
  }
  return missing;
}
