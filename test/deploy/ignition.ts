import { expect } from "chai";
import { network } from "hardhat";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { parametersFile, readParameters, runIgnition, type ModuleName } from "../../deploy/ignition.js";
import {
  CORE_KEYS,
  FRAUD_KEYS,
  GOVERNANCE_KEYS,
  GUARDIAN_KEYS,
  SENTINEL_KEYS,
  loadSuite,
} from "../../src/suite/addresses.js";
import { deploySuite, proxyAdminOf } from "../../src/suite/deploy.js";
import { HealError } from "../../src/suite/errors.js";
import { withParameters } from "../../src/suite/parameters.js";
import { roleTable } from "./role-table.js";

const hre = await import("hardhat");

/** deploy/parameters/hardhat.json's accounts (the default Hardhat mnemonic's). */
const TREASURY = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const GUARDIANS = [
  "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
];
const OPERATOR = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";

const KEY_OF_ID = Object.fromEntries(
  Object.entries({ ...CORE_KEYS, ...GUARDIAN_KEYS, ...FRAUD_KEYS, ...SENTINEL_KEYS, ...GOVERNANCE_KEYS }).map(
    ([key, id]) => [id, key],
  ),
);

async function ignitionDeployment(module: ModuleName, deploymentDir?: string) {
  const connection = await network.create();
  const parameters = await readParameters(parametersFile("hardhat"), module);
  const ids = await runIgnition({
    provider: connection.provider,
    artifacts: hre.artifacts,
    module,
    parameters,
    deploymentDir,
  });
  const named: Record<string, string> = {};
  for (const [id, address] of Object.entries(ids))
    if (KEY_OF_ID[id] !== undefined) named[KEY_OF_ID[id]] = address;
  return { connection, ids, named };
}

/** The role table of a deployment, holders named (contracts by suite key, accounts by part). */
async function namedRoles(
  provider: Parameters<typeof roleTable>[0],
  named: Record<string, string>,
  deployer: string,
) {
  const controlled = [
    "stake",
    "health",
    "set",
    "audit",
    "snapshots",
    "recovery",
    "stateCommitments",
    "sentinels",
    "timelock",
  ].filter((k) => named[k] !== undefined);
  return await roleTable(provider, Object.fromEntries(controlled.map((k) => [k, named[k]!])), {
    ...named,
    deployer,
    operator: OPERATOR,
    anyone: "0x0000000000000000000000000000000000000000",
  });
}

describe("Ignition modules (deploy/modules)", function () {
  for (const governance of [false, true]) {
    const module: ModuleName = governance ? "governance" : "suite";
    it(`${module}: wires exactly the roles deploySuite wires${governance ? " with governance" : ""}`, async function () {
      const viaIgnition = await ignitionDeployment(module);
      const [deployerA] = await viaIgnition.connection.ethers.getSigners();
      const ignitionRoles = await namedRoles(
        viaIgnition.connection.ethers.provider,
        viaIgnition.named,
        deployerA!.address,
      );

      const other = await network.create();
      const suite = await deploySuite(other.ethers, {
        treasury: TREASURY,
        guardians: GUARDIANS,
        threshold: 2,
        orchestrator: OPERATOR,
        governance,
        parameters: withParameters({
          governance: { timelockDelay: 3600, votingDelay: 1, votingPeriod: 7200 },
        }),
      });
      const a = suite.addresses;
      const named: Record<string, string> = {
        token: a.HealToken,
        stake: a.StakeManager,
        health: a.NodeHealth,
        set: a.SelfHealingValidatorSet,
        audit: a.AuditLog,
        snapshots: a.SnapshotRegistry,
        recovery: a.RecoveryManager,
        council: a.GuardianCouncil,
        stateCommitments: a.StateCommitmentChain,
        sentinels: a.SentinelRegistry,
        ...(a.TimelockController && { timelock: a.TimelockController, governor: a.HealGovernor! }),
      };
      const tsRoles = await namedRoles(other.ethers.provider, named, suite.admin.address);

      expect(ignitionRoles).to.deep.equal(tsRoles);
      // And the table itself, spot-checked: the council guards recovery, the set appends to the log.
      expect(ignitionRoles.recovery!.GUARDIAN_ROLE).to.deep.equal(["council"]);
      expect(ignitionRoles.audit!.APPENDER_ROLE).to.deep.equal([
        "council",
        "recovery",
        "sentinels",
        "set",
        "snapshots",
        "stateCommitments",
      ]);
      expect(ignitionRoles.health!.REGISTRAR_ROLE).to.deep.equal(["sentinels", "set"]);
      expect(ignitionRoles.sentinels!.CURATOR_ROLE).to.deep.equal([governance ? "timelock" : "deployer"]);
      expect(ignitionRoles.stake!.SLASHER_ROLE).to.deep.equal(["set", "stateCommitments"]);
      expect(ignitionRoles.stake!.DEFAULT_ADMIN_ROLE).to.deep.equal([governance ? "timelock" : "deployer"]);
      // The upgrade right (docs/upgrades.md): every ProxyAdmin is owned as deploySuite leaves it.
      const upgradeAdmin = governance ? viaIgnition.named.timelock! : deployerA!.address;
      expect(suite.upgradeAdmin).to.equal(governance ? a.TimelockController : suite.admin.address);
      for (const key of [
        "stake",
        "health",
        "set",
        "audit",
        "snapshots",
        "recovery",
        "council",
        "stateCommitments",
        "sentinels",
      ]) {
        const proxyAdmin = await proxyAdminOf(viaIgnition.connection.ethers, viaIgnition.named[key]!);
        const owner = await (
          await viaIgnition.connection.ethers.getContractAt("ProxyAdmin", proxyAdmin)
        ).owner();
        expect(owner, key).to.equal(upgradeAdmin);
      }

      const { ethers } = viaIgnition.connection;
      const council = await ethers.getContractAt("GuardianCouncil", viaIgnition.named.council!);
      expect(await council.threshold()).to.equal(2n);
      expect([...(await council.guardians())]).to.deep.equal(GUARDIANS);
      const set = await ethers.getContractAt("SelfHealingValidatorSet", viaIgnition.named.set!);
      expect(await set.auditLog()).to.equal(viaIgnition.named.audit);
      const stake = await ethers.getContractAt("StakeManager", viaIgnition.named.stake!);
      expect(await stake.treasury()).to.equal(TREASURY);
      expect(await stake.stakeObserver()).to.equal(viaIgnition.named.set);
      const sentinels = await ethers.getContractAt("SentinelRegistry", viaIgnition.named.sentinels!);
      expect(await sentinels.nodeHealth()).to.equal(viaIgnition.named.health);
      expect(await sentinels.parameters()).to.deep.equal([16n, 2n]);
    });
  }

  it("re-running a deployment changes nothing, and addresses.ts loads it", async function () {
    const root = await mkdtemp(path.join(tmpdir(), "healnet-ignition-"));
    try {
      const dir = path.join(root, "chain-31337");
      const first = await ignitionDeployment("suite", dir);
      const provider = first.connection.ethers.provider;
      const block = await provider.getBlockNumber();
      const [deployer] = await first.connection.ethers.getSigners();
      const nonce = await provider.getTransactionCount(deployer!.address);

      const again = await runIgnition({
        provider: first.connection.provider,
        artifacts: hre.artifacts,
        module: "suite",
        parameters: await readParameters(parametersFile("hardhat"), "suite"),
        deploymentDir: dir,
      });
      expect(again).to.deep.equal(first.ids);
      expect(await provider.getBlockNumber()).to.equal(block);
      expect(await provider.getTransactionCount(deployer!.address)).to.equal(nonce);

      // A changed parameter is refused, not silently redeployed.
      const changed = await readParameters(parametersFile("hardhat"), "suite");
      changed.HealnetGuardians = { ...changed.HealnetGuardians, threshold: 3 };
      let refused: unknown;
      try {
        await runIgnition({
          provider: first.connection.provider,
          artifacts: hre.artifacts,
          module: "suite",
          parameters: changed,
          deploymentDir: dir,
        });
      } catch (e) {
        refused = e;
      }
      expect(refused).to.be.instanceOf(HealError);
      expect((refused as Error).message).to.match(/GuardianCouncil_initialize/);
      expect(await provider.getBlockNumber()).to.equal(block);

      const loaded = await loadSuite(provider, { deploymentsDir: root });
      expect(loaded.addresses.set).to.equal(first.named.set);
      expect(loaded.addresses.council).to.equal(first.named.council);
      expect(loaded.addresses.timelock).to.equal(undefined);
      expect(loaded.addresses.sentinels).to.equal(first.named.sentinels);
      expect(await loaded.contracts.council!.threshold()).to.equal(2n);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("refuses a parameter file with a placeholder (zero) address, naming the key", async function () {
    try {
      await readParameters(parametersFile("sepolia"), "suite");
      expect.fail("accepted the placeholder file");
    } catch (e) {
      expect(e).to.be.instanceOf(HealError);
      expect((e as Error).message).to.match(/sepolia\.json: HealnetCore\.treasury is the zero address/);
    }
  });
});
