import { expect } from "chai";
import { network } from "hardhat";

import { deployCore } from "../../src/suite/deploy.js";
import { createOperators, heartbeatAll, type Operator } from "../../src/suite/fleet.js";
import { withParameters } from "../../src/suite/parameters.js";
import { namedSigners } from "../helpers/accounts.js";

const { ethers, networkHelpers } = await network.getOrCreate();
const { time } = networkHelpers;

const TOKEN = 10n ** 18n;
const ACTIVE = 7;
const BACKUPS = 3;

/** Status enum of IValidatorSet. */
const Status = { Backup: 1n, Active: 2n, Jailed: 4n } as const;
/** SlashState enum of IValidatorSet. */
const SlashState = { Pending: 1n, Executed: 2n } as const;

describe("Self-healing (integration)", function () {
  /** 7 active validators and 3 backups, all heartbeating; stakes 20k, 19k, ... so the ranking is known. */
  async function sevenAndThreeFixture() {
    const suite = await deployCore(ethers, {
      parameters: withParameters({ set: { maxActive: ACTIVE, minActive: 4 } }),
    });
    const { keeper } = await namedSigners(ethers, ["deployer", "keeper"]);
    const stakes = Array.from({ length: ACTIVE + BACKUPS }, (_, i) => (20_000n - 1_000n * BigInt(i)) * TOKEN);
    const operators = await createOperators(ethers, suite, stakes);
    await heartbeatAll(suite, operators);
    await (await suite.set.fillVacancies(ACTIVE)).wait();
    const actives = operators.slice(0, ACTIVE);
    const backups = operators.slice(ACTIVE);
    return { suite, operators, actives, backups, keeper };
  }

  /** Advances the clock in heartbeat intervals, with `alive` heartbeating at each step. */
  async function liveFor(
    seconds: number,
    interval: number,
    alive: readonly Operator[],
    suite: Parameters<typeof heartbeatAll>[0],
  ) {
    for (let elapsed = 0; elapsed < seconds; elapsed += interval) {
      await time.increase(Math.min(interval, seconds - elapsed));
      if (alive.length > 0) await heartbeatAll(suite, alive);
    }
  }

  it("fills the active set with the 7 highest stakes and keeps 3 backups", async function () {
    const { suite, actives, backups } = await networkHelpers.loadFixture(sevenAndThreeFixture);
    expect(await suite.set.activeCount()).to.equal(BigInt(ACTIVE));
    expect(await suite.set.backupCount()).to.equal(BigInt(BACKUPS));
    for (const op of actives) expect(await suite.set.statusOf(op.account.address)).to.equal(Status.Active);
    for (const op of backups) expect(await suite.set.statusOf(op.account.address)).to.equal(Status.Backup);
  });

  it("replaces a validator that stops with the best backup in the same block, then slashes it and pays the keeper", async function () {
    const { suite, actives, backups, keeper } = await networkHelpers.loadFixture(sevenAndThreeFixture);
    const { heartbeatInterval, gracePeriod } = suite.parameters.health;
    const victim = actives[3] as Operator;
    const best = backups[0] as Operator; // the highest stake among the backups
    const alive = [...actives.filter((op) => op !== victim), ...backups];

    // Before interval + grace have passed, nothing can be done.
    await liveFor(heartbeatInterval, heartbeatInterval, alive, suite);
    await expect(
      suite.set.connect(keeper).checkHeartbeat(victim.account.address),
    ).to.be.revertedWithCustomError(suite.set, "ValidatorSetNotOverdue");

    await liveFor(gracePeriod + 1, heartbeatInterval, alive, suite);
    const tx = await suite.set.connect(keeper).checkHeartbeat(victim.account.address);
    const receipt = await tx.wait();
    await expect(tx)
      .to.emit(suite.set, "ValidatorReplaced")
      .withArgs(victim.account.address, best.account.address, keeper.address, 0n, 1n);

    // Same block: the victim is out and jailed, the best backup is in.
    expect(await suite.set.isActive(victim.account.address)).to.equal(false);
    expect(await suite.set.isActive(best.account.address)).to.equal(true);
    expect(await suite.set.statusOf(victim.account.address)).to.equal(Status.Jailed);
    expect(await suite.stake.isJailed(victim.account.address)).to.equal(true);
    expect(await suite.set.activeCount()).to.equal(BigInt(ACTIVE));
    const incident = await suite.set.incident(1n);
    expect(incident.validator).to.equal(victim.account.address);
    expect(incident.replacement).to.equal(best.account.address);
    expect(incident.slashState).to.equal(SlashState.Pending);
    expect(incident.detectedBlock).to.equal(BigInt(receipt?.blockNumber ?? 0));
    expect(incident.replacedAt).to.equal(incident.detectedAt);

    // A second call for the same fault does nothing.
    await expect(
      suite.set.connect(keeper).checkHeartbeat(victim.account.address),
    ).to.be.revertedWithCustomError(suite.set, "ValidatorSetNotActive");

    // The slash waits for the appeal window.
    await expect(suite.set.executeSlash(1n)).to.be.revertedWithCustomError(
      suite.set,
      "ValidatorSetAppealWindowOpen",
    );
    await time.increase(suite.parameters.set.appealWindow);
    const bondedBefore = await suite.stake.bondedOf(victim.account.address);
    const treasuryBefore = await suite.token.balanceOf(suite.treasury);
    await (await suite.set.executeSlash(1n)).wait();

    const slashed = (bondedBefore * BigInt(suite.parameters.set.downtimeSlashBps)) / 10_000n;
    const reward = (slashed * BigInt(suite.parameters.set.keeperRewardBps)) / 10_000n;
    expect(await suite.stake.bondedOf(victim.account.address)).to.equal(bondedBefore - slashed);
    expect(await suite.stake.rewardOf(keeper.address)).to.equal(reward);
    expect(await suite.token.balanceOf(suite.treasury)).to.equal(treasuryBefore + slashed - reward);
    await expect(suite.set.executeSlash(1n)).to.be.revertedWithCustomError(
      suite.set,
      "ValidatorSetSlashNotPending",
    );

    // The keeper pulls its reward.
    const keeperBefore = await suite.token.balanceOf(keeper.address);
    await (await suite.stake.connect(keeper).claimReward(keeper.address)).wait();
    expect(await suite.token.balanceOf(keeper.address)).to.equal(keeperBefore + reward);

    // Conservation of stake holds at the end.
    const totals = await suite.stake.totals();
    expect(totals.deposited).to.equal(totals.bonded + totals.unbonding + totals.withdrawn + totals.slashed);
    expect(await suite.token.balanceOf(await suite.stake.getAddress())).to.equal(
      totals.bonded + totals.unbonding + totals.rewardsOwed,
    );
  });

  it("slashes nobody when the whole set stops at once (a chain halt)", async function () {
    const { suite, operators, actives, keeper } = await networkHelpers.loadFixture(sevenAndThreeFixture);
    const { heartbeatInterval, gracePeriod } = suite.parameters.health;
    await time.increase(heartbeatInterval + gracePeriod + 1);

    for (const op of actives) {
      const incidentId = await suite.set.connect(keeper).checkHeartbeat.staticCall(op.account.address);
      expect(incidentId).to.equal(0n);
    }
    await expect(suite.set.connect(keeper).checkHeartbeat((actives[0] as Operator).account.address)).to.emit(
      suite.set,
      "SetDegraded",
    );
    for (const op of actives.slice(1))
      await (await suite.set.connect(keeper).checkHeartbeat(op.account.address)).wait();

    expect(await suite.set.degradedSince()).to.not.equal(0n);
    expect(await suite.set.incidentCount()).to.equal(0n);
    expect(await suite.set.activeCount()).to.equal(BigInt(ACTIVE));
    for (const op of operators) expect(await suite.stake.isJailed(op.account.address)).to.equal(false);
    const totals = await suite.stake.totals();
    expect(totals.slashed).to.equal(0n);
  });
});
