/**
 * Guardian tooling shared by the tasks, the agents and the simulation: encode a recovery action for the
 * GuardianCouncil (or as the direct RecoveryManager call a Safe or the timelock makes), propose it, approve it
 * on-chain or with EIP-712 signatures collected off-chain (`approveBySig`), execute it when it is ready, and
 * list proposals with their state.
 *
 * The approval is `Approval(uint256 proposalId,bytes32 actionHash,uint64 guardianEpoch)` under the council's
 * own domain, read on-chain (EIP-5267, `domainOf`); every signature is checked against the council's
 * `approvalDigest` before it is sent, and signatures go to the council sorted by ascending guardian address.
 */
import {
  AbiCoder,
  TypedDataEncoder,
  getAddress,
  keccak256,
  type ContractTransactionResponse,
  type Signer,
  type TransactionReceipt,
} from "ethers";

import type { GuardianCouncil } from "../../types/ethers-contracts/index.js";
import {
  IGuardianCouncil__factory,
  IRecoveryManager__factory,
  ISnapshotRegistry__factory,
  TimelockController__factory,
} from "../../types/ethers-contracts/index.js";
import { domainOf } from "./signing.js";

const abi = AbiCoder.defaultAbiCoder();

/** IGuardianCouncil.ActionType. */
export const ActionType = {
  Pause: 0,
  Unpause: 1,
  Resync: 2,
  Reprovision: 3,
  Forgive: 4,
  ForceReplace: 5,
  ApproveKeyRotation: 6,
  UpdateParameters: 7,
  ChangeGuardians: 8,
  AttestSnapshot: 9,
  CancelTimelockOperation: 10,
} as const;
export type ActionTypeName = keyof typeof ActionType;
export const ACTION_TYPE_NAMES = Object.keys(ActionType) as ActionTypeName[];

/** IGuardianCouncil.ProposalState. */
export const ProposalState = {
  Unknown: 0,
  Collecting: 1,
  Queued: 2,
  Ready: 3,
  Executed: 4,
  Vetoed: 5,
  Expired: 6,
} as const;
export type ProposalStateName = keyof typeof ProposalState;
const PROPOSAL_STATE_NAMES = Object.keys(ProposalState) as ProposalStateName[];

/** A council action, one variant per ActionType, with the arguments its `data` encodes. */
export type GuardianAction =
  | { type: "Pause"; duration: bigint }
  | { type: "Unpause" }
  | { type: "Resync"; validator: string; snapshotId: bigint }
  | { type: "Reprovision"; validator: string; configCid: string }
  | { type: "Forgive"; incidentId: bigint }
  | { type: "ForceReplace"; validator: string }
  | { type: "ApproveKeyRotation"; validator: string; newSigner: string }
  | { type: "UpdateParameters"; target: string; callData: string }
  | { type: "ChangeGuardians"; add: string[]; remove: string[]; threshold: number }
  | { type: "AttestSnapshot"; snapshotId: bigint }
  /** Cancels a queued TimelockController operation (an upgrade, ...); the council must hold its CANCELLER_ROLE. */
  | { type: "CancelTimelockOperation"; timelock: string; operationId: string };

export interface EncodedAction {
  actionType: number;
  data: string;
}

/** The council's `data` for an action (IGuardianCouncil.ActionType's encodings). */
export function encodeAction(action: GuardianAction): EncodedAction {
  const actionType = ActionType[action.type];
  switch (action.type) {
    case "Pause":
      return { actionType, data: abi.encode(["uint64"], [action.duration]) };
    case "Unpause":
      return { actionType, data: "0x" };
    case "Resync":
      return { actionType, data: abi.encode(["address", "uint256"], [action.validator, action.snapshotId]) };
    case "Reprovision":
      return { actionType, data: abi.encode(["address", "string"], [action.validator, action.configCid]) };
    case "Forgive":
      return { actionType, data: abi.encode(["uint256"], [action.incidentId]) };
    case "ForceReplace":
      return { actionType, data: abi.encode(["address"], [action.validator]) };
    case "ApproveKeyRotation":
      return { actionType, data: abi.encode(["address", "address"], [action.validator, action.newSigner]) };
    case "UpdateParameters":
      return { actionType, data: abi.encode(["address", "bytes"], [action.target, action.callData]) };
    case "ChangeGuardians":
      return {
        actionType,
        data: abi.encode(["address[]", "address[]", "uint16"], [action.add, action.remove, action.threshold]),
      };
    case "AttestSnapshot":
      return { actionType, data: abi.encode(["uint256"], [action.snapshotId]) };
    case "CancelTimelockOperation":
      return { actionType, data: abi.encode(["address", "bytes32"], [action.timelock, action.operationId]) };
  }
}

/** The inverse of `encodeAction`. Throws on an unknown action type or data that does not decode. */
export function decodeAction(actionType: number | bigint, data: string): GuardianAction {
  const type = ACTION_TYPE_NAMES[Number(actionType)];
  if (type === undefined) throw new Error(`unknown guardian action type ${actionType}`);
  switch (type) {
    case "Pause":
      return { type, duration: abi.decode(["uint64"], data)[0] as bigint };
    case "Unpause":
      return { type };
    case "Resync": {
      const [validator, snapshotId] = abi.decode(["address", "uint256"], data) as unknown as [string, bigint];
      return { type, validator, snapshotId };
    }
    case "Reprovision": {
      const [validator, configCid] = abi.decode(["address", "string"], data) as unknown as [string, string];
      return { type, validator, configCid };
    }
    case "Forgive":
      return { type, incidentId: abi.decode(["uint256"], data)[0] as bigint };
    case "ForceReplace":
      return { type, validator: abi.decode(["address"], data)[0] as string };
    case "ApproveKeyRotation": {
      const [validator, newSigner] = abi.decode(["address", "address"], data) as unknown as [string, string];
      return { type, validator, newSigner };
    }
    case "UpdateParameters": {
      const [target, callData] = abi.decode(["address", "bytes"], data) as unknown as [string, string];
      return { type, target, callData };
    }
    case "ChangeGuardians": {
      const [add, remove, threshold] = abi.decode(["address[]", "address[]", "uint16"], data) as unknown as [
        string[],
        string[],
        bigint,
      ];
      return { type, add: [...add], remove: [...remove], threshold: Number(threshold) };
    }
    case "AttestSnapshot":
      return { type, snapshotId: abi.decode(["uint256"], data)[0] as bigint };
    case "CancelTimelockOperation": {
      const [timelock, operationId] = abi.decode(["address", "bytes32"], data) as unknown as [string, string];
      return { type, timelock, operationId };
    }
  }
}

/** `keccak256(abi.encode(actionType, keccak256(data)))`: what an approval signs besides the id and epoch. */
export function actionHashOf(encoded: EncodedAction): string {
  return keccak256(abi.encode(["uint8", "bytes32"], [encoded.actionType, keccak256(encoded.data)]));
}

/** A call to send from a Safe or the timelock holding GUARDIAN_ROLE in place of the council. */
export interface DirectCall {
  to: string;
  data: string;
}

const recoveryInterface = IRecoveryManager__factory.createInterface();
const councilInterface = IGuardianCouncil__factory.createInterface();
const snapshotInterface = ISnapshotRegistry__factory.createInterface();
const timelockInterface = TimelockController__factory.createInterface();

/**
 * The RecoveryManager (or SnapshotRegistry) call a direct holder of GUARDIAN_ROLE makes for `action` — the
 * same call the council makes when it executes the proposal. ChangeGuardians has no direct form (it changes
 * the council itself).
 */
export function directCallOf(
  action: GuardianAction,
  targets: { recovery: string; snapshots?: string },
): DirectCall {
  const to = getAddress(targets.recovery);
  switch (action.type) {
    case "Pause":
      return { to, data: recoveryInterface.encodeFunctionData("pause", [action.duration]) };
    case "Unpause":
      return { to, data: recoveryInterface.encodeFunctionData("unpause") };
    case "Resync":
      return {
        to,
        data: recoveryInterface.encodeFunctionData("requestResync", [action.validator, action.snapshotId]),
      };
    case "Reprovision":
      return {
        to,
        data: recoveryInterface.encodeFunctionData("requestReprovision", [
          action.validator,
          action.configCid,
        ]),
      };
    case "Forgive":
      return { to, data: recoveryInterface.encodeFunctionData("forgive", [action.incidentId]) };
    case "ForceReplace":
      return { to, data: recoveryInterface.encodeFunctionData("forceReplace", [action.validator]) };
    case "ApproveKeyRotation":
      return {
        to,
        data: recoveryInterface.encodeFunctionData("approveKeyRotation", [
          action.validator,
          action.newSigner,
        ]),
      };
    case "UpdateParameters":
      return {
        to,
        data: recoveryInterface.encodeFunctionData("updateParameters", [action.target, action.callData]),
      };
    case "AttestSnapshot": {
      if (targets.snapshots === undefined)
        throw new Error("directCallOf: AttestSnapshot needs the snapshots address");
      return {
        to: getAddress(targets.snapshots),
        data: snapshotInterface.encodeFunctionData("attestAsGuardian", [action.snapshotId]),
      };
    }
    case "CancelTimelockOperation":
      // A direct holder of the timelock's CANCELLER_ROLE (the guardian Safe) calls the timelock itself.
      return {
        to: getAddress(action.timelock),
        data: timelockInterface.encodeFunctionData("cancel", [action.operationId]),
      };
    case "ChangeGuardians":
      throw new Error("directCallOf: ChangeGuardians only runs through the council's own execution path");
  }
}

async function mined(tx: Promise<ContractTransactionResponse>): Promise<TransactionReceipt> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("transaction was dropped");
  return receipt;
}

export interface Proposed {
  proposalId: bigint;
  receipt: TransactionReceipt;
}

/** Proposes `action` as `guardian` (its approval counts). Returns the new proposal's id. */
export async function proposeAction(
  council: GuardianCouncil,
  guardian: Signer,
  action: GuardianAction,
): Promise<Proposed> {
  const { actionType, data } = encodeAction(action);
  const receipt = await mined(council.connect(guardian).propose(actionType, data));
  const councilAddress = await council.getAddress();
  for (const log of receipt.logs) {
    if (getAddress(log.address) !== councilAddress) continue;
    const parsed = councilInterface.parseLog(log);
    if (parsed?.name === "ProposalCreated") return { proposalId: parsed.args[0] as bigint, receipt };
  }
  throw new Error("proposeAction: no ProposalCreated event in the receipt");
}

/** Approves on-chain as `guardian`. */
export async function approveProposal(
  council: GuardianCouncil,
  guardian: Signer,
  proposalId: bigint,
): Promise<TransactionReceipt> {
  return await mined(council.connect(guardian).approve(proposalId));
}

/** EIP-712 types of a guardian's approval. */
export const APPROVAL_TYPES = {
  Approval: [
    { name: "proposalId", type: "uint256" },
    { name: "actionHash", type: "bytes32" },
    { name: "guardianEpoch", type: "uint64" },
  ],
};

/** IGuardianCouncil.GuardianSignature. */
export interface GuardianSignatureInput {
  guardian: string;
  signature: string;
}

/** The message a guardian signs to approve `proposalId`, read from the council. */
export async function approvalMessage(
  council: GuardianCouncil,
  proposalId: bigint,
): Promise<{ proposalId: bigint; actionHash: string; guardianEpoch: bigint }> {
  const p = await council.proposal(proposalId);
  return {
    proposalId,
    actionHash: actionHashOf({ actionType: Number(p.actionType), data: p.data }),
    guardianEpoch: p.guardianEpoch,
  };
}

/**
 * `guardian`'s off-chain approval of `proposalId` (EOA guardians; a contract guardian's EIP-1271 signature is
 * made by that contract's own tooling). The digest is checked against the council's `approvalDigest`.
 */
export async function signApproval(
  council: GuardianCouncil,
  guardian: Signer,
  proposalId: bigint,
): Promise<GuardianSignatureInput> {
  const domain = await domainOf(council);
  const message = await approvalMessage(council, proposalId);
  const digest = TypedDataEncoder.hash(domain, APPROVAL_TYPES, message);
  const onChain = await council.approvalDigest(proposalId);
  if (digest !== onChain) {
    throw new Error(`signApproval: computed digest ${digest} differs from the council's ${onChain}`);
  }
  const signature = await guardian.signTypedData(domain, APPROVAL_TYPES, message);
  return { guardian: getAddress(await guardian.getAddress()), signature };
}

/** Signatures sorted by strictly ascending guardian address, as `approveBySig` requires. Throws on duplicates. */
export function sortSignatures(signatures: readonly GuardianSignatureInput[]): GuardianSignatureInput[] {
  const sorted = [...signatures].sort((a, b) => {
    const x = BigInt(a.guardian);
    const y = BigInt(b.guardian);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  for (let i = 1; i < sorted.length; i++) {
    if (BigInt(sorted[i]!.guardian) === BigInt(sorted[i - 1]!.guardian)) {
      throw new Error(`sortSignatures: two signatures from ${sorted[i]!.guardian}`);
    }
  }
  return sorted;
}

/** Each guardian signs `proposalId`'s approval off-chain; returned sorted for `approveBySig`. */
export async function collectApprovals(
  council: GuardianCouncil,
  guardians: readonly Signer[],
  proposalId: bigint,
): Promise<GuardianSignatureInput[]> {
  const signatures: GuardianSignatureInput[] = [];
  for (const guardian of guardians) signatures.push(await signApproval(council, guardian, proposalId));
  return sortSignatures(signatures);
}

/** Submits collected approvals (sorted here) with `approveBySig`, from any account. */
export async function submitApprovals(
  council: GuardianCouncil,
  submitter: Signer,
  proposalId: bigint,
  signatures: readonly GuardianSignatureInput[],
): Promise<TransactionReceipt> {
  return await mined(council.connect(submitter).approveBySig(proposalId, sortSignatures(signatures)));
}

/** Thrown by `executeWhenReady` when the proposal is not (and cannot be made) Ready. */
export class ProposalNotReadyError extends Error {
  constructor(
    readonly proposalId: bigint,
    readonly state: ProposalStateName,
    readonly executableAt: bigint,
  ) {
    super(
      `proposal ${proposalId} is ${state}` + (executableAt > 0n ? ` (executable at ${executableAt})` : ""),
    );
    this.name = "ProposalNotReadyError";
  }
}

export interface ExecuteOptions {
  /**
   * Called with the proposal's `executableAt` when it is Queued, to wait until then (tests pass
   * `time.increaseTo`; an agent sleeps). Without it a Queued proposal throws ProposalNotReadyError.
   */
  waitUntil?: (timestamp: bigint) => Promise<void>;
}

/** Executes `proposalId` once Ready (waiting through its delay with `waitUntil` if given), from any account. */
export async function executeWhenReady(
  council: GuardianCouncil,
  executor: Signer,
  proposalId: bigint,
  options: ExecuteOptions = {},
): Promise<TransactionReceipt> {
  let state = PROPOSAL_STATE_NAMES[Number(await council.stateOf(proposalId))] ?? "Unknown";
  if (state === "Queued" && options.waitUntil !== undefined) {
    await options.waitUntil(await council.executableAt(proposalId));
    state = PROPOSAL_STATE_NAMES[Number(await council.stateOf(proposalId))] ?? "Unknown";
  }
  if (state !== "Ready") {
    throw new ProposalNotReadyError(proposalId, state, await council.executableAt(proposalId));
  }
  return await mined(council.connect(executor).execute(proposalId));
}

/** A proposal with its derived state and decoded action. */
export interface ProposalInfo {
  id: bigint;
  state: ProposalStateName;
  action: GuardianAction;
  actionType: ActionTypeName;
  data: string;
  proposer: string;
  guardianEpoch: bigint;
  approvals: number;
  proposedAt: bigint;
  queuedAt: bigint;
  expiresAt: bigint;
  /** 0 while Collecting. */
  executableAt: bigint;
}

/** One proposal's info. */
export async function proposalInfo(council: GuardianCouncil, proposalId: bigint): Promise<ProposalInfo> {
  const [p, state, executableAt] = await Promise.all([
    council.proposal(proposalId),
    council.stateOf(proposalId),
    council.executableAt(proposalId),
  ]);
  const actionType = ACTION_TYPE_NAMES[Number(p.actionType)];
  if (actionType === undefined)
    throw new Error(`proposal ${proposalId} has unknown action type ${p.actionType}`);
  return {
    id: proposalId,
    state: PROPOSAL_STATE_NAMES[Number(state)] ?? "Unknown",
    action: decodeAction(p.actionType, p.data),
    actionType,
    data: p.data,
    proposer: p.proposer,
    guardianEpoch: p.guardianEpoch,
    approvals: Number(p.approvals),
    proposedAt: p.proposedAt,
    queuedAt: p.queuedAt,
    expiresAt: p.expiresAt,
    executableAt,
  };
}

export interface ListProposalsOptions {
  /** Only these states. */
  states?: readonly ProposalStateName[];
  /** At most this many, newest first (default 50). */
  limit?: number;
  /** Reads at most this many proposals, newest first (default 500), so a filter cannot scan forever. */
  maxScan?: number;
}

/** The newest proposals (up to `limit`), newest first, optionally filtered by state. */
export async function listProposals(
  council: GuardianCouncil,
  options: ListProposalsOptions = {},
): Promise<ProposalInfo[]> {
  const limit = options.limit ?? 50;
  const count = await council.proposalCount();
  const oldest = count - BigInt(options.maxScan ?? 500) + 1n;
  const result: ProposalInfo[] = [];
  for (let id = count; id >= 1n && id >= oldest && result.length < limit; id--) {
    const info = await proposalInfo(council, id);
    if (options.states === undefined || options.states.includes(info.state)) result.push(info);
  }
  return result;
}
