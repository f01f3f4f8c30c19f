import { expect } from "chai";
import { EventLog, type BaseContract } from "ethers";
import { network } from "hardhat";

import { ROLES, deploySuite, type Suite } from "../../src/suite/deploy.js";

const { ethers, networkHelpers } = await network.getOrCreate();

type RoleName = keyof typeof ROLES;

/**
 * Who holds which role on `contract`, read from its RoleGranted / RoleRevoked events (AccessControl is not
 * enumerable): role name → sorted holder addresses.
 */
async function holdersOf(contract: BaseContract): Promise<Map<RoleName, string[]>> {
  const byHash = new Map<string, RoleName>(
    Object.entries(ROLES).map(([name, hash]) => [hash, name as RoleName]),
  );
  const granted = await contract.queryFilter(contract.filters.RoleGranted!(), 0, "latest");
  const revoked = await contract.queryFilter(contract.filters.RoleRevoked!(), 0, "latest");
  const events = [...granted, ...revoked].sort((a, b) =>
    a.blockNumber === b.blockNumber ? a.index - b.index : a.blockNumber - b.blockNumber,
  );
  const holders = new Map<RoleName, Set<string>>();
  for (const event of events) {
    if (!(event instanceof EventLog)) throw new Error("undecoded role event");
    const [role, account] = event.args as unknown as [string, string];
    const name = byHash.get(role);
    if (name === undefined) throw new Error(`unknown role ${role}`);
    const set = holders.get(name) ?? new Set<string>();
    if (event.eventName === "RoleGranted") set.add(account);
    else set.delete(account);
    holders.set(name, set);
  }
  return new Map([...holders].filter(([, s]) => s.size > 0).map(([name, s]) => [name, [...s].sort()]));
}

/** The expected role table of one contract: role name → holders (compared as sorted sets). */
function table(entries: Partial<Record<RoleName, string[]>>): Map<RoleName, string[]> {
  return new Map(
    Object.entries(entries).map(([name, holders]) => [name as RoleName, [...new Set(holders)].sort()]),
  );
}

async function expectRoles(contract: BaseContract, expected: Map<RoleName, string[]>, label: string) {
  const actual = await holdersOf(contract);
  expect(Object.fromEntries(actual), label).to.deep.equal(Object.fromEntries(expected));
}

/** docs/access-control.md "Who holds what in a deployment", for a suite without governance. */
async function expectDocumentedRoles(suite: Suite, parameterAdmin: string, admins: string[]) {
  const a = suite.addresses;
  await expectRoles(
    suite.stake,
    table({
      DEFAULT_ADMIN_ROLE: admins,
      PARAMETER_ROLE: [parameterAdmin, a.RecoveryManager],
      SLASHER_ROLE: [a.SelfHealingValidatorSet, a.StateCommitmentChain],
      JAILER_ROLE: [a.SelfHealingValidatorSet, a.RecoveryManager, a.StateCommitmentChain],
    }),
    "StakeManager",
  );
  await expectRoles(
    suite.health,
    table({
      DEFAULT_ADMIN_ROLE: admins,
      PARAMETER_ROLE: [parameterAdmin, a.RecoveryManager],
      REGISTRAR_ROLE: [a.SelfHealingValidatorSet, a.SentinelRegistry],
      ROTATOR_ROLE: [a.RecoveryManager],
    }),
    "NodeHealth",
  );
  await expectRoles(
    suite.set,
    table({
      DEFAULT_ADMIN_ROLE: admins,
      PARAMETER_ROLE: [parameterAdmin, a.RecoveryManager],
      PAUSER_ROLE: [a.RecoveryManager],
      RECOVERY_ROLE: [a.RecoveryManager],
    }),
    "SelfHealingValidatorSet",
  );
  await expectRoles(
    suite.recovery,
    table({
      DEFAULT_ADMIN_ROLE: admins,
      PARAMETER_ROLE: [parameterAdmin, a.RecoveryManager],
      GUARDIAN_ROLE: [suite.guardian],
      OPERATOR_ROLE: [suite.orchestrator],
    }),
    "RecoveryManager",
  );
  await expectRoles(
    suite.snapshots,
    table({
      DEFAULT_ADMIN_ROLE: admins,
      PARAMETER_ROLE: [parameterAdmin],
      GUARDIAN_ROLE: [suite.guardian],
    }),
    "SnapshotRegistry",
  );
  await expectRoles(
    suite.audit,
    table({
      DEFAULT_ADMIN_ROLE: admins,
      APPENDER_ROLE: [
        a.SelfHealingValidatorSet,
        a.RecoveryManager,
        a.SnapshotRegistry,
        a.GuardianCouncil,
        a.StateCommitmentChain,
        a.SentinelRegistry,
      ],
    }),
    "AuditLog",
  );
  await expectRoles(
    suite.stateCommitments,
    table({
      DEFAULT_ADMIN_ROLE: admins,
      PARAMETER_ROLE: [parameterAdmin],
    }),
    "StateCommitmentChain",
  );
  await expectRoles(
    suite.sentinels,
    table({
      DEFAULT_ADMIN_ROLE: admins,
      PARAMETER_ROLE: [parameterAdmin],
      CURATOR_ROLE: [parameterAdmin],
    }),
    "SentinelRegistry",
  );
  // The non-role wiring of the table.
  expect(await suite.stake.stakeObserver()).to.equal(a.SelfHealingValidatorSet);
  expect(await suite.set.auditLog()).to.equal(a.AuditLog);
  expect(await suite.recovery.auditLog()).to.equal(a.AuditLog);
}

describe("deploySuite", function () {
  async function defaultSuiteFixture() {
    const [, , , , , , orchestrator] = await ethers.getSigners();
    return await deploySuite(ethers, { orchestrator: orchestrator!.address });
  }

  async function safeGuardianFixture() {
    // Any address stands in for the Safe here: test/integration/recovery.ts uses a real one.
    const [, , , , , , , , safeStandIn] = await ethers.getSigners();
    return await deploySuite(ethers, { guardian: safeStandIn!.address });
  }

  async function governedSuiteFixture() {
    return await deploySuite(ethers, { governance: true });
  }

  it("wires every role as docs/access-control.md says; the deployer holds only the admin and parameter roles", async function () {
    const suite = await networkHelpers.loadFixture(defaultSuiteFixture);
    const admin = suite.admin.address;
    await expectDocumentedRoles(suite, admin, [admin]);
    expect(suite.guardian).to.equal(suite.addresses.GuardianCouncil);
    expect(suite.parameterAdmin).to.equal(admin);
    expect(suite.governance).to.equal(undefined);
    expect(suite.addresses.HealGovernor).to.equal(undefined);
  });

  it("makes a 3-of-5 council of the five accounts after the admin", async function () {
    const suite = await networkHelpers.loadFixture(defaultSuiteFixture);
    const signers = await ethers.getSigners();
    const expected = signers.slice(1, 6).map((s) => s.address);
    expect(suite.guardianAddresses).to.deep.equal(expected);
    expect(suite.guardianSigners.map((s) => s.address)).to.deep.equal(expected);
    expect(suite.threshold).to.equal(3);
    expect(await suite.council.threshold()).to.equal(3n);
    expect([...(await suite.council.guardians())].sort()).to.deep.equal([...expected].sort());
    expect(suite.orchestrator).to.equal(signers[6]!.address);
  });

  it("records every address, each with code", async function () {
    const suite = await networkHelpers.loadFixture(defaultSuiteFixture);
    const entries = Object.entries(suite.addresses);
    expect(entries.map(([name]) => name).sort()).to.deep.equal(
      [
        "AuditLog",
        "GuardianCouncil",
        "HealToken",
        "NodeHealth",
        "RecoveryManager",
        "SelfHealingValidatorSet",
        "SnapshotRegistry",
        "StakeManager",
        "SentinelRegistry",
        "StateCommitmentChain",
        "ValidatorSetChecks",
      ].sort(),
    );
    for (const [name, address] of entries) {
      expect(await ethers.provider.getCode(address), name).to.not.equal("0x");
    }
  });

  it("gives GUARDIAN_ROLE to a given address instead of the council, which then holds none", async function () {
    const suite = await networkHelpers.loadFixture(safeGuardianFixture);
    const [, , , , , , , , safeStandIn] = await ethers.getSigners();
    expect(suite.guardian).to.equal(safeStandIn!.address);
    await expectDocumentedRoles(suite, suite.admin.address, [suite.admin.address]);
    expect(await suite.recovery.hasRole(ROLES.GUARDIAN_ROLE, suite.addresses.GuardianCouncil)).to.equal(
      false,
    );
    expect(await suite.snapshots.hasRole(ROLES.GUARDIAN_ROLE, suite.addresses.GuardianCouncil)).to.equal(
      false,
    );
    // The council the SnapshotRegistry reads is the guardian alone, 1-of-1.
    expect([...(await suite.council.guardians())]).to.deep.equal([safeStandIn!.address]);
    expect(await suite.council.threshold()).to.equal(1n);
  });

  it("with governance, hands the timelock every admin and parameter role and the deployer keeps none", async function () {
    const suite = await networkHelpers.loadFixture(governedSuiteFixture);
    const { governor, timelock } = suite.governance!;
    const timelockAddress = await timelock.getAddress();
    const governorAddress = await governor.getAddress();
    expect(suite.parameterAdmin).to.equal(timelockAddress);
    expect(suite.addresses.TimelockController).to.equal(timelockAddress);
    expect(suite.addresses.HealGovernor).to.equal(governorAddress);
    await expectDocumentedRoles(suite, timelockAddress, [timelockAddress]);
    await expectRoles(
      timelock,
      table({
        DEFAULT_ADMIN_ROLE: [timelockAddress],
        PROPOSER_ROLE: [governorAddress],
        // The governor, and the guardian veto over queued operations (docs/upgrades.md).
        CANCELLER_ROLE: [governorAddress, suite.addresses.GuardianCouncil],
        EXECUTOR_ROLE: [ethers.ZeroAddress],
      }),
      "TimelockController",
    );
    // The upgrade right: every ProxyAdmin belongs to the timelock.
    expect(suite.upgradeAdmin).to.equal(timelockAddress);
    for (const proxyAdmin of Object.values(suite.proxyAdmins)) {
      const admin = await ethers.getContractAt("ProxyAdmin", proxyAdmin);
      expect(await admin.owner()).to.equal(timelockAddress);
    }
    expect(await timelock.getMinDelay()).to.equal(BigInt(suite.parameters.governance.timelockDelay));
    expect(await governor.token()).to.equal(suite.addresses.HealToken);
    expect(await governor.timelock()).to.equal(timelockAddress);
  });
});
