/**
 * Upgrades of a running deployment (docs/upgrades.md): every long-lived contract behind a
 * TransparentUpgradeableProxy whose ProxyAdmin belongs to the deployer (no governance) or the DAO timelock, the
 * version/migration convention of IVersioned, and the guardian veto (CANCELLER_ROLE of the timelock).
 */
import { expect } from "chai";
import { type BaseContract } from "ethers";
import { network } from "hardhat";

import {
  UPGRADEABLE,
  implementationOf,
  proxyAdminOf,
  type Suite,
  type UpgradeableName,
} from "../../src/suite/deploy.js";
import { deploySuite, ROLES } from "../../src/suite/deploy.js";
import { createOperators, heartbeatAll, type Operator } from "../../src/suite/fleet.js";
import { withParameters } from "../../src/suite/parameters.js";

const { ethers, networkHelpers } = await network.getOrCreate();
const { time } = networkHelpers;

const TOKEN = 10n ** 18n;
const ACTIVE = 4;
const SlashState = { Pending: 1n, Executed: 2n } as const;

/** The next release of each contract: a V2 with a migration for three of them, the same code for the others. */
const NEXT: Record<UpgradeableName, { name: string; migration?: string }> = {
  StakeManager: { name: "StakeManagerV2", migration: "migrateToV2" },
  NodeHealth: { name: "NodeHealthV2", migration: "migrateToV2" },
  AuditLog: { name: "AuditLogV2", migration: "migrateToV2" },
  // The set is 349 bytes under EIP-170, so its "next release" here is a fresh copy of the same code.
  SelfHealingValidatorSet: { name: "SelfHealingValidatorSet" },
  SnapshotRegistry: { name: "SnapshotRegistry" },
  RecoveryManager: { name: "RecoveryManager" },
  GuardianCouncil: { name: "GuardianCouncil" },
  StateCommitmentChain: { name: "StateCommitmentChain" },
  SentinelRegistry: { name: "SentinelRegistry" },
};

/** 4 active validators and 2 backups heartbeating, then one active stops: replaced, with its slash pending. */
async function runningSuite(options: Parameters<typeof deploySuite>[1] = {}) {
  const suite = await deploySuite(ethers, {
    ...options,
    parameters: withParameters({
      set: { maxActive: ACTIVE, minActive: 2 },
      governance: { timelockDelay: 3600, votingDelay: 1, votingPeriod: 7200 },
    }),
  });
  const stakes = Array.from({ length: ACTIVE + 2 }, (_, i) => (20_000n - 1_000n * BigInt(i)) * TOKEN);
  const operators = await createOperators(ethers, suite, stakes);
  await heartbeatAll(suite, operators);
  await (await suite.set.fillVacancies(ACTIVE)).wait();
  const victim = operators[1] as Operator;
  const alive = operators.filter((op) => op !== victim);
  const { heartbeatInterval, gracePeriod } = suite.parameters.health;
  for (let elapsed = 0; elapsed <= heartbeatInterval + gracePeriod; elapsed += heartbeatInterval) {
    await time.increase(heartbeatInterval);
    await heartbeatAll(suite, alive);
  }
  await (await suite.set.checkHeartbeat(victim.account.address)).wait();
  expect((await suite.set.incident(1n)).slashState).to.equal(SlashState.Pending);
  return { suite, operators, victim, alive };
}

/** Everything an upgrade must not lose. */
async function snapshot(suite: Suite, operators: readonly Operator[]) {
  const accounts = operators.map((op) => op.account.address);
  return {
    bonded: await Promise.all(accounts.map((a) => suite.stake.bondedOf(a))),
    statuses: await Promise.all(accounts.map((a) => suite.set.statusOf(a))),
    jailed: await Promise.all(accounts.map((a) => suite.stake.isJailed(a))),
    totals: [...(await suite.stake.totals())],
    active: [...(await suite.set.activeValidators())],
    backups: [...(await suite.set.backupValidators(0, 100))],
    incidentCount: await suite.set.incidentCount(),
    incident: [...(await suite.set.incident(1n))],
    auditHead: await suite.audit.auditHead(),
    auditLength: await suite.audit.auditLength(),
    auditLog: await suite.set.auditLog(),
    threshold: await suite.council.threshold(),
    guardians: [...(await suite.council.guardians())],
    setParameters: [...(await suite.set.parameters())],
  };
}

/** Deploys each contract's next implementation and the call data of its upgrade. */
async function nextReleases(suite: Suite) {
  const releases: { name: UpgradeableName; proxy: string; implementation: string; data: string }[] = [];
  for (const name of UPGRADEABLE) {
    const next = NEXT[name];
    const libraries: Record<string, string> =
      name === "SelfHealingValidatorSet" ? { ValidatorSetChecks: suite.checks } : {};
    const implementation: BaseContract = await ethers.deployContract(next.name, [], { libraries });
    await implementation.waitForDeployment();
    const data =
      next.migration === undefined ? "0x" : implementation.interface.encodeFunctionData(next.migration, []);
    releases.push({
      name,
      proxy: suite.addresses[name],
      implementation: await implementation.getAddress(),
      data,
    });
  }
  return releases;
}

describe("Upgrades (docs/upgrades.md)", function () {
  it("every proxy starts at version 1 with its ProxyAdmin owned by the deployer, and implementations are locked", async function () {
    const suite = await deploySuite(ethers);
    expect(suite.upgradeAdmin).to.equal(suite.admin.address);
    for (const name of UPGRADEABLE) {
      const proxy = suite.addresses[name];
      const versioned = await ethers.getContractAt("IVersioned", proxy);
      expect(await versioned.version(), name).to.equal(1n);
      const admin = await ethers.getContractAt("ProxyAdmin", await proxyAdminOf(ethers, proxy));
      expect(await admin.getAddress()).to.equal(suite.proxyAdmins[name]);
      expect(await admin.owner(), name).to.equal(suite.admin.address);
      // The implementation itself can never be initialized (its constructor disabled initializers).
      const implementation = await ethers.getContractAt("IVersioned", await implementationOf(ethers, proxy));
      expect(await implementation.version(), name).to.equal(2n ** 64n - 1n);
    }
  });

  it("upgrades a running deployment (no governance) and loses nothing: stakes, pending slash, audit head, set", async function () {
    const { suite, operators, victim, alive } = await runningSuite();
    const before = await snapshot(suite, operators);
    expect(before.auditLength).to.be.greaterThan(0n);

    for (const release of await nextReleases(suite)) {
      const admin = await ethers.getContractAt("ProxyAdmin", suite.proxyAdmins[release.name], suite.admin);
      await (await admin.upgradeAndCall(release.proxy, release.implementation, release.data)).wait();
      expect(await implementationOf(ethers, release.proxy), release.name).to.equal(release.implementation);
      const expected = NEXT[release.name].migration === undefined ? 1n : 2n;
      expect(await (await ethers.getContractAt("IVersioned", release.proxy)).version()).to.equal(expected);
    }

    expect(await snapshot(suite, operators)).to.deep.equal(before);

    // And the network goes on: heartbeats, the pending slash executes after its appeal window, the log grows.
    await heartbeatAll(suite, alive);
    await time.increase(suite.parameters.set.appealWindow);
    const bondedBefore = await suite.stake.bondedOf(victim.account.address);
    await (await suite.set.executeSlash(1n)).wait();
    expect((await suite.set.incident(1n)).slashState).to.equal(SlashState.Executed);
    expect(await suite.stake.bondedOf(victim.account.address)).to.be.lessThan(bondedBefore);
    expect(await suite.audit.auditLength()).to.be.greaterThan(before.auditLength);
  });

  it("refuses an upgrade that skips a migration step, a repeated migration, and an upgrade by anyone but the owner", async function () {
    const suite = await deploySuite(ethers);
    const [, , , , , , stranger] = await ethers.getSigners();
    const stakeAddress = suite.addresses.StakeManager;
    const admin = await ethers.getContractAt("ProxyAdmin", suite.proxyAdmins.StakeManager, suite.admin);
    const v2 = await ethers.deployContract("StakeManagerV2");
    const v3 = await ethers.deployContract("StakeManagerV3");
    const toV2 = v2.interface.encodeFunctionData("migrateToV2");
    const toV3 = v3.interface.encodeFunctionData("migrateToV3");

    // An implementation (initializers disabled) never runs a migration on its own storage.
    await expect(v2.migrateToV2())
      .to.be.revertedWithCustomError(v2, "UpgradeMigrationSkipped")
      .withArgs(2n ** 64n - 1n, 2n);

    // 1 → 3 skips migrateToV2: refused, and nothing changed.
    const implementationBefore = await implementationOf(ethers, stakeAddress);
    await expect(admin.upgradeAndCall(stakeAddress, await v3.getAddress(), toV3))
      .to.be.revertedWithCustomError(v3, "UpgradeMigrationSkipped")
      .withArgs(1n, 3n);
    expect(await implementationOf(ethers, stakeAddress)).to.equal(implementationBefore);

    await expect(
      admin.connect(stranger!).upgradeAndCall(stakeAddress, await v2.getAddress(), toV2),
    ).to.be.revertedWithCustomError(admin, "OwnableUnauthorizedAccount");

    // 1 → 2 → 3 in order is accepted; running a migration twice is not.
    await (await admin.upgradeAndCall(stakeAddress, await v2.getAddress(), toV2)).wait();
    const stake = await ethers.getContractAt("StakeManagerV3", stakeAddress);
    expect(await stake.version()).to.equal(2n);
    await expect(stake.migrateToV2())
      .to.be.revertedWithCustomError(v2, "UpgradeMigrationSkipped")
      .withArgs(2n, 2n);
    await (await admin.upgradeAndCall(stakeAddress, await v3.getAddress(), toV3)).wait();
    expect(await stake.version()).to.equal(3n);
  });

  it("under governance only the timelock upgrades, after its delay, and the guardian canceller can veto a queued upgrade", async function () {
    const [, , , , , , , canceller] = await ethers.getSigners();
    const { suite, operators } = await runningSuite({
      governance: true,
      renounceAdmin: false, // so that this test can make the admin a proposer instead of running a vote
      upgradeCanceller: canceller!.address,
    });
    const timelock = suite.governance!.timelock;
    const timelockAddress = await timelock.getAddress();
    expect(suite.upgradeAdmin).to.equal(timelockAddress);
    for (const name of UPGRADEABLE) {
      const admin = await ethers.getContractAt("ProxyAdmin", suite.proxyAdmins[name]);
      expect(await admin.owner(), name).to.equal(timelockAddress);
    }
    expect(await timelock.hasRole(ROLES.CANCELLER_ROLE, canceller!.address)).to.equal(true);
    await (await timelock.grantRole(ROLES.PROPOSER_ROLE, suite.admin.address)).wait();
    const before = await snapshot(suite, operators);

    const stakeAddress = suite.addresses.StakeManager;
    const admin = await ethers.getContractAt("ProxyAdmin", suite.proxyAdmins.StakeManager, suite.admin);
    const v2 = await ethers.deployContract("StakeManagerV2");
    const call = admin.interface.encodeFunctionData("upgradeAndCall", [
      stakeAddress,
      await v2.getAddress(),
      v2.interface.encodeFunctionData("migrateToV2"),
    ]);
    // The deployer no longer holds the upgrade right.
    await expect(
      admin.upgradeAndCall(stakeAddress, await v2.getAddress(), "0x"),
    ).to.be.revertedWithCustomError(admin, "OwnableUnauthorizedAccount");

    const delay = await timelock.getMinDelay();
    const proxyAdminAddress = suite.proxyAdmins.StakeManager;
    const schedule = async (salt: string) => {
      await (await timelock.schedule(proxyAdminAddress, 0n, call, ethers.ZeroHash, salt, delay)).wait();
      return await timelock.hashOperation(proxyAdminAddress, 0n, call, ethers.ZeroHash, salt);
    };

    // Queued, then vetoed by the guardian during the delay: it can never execute.
    const vetoed = await schedule(ethers.ZeroHash);
    await (await timelock.connect(canceller!).cancel(vetoed)).wait();
    await time.increase(delay);
    await expect(
      timelock.execute(proxyAdminAddress, 0n, call, ethers.ZeroHash, ethers.ZeroHash),
    ).to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState");
    expect(await (await ethers.getContractAt("IVersioned", stakeAddress)).version()).to.equal(1n);

    // Queued again, not vetoed: executes after the delay (not before), and nothing is lost.
    const salt = ethers.id("again");
    await schedule(salt);
    await expect(
      timelock.execute(proxyAdminAddress, 0n, call, ethers.ZeroHash, salt),
    ).to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState");
    await time.increase(delay);
    await (await timelock.execute(proxyAdminAddress, 0n, call, ethers.ZeroHash, salt)).wait();
    expect(await implementationOf(ethers, stakeAddress)).to.equal(await v2.getAddress());
    expect(await (await ethers.getContractAt("IVersioned", stakeAddress)).version()).to.equal(2n);
    expect(await snapshot(suite, operators)).to.deep.equal(before);
  });
});
