/**
 * Batches and their step commitments, as StateCommitmentChain computes them: step `i` is
 * `keccak256(abi.encode(preRoot_i, keccak256(abi.encode(tx_i)), postRoot_i))`, the steps root is a plain keccak
 * Merkle tree over the steps zero-padded to a power of two, and `txBatchHash = keccak256(abi.encode(txs))`.
 */
import { AbiCoder, ZeroHash, concat, keccak256 } from "ethers";

import { TRANSFER_TUPLE, transferHash, type Ledger, type StepResult, type Transfer } from "./ledger.js";

const abi = AbiCoder.defaultAbiCoder();

export function stepLeaf(preRoot: string, tx: Transfer, postRoot: string): string {
  return keccak256(abi.encode(["bytes32", "bytes32", "bytes32"], [preRoot, transferHash(tx), postRoot]));
}

export function txBatchHash(txs: readonly Transfer[]): string {
  return keccak256(abi.encode([`${TRANSFER_TUPLE}[]`], [txs]));
}

/** The levels of the steps tree, leaves first (padded with zero to a power of two). */
function stepLevels(
  prevStateRoot: string,
  txs: readonly Transfer[],
  postRoots: readonly string[],
): string[][] {
  let width = 1;
  while (width < txs.length) width *= 2;
  const leaves: string[] = Array.from({ length: width }, () => ZeroHash);
  let pre = prevStateRoot;
  txs.forEach((tx, i) => {
    leaves[i] = stepLeaf(pre, tx, postRoots[i]!);
    pre = postRoots[i]!;
  });
  const levels = [leaves];
  while (levels[levels.length - 1]!.length > 1) {
    const below = levels[levels.length - 1]!;
    const above: string[] = [];
    for (let i = 0; i < below.length; i += 2) above.push(keccak256(concat([below[i]!, below[i + 1]!])));
    levels.push(above);
  }
  return levels;
}

export function stepsRoot(
  prevStateRoot: string,
  txs: readonly Transfer[],
  postRoots: readonly string[],
): string {
  const levels = stepLevels(prevStateRoot, txs, postRoots);
  return levels[levels.length - 1]![0]!;
}

/** The Merkle proof of step `step` in the steps root (leaf level up). */
export function stepProof(
  prevStateRoot: string,
  txs: readonly Transfer[],
  postRoots: readonly string[],
  step: number,
): string[] {
  const levels = stepLevels(prevStateRoot, txs, postRoots);
  const siblings: string[] = [];
  let i = step;
  for (let level = 0; level < levels.length - 1; level++) {
    siblings.push(levels[level]![i ^ 1]!);
    i >>= 1;
  }
  return siblings;
}

export interface Batch {
  prevStateRoot: string;
  txs: Transfer[];
  postRoots: string[];
  steps: StepResult[];
}

/**
 * Applies `txs` to `ledger` (mutating it) and returns the batch. `corrupt(i, root)` may replace the post-root
 * the batch claims for step `i` (a byzantine proposer); the ledger itself always holds the true state, so a
 * corrupted batch's claimed roots diverge from the ledger's.
 */
export function buildBatch(
  ledger: Ledger,
  txs: readonly Transfer[],
  corrupt?: (step: number, root: string) => string,
): Batch {
  const prevStateRoot = ledger.root;
  const steps = txs.map((tx) => ledger.apply(tx));
  const postRoots = steps.map((s, i) => (corrupt === undefined ? s.postRoot : corrupt(i, s.postRoot)));
  return { prevStateRoot, txs: [...txs], postRoots, steps };
}
