import { expect } from "chai";
import { Wallet, id } from "ethers";
import { network } from "hardhat";

import { deploySuite } from "../../src/suite/deploy.js";
import {
  ACTION_TYPE_NAMES,
  ActionType,
  ProposalNotReadyError,
  actionHashOf,
  approveProposal,
  collectApprovals,
  decodeAction,
  directCallOf,
  encodeAction,
  executeWhenReady,
  listProposals,
  proposalInfo,
  proposeAction,
  signApproval,
  sortSignatures,
  submitApprovals,
  type GuardianAction,
} from "../../src/suite/guardians.js";

const { ethers, networkHelpers } = await network.getOrCreate();

const V = "0x00000000000000000000000000000000000000aa";
const W = "0x00000000000000000000000000000000000000bb";

/** One action of every type. */
const EXAMPLES: Record<(typeof ACTION_TYPE_NAMES)[number], GuardianAction> = {
  Pause: { type: "Pause", duration: 3_600n },
  Unpause: { type: "Unpause" },
  Resync: { type: "Resync", validator: V, snapshotId: 7n },
  Reprovision: {
    type: "Reprovision",
    validator: V,
    configCid: "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
  },
  Forgive: { type: "Forgive", incidentId: 3n },
  ForceReplace: { type: "ForceReplace", validator: V },
  ApproveKeyRotation: { type: "ApproveKeyRotation", validator: V, newSigner: W },
  UpdateParameters: { type: "UpdateParameters", target: W, callData: "0x12345678" },
  ChangeGuardians: { type: "ChangeGuardians", add: [W], remove: [V], threshold: 2 },
  AttestSnapshot: { type: "AttestSnapshot", snapshotId: 9n },
  CancelTimelockOperation: {
    type: "CancelTimelockOperation",
    timelock: W,
    operationId: "0x" + "ab".repeat(32),
  },
};

describe("guardian tooling (src/suite/guardians.ts)", function () {
  async function suiteFixture() {
    return await deploySuite(ethers);
  }

  it("encodes every action type the way decodeAction reads it back", function () {
    for (const name of ACTION_TYPE_NAMES) {
      const encoded = encodeAction(EXAMPLES[name]);
      expect(encoded.actionType, name).to.equal(ActionType[name]);
      expect(decodeAction(encoded.actionType, encoded.data), name).to.deep.equal(EXAMPLES[name]);
    }
    expect(() => decodeAction(11, "0x")).to.throw(/unknown guardian action type 11/);
  });

  it("proposes every action type: the council accepts each encoding and records its action hash", async function () {
    const suite = await networkHelpers.loadFixture(suiteFixture);
    const [g0] = suite.guardianSigners;
    // A timelock where the council is a canceller, with an operation queued for it to cancel.
    const timelock = await ethers.deployContract("TimelockController", [
      60n,
      [suite.admin.address],
      [ethers.ZeroAddress],
      suite.admin.address,
    ]);
    await (await timelock.grantRole(id("CANCELLER_ROLE"), suite.addresses.GuardianCouncil)).wait();
    await (await timelock.schedule(W, 0n, "0x", ethers.ZeroHash, ethers.ZeroHash, 60n)).wait();
    const operationId = await timelock.hashOperation(W, 0n, "0x", ethers.ZeroHash, ethers.ZeroHash);
    const timelockAddress = await timelock.getAddress();
    // The proposals need targets the council accepts: the update targets NodeHealth's setParameters.
    const actions: GuardianAction[] = ACTION_TYPE_NAMES.map((name) =>
      name === "CancelTimelockOperation"
        ? { type: name, timelock: timelockAddress, operationId }
        : name === "UpdateParameters"
          ? {
              type: "UpdateParameters",
              target: suite.addresses.NodeHealth,
              callData: suite.health.interface.encodeFunctionData("setParameters", [suite.parameters.health]),
            }
          : name === "ChangeGuardians"
            ? { type: "ChangeGuardians", add: [W], remove: [], threshold: 3 }
            : EXAMPLES[name],
    );
    for (const action of actions) {
      const { proposalId } = await proposeAction(suite.council, g0!, action);
      const info = await proposalInfo(suite.council, proposalId);
      expect(info.action, action.type).to.deep.equal(action);
      expect(info.approvals).to.equal(1);
      const p = await suite.council.proposal(proposalId);
      expect(actionHashOf(encodeAction(action))).to.equal(
        ethers.keccak256(
          ethers.AbiCoder.defaultAbiCoder().encode(
            ["uint8", "bytes32"],
            [p.actionType, ethers.keccak256(p.data)],
          ),
        ),
      );
    }
    const listed = await listProposals(suite.council, { limit: 3 });
    expect(listed.map((p) => p.id)).to.deep.equal([11n, 10n, 9n]);
    expect(await listProposals(suite.council, { maxScan: 2 })).to.have.length(2);
  });

  it("sorts signatures ascending, refuses duplicates, and the council accepts what collectApprovals returns", async function () {
    const suite = await networkHelpers.loadFixture(suiteFixture);
    const [g0, g1, g2, g3] = suite.guardianSigners;
    const { proposalId } = await proposeAction(suite.council, g0!, EXAMPLES.Pause);
    const a = await signApproval(suite.council, g3!, proposalId);
    const b = await signApproval(suite.council, g1!, proposalId);
    const sorted = sortSignatures([a, b]);
    expect(BigInt(sorted[0]!.guardian) < BigInt(sorted[1]!.guardian)).to.equal(true);
    expect(() => sortSignatures([a, b, a])).to.throw(/two signatures from/);
    // Unsorted, the council refuses them; sorted by the tooling, it takes them.
    const descending = [...sorted].reverse();
    await expect(suite.council.approveBySig(proposalId, descending)).to.be.revertedWithCustomError(
      suite.council,
      "GuardianCouncilUnsortedSignatures",
    );
    await submitApprovals(
      suite.council,
      suite.admin,
      proposalId,
      await collectApprovals(suite.council, [g2!, g1!], proposalId),
    );
    expect(await suite.council.hasApproved(proposalId, g1!.address)).to.equal(true);
    expect(await suite.council.hasApproved(proposalId, g2!.address)).to.equal(true);
    // A pause has no delay: with M approvals it is Ready at once.
    expect((await proposalInfo(suite.council, proposalId)).state).to.equal("Ready");
  });

  it("executeWhenReady throws ProposalNotReadyError while collecting or queued without waitUntil, and waits with it", async function () {
    const suite = await networkHelpers.loadFixture(suiteFixture);
    const [g0, g1, g2] = suite.guardianSigners;
    const validator = Wallet.createRandom().address;
    const { proposalId } = await proposeAction(suite.council, g0!, {
      type: "Reprovision",
      validator,
      configCid: "bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
    });
    let error: unknown;
    try {
      await executeWhenReady(suite.council, suite.admin, proposalId);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ProposalNotReadyError);
    expect((error as ProposalNotReadyError).state).to.equal("Collecting");
    await approveProposal(suite.council, g1!, proposalId);
    await approveProposal(suite.council, g2!, proposalId);
    try {
      await executeWhenReady(suite.council, suite.admin, proposalId);
      expect.fail("expected ProposalNotReadyError");
    } catch (e) {
      expect(e).to.be.instanceOf(ProposalNotReadyError);
      expect((e as ProposalNotReadyError).state).to.equal("Queued");
      expect((e as ProposalNotReadyError).executableAt).to.equal(
        await suite.council.executableAt(proposalId),
      );
    }
    // The validator is unknown to the recovery manager, so the execution itself reverts: the helper got that far.
    await expect(
      executeWhenReady(suite.council, suite.admin, proposalId, {
        waitUntil: async (at) => await networkHelpers.time.increaseTo(at),
      }),
    ).to.be.revertedWithCustomError(suite.council, "GuardianCouncilExecutionFailed");
    expect((await proposalInfo(suite.council, proposalId)).state).to.equal("Ready");
  });

  it("gives the direct RecoveryManager call a Safe makes, and refuses ChangeGuardians", function () {
    const recovery = "0x0000000000000000000000000000000000000abc";
    const call = directCallOf(EXAMPLES.Resync, { recovery });
    expect(call.to).to.equal(ethers.getAddress(recovery));
    expect(call.data.slice(0, 10)).to.equal(ethers.id("requestResync(address,uint256)").slice(0, 10));
    const attest = directCallOf(EXAMPLES.AttestSnapshot, { recovery, snapshots: W });
    expect(attest.to).to.equal(ethers.getAddress(W));
    expect(attest.data.slice(0, 10)).to.equal(id("attestAsGuardian(uint256)").slice(0, 10));
    expect(() => directCallOf(EXAMPLES.ChangeGuardians, { recovery })).to.throw(
      /council's own execution path/,
    );
  });
});
