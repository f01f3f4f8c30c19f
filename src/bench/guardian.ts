/**
 * Guardian and audit rows of `npm run bench` (issue 4's Performance section), measured as real transactions
 * (receipt gasUsed, including the 21,000 base and the proxy) on one `deploySuite` deployment:
 *
 * - `guardian/propose` (a Resync proposal; the proposer's approval is counted in it), `guardian/approve` (an
 *   approval that does not reach M) and `guardian/approve/reachesThreshold` (the M-th, which queues it);
 * - `guardian/approveBySig/perSignature` (gas of `approveBySig` with k signatures ÷ k, items = k) and
 *   `guardian/approveBySig/marginal` (the extra gas of each signature past the first);
 * - `guardian/execute/<action>` for every council action type;
 * - `audit/append` at log lengths 1 and 10,000 (items = the length before the append) on a real AuditLog
 *   grown with AuditLogFiller; the two must be equal up to `AUDIT_APPEND_TOLERANCE` gas (O(1)).
 *
 * These rows are not part of the committed core gas snapshot (`runBench`); `backups` is 0 in all of them.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { Wallet, ZeroAddress, ZeroHash, id, type ContractTransactionResponse, type Signer } from "ethers";

import { ROLES, deploySuite, type Suite } from "../suite/deploy.js";
import { createOperators, heartbeatAll, type Operator } from "../suite/fleet.js";
import {
  ACTION_TYPE_NAMES,
  approveProposal,
  collectApprovals,
  encodeAction,
  proposeAction,
  submitApprovals,
  type ActionTypeName,
  type GuardianAction,
} from "../suite/guardians.js";
import { withParameters } from "../suite/parameters.js";
import type { BenchRow } from "./report.js";

/** Largest difference, in gas, between `audit/append` at lengths 1 and 10,000 still counted as O(1). */
export const AUDIT_APPEND_TOLERANCE = 100;
export const AUDIT_LENGTHS = [1, 10_000] as const;
/** approveBySig signature counts (the council has 10 guardians and M = 10, so none of them reaches M). */
export const SIGNATURE_COUNTS = [1, 4, 8] as const;
const FILL_CHUNK = 1_000;
/** Longer than every council delay the bench waits through, so the queued operation is still pending. */
const TIMELOCK_DELAY = 30 * 86_400;

const TOKEN = 10n ** 18n;
const ACTIVE = 5;
const BACKUPS = 3;
const CONFIG_CID = "bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
const SNAPSHOT_CID = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("bench: a transaction was dropped");
  return Number(receipt.gasUsed);
}

function row(operation: string, items: number, gas: number, note: string): BenchRow {
  return { operation, backups: 0, items, gas, note };
}

/** Moves the chain's clock forward by `seconds` and mines a block. */
async function advance(ethers: HardhatEthers, seconds: number): Promise<void> {
  await ethers.provider.send("evm_increaseTime", [seconds]);
  await ethers.provider.send("evm_mine", []);
}

/** Proposes a snapshot of a recent block, attested by `attesters`. */
async function proposeSnapshot(
  ethers: HardhatEthers,
  suite: Suite,
  attesters: readonly Operator[],
  heightBack: number,
): Promise<bigint> {
  const provider = ethers.provider;
  const block = await provider.getBlock((await provider.getBlockNumber()) - heightBack);
  if (block === null || block.hash === null) throw new Error("bench: no block to snapshot");
  const { snapshots } = suite;
  await (
    await suite.token.approve(await snapshots.getAddress(), suite.parameters.snapshots.proposalBond)
  ).wait();
  await (
    await snapshots.propose(
      block.number,
      block.hash,
      id(`root ${block.number}`),
      id("file"),
      SNAPSHOT_CID,
      1n << 30n,
    )
  ).wait();
  const snapshotId = await snapshots.snapshotCount();
  for (const op of attesters) await (await snapshots.connect(op.account).attest(snapshotId)).wait();
  return snapshotId;
}

/** `guardian/*` rows except approveBySig. */
async function measureCouncil(ethers: HardhatEthers, log: (m: string) => void): Promise<BenchRow[]> {
  log("guardian bench: deploying the suite, 5 active validators and 3 backups…");
  const suite = await deploySuite(ethers, {
    parameters: withParameters({ set: { maxActive: ACTIVE, minActive: 3 } }),
  });
  const { council, set, health, recovery } = suite;
  const [g0, g1, g2] = suite.guardianSigners as unknown as [Signer, Signer, Signer];
  const stakes = Array.from({ length: ACTIVE + BACKUPS }, (_, i) => (20_000n - 1_000n * BigInt(i)) * TOKEN);
  const operators = await createOperators(ethers, suite, stakes, "healnet-bench-guardian");
  await heartbeatAll(suite, operators);
  await (await set.fillVacancies(ACTIVE)).wait();
  const actives = operators.slice(0, ACTIVE);
  await ethers.provider.send("hardhat_mine", ["0x20"]);

  // A final snapshot (Resync), a proposed one (AttestSnapshot).
  const finalId = await proposeSnapshot(ethers, suite, actives, 10);
  await advance(ethers, suite.parameters.snapshots.challengeWindow + 1);
  await heartbeatAll(suite, operators);
  await (await suite.snapshots.finalize(finalId)).wait();
  const openId = await proposeSnapshot(ethers, suite, [], 5);

  // A pending downtime slash (Forgive): the last active validator goes silent and is replaced.
  const silent = actives[ACTIVE - 1]!;
  const { heartbeatInterval, gracePeriod } = suite.parameters.health;
  const others = operators.filter((op) => op !== silent);
  for (let waited = 0; waited <= heartbeatInterval + gracePeriod; waited += heartbeatInterval) {
    await advance(ethers, heartbeatInterval);
    await heartbeatAll(suite, others);
  }
  const incidentId = await set.checkHeartbeat.staticCall(silent.account.address);
  await (await set.checkHeartbeat(silent.account.address)).wait();

  // A key-rotation request (ApproveKeyRotation).
  const rotating = actives[1]!;
  const newSigner = Wallet.createRandom().address;
  await (await recovery.connect(rotating.account).requestKeyRotation(newSigner)).wait();

  // A queued timelock operation (CancelTimelockOperation): a timelock where the council is a canceller.
  const timelock = await ethers.deployContract("TimelockController", [
    TIMELOCK_DELAY,
    [suite.admin.address],
    [ZeroAddress],
    suite.admin.address,
  ]);
  await timelock.waitForDeployment();
  await (await timelock.grantRole(ROLES.CANCELLER_ROLE, await council.getAddress())).wait();
  const queuedCall = health.interface.encodeFunctionData("setParameters", [suite.parameters.health]);
  const healthAddress = await health.getAddress();
  await (await timelock.schedule(healthAddress, 0n, queuedCall, ZeroHash, ZeroHash, TIMELOCK_DELAY)).wait();
  const operationId = await timelock.hashOperation(healthAddress, 0n, queuedCall, ZeroHash, ZeroHash);

  const newGuardian = Wallet.createRandom().address;
  const actions: Record<ActionTypeName, GuardianAction> = {
    Resync: { type: "Resync", validator: actives[0]!.account.address, snapshotId: finalId },
    Reprovision: { type: "Reprovision", validator: actives[0]!.account.address, configCid: CONFIG_CID },
    Forgive: { type: "Forgive", incidentId },
    ForceReplace: { type: "ForceReplace", validator: actives[2]!.account.address },
    ApproveKeyRotation: { type: "ApproveKeyRotation", validator: rotating.account.address, newSigner },
    AttestSnapshot: { type: "AttestSnapshot", snapshotId: openId },
    UpdateParameters: {
      type: "UpdateParameters",
      target: await health.getAddress(),
      callData: health.interface.encodeFunctionData("setParameters", [suite.parameters.health]),
    },
    Pause: { type: "Pause", duration: 3_600n },
    Unpause: { type: "Unpause" },
    ChangeGuardians: { type: "ChangeGuardians", add: [newGuardian], remove: [], threshold: 3 },
    CancelTimelockOperation: {
      type: "CancelTimelockOperation",
      timelock: await timelock.getAddress(),
      operationId,
    },
  };

  const rows: BenchRow[] = [];
  const ids = new Map<ActionTypeName, bigint>();
  for (const name of ACTION_TYPE_NAMES) {
    const action = actions[name];
    const { proposalId, receipt } = await proposeAction(council, g0, action);
    ids.set(name, proposalId);
    const first = await approveProposal(council, g1, proposalId);
    const reaching = await approveProposal(council, g2, proposalId);
    if (name === "Resync") {
      const bytes = (encodeAction(action).data.length - 2) / 2;
      rows.push(
        row("guardian/propose", 1, Number(receipt.gasUsed), `a Resync proposal (${bytes} bytes of data)`),
      );
      rows.push(row("guardian/approve", 1, Number(first.gasUsed), "approve that does not reach M"));
      rows.push(
        row(
          "guardian/approve/reachesThreshold",
          1,
          Number(reaching.gasUsed),
          "the M-th approve, which queues it",
        ),
      );
    }
  }

  const execute = async (name: ActionTypeName): Promise<void> => {
    const gas = await gasOf(council.execute(ids.get(name)!));
    rows.push(row(`guardian/execute/${name}`, 1, gas, `execute() of a Ready ${name} proposal`));
  };
  log("guardian bench: executing every action type…");
  await advance(ethers, suite.parameters.council.operationalDelay);
  await heartbeatAll(suite, others); // backups must be ready for ForceReplace
  for (const name of [
    "Resync",
    "Reprovision",
    "Forgive",
    "ForceReplace",
    "ApproveKeyRotation",
    "AttestSnapshot",
  ] as const) {
    await execute(name);
  }
  await advance(ethers, suite.parameters.council.governanceDelay);
  await execute("UpdateParameters");
  await execute("Pause");
  await execute("Unpause");
  await execute("CancelTimelockOperation");
  await execute("ChangeGuardians");
  return rows;
}

/** `guardian/approveBySig/*`: a 10-of-10 council, so that no measured call reaches M. */
async function measureApproveBySig(ethers: HardhatEthers, log: (m: string) => void): Promise<BenchRow[]> {
  log("guardian bench: approveBySig with 1, 4 and 8 signatures…");
  const signers = await ethers.getSigners();
  const guardians = signers.slice(1, 11);
  if (guardians.length < 10) throw new Error("bench: approveBySig needs 11 accounts");
  const suite = await deploySuite(ethers, { guardians, threshold: 10 });
  const relayer: HardhatEthersSigner = signers[0]!;
  const [proposer, ...others] = guardians as [HardhatEthersSigner, ...HardhatEthersSigner[]];
  const gasAt = new Map<number, number>();
  for (const k of SIGNATURE_COUNTS) {
    const { proposalId } = await proposeAction(suite.council, proposer, {
      type: "Pause",
      duration: BigInt(3_600 + k),
    });
    const signatures = await collectApprovals(suite.council, others.slice(0, k), proposalId);
    const receipt = await submitApprovals(suite.council, relayer, proposalId, signatures);
    gasAt.set(k, Number(receipt.gasUsed));
  }
  const rows = SIGNATURE_COUNTS.map((k) =>
    row(
      "guardian/approveBySig/perSignature",
      k,
      Math.round(gasAt.get(k)! / k),
      `approveBySig gas with ${k} signature(s) ÷ ${k} (the 21,000 base and calldata spread over them)`,
    ),
  );
  const kMin = SIGNATURE_COUNTS[0];
  const kMax = SIGNATURE_COUNTS[SIGNATURE_COUNTS.length - 1]!;
  rows.push(
    row(
      "guardian/approveBySig/marginal",
      kMax,
      Math.round((gasAt.get(kMax)! - gasAt.get(kMin)!) / (kMax - kMin)),
      `marginal gas per signature: (gas with ${kMax} − gas with ${kMin}) ÷ ${kMax - kMin}`,
    ),
  );
  return rows;
}

/** `audit/append` at lengths 1 and 10,000 on a fresh, real AuditLog behind a proxy. */
async function measureAuditAppend(ethers: HardhatEthers, log: (m: string) => void): Promise<BenchRow[]> {
  const [admin] = await ethers.getSigners();
  if (admin === undefined) throw new Error("bench: no accounts");
  const implementation = await ethers.deployContract("AuditLog", [], admin);
  await implementation.waitForDeployment();
  const proxy = await ethers.deployContract(
    "ERC1967Proxy",
    [
      await implementation.getAddress(),
      implementation.interface.encodeFunctionData("initialize", [admin.address]),
    ],
    admin,
  );
  await proxy.waitForDeployment();
  const audit = await ethers.getContractAt("AuditLog", await proxy.getAddress(), admin);
  const filler = await ethers.deployContract("AuditLogFiller", [], admin);
  await filler.waitForDeployment();
  await (await audit.grantRole(ROLES.APPENDER_ROLE, admin.address)).wait();
  await (await audit.grantRole(ROLES.APPENDER_ROLE, await filler.getAddress())).wait();

  const append = () => audit.append(id("BENCH"), admin.address, admin.address, 7n, id("details"));
  const rows: BenchRow[] = [];
  for (const length of AUDIT_LENGTHS) {
    const current = Number(await audit.auditLength());
    if (current === 0) await (await append()).wait();
    let remaining = length - Number(await audit.auditLength());
    if (remaining > 0) log(`audit bench: filling the log to ${length.toLocaleString("en-US")} entries…`);
    while (remaining > 0) {
      const chunk = Math.min(FILL_CHUNK, remaining);
      await (await filler.fill(await audit.getAddress(), chunk)).wait();
      remaining -= chunk;
    }
    if ((await audit.auditLength()) !== BigInt(length)) throw new Error(`bench: the log is not at ${length}`);
    rows.push(
      row(
        "audit/append",
        length,
        await gasOf(append()),
        `append to a log of ${length.toLocaleString("en-US")} entries`,
      ),
    );
  }
  return rows;
}

/** Every guardian and audit row. */
export async function runGuardianBench(ethers: HardhatEthers, log: (m: string) => void): Promise<BenchRow[]> {
  return [
    ...(await measureCouncil(ethers, log)),
    ...(await measureApproveBySig(ethers, log)),
    ...(await measureAuditAppend(ethers, log)),
  ];
}

/** The O(1) check of the audit append; each miss is a sentence. */
export function checkGuardianTargets(rows: readonly BenchRow[]): string[] {
  const at = (n: number) => rows.find((r) => r.operation === "audit/append" && r.items === n)?.gas;
  const short = at(AUDIT_LENGTHS[0]);
  const long = at(AUDIT_LENGTHS[1]);
  if (short === undefined || long === undefined) return ["audit/append: not measured at both lengths"];
  if (Math.abs(long - short) > AUDIT_APPEND_TOLERANCE) {
    return [
      `audit/append at 10,000 entries: ${long} vs ${short} at 1 (differs by more than ${AUDIT_APPEND_TOLERANCE})`,
    ];
  }
  return [];
}
