import { expect } from "chai";
import { network } from "hardhat";

import { namedSigners } from "../helpers/accounts.js";

const { ethers, networkHelpers } = await network.getOrCreate();

const HEAL = 10n ** 18n;
const SUPPLY = 10_000_000n * HEAL;
const VOTING_DELAY = 7_200n; // blocks, ~1 day
const VOTING_PERIOD = 50_400n; // blocks, ~7 days
const PROPOSAL_THRESHOLD = 10_000n * HEAL; // 0.1 % of the supply
const QUORUM_PERCENT = 4n;
const TIMELOCK_DELAY = 2n * 24n * 60n * 60n; // seconds, 2 days

/** OpenZeppelin's IGovernor.ProposalState. */
const ProposalState = {
  Pending: 0n,
  Active: 1n,
  Canceled: 2n,
  Defeated: 3n,
  Succeeded: 4n,
  Queued: 5n,
  Expired: 6n,
  Executed: 7n,
} as const;

const VOTE_AGAINST = 0;
const VOTE_FOR = 1;

describe("governance", function () {
  /**
   * Token holders → HealGovernor → TimelockController → PARAMETER_ROLE of the target, wired the way the
   * deployment wires it: the Governor is the timelock's only proposer and canceller, execution is open to
   * anyone, the deployer gives up its admin roles on the timelock and the target.
   */
  async function deployGovernanceFixture() {
    const { deployer, alice, bob, carol, outsider } = await namedSigners(ethers, [
      "deployer",
      "alice",
      "bob",
      "carol",
      "outsider",
    ]);

    const token = await ethers.deployContract("HealToken", [deployer.address, SUPPLY]);
    const timelock = await ethers.deployContract("TimelockController", [
      TIMELOCK_DELAY,
      [],
      [ethers.ZeroAddress],
      deployer.address,
    ]);
    const governor = await ethers.deployContract("HealGovernor", [
      await token.getAddress(),
      await timelock.getAddress(),
      VOTING_DELAY,
      VOTING_PERIOD,
      PROPOSAL_THRESHOLD,
      QUORUM_PERCENT,
    ]);
    const governorAddress = await governor.getAddress();
    const timelockAddress = await timelock.getAddress();

    await timelock.grantRole(await timelock.PROPOSER_ROLE(), governorAddress);
    await timelock.grantRole(await timelock.CANCELLER_ROLE(), governorAddress);
    await timelock.renounceRole(await timelock.DEFAULT_ADMIN_ROLE(), deployer.address);

    const target = await ethers.deployContract("MockParameterized", [deployer.address, 10n]);
    const parameterRole = await target.PARAMETER_ROLE();
    await target.grantRole(parameterRole, timelockAddress);
    await target.renounceRole(await target.DEFAULT_ADMIN_ROLE(), deployer.address);

    // alice alone reaches the 4 % quorum (400,000 HEAL); carol can propose but not reach quorum.
    for (const [holder, amount] of [
      [alice, 600_000n * HEAL],
      [bob, 300_000n * HEAL],
      [carol, 50_000n * HEAL],
    ] as const) {
      await token.connect(deployer).transfer(holder.address, amount);
      await token.connect(holder).delegate(holder.address);
    }
    await networkHelpers.mine(); // votes are read at past blocks

    return { token, timelock, governor, target, parameterRole, deployer, alice, bob, carol, outsider };
  }

  type Fixture = Awaited<ReturnType<typeof deployGovernanceFixture>>;

  /** A one-call proposal that sets the target's parameter. */
  async function parameterProposal(target: Fixture["target"], newValue: bigint, description: string) {
    return {
      targets: [await target.getAddress()],
      values: [0n],
      calldatas: [target.interface.encodeFunctionData("setParameters", [newValue])],
      description,
      descriptionHash: ethers.id(description),
    };
  }

  describe("parameter change", function () {
    it("changes a parameter through propose, vote, queue and execute by the timelock", async function () {
      const { governor, timelock, target, alice, bob, outsider } =
        await networkHelpers.loadFixture(deployGovernanceFixture);
      const p = await parameterProposal(target, 42n, "Set the parameter to 42");
      const proposalId = await governor.hashProposal(p.targets, p.values, p.calldatas, p.descriptionHash);

      await expect(governor.connect(bob).propose(p.targets, p.values, p.calldatas, p.description)).to.emit(
        governor,
        "ProposalCreated",
      );
      expect(await governor.state(proposalId)).to.equal(ProposalState.Pending);

      await networkHelpers.mine(VOTING_DELAY + 1n);
      expect(await governor.state(proposalId)).to.equal(ProposalState.Active);
      await expect(governor.connect(alice).castVote(proposalId, VOTE_FOR))
        .to.emit(governor, "VoteCast")
        .withArgs(alice.address, proposalId, VOTE_FOR, 600_000n * HEAL, "");
      await governor.connect(bob).castVote(proposalId, VOTE_AGAINST);

      await networkHelpers.mine(VOTING_PERIOD);
      expect(await governor.state(proposalId)).to.equal(ProposalState.Succeeded);
      const [against, inFavour] = await governor.proposalVotes(proposalId);
      expect(inFavour).to.equal(600_000n * HEAL);
      expect(against).to.equal(300_000n * HEAL);

      await expect(governor.queue(p.targets, p.values, p.calldatas, p.descriptionHash)).to.emit(
        timelock,
        "CallScheduled",
      );
      expect(await governor.state(proposalId)).to.equal(ProposalState.Queued);
      const eta = await governor.proposalEta(proposalId);
      expect(eta).to.equal(BigInt(await networkHelpers.time.latest()) + TIMELOCK_DELAY);

      // Too early: the timelock refuses.
      await expect(
        governor.execute(p.targets, p.values, p.calldatas, p.descriptionHash),
      ).to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState");

      await networkHelpers.time.increaseTo(eta);
      // Execution is open: anyone, here an account with no tokens, can execute a ready proposal.
      await expect(governor.connect(outsider).execute(p.targets, p.values, p.calldatas, p.descriptionHash))
        .to.emit(target, "ParametersUpdated")
        .withArgs(10n, 42n, await timelock.getAddress());
      expect(await governor.state(proposalId)).to.equal(ProposalState.Executed);
      expect(await target.value()).to.equal(42n);
    });

    it("refuses a direct call to the target from anyone but the timelock", async function () {
      const { governor, target, parameterRole, deployer, alice } =
        await networkHelpers.loadFixture(deployGovernanceFixture);
      // A large holder, the deployer (former admin) and the Governor itself: none holds the role.
      for (const caller of [alice, deployer]) {
        await expect(target.connect(caller).setParameters(42n))
          .to.be.revertedWithCustomError(target, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, parameterRole);
      }
      const governorAddress = await governor.getAddress();
      await networkHelpers.impersonateAccount(governorAddress);
      await networkHelpers.setBalance(governorAddress, 10n ** 18n);
      const asGovernor = await ethers.getSigner(governorAddress);
      await expect(target.connect(asGovernor).setParameters(42n))
        .to.be.revertedWithCustomError(target, "AccessControlUnauthorizedAccount")
        .withArgs(governorAddress, parameterRole);
      expect(await target.value()).to.equal(10n);
    });

    it("refuses to schedule on the timelock for anyone but the Governor", async function () {
      const { timelock, target, alice } = await networkHelpers.loadFixture(deployGovernanceFixture);
      const data = target.interface.encodeFunctionData("setParameters", [42n]);
      await expect(
        timelock
          .connect(alice)
          .schedule(await target.getAddress(), 0n, data, ethers.ZeroHash, ethers.ZeroHash, TIMELOCK_DELAY),
      )
        .to.be.revertedWithCustomError(timelock, "AccessControlUnauthorizedAccount")
        .withArgs(alice.address, await timelock.PROPOSER_ROLE());
    });

    it("defeats a proposal that misses the quorum, and it cannot be queued", async function () {
      const { governor, target, carol } = await networkHelpers.loadFixture(deployGovernanceFixture);
      const p = await parameterProposal(target, 7n, "carol alone");
      const proposalId = await governor.hashProposal(p.targets, p.values, p.calldatas, p.descriptionHash);
      await governor.connect(carol).propose(p.targets, p.values, p.calldatas, p.description);
      await networkHelpers.mine(VOTING_DELAY + 1n);
      await governor.connect(carol).castVote(proposalId, VOTE_FOR); // 50,000 < 400,000 quorum

      await networkHelpers.mine(VOTING_PERIOD);
      expect(await governor.state(proposalId)).to.equal(ProposalState.Defeated);
      await expect(
        governor.queue(p.targets, p.values, p.calldatas, p.descriptionHash),
      ).to.be.revertedWithCustomError(governor, "GovernorUnexpectedProposalState");
      expect(await target.value()).to.equal(10n);
    });

    it("reverts at execution when the change is out of the target's bounds", async function () {
      const { governor, target, alice } = await networkHelpers.loadFixture(deployGovernanceFixture);
      const p = await parameterProposal(target, 1_001n, "out of bounds");
      const proposalId = await governor.hashProposal(p.targets, p.values, p.calldatas, p.descriptionHash);
      await governor.connect(alice).propose(p.targets, p.values, p.calldatas, p.description);
      await networkHelpers.mine(VOTING_DELAY + 1n);
      await governor.connect(alice).castVote(proposalId, VOTE_FOR);
      await networkHelpers.mine(VOTING_PERIOD);
      await governor.queue(p.targets, p.values, p.calldatas, p.descriptionHash);
      await networkHelpers.time.increaseTo(await governor.proposalEta(proposalId));

      await expect(governor.execute(p.targets, p.values, p.calldatas, p.descriptionHash))
        .to.be.revertedWithCustomError(target, "MockParameterizedOutOfBounds")
        .withArgs(1_001n, 1n, 1_000n);
      expect(await governor.state(proposalId)).to.equal(ProposalState.Queued);
    });
  });
});
