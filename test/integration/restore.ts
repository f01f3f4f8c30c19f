import { expect } from "chai";
import { id } from "ethers";
import { network } from "hardhat";

import { verifyAuditTrail } from "../../src/suite/audit.js";
import { deploySuite, type Suite } from "../../src/suite/deploy.js";
import {
  createOperators,
  heartbeatAll,
  type HealthReportInput,
  type Operator,
} from "../../src/suite/fleet.js";
import { withParameters } from "../../src/suite/parameters.js";

const { ethers, networkHelpers } = await network.getOrCreate();
const { time } = networkHelpers;

const TOKEN = 10n ** 18n;
const ACTIVE = 5;
const BACKUPS = 2;
/** How far behind the stalled node reports, in blocks (more than maxHeightLag = 50). */
const LAG = 100n;
/** Seconds between heartbeat rounds: under the 30 s epoch even with a round's own blocks, so no epoch is missed. */
const ROUND = 20;

/** IValidatorSet.Status, INodeHealth.Liveness. */
const Status = { Backup: 1n, Active: 2n, Jailed: 4n } as const;
const Liveness = { Live: 1n, Stalled: 4n } as const;

async function reports(): Promise<{ healthy: HealthReportInput; lagging: HealthReportInput }> {
  const latest = await ethers.provider.getBlock("latest");
  const behind = await ethers.provider.getBlock(latest!.number - Number(LAG));
  const base = {
    peerCount: 25,
    latencyMs: 40,
    diskUsedBps: 4_200,
    clientVersionHash: "0x" + "ab".repeat(32),
  };
  return {
    healthy: { ...base, blockHeight: BigInt(latest!.number), blockHash: latest!.hash! },
    lagging: { ...base, blockHeight: BigInt(behind!.number), blockHash: behind!.hash! },
  };
}

/** One heartbeat round after ROUND seconds: every operator reports healthy, except `lagging` ones. */
async function round(suite: Suite, operators: readonly Operator[], lagging: readonly Operator[] = []) {
  await time.increase(ROUND);
  const { healthy, lagging: behind } = await reports();
  for (const op of operators) {
    await (await suite.health.connect(op.signer).heartbeat(lagging.includes(op) ? behind : healthy)).wait();
  }
}

describe("Automatic unjail after a verified remediation (integration)", function () {
  async function storyFixture() {
    const signers = await ethers.getSigners();
    const orchestrator = signers[6]!;
    const suite = await deploySuite(ethers, {
      orchestrator: orchestrator.address,
      parameters: withParameters({ set: { maxActive: ACTIVE, minActive: 3 } }),
    });
    const deployedAt = await ethers.provider.getBlockNumber();
    const stakes = Array.from({ length: ACTIVE + BACKUPS }, (_, i) => (20_000n - 1_000n * BigInt(i)) * TOKEN);
    const operators = await createOperators(ethers, suite, stakes, "healnet-restore");
    await heartbeatAll(suite, operators);
    await (await suite.set.fillVacancies(ACTIVE)).wait();
    await networkHelpers.mine(Number(LAG) * 2);
    return { suite, operators, stalled: operators[0]!, orchestrator, deployedAt };
  }

  it("stall → remediation request → jailed at escalation → orchestrator reports → recoveryProof epochs of close heartbeats → restore: back in the backup pool, not active, incident closed with its time to recover", async function () {
    const { suite, operators, stalled, orchestrator, deployedAt } =
      await networkHelpers.loadFixture(storyFixture);
    const v = stalled.account.address;
    const { set, recovery, stake, health } = suite;

    // Healthy rounds raise the best height (in steps of maxHeightLag / 4) to the chain's head.
    for (let i = 0; i < 5; i++) await round(suite, operators);
    // The node stalls: the set asks for a remediation.
    for (let i = 0; i < suite.parameters.health.stallReports; i++) await round(suite, operators, [stalled]);
    expect(await health.livenessOf(v)).to.equal(Liveness.Stalled);
    await (await set.checkHeartbeat(v)).wait();
    const incidentId = await set.openRemediationOf(v);
    expect(incidentId).to.not.equal(0n);
    const escalateAt =
      (await set.incident(incidentId)).detectedAt + BigInt(suite.parameters.set.stallEscalationDelay);

    // Not healed by the escalation: the set jails and replaces it.
    while (BigInt(await time.latest()) <= escalateAt) await round(suite, operators, [stalled]);
    await (await set.checkHeartbeat(v)).wait();
    expect(await set.statusOf(v)).to.equal(Status.Jailed);
    expect(await stake.isJailed(v)).to.equal(true);

    // Nothing to restore yet: no successful report.
    await expect(recovery.restore(incidentId, 0n))
      .to.be.revertedWithCustomError(recovery, "RecoveryManagerNotRemediated")
      .withArgs(incidentId, 0n);

    // The orchestrator resyncs the node and reports success.
    await (
      await recovery
        .connect(orchestrator)
        .reportIncidentRemediation(incidentId, true, id("resync: caught up"))
    ).wait();

    // One epoch of healthy heartbeats is not yet a proof.
    await round(suite, operators);
    await round(suite, operators);
    await expect(recovery.restore(incidentId, 0n)).to.be.revertedWithCustomError(
      recovery,
      "RecoveryManagerRecoveryNotProven",
    );

    // recoveryProof (3) full epochs after the report: anyone may restore it.
    const { recoveryProof } = await recovery.parameters();
    expect(recoveryProof).to.equal(3n);
    for (let i = 0; i < 6; i++) await round(suite, operators);
    const [keeper] = await ethers.getSigners();
    await recovery.restore.staticCall(incidentId, 0n);
    const tx = await recovery.connect(keeper!).restore(incidentId, 0n);
    const receipt = await tx.wait();
    const restoredAt = BigInt((await ethers.provider.getBlock(receipt!.blockNumber))!.timestamp);
    const incident = await set.incident(incidentId);
    const timeToRecover = restoredAt - incident.faultAt;
    await expect(tx)
      .to.emit(recovery, "ValidatorRestored")
      .withArgs(incidentId, v, 0n, timeToRecover, keeper!.address);

    // Back in the backup pool, never straight in the active set.
    expect(await stake.isJailed(v)).to.equal(false);
    expect(await set.statusOf(v)).to.equal(Status.Backup);
    expect(await set.isActive(v)).to.equal(false);
    const restoration = await recovery.restorationOf(incidentId);
    expect(restoration.validator).to.equal(v);
    expect(restoration.restoredAt).to.equal(restoredAt);
    expect(restoration.timeToRecover).to.equal(timeToRecover);
    expect(timeToRecover > BigInt(suite.parameters.set.stallEscalationDelay)).to.equal(true);

    // Once per incident.
    await expect(recovery.restore(incidentId, 0n))
      .to.be.revertedWithCustomError(recovery, "RecoveryManagerAlreadyRestored")
      .withArgs(incidentId);

    // The audit trail carries the restore and still verifies.
    const verification = await verifyAuditTrail(suite.audit, { fromBlock: deployedAt, maxBlockRange: 64 });
    expect(verification.ok, verification.reason).to.equal(true);
    const kinds = (await suite.audit.queryFilter(suite.audit.filters.AuditEntryAppended(), deployedAt)).map(
      (e) => e.args.kind,
    );
    expect(kinds).to.include(id("RECOVERY_RESTORE"));
  });
});
