/**
 * Reading batches back from the StateCommitmentChain, and building fraud proofs. A batch's data is the
 * calldata of the `propose` transaction that emitted its `StateBatchAppended` event; it is decoded and checked
 * against the event's `txBatchHash` (a batch proposed through a wrapper contract cannot be read this way and is
 * reported as unreadable).
 */
import type { Provider } from "ethers";

import type { IStateCommitmentChain } from "../../types/ethers-contracts/index.js";
import { stepProof, txBatchHash } from "./batch.js";
import type { Ledger, StepResult, Transfer } from "./ledger.js";

/** IStateCommitmentChain.CommitmentState */
export const CommitmentState = { None: 0n, Pending: 1n, Final: 2n, Discarded: 3n } as const;

export interface PostedBatch {
  commitmentId: bigint;
  position: bigint;
  proposer: string;
  prevStateRoot: string;
  newStateRoot: string;
  txBatchHash: string;
  finalAt: bigint;
  blockNumber: number;
  txHash: string;
  /** Null when the calldata could not be decoded or does not match `txBatchHash`. */
  data: { txs: Transfer[]; postRoots: string[] } | null;
}

export interface RolledBack {
  fromCommitmentId: bigint;
  headPosition: bigint;
  headStateRoot: string;
  discarded: bigint;
  blockNumber: number;
}

/** The batches appended in blocks `fromBlock..toBlock`, in order, with their data. */
export async function readBatches(
  scc: IStateCommitmentChain,
  provider: Provider,
  fromBlock: number,
  toBlock: number,
): Promise<PostedBatch[]> {
  const logs = await scc.queryFilter(scc.filters.StateBatchAppended(), fromBlock, toBlock);
  const batches: PostedBatch[] = [];
  for (const log of logs) {
    const a = log.args;
    const batch: PostedBatch = {
      commitmentId: a.commitmentId,
      position: a.position,
      proposer: a.proposer,
      prevStateRoot: a.prevStateRoot,
      newStateRoot: a.newStateRoot,
      txBatchHash: a.txBatchHash,
      finalAt: a.finalAt,
      blockNumber: log.blockNumber,
      txHash: log.transactionHash,
      data: null,
    };
    const tx = await provider.getTransaction(log.transactionHash);
    const parsed = tx === null ? null : scc.interface.parseTransaction({ data: tx.data });
    if (parsed?.name === "propose") {
      const txs: Transfer[] = (parsed.args[1] as Transfer[]).map((t) => ({
        from: t.from,
        to: t.to,
        amount: t.amount,
        nonce: t.nonce,
        r: t.r,
        vs: t.vs,
      }));
      const postRoots = [...(parsed.args[2] as string[])];
      if (txBatchHash(txs) === batch.txBatchHash) batch.data = { txs, postRoots };
    }
    batches.push(batch);
  }
  return batches;
}

/** The rollbacks in blocks `fromBlock..toBlock`. */
export async function readRollbacks(
  scc: IStateCommitmentChain,
  fromBlock: number,
  toBlock: number,
): Promise<RolledBack[]> {
  const logs = await scc.queryFilter(scc.filters.StateRolledBack(), fromBlock, toBlock);
  return logs.map((log) => ({
    fromCommitmentId: log.args.fromCommitmentId,
    headPosition: log.args.headPosition,
    headStateRoot: log.args.headStateRoot,
    discarded: log.args.discarded,
    blockNumber: log.blockNumber,
  }));
}

/** The result of re-executing a batch. */
export interface Verdict {
  /** The first step whose claimed post-root differs from the re-execution, or null if none does. */
  badStep: number | null;
  /** The ledger after the batch as re-executed (the true state). */
  ledger: Ledger;
  steps: StepResult[];
}

/** Re-executes a batch on a copy of `base` (the state at its prevStateRoot), step by step. */
export function verifyBatch(base: Ledger, txs: readonly Transfer[], postRoots: readonly string[]): Verdict {
  const ledger = base.clone();
  const steps: StepResult[] = [];
  for (let i = 0; i < txs.length; i++) {
    const step = ledger.apply(txs[i]!);
    steps.push(step);
    if (step.postRoot !== postRoots[i]) return { badStep: i, ledger, steps };
  }
  return { badStep: null, ledger, steps };
}

/** The fraud proof of step `step` of a posted batch, from its true re-execution. */
export function fraudProof(
  commitmentId: bigint,
  prevStateRoot: string,
  txs: readonly Transfer[],
  postRoots: readonly string[],
  step: number,
  result: StepResult,
): IStateCommitmentChain.FraudProofStruct {
  return {
    commitmentId,
    step,
    transfer: txs[step]!,
    preStateRoot: step === 0 ? prevStateRoot : postRoots[step - 1]!,
    postStateRoot: postRoots[step]!,
    stepSiblings: stepProof(prevStateRoot, txs, postRoots, step),
    from: result.from,
    to: result.to,
  };
}

/**
 * Ledger states by state root: what a node can resync to. A watcher adds every root it has verified; a
 * proposer adds the roots it proposed. Bounded by `maxStates` (oldest first out; the genesis is kept).
 */
export class LedgerStore {
  readonly #states = new Map<string, Ledger>();
  readonly #genesisRoot: string;
  readonly #maxStates: number;

  constructor(genesis: Ledger, maxStates = 1_024) {
    this.#genesisRoot = genesis.root;
    this.#maxStates = maxStates;
    this.#states.set(genesis.root, genesis.clone());
  }

  get(root: string): Ledger | undefined {
    return this.#states.get(root)?.clone();
  }

  has(root: string): boolean {
    return this.#states.has(root);
  }

  put(root: string, ledger: Ledger): void {
    this.#states.delete(root);
    this.#states.set(root, ledger.clone());
    while (this.#states.size > this.#maxStates) {
      const oldest = [...this.#states.keys()].find((r) => r !== this.#genesisRoot);
      if (oldest === undefined) break;
      this.#states.delete(oldest);
    }
  }

  get size(): number {
    return this.#states.size;
  }
}
