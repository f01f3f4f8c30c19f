/**
 * Verifies the AuditLog's hash chain from its events alone (docs/contracts/AuditLog.md):
 *
 *   entryHash = keccak256(abi.encode(index, kind, actor, subject, refId, dataHash, timestamp, source))
 *   head      = keccak256(abi.encode(head, entryHash))          // head starts at 0
 *
 * Events are read with `getLogs` in bounded block ranges (`maxBlockRange`, halved on an RPC refusal), each
 * entry is recomputed and folded, and the result is compared with `auditHead()` / `auditLength()` read at the
 * same block. A verification can resume from a checkpoint (`startIndex`, `startHead`, `fromBlock`).
 */
import { AbiCoder, ZeroHash, keccak256, type BlockTag } from "ethers";

import type { AuditLog } from "../../types/ethers-contracts/index.js";

const abi = AbiCoder.defaultAbiCoder();

/** One `AuditEntryAppended` event. */
export interface AuditEntry {
  index: bigint;
  kind: string;
  actor: string;
  subject: string;
  refId: bigint;
  dataHash: string;
  timestamp: bigint;
  source: string;
  /** As emitted. */
  entryHash: string;
  /** As emitted. */
  head: string;
  blockNumber: number;
  logIndex: number;
  transactionHash: string;
}

/** The entry hash the log computes from an entry's fields. */
export function computeEntryHash(
  entry: Omit<AuditEntry, "entryHash" | "head" | "blockNumber" | "logIndex" | "transactionHash">,
): string {
  return keccak256(
    abi.encode(
      ["uint256", "bytes32", "address", "address", "uint256", "bytes32", "uint64", "address"],
      [
        entry.index,
        entry.kind,
        entry.actor,
        entry.subject,
        entry.refId,
        entry.dataHash,
        entry.timestamp,
        entry.source,
      ],
    ),
  );
}

/** One fold step: `keccak256(abi.encode(head, entryHash))`. */
export function foldHead(head: string, entryHash: string): string {
  return keccak256(abi.encode(["bytes32", "bytes32"], [head, entryHash]));
}

export interface ReadAuditOptions {
  /** First block to read (default 0; pass the log's deployment block, or a checkpoint's block). */
  fromBlock?: number;
  /** Last block to read (default: the latest block when the call starts). */
  toBlock?: number;
  /** Most blocks per `getLogs` call (default 5,000). A refused range is split in halves, down to one block. */
  maxBlockRange?: number;
}

export const DEFAULT_MAX_BLOCK_RANGE = 5_000;

/** The log's entries in [fromBlock, toBlock], in chain order, read in bounded ranges. */
export async function readAuditEntries(
  audit: AuditLog,
  options: ReadAuditOptions = {},
): Promise<AuditEntry[]> {
  const fromBlock = options.fromBlock ?? 0;
  const toBlock = options.toBlock ?? (await latestBlock(audit));
  const maxRange = options.maxBlockRange ?? DEFAULT_MAX_BLOCK_RANGE;
  if (!Number.isInteger(maxRange) || maxRange < 1)
    throw new Error(`maxBlockRange must be >= 1, got ${maxRange}`);
  const entries: AuditEntry[] = [];
  for (let start = fromBlock; start <= toBlock; start += maxRange) {
    const end = Math.min(start + maxRange - 1, toBlock);
    entries.push(...(await readRange(audit, start, end)));
  }
  return entries.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
}

async function latestBlock(audit: AuditLog): Promise<number> {
  const provider = audit.runner?.provider;
  if (provider == null) throw new Error("the AuditLog contract has no provider");
  return await provider.getBlockNumber();
}

/** Reads [from, to]; if the node refuses the range, reads its halves (depth ≤ log2 of the range). */
async function readRange(audit: AuditLog, from: number, to: number): Promise<AuditEntry[]> {
  let events;
  try {
    events = await audit.queryFilter(audit.filters.AuditEntryAppended(), from, to);
  } catch (error) {
    if (to <= from) throw error;
    const mid = from + Math.floor((to - from) / 2);
    return [...(await readRange(audit, from, mid)), ...(await readRange(audit, mid + 1, to))];
  }
  return events.map((e) => ({
    index: e.args.index,
    kind: e.args.kind,
    actor: e.args.actor,
    subject: e.args.subject,
    refId: e.args.refId,
    dataHash: e.args.dataHash,
    timestamp: e.args.timestamp,
    source: e.args.source,
    entryHash: e.args.entryHash,
    head: e.args.head,
    blockNumber: e.blockNumber,
    logIndex: e.index,
    transactionHash: e.transactionHash,
  }));
}

export interface VerifyAuditOptions extends ReadAuditOptions {
  /** Index of the first entry expected in the range (default 0: the range starts at the log's beginning). */
  startIndex?: bigint;
  /** Head before that entry (default zero, the empty log's head). */
  startHead?: string;
}

export interface AuditVerification {
  /** The recomputed chain matches every event and `auditHead()` / `auditLength()` at `toBlock`. */
  ok: boolean;
  /** `auditLength()` at `toBlock`. */
  length: bigint;
  /** `auditHead()` at `toBlock`. */
  head: string;
  /** The fold of the events read (from `startHead`). */
  recomputedHead: string;
  /** `startIndex` + the number of events read. */
  recomputedLength: bigint;
  /** The block the on-chain values were read at. */
  toBlock: number;
  /** The first index where the events and the chain disagree (a gap, a bad entry hash, a bad head, a missing tail). */
  firstMismatchIndex?: bigint;
  /** Why it is not ok. */
  reason?: string;
}

/**
 * Recomputes the AuditLog head from its `AuditEntryAppended` events and compares it with the contract.
 * Not ok if an event's index is not the next one (a gap, or a wrong `startIndex`), an event's entry hash or
 * head does not match its fields and the running fold (a wrong `startHead`), or the fold ends short of or
 * differs from `auditLength()` / `auditHead()` (a truncated range).
 */
export async function verifyAuditTrail(
  audit: AuditLog,
  options: VerifyAuditOptions = {},
): Promise<AuditVerification> {
  const toBlock = options.toBlock ?? (await latestBlock(audit));
  const blockTag: BlockTag = toBlock;
  const [length, head] = await Promise.all([audit.auditLength({ blockTag }), audit.auditHead({ blockTag })]);
  const entries = await readAuditEntries(audit, { ...options, toBlock });

  const startIndex = options.startIndex ?? 0n;
  let recomputedHead = options.startHead ?? ZeroHash;
  let expected = startIndex;
  const result = (firstMismatchIndex: bigint | undefined, reason: string | undefined): AuditVerification => ({
    ok: firstMismatchIndex === undefined && reason === undefined,
    length,
    head,
    recomputedHead,
    recomputedLength: expected,
    toBlock,
    ...(firstMismatchIndex === undefined ? {} : { firstMismatchIndex }),
    ...(reason === undefined ? {} : { reason }),
  });

  for (const entry of entries) {
    if (entry.index !== expected) {
      return result(
        expected,
        `expected entry ${expected}, found entry ${entry.index} (block ${entry.blockNumber})`,
      );
    }
    const entryHash = computeEntryHash(entry);
    if (entryHash !== entry.entryHash) {
      return result(
        expected,
        `entry ${expected}: its fields hash to ${entryHash}, the event says ${entry.entryHash}`,
      );
    }
    recomputedHead = foldHead(recomputedHead, entryHash);
    if (recomputedHead !== entry.head) {
      return result(
        expected,
        `entry ${expected}: the fold gives head ${recomputedHead}, the event says ${entry.head}`,
      );
    }
    expected += 1n;
  }
  if (expected < length) {
    return result(expected, `the events end at entry ${expected}, the log has ${length} entries`);
  }
  if (expected > length) return result(length, `read ${expected} entries, the log has ${length}`);
  if (recomputedHead !== head)
    return result(length, `recomputed head ${recomputedHead} != auditHead() ${head}`);
  return result(undefined, undefined);
}
