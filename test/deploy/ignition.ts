import { expect } from "chai";
import { network } from "hardhat";
import path from "node:path";
import { fileURLToPath } from "node:url";

import HealnetGovernance from "../../deploy/modules/HealnetGovernance.js";
import HealnetGuardians from "../../deploy/modules/HealnetGuardians.js";
import { GOVERNANCE_ROLES, missingRoles, SUITE_ROLES } from "./roles.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const HARDHAT_PARAMETERS = path.join(ROOT, "deploy/parameters/hardhat.json");

describe("Ignition modules", function () {
  it("deploys the core and the guardian side with every role wired", async function () {
    const { ignition, ethers } = await network.create();
    const [deployer] = await ethers.getSigners();
    const r = await ignition.deploy(HealnetGuardians, { parameters: HARDHAT_PARAMETERS });
    const addr = async (c: { getAddress(): Promise<string> }) => c.getAddress();
    const targets = {
      stake: await addr(r.stake),
      health: await addr(r.health),
      set: await addr(r.set),
      audit: await addr(r.audit),
      snapshots: await addr(r.snapshots),
      recovery: await addr(r.recovery),
    };
    const holders = {
      ...targets,
      council: await addr(r.council),
      operator: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
      deployer: deployer!.address,
    };
    expect(await missingRoles(ethers.provider, targets, holders, SUITE_ROLES)).to.deep.equal([]);
    const council = await ethers.getContractAt("GuardianCouncil", holders.council);
    expect(await council.threshold()).to.equal(2n);
    expect((await council.guardians()).length).to.equal(3);
    const set = await ethers.getContractAt("SelfHealingValidatorSet", targets.set);
    expect(await set.auditLog()).to.equal(targets.audit);
  });

  it("adds the DAO: the timelock holds PARAMETER_ROLE and DEFAULT_ADMIN_ROLE", async function () {
    const { ignition, ethers } = await network.create();
    const r = await ignition.deploy(HealnetGovernance, { parameters: HARDHAT_PARAMETERS });
    const addr = async (c: { getAddress(): Promise<string> }) => c.getAddress();
    const targets = {
      stake: await addr(r.stake),
      health: await addr(r.health),
      set: await addr(r.set),
      audit: await addr(r.audit),
      snapshots: await addr(r.snapshots),
      recovery: await addr(r.recovery),
    };
    const timelock = await addr(r.timelock);
    expect(await missingRoles(ethers.provider, targets, { timelock }, GOVERNANCE_ROLES)).to.deep.equal([]);
    const tl = await ethers.getContractAt("TimelockController", timelock);
    expect(await tl.hasRole(await tl.PROPOSER_ROLE(), await addr(r.governor))).to.equal(true);
  });
});
