/**
 * EIP-712 signing of healnet's off-chain messages: relayed heartbeats (NodeHealth) and consensus votes
 * (SelfHealingValidatorSet, for double-sign evidence). The domains are read from the contracts (EIP-5267
 * `eip712Domain()`), so a signature always matches the contract it is meant for.
 */
import { Contract, Signature, type BaseContract, type TypedDataDomain, type Wallet } from "ethers";

import type { HealthReportInput } from "./fleet.js";

export const HEARTBEAT_TYPES = {
  Heartbeat: [
    { name: "validator", type: "address" },
    { name: "signerEpoch", type: "uint64" },
    { name: "timestamp", type: "uint64" },
    { name: "blockHeight", type: "uint64" },
    { name: "blockHash", type: "bytes32" },
    { name: "peerCount", type: "uint16" },
    { name: "latencyMs", type: "uint32" },
    { name: "diskUsedBps", type: "uint16" },
    { name: "clientVersionHash", type: "bytes32" },
  ],
};

export const VOTE_TYPES = {
  Vote: [
    { name: "height", type: "uint64" },
    { name: "round", type: "uint32" },
    { name: "blockHash", type: "bytes32" },
  ],
};

export interface SignedHeartbeatInput {
  validator: string;
  signerEpoch: bigint;
  timestamp: bigint;
  report: HealthReportInput;
  r: string;
  vs: string;
}

export interface VoteInput {
  height: bigint;
  round: number;
  blockHash: string;
  r: string;
  vs: string;
}

const EIP5267_ABI = [
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)",
];

/**
 * The contract's EIP-712 domain, read on-chain (EIP-5267). Works with any contract object, including one
 * typed by an interface that does not declare `eip712Domain` (INodeHealth, IValidatorSet).
 */
export async function domainOf(contract: BaseContract): Promise<TypedDataDomain> {
  const reader = new Contract(await contract.getAddress(), EIP5267_ABI, contract.runner);
  const [, name, version, chainId, verifyingContract] = (await reader.getFunction("eip712Domain")()) as [
    string,
    string,
    string,
    bigint,
    string,
  ];
  return { name, version, chainId, verifyingContract };
}

/** Signs a heartbeat for `validator` with its signer key, as a relayer submits it to `heartbeatBatch`. */
export async function signHeartbeat(
  signer: Wallet,
  domain: TypedDataDomain,
  message: { validator: string; signerEpoch: bigint; timestamp: bigint; report: HealthReportInput },
): Promise<SignedHeartbeatInput> {
  const { report } = message;
  const signature = await signer.signTypedData(domain, HEARTBEAT_TYPES, {
    validator: message.validator,
    signerEpoch: message.signerEpoch,
    timestamp: message.timestamp,
    blockHeight: report.blockHeight,
    blockHash: report.blockHash,
    peerCount: report.peerCount,
    latencyMs: report.latencyMs,
    diskUsedBps: report.diskUsedBps,
    clientVersionHash: report.clientVersionHash,
  });
  const { r, yParityAndS } = Signature.from(signature);
  return { ...message, r, vs: yParityAndS };
}

/** Signs a consensus vote with a validator's signer key. */
export async function signVote(
  signer: Wallet,
  domain: TypedDataDomain,
  vote: { height: bigint; round: number; blockHash: string },
): Promise<VoteInput> {
  const signature = await signer.signTypedData(domain, VOTE_TYPES, vote);
  const { r, yParityAndS } = Signature.from(signature);
  return { ...vote, r, vs: yParityAndS };
}
