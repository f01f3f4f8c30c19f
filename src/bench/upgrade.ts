/**
 * Upgrade rows of `npm run bench` (docs/upgrades.md): the gas of `ProxyAdmin.upgradeAndCall` on a running
 * `deploySuite` deployment, measured as real transactions (receipt gasUsed, the 21,000 base included):
 *
 * - `upgrade/upgradeAndCall/migration` — StakeManager → StakeManagerV2 with its `migrateToV2` call (the
 *   version bump and the migration event);
 * - `upgrade/upgradeAndCall/plain` — NodeHealth to a fresh copy of the same code, no call (`data` empty).
 *
 * Not part of the committed core gas snapshot; `backups` is 0.
 */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";

import { deploySuite, implementationOf } from "../suite/deploy.js";
import type { BenchRow } from "./report.js";

/** Every upgrade row. */
export async function runUpgradeBench(ethers: HardhatEthers, log: (m: string) => void): Promise<BenchRow[]> {
  log("upgrade bench: ProxyAdmin.upgradeAndCall on a fresh deployment…");
  const suite = await deploySuite(ethers);
  const measure = async (
    name: "StakeManager" | "NodeHealth",
    next: string,
    migration: string | undefined,
  ): Promise<number> => {
    const implementation = await ethers.deployContract(next, [], suite.admin);
    await implementation.waitForDeployment();
    const implementationAddress = await implementation.getAddress();
    const proxy = suite.addresses[name];
    const data = migration === undefined ? "0x" : implementation.interface.encodeFunctionData(migration, []);
    const proxyAdmin = await ethers.getContractAt("ProxyAdmin", suite.proxyAdmins[name], suite.admin);
    const receipt = await (await proxyAdmin.upgradeAndCall(proxy, implementationAddress, data)).wait();
    if (receipt === null) throw new Error("bench: the upgrade was dropped");
    if ((await implementationOf(ethers, proxy)) !== implementationAddress) {
      throw new Error(`bench: ${name} was not upgraded`);
    }
    return Number(receipt.gasUsed);
  };
  const row = (operation: string, gas: number, note: string): BenchRow => ({
    operation,
    backups: 0,
    items: 1,
    gas,
    note,
  });
  return [
    row(
      "upgrade/upgradeAndCall/migration",
      await measure("StakeManager", "StakeManagerV2", "migrateToV2"),
      "ProxyAdmin.upgradeAndCall: StakeManager → StakeManagerV2 with migrateToV2()",
    ),
    row(
      "upgrade/upgradeAndCall/plain",
      await measure("NodeHealth", "NodeHealth", undefined),
      "ProxyAdmin.upgradeAndCall: NodeHealth → a new implementation, no call",
    ),
  ];
}
