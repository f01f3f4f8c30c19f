import { expect } from "chai";
import { EventLog, id, type Signer } from "ethers";
import { network } from "hardhat";

import { verifyAuditTrail } from "../../src/suite/audit.js";
import { deploySuite, type DeploySuiteOptions, type Suite } from "../../src/suite/deploy.js";
import {
  createOperators,
  heartbeatAll,
  type HealthReportInput,
  type Operator,
} from "../../src/suite/fleet.js";
import {
  collectApprovals,
  directCallOf,
  executeWhenReady,
  listProposals,
  proposeAction,
  signApproval,
  submitApprovals,
} from "../../src/suite/guardians.js";
import { withParameters } from "../../src/suite/parameters.js";
import {
  SafeTransactionError,
  createSafe,
  deploySafeInfrastructure,
  execSafeTransaction,
} from "../../src/suite/safe.js";

const { ethers, networkHelpers } = await network.getOrCreate();
const { time } = networkHelpers;

const TOKEN = 10n ** 18n;
const ACTIVE = 5;
const BACKUPS = 2;
/** How far behind the stalled node reports, in blocks (more than maxHeightLag = 50). */
const LAG = 100n;
const SNAPSHOT_CID = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

/** IValidatorSet.Status, IRecoveryManager.ActionStatus, INodeHealth.Liveness. */
const Status = { Active: 2n, Jailed: 4n } as const;
const ActionStatus = { Requested: 1n, Succeeded: 2n, Escalated: 4n } as const;
const Liveness = { Stalled: 4n } as const;

/** Reads the validators' healthy report, and the same with a height LAG blocks behind. */
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

/** One heartbeat round: every operator reports healthy, except `stalled`, which reports LAG blocks behind. */
async function beat(suite: Suite, operators: readonly Operator[], stalled: Operator) {
  const { healthy, lagging } = await reports();
  const txs = [];
  for (const op of operators) {
    txs.push(await suite.health.connect(op.signer).heartbeat(op === stalled ? lagging : healthy));
  }
  await Promise.all(txs.map((tx) => tx.wait()));
}

/** Heartbeat rounds every heartbeatInterval until `until` (a timestamp) has passed. */
async function beatUntil(suite: Suite, operators: readonly Operator[], stalled: Operator, until: bigint) {
  const interval = suite.parameters.health.heartbeatInterval;
  while (BigInt(await time.latest()) <= until) {
    await time.increase(interval);
    await beat(suite, operators, stalled);
  }
}

/** The event `name` of `contract` in the receipt's logs, decoded. */
function eventIn(
  receipt: { logs: readonly unknown[] },
  contract: Suite["set"] | Suite["recovery"],
  name: string,
): EventLog["args"] {
  for (const log of receipt.logs) {
    const parsed = contract.interface.parseLog(log as Parameters<typeof contract.interface.parseLog>[0]);
    if (parsed?.name === name) return parsed.args;
  }
  expect.fail(`no ${name} event`);
}

/**
 * A suite of 5 active validators and 2 backups, all heartbeating, with a final snapshot proposed by the admin
 * and attested by every active validator.
 */
async function deployStory(options: DeploySuiteOptions) {
  const signers = await ethers.getSigners();
  const orchestrator = signers[6]!;
  const relayer = signers[7]!;
  const suite = await deploySuite(ethers, {
    ...options,
    orchestrator: orchestrator.address,
    parameters: withParameters({ set: { maxActive: ACTIVE, minActive: 3 } }),
  });
  const deployedAt = await ethers.provider.getBlockNumber();
  const stakes = Array.from({ length: ACTIVE + BACKUPS }, (_, i) => (20_000n - 1_000n * BigInt(i)) * TOKEN);
  const operators = await createOperators(ethers, suite, stakes, "healnet-recovery");
  await heartbeatAll(suite, operators);
  await (await suite.set.fillVacancies(ACTIVE)).wait();
  const actives = operators.slice(0, ACTIVE);
  await networkHelpers.mine(Number(LAG) * 2);

  // A snapshot of a past block, bonded by the admin, attested by all active validators, final after its window.
  const block = await ethers.provider.getBlock((await ethers.provider.getBlockNumber()) - 10);
  const { snapshots } = suite;
  await (
    await suite.token.approve(await snapshots.getAddress(), suite.parameters.snapshots.proposalBond)
  ).wait();
  await (
    await snapshots.propose(
      block!.number,
      block!.hash!,
      id("state root"),
      id("snapshot file bytes"),
      SNAPSHOT_CID,
      1_000_000_000n,
    )
  ).wait();
  const snapshotId = await snapshots.snapshotCount();
  for (const op of actives) await (await snapshots.connect(op.account).attest(snapshotId)).wait();
  await time.increase(suite.parameters.snapshots.challengeWindow + 1);
  await heartbeatAll(suite, operators);
  await (await snapshots.finalize(snapshotId)).wait();

  return { suite, operators, actives, stalled: actives[0]!, orchestrator, relayer, deployedAt, snapshotId };
}

type Story = Awaited<ReturnType<typeof deployStory>>;

/**
 * The stalled validator's remediation request goes unanswered until its escalation: the set replaces it (jail,
 * no slash). Returns the incident.
 */
async function stallUnanswered({ suite, operators, stalled }: Story): Promise<bigint> {
  const v = stalled.account.address;
  for (let i = 0; i < suite.parameters.health.stallReports; i++) {
    await time.increase(suite.parameters.health.heartbeatInterval);
    await beat(suite, operators, stalled);
  }
  expect(await suite.health.livenessOf(v)).to.equal(Liveness.Stalled);

  const requested = await (await suite.set.checkHeartbeat(v)).wait();
  const request = eventIn(requested!, suite.set, "RemediationRequested");
  const incidentId = request[0] as bigint;
  const escalateAt = request[3] as bigint;
  // Nobody answers: the node keeps lagging until the escalation is due, and the next check replaces it.
  await beatUntil(suite, operators, stalled, escalateAt);
  await (await suite.set.checkHeartbeat(v)).wait();
  expect(await suite.set.statusOf(v)).to.equal(Status.Jailed);
  expect(await suite.set.statusOf(operators[ACTIVE]!.account.address)).to.equal(Status.Active);
  return incidentId;
}

/** The orchestrator reports the resync and the set's incident; the audit trail then verifies. */
async function reportAndVerify(
  story: Story,
  actionId: bigint,
  incidentId: bigint,
  statusBefore: bigint = ActionStatus.Requested,
) {
  const { suite, orchestrator, stalled, snapshotId, deployedAt } = story;
  const action = await suite.recovery.action(actionId);
  expect(action.validator).to.equal(stalled.account.address);
  expect(action.ref).to.equal(snapshotId);
  expect(action.status).to.equal(statusBefore);

  const details = id("resynced from snapshot; content hash checked");
  await expect(suite.recovery.connect(orchestrator).reportRemediation(actionId, true, details))
    .to.emit(suite.recovery, "RemediationReported")
    .withArgs(actionId, true, details, orchestrator.address);
  await (
    await suite.recovery.connect(orchestrator).reportIncidentRemediation(incidentId, true, details)
  ).wait();
  expect((await suite.recovery.action(actionId)).status).to.equal(ActionStatus.Succeeded);

  const verification = await verifyAuditTrail(suite.audit, { fromBlock: deployedAt, maxBlockRange: 64 });
  expect(verification.ok, verification.reason).to.equal(true);
  expect(verification.recomputedHead).to.equal(await suite.audit.auditHead());

  const kinds = (await suite.audit.queryFilter(suite.audit.filters.AuditEntryAppended(), deployedAt)).map(
    (e) => e.args.kind,
  );
  for (const kind of [
    "HEAL_STALL_REQUESTED",
    "HEAL_STALL_REPLACED",
    "SNAPSHOT_FINALIZED",
    "RECOVERY_RESYNC",
    "REMEDIATION_REPORTED",
    "INCIDENT_REMEDIATION_REPORTED",
  ]) {
    expect(kinds, kind).to.include(id(kind));
  }
  return kinds;
}

describe("Guardian recovery (integration)", function () {
  async function councilStoryFixture() {
    return await deployStory({});
  }

  async function safeStoryFixture() {
    const signers = await ethers.getSigners();
    const [ownerA, ownerB, ownerC] = [signers[10]!, signers[11]!, signers[12]!];
    const infra = await deploySafeInfrastructure(signers[0]!);
    const safeAddress = await createSafe(
      infra,
      [ownerA.address, ownerB.address, ownerC.address],
      2,
      signers[0]!,
    );
    const story = await deployStory({ guardian: safeAddress });
    return { ...story, safeAddress, owners: [ownerA, ownerB, ownerC] as const };
  }

  it("council: a stalled validator's request goes unanswered, 3 of 5 guardians approve a resync from the latest final snapshot, the orchestrator reports, the audit trail verifies", async function () {
    const story = await networkHelpers.loadFixture(councilStoryFixture);
    const { suite, stalled, relayer, snapshotId } = story;
    const incidentId = await stallUnanswered(story);

    const latestFinal = await suite.snapshots.latestFinal();
    expect(latestFinal).to.equal(snapshotId);
    const [g0, g1, g2] = suite.guardianSigners as unknown as [Signer, Signer, Signer];
    const resync = { type: "Resync", validator: stalled.account.address, snapshotId: latestFinal } as const;
    const { proposalId } = await proposeAction(suite.council, g0, resync);
    // Two more approvals, signed off-chain and submitted by a relayer that is not a guardian.
    const signatures = await collectApprovals(suite.council, [g2, g1], proposalId);
    expect(BigInt(signatures[0]!.guardian) < BigInt(signatures[1]!.guardian)).to.equal(true);
    await submitApprovals(suite.council, relayer, proposalId, signatures);
    const [queued] = await listProposals(suite.council, { states: ["Queued"] });
    expect(queued?.id).to.equal(proposalId);
    expect(queued?.approvals).to.equal(3);
    expect(queued?.action).to.deep.equal(resync);

    const executed = await executeWhenReady(suite.council, relayer, proposalId, {
      waitUntil: async (at) => await time.increaseTo(at),
    });
    const requested = eventIn(executed, suite.recovery, "RecoveryRequested");
    expect(requested[2]).to.equal(stalled.account.address);
    expect(requested[3]).to.equal(latestFinal);
    expect(requested[4]).to.equal(SNAPSHOT_CID);

    const kinds = await reportAndVerify(story, requested[0] as bigint, incidentId);
    for (const kind of ["GUARDIAN_PROPOSED", "GUARDIAN_APPROVED", "GUARDIAN_EXECUTED"]) {
      expect(kinds, kind).to.include(id(kind));
    }
  });

  it("Safe: a 2-of-3 Safe holding GUARDIAN_ROLE approves the resync, the late report is escalated then made, the audit trail verifies", async function () {
    const story = await networkHelpers.loadFixture(safeStoryFixture);
    const { suite, stalled, relayer, safeAddress, owners } = story;
    const incidentId = await stallUnanswered(story);
    expect(suite.guardian).to.equal(safeAddress);

    const call = directCallOf(
      { type: "Resync", validator: stalled.account.address, snapshotId: await suite.snapshots.latestFinal() },
      { recovery: await suite.recovery.getAddress() },
    );
    // One owner is not enough; two are.
    let refusal: unknown;
    try {
      await execSafeTransaction(safeAddress, call, [owners[0]], relayer);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).to.be.instanceOf(SafeTransactionError);
    expect((refusal as SafeTransactionError).code).to.equal("GS020");
    const executed = await execSafeTransaction(safeAddress, call, [owners[0], owners[2]], relayer);
    const requested = eventIn(executed, suite.recovery, "RecoveryRequested");
    expect(requested[2]).to.equal(stalled.account.address);

    // This time the orchestrator is late: past the report deadline anyone escalates the request to the
    // guardians, and the late report still closes it.
    const actionId = requested[0] as bigint;
    await time.increaseTo((requested[5] as bigint) + 1n);
    await expect(suite.recovery.connect(relayer).escalate(actionId))
      .to.emit(suite.recovery, "RemediationEscalated")
      .withArgs(actionId, stalled.account.address, relayer.address);
    const kinds = await reportAndVerify(story, actionId, incidentId, ActionStatus.Escalated);
    expect(kinds).to.include(id("REMEDIATION_ESCALATED"));
  });

  it("council: a guardian removed through the council's own path no longer counts toward M", async function () {
    const story = await networkHelpers.loadFixture(councilStoryFixture);
    const { suite, stalled, relayer } = story;
    const [g0, g1, g2, g3, g4] = suite.guardianSigners as unknown as [Signer, Signer, Signer, Signer, Signer];
    const removed = await g4.getAddress();
    const cid = "bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

    // A pending proposal with 2 of the 3 approvals, one of them the guardian about to be removed.
    const pending = await proposeAction(suite.council, g4, {
      type: "Reprovision",
      validator: stalled.account.address,
      configCid: cid,
    });
    await (await suite.council.connect(g3).approve(pending.proposalId)).wait();
    const lateSignature = await signApproval(suite.council, g4, pending.proposalId);

    // Remove g4 (3-of-4 afterwards) through a ChangeGuardians proposal, approved by 3 others, after its delay.
    const change = await proposeAction(suite.council, g0, {
      type: "ChangeGuardians",
      add: [],
      remove: [removed],
      threshold: 3,
    });
    await submitApprovals(
      suite.council,
      relayer,
      change.proposalId,
      await collectApprovals(suite.council, [g1, g2], change.proposalId),
    );
    await executeWhenReady(suite.council, relayer, change.proposalId, {
      waitUntil: async (at) => await time.increaseTo(at),
    });
    expect(await suite.council.isGuardian(removed)).to.equal(false);
    expect(await suite.council.threshold()).to.equal(3n);

    // The old approval is void: the pending proposal belongs to a past guardian epoch and cannot be completed.
    const [info] = await listProposals(suite.council, { limit: 1, states: ["Expired"] });
    expect(info?.id).to.equal(pending.proposalId);
    await expect(suite.council.connect(g0).approve(pending.proposalId))
      .to.be.revertedWithCustomError(suite.council, "GuardianCouncilWrongState")
      .withArgs(pending.proposalId, 6n);

    // Re-proposed in the new epoch, the removed guardian's signature does not count, and 2 approvals are not M.
    const again = await proposeAction(suite.council, g3, {
      type: "Reprovision",
      validator: stalled.account.address,
      configCid: cid,
    });
    await expect(
      suite.council.connect(relayer).approveBySig(again.proposalId, [lateSignature]),
    ).to.be.revertedWithCustomError(suite.council, "GuardianCouncilNotGuardian");
    await expect(suite.council.connect(g4).approve(again.proposalId))
      .to.be.revertedWithCustomError(suite.council, "GuardianCouncilNotGuardian")
      .withArgs(removed);
    await (await suite.council.connect(g0).approve(again.proposalId)).wait();
    expect(await suite.council.stateOf(again.proposalId)).to.equal(1n); // Collecting: 2 of 3
    await (await suite.council.connect(g1).approve(again.proposalId)).wait();
    expect(await suite.council.stateOf(again.proposalId)).to.equal(2n); // Queued
  });
});
