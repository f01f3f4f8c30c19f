/**
 * Who holds which role in a deployed suite, read from the contracts' RoleGranted / RoleRevoked events
 * (AccessControl is not enumerable), with every address replaced by its name — so that two deployments (the
 * Ignition modules and `deploySuite`) can be compared for the same effect.
 */
import { Contract, EventLog, type Provider } from "ethers";

import { ROLES } from "../../src/suite/deploy.js";

const EVENTS = [
  "event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)",
  "event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)",
];

/** contract name → role name → sorted holder names. */
export type RoleTable = Record<string, Record<string, string[]>>;

/**
 * @param controlled The AccessControl contracts to read, by name.
 * @param names Every address that may hold a role, by name (contracts and accounts).
 */
export async function roleTable(
  provider: Provider,
  controlled: Record<string, string>,
  names: Record<string, string>,
): Promise<RoleTable> {
  const roleName = new Map(Object.entries(ROLES).map(([name, hash]) => [hash, name]));
  const nameOf = new Map(Object.entries(names).map(([name, address]) => [address.toLowerCase(), name]));
  const table: RoleTable = {};
  for (const [contractName, address] of Object.entries(controlled)) {
    const contract = new Contract(address, EVENTS, provider);
    const events = [
      ...(await contract.queryFilter("RoleGranted", 0, "latest")),
      ...(await contract.queryFilter("RoleRevoked", 0, "latest")),
    ].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    const holders = new Map<string, Set<string>>();
    for (const event of events) {
      if (!(event instanceof EventLog)) throw new Error(`undecoded event on ${contractName}`);
      const [role, account] = event.args as unknown as [string, string];
      const r = roleName.get(role) ?? role;
      const who = nameOf.get(account.toLowerCase()) ?? `unknown ${account}`;
      const set = holders.get(r) ?? new Set<string>();
      if (event.eventName === "RoleGranted") set.add(who);
      else set.delete(who);
      holders.set(r, set);
    }
    table[contractName] = Object.fromEntries(
      [...holders]
        .filter(([, s]) => s.size > 0)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([r, s]) => [r, [...s].sort()]),
    );
  }
  return table;
}
