/**
 * The guardian council's veto over the DAO (docs/governance.md, docs/upgrades.md): token holders propose and
 * queue an upgrade through HealGovernor, and M of N guardians cancel the queued timelock operation with a
 * CancelTimelockOperation proposal during the timelock's delay; the upgrade can then never execute.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { deploySuite, implementationOf, ROLES } from "../../src/suite/deploy.js";
import {
  collectApprovals,
  directCallOf,
  executeWhenReady,
  proposalInfo,
  proposeAction,
  submitApprovals,
} from "../../src/suite/guardians.js";
import { withParameters } from "../../src/suite/parameters.js";

const { ethers, networkHelpers } = await network.getOrCreate();

const VOTING_DELAY = 1;
const VOTING_PERIOD = 7_200;
const TIMELOCK_DELAY = 3_600;
const GovernorState = { Canceled: 2n, Queued: 5n } as const;

describe("council cancels a queued DAO upgrade (CancelTimelockOperation)", function () {
  it("governance proposes and queues an upgrade, M of N guardians cancel it, and it can never execute", async function () {
    const suite = await deploySuite(ethers, {
      governance: true,
      parameters: withParameters({
        governance: { timelockDelay: TIMELOCK_DELAY, votingDelay: VOTING_DELAY, votingPeriod: VOTING_PERIOD },
      }),
    });
    const { governor, timelock } = suite.governance!;
    const timelockAddress = await timelock.getAddress();
    const councilAddress = suite.addresses.GuardianCouncil;
    expect(await timelock.hasRole(ROLES.CANCELLER_ROLE, councilAddress)).to.equal(true);
    // The deployer gave up its admin role on the timelock: only the DAO and the cancellers act on it.
    expect(await timelock.hasRole(ROLES.DEFAULT_ADMIN_ROLE, suite.admin.address)).to.equal(false);

    // The admin holds the supply: its votes pass the proposal.
    await (await suite.token.delegate(suite.admin.address)).wait();
    await networkHelpers.mine();

    const stakeAddress = suite.addresses.StakeManager;
    const proxyAdmin = await ethers.getContractAt("ProxyAdmin", suite.proxyAdmins.StakeManager);
    const v2 = await ethers.deployContract("StakeManagerV2");
    const implementationBefore = await implementationOf(ethers, stakeAddress);
    const targets = [suite.proxyAdmins.StakeManager];
    const values = [0n];
    const calldatas = [
      proxyAdmin.interface.encodeFunctionData("upgradeAndCall", [
        stakeAddress,
        await v2.getAddress(),
        v2.interface.encodeFunctionData("migrateToV2"),
      ]),
    ];
    const description = "Upgrade the StakeManager to V2";
    const descriptionHash = ethers.id(description);
    const proposalId = await governor.hashProposal(targets, values, calldatas, descriptionHash);
    await (await governor.propose(targets, values, calldatas, description)).wait();
    await networkHelpers.mine(VOTING_DELAY + 1);
    await (await governor.castVote(proposalId, 1)).wait();
    await networkHelpers.mine(VOTING_PERIOD);
    await (await governor.queue(targets, values, calldatas, descriptionHash)).wait();
    expect(await governor.state(proposalId)).to.equal(GovernorState.Queued);

    // GovernorTimelockControl's salt: the governor's address (left-aligned) xor the description hash.
    const governorAddress = await governor.getAddress();
    const salt = ethers.toBeHex(
      BigInt(ethers.zeroPadBytes(governorAddress, 32)) ^ BigInt(descriptionHash),
      32,
    );
    const operationId = await timelock.hashOperationBatch(targets, values, calldatas, ethers.ZeroHash, salt);
    expect(await timelock.isOperationPending(operationId)).to.equal(true);

    // M of N guardians: one proposes, two approve off-chain, anyone submits and executes (emergency tier).
    const [g0, g1, g2] = suite.guardianSigners;
    const action = { type: "CancelTimelockOperation", timelock: timelockAddress, operationId } as const;
    expect(directCallOf(action, { recovery: suite.addresses.RecoveryManager }).to).to.equal(timelockAddress);
    const { proposalId: cancelId } = await proposeAction(suite.council, g0!, action);
    expect((await proposalInfo(suite.council, cancelId)).action).to.deep.equal(action);
    await expect(suite.council.execute(cancelId))
      .to.be.revertedWithCustomError(suite.council, "GuardianCouncilWrongState")
      .withArgs(cancelId, 1n);
    const signatures = await collectApprovals(suite.council, [g1!, g2!], cancelId);
    await submitApprovals(suite.council, suite.admin, cancelId, signatures);
    expect((await proposalInfo(suite.council, cancelId)).state).to.equal("Ready");
    const receipt = await executeWhenReady(suite.council, suite.admin, cancelId);
    const cancelled = receipt.logs
      .filter((l) => l.address === timelockAddress)
      .map((l) => timelock.interface.parseLog(l)?.name);
    expect(cancelled).to.include("Cancelled");
    expect(await timelock.isOperation(operationId)).to.equal(false);

    // After the delay: neither the governor nor anyone calling the timelock can run the upgrade.
    await networkHelpers.time.increase(TIMELOCK_DELAY + 1);
    // The governor sees its queued operation gone: the proposal reads Canceled.
    expect(await governor.state(proposalId)).to.equal(GovernorState.Canceled);
    await expect(governor.execute(targets, values, calldatas, descriptionHash)).to.be.revertedWithCustomError(
      governor,
      "GovernorUnexpectedProposalState",
    );
    await expect(
      timelock.executeBatch(targets, values, calldatas, ethers.ZeroHash, salt),
    ).to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState");
    expect(await implementationOf(ethers, stakeAddress)).to.equal(implementationBefore);
    expect(await (await ethers.getContractAt("IVersioned", stakeAddress)).version()).to.equal(1n);

    // Cancelling it again is refused with a clear error: the operation is no longer pending.
    await expect(proposeAction(suite.council, g0!, action))
      .to.be.revertedWithCustomError(suite.council, "GuardianCouncilOperationNotPending")
      .withArgs(timelockAddress, operationId);
  });
});
