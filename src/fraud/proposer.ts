/**
 * The proposer: an active validator's agent that turns queued transfers into batches on the
 * StateCommitmentChain. Each tick (never overlapping, like the keeper's) it
 *   1. checks its own batches still in their window (at most `maxTrackedBatches`): a discarded one's transfers
 *      go back to the queue (they are re-executed in a later batch), a final one is forgotten;
 *   2. reads the chain's head root and the ledger at it from its store (unknown head: it waits for a watcher
 *      sharing the store to verify it, and proposes nothing);
 *   3. takes up to `maxBatchSize` transfers, executes them on a copy of that ledger and proposes the batch with
 *      the post-root of every step.
 * `corrupt` makes it byzantine (tests, the simulation's "byzantine proposer" fault): it replaces the post-root
 * it claims for a step; its own store then maps the claimed root to the true state, so it keeps building on
 * its own lie, as a real byzantine proposer would.
 */
import type { Logger } from "../agents/common/log.js";
import type { SendRequest, SendResult } from "../chain/sender.js";
import type { IStateCommitmentChain } from "../../types/ethers-contracts/index.js";
import { buildBatch, txBatchHash } from "./batch.js";
import { CommitmentState, type LedgerStore } from "./chain.js";
import type { Transfer } from "./ledger.js";

/** Signed transfers waiting for a batch. */
export interface TransferSource {
  /** Removes and returns up to `max` queued transfers. */
  take(max: number): Transfer[];
  /** Puts transfers back at the front of the queue (a batch was not accepted, or was discarded). */
  requeue(txs: readonly Transfer[]): void;
}

/** A simple in-memory queue. */
export class TransferQueue implements TransferSource {
  readonly #items: Transfer[] = [];

  push(...txs: Transfer[]): void {
    this.#items.push(...txs);
  }

  take(max: number): Transfer[] {
    return this.#items.splice(0, max);
  }

  requeue(txs: readonly Transfer[]): void {
    this.#items.unshift(...txs);
  }

  get length(): number {
    return this.#items.length;
  }
}

export interface ProposerOptions {
  maxBatchSize: number;
  maxTrackedBatches: number;
}

export const DEFAULT_PROPOSER_OPTIONS: ProposerOptions = { maxBatchSize: 64, maxTrackedBatches: 64 };

export interface ProposerDeps {
  /** Connected to the proposer's signer. */
  scc: IStateCommitmentChain;
  send(request: SendRequest): Promise<SendResult>;
  store: LedgerStore;
  transfers: TransferSource;
  log: Logger;
  options?: Partial<ProposerOptions>;
  /** Byzantine: the post-root claimed for step `step` of this proposer's `batch`-th batch (from 1). */
  corrupt?: (batch: number, step: number, root: string) => string;
}

export interface ProposedReport {
  commitmentId: bigint;
  txCount: number;
  prevStateRoot: string;
  newStateRoot: string;
  /** Whether a claimed root differs from the true one (a byzantine batch). */
  lied: boolean;
  txHash: string;
  blockNumber: number;
}

export interface ProposerTickReport {
  tick: number;
  proposed: ProposedReport | null;
  /** Why nothing was proposed, when nothing was. */
  idle?: "no-transfers" | "unknown-head" | "send-failed";
  /** Own commitments found discarded this tick (their transfers were requeued). */
  discarded: bigint[];
}

interface Tracked {
  commitmentId: bigint;
  txs: Transfer[];
}

export class Proposer {
  readonly #deps: ProposerDeps;
  readonly #options: ProposerOptions;
  readonly #tracked: Tracked[] = [];
  #ticks = 0;
  #batches = 0;

  constructor(deps: ProposerDeps) {
    this.#deps = deps;
    this.#options = { ...DEFAULT_PROPOSER_OPTIONS, ...deps.options };
  }

  async tick(): Promise<ProposerTickReport> {
    const tick = ++this.#ticks;
    const discarded = await this.#reviewTracked();
    const report = (idle: ProposerTickReport["idle"]): ProposerTickReport => ({
      tick,
      proposed: null,
      idle,
      discarded,
    });
    const { scc, store, transfers, log } = this.#deps;
    const head = await scc.headStateRoot();
    const base = store.get(head);
    if (base === undefined) {
      log.warn("proposer: the chain's head is not in the store; waiting for it to be verified", { head });
      return report("unknown-head");
    }
    const txs = transfers.take(this.#options.maxBatchSize);
    if (txs.length === 0) return report("no-transfers");

    const number = this.#batches + 1;
    const corrupt = this.#deps.corrupt;
    const batch = buildBatch(
      base,
      txs,
      corrupt === undefined ? undefined : (step, root) => corrupt(number, step, root),
    );
    const lied = batch.postRoots.some((root, i) => root !== batch.steps[i]!.postRoot);
    const result = await this.#deps.send({
      key: `propose:${head}:${txBatchHash(txs)}`,
      contract: scc,
      method: "propose",
      args: [batch.prevStateRoot, batch.txs, batch.postRoots],
    });
    if (result.status !== "confirmed") {
      transfers.requeue(txs);
      log.warn("proposer: batch not accepted", {
        status: result.status,
        ...("error" in result ? { error: result.error } : {}),
      });
      return report("send-failed");
    }
    this.#batches = number;
    const commitmentId = await this.#commitmentIdOf(result.txHash);
    const newStateRoot = batch.postRoots[batch.postRoots.length - 1]!;
    store.put(newStateRoot, base);
    this.#tracked.push({ commitmentId, txs });
    if (this.#tracked.length > this.#options.maxTrackedBatches) this.#tracked.shift();
    log.info("proposer: batch proposed", { commitmentId, txCount: txs.length, newStateRoot, lied });
    return {
      tick,
      proposed: {
        commitmentId,
        txCount: txs.length,
        prevStateRoot: batch.prevStateRoot,
        newStateRoot,
        lied,
        txHash: result.txHash,
        blockNumber: result.blockNumber,
      },
      discarded,
    };
  }

  /** Drops final batches; requeues the transfers of discarded ones (oldest first, so order is kept). */
  async #reviewTracked(): Promise<bigint[]> {
    const discarded: bigint[] = [];
    const requeue: Transfer[] = [];
    for (const t of [...this.#tracked]) {
      const state = await this.#deps.scc.stateOf(t.commitmentId);
      if (state === CommitmentState.Pending) continue;
      this.#tracked.splice(this.#tracked.indexOf(t), 1);
      if (state === CommitmentState.Discarded) {
        discarded.push(t.commitmentId);
        requeue.push(...t.txs);
      }
    }
    if (requeue.length > 0) this.#deps.transfers.requeue(requeue);
    return discarded;
  }

  async #commitmentIdOf(txHash: string): Promise<bigint> {
    const { scc } = this.#deps;
    const receipt = await scc.runner?.provider?.getTransactionReceipt(txHash);
    for (const log of receipt?.logs ?? []) {
      const parsed = scc.interface.parseLog(log);
      if (parsed?.name === "StateBatchAppended") return parsed.args[0] as bigint;
    }
    throw new Error(`proposer: no StateBatchAppended in ${txHash}`);
  }
}
