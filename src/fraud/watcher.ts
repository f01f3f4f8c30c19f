/**
 * The watcher: a full node's agent that re-executes every batch posted to the StateCommitmentChain and proves
 * fraud when it disagrees. Anyone can run it; several may race (the loser's challenge is "already handled").
 * Each tick (never overlapping) it reads the `StateBatchAppended` events of at most `maxBlocksPerTick` blocks
 * from its cursor, decodes each batch from its calldata, and re-executes it on the ledger at its prevStateRoot:
 *   - every claimed root matches: the new root and its state go into the store (what nodes resync to);
 *   - step i differs: if the commitment is still Pending, it builds the single-step fraud proof, checks with an
 *     `eth_call` that the contract agrees it is fraud (a disagreement is logged as an error, never sent, so the
 *     watcher never forfeits a bond), and sends `challenge`. The rollback happens in that transaction.
 *   - its prevStateRoot is unknown (built on a batch that was a lie, or before the watcher's history): skipped;
 *     the lie itself is what gets challenged, and the rollback discards this batch with it.
 * It also reports the `StateRolledBack` events it sees (the resync signal), with their blocks.
 * A successful challenge moves no tokens, so the watcher needs no bond allowance.
 */
import type { Provider } from "ethers";

import type { Logger } from "../agents/common/log.js";
import type { SendRequest, SendResult } from "../chain/sender.js";
import type { IStateCommitmentChain } from "../../types/ethers-contracts/index.js";
import {
  CommitmentState,
  fraudProof,
  readBatches,
  readRollbacks,
  verifyBatch,
  type LedgerStore,
  type RolledBack,
} from "./chain.js";

export const CHALLENGE_ALREADY_HANDLED = ["StateCommitmentChainNotChallengeable"] as const;

export interface WatcherOptions {
  maxBlocksPerTick: number;
  /** First block to read (the chain's deployment block, or 0). */
  startBlock: number;
}

export const DEFAULT_WATCHER_OPTIONS: WatcherOptions = { maxBlocksPerTick: 2_000, startBlock: 0 };

export interface WatcherDeps {
  /** Connected to the watcher's signer (challenges are simulated from its address). */
  scc: IStateCommitmentChain;
  provider: Provider;
  send(request: SendRequest): Promise<SendResult>;
  store: LedgerStore;
  log: Logger;
  options?: Partial<WatcherOptions>;
}

/** A batch found fraudulent and what was done about it. */
export interface Detection {
  commitmentId: bigint;
  step: number;
  proposer: string;
  /** The block the batch was posted in, and its timestamp (seconds). */
  postedBlock: number;
  postedAt: number;
  /** The block the watcher read it at (its latest block this tick). */
  detectedAtBlock: number;
  /** confirmed: proven and rolled back in `challengeBlock`; already-handled: someone else did; missed: final. */
  result: SendResult["status"] | "missed" | "disagreement";
  challengeTxHash?: string;
  /** The block of the challenge, which is also the rollback's, and its timestamp (seconds). */
  challengeBlock?: number;
  challengeAt?: number;
}

export interface WatcherTickReport {
  tick: number;
  fromBlock: number;
  toBlock: number;
  verified: bigint[];
  skipped: bigint[];
  frauds: Detection[];
  rollbacks: RolledBack[];
}

export class Watcher {
  readonly #deps: WatcherDeps;
  readonly #options: WatcherOptions;
  #cursor: number;
  #ticks = 0;

  constructor(deps: WatcherDeps) {
    this.#deps = deps;
    this.#options = { ...DEFAULT_WATCHER_OPTIONS, ...deps.options };
    this.#cursor = this.#options.startBlock;
  }

  /** The next block the watcher will read. */
  get cursor(): number {
    return this.#cursor;
  }

  async tick(): Promise<WatcherTickReport> {
    const tick = ++this.#ticks;
    const { scc, provider, store, log } = this.#deps;
    const latest = await provider.getBlockNumber();
    const fromBlock = this.#cursor;
    const toBlock = Math.min(latest, fromBlock + this.#options.maxBlocksPerTick - 1);
    const report: WatcherTickReport = {
      tick,
      fromBlock,
      toBlock,
      verified: [],
      skipped: [],
      frauds: [],
      rollbacks: [],
    };
    if (fromBlock > toBlock) return report;

    for (const batch of await readBatches(scc, provider, fromBlock, toBlock)) {
      const base = batch.data === null ? undefined : store.get(batch.prevStateRoot);
      if (batch.data === null || base === undefined) {
        report.skipped.push(batch.commitmentId);
        log.warn("watcher: batch not verifiable", {
          commitmentId: batch.commitmentId,
          why: batch.data === null ? "unreadable-data" : "unknown-prev-root",
        });
        continue;
      }
      const { txs, postRoots } = batch.data;
      const verdict = verifyBatch(base, txs, postRoots);
      if (verdict.badStep === null) {
        store.put(batch.newStateRoot, verdict.ledger);
        report.verified.push(batch.commitmentId);
        continue;
      }
      const step = verdict.badStep;
      const detection: Detection = {
        commitmentId: batch.commitmentId,
        step,
        proposer: batch.proposer,
        postedBlock: batch.blockNumber,
        postedAt: await this.#timestampOf(batch.blockNumber),
        detectedAtBlock: latest,
        result: "already-handled",
      };
      report.frauds.push(detection);
      const state = await scc.stateOf(batch.commitmentId);
      if (state !== CommitmentState.Pending) {
        detection.result = state === CommitmentState.Final ? "missed" : "already-handled";
        log[state === CommitmentState.Final ? "error" : "info"](
          "watcher: fraudulent batch no longer pending",
          {
            commitmentId: batch.commitmentId,
            state,
          },
        );
        continue;
      }
      const proof = fraudProof(
        batch.commitmentId,
        batch.prevStateRoot,
        txs,
        postRoots,
        step,
        verdict.steps[step]!,
      );
      const agrees = await scc.challenge.staticCall(proof).catch(() => null);
      if (agrees !== true) {
        detection.result = "disagreement";
        log.error("watcher: the contract does not confirm the fraud; not challenging", {
          commitmentId: batch.commitmentId,
          step,
        });
        continue;
      }
      const result = await this.#deps.send({
        key: `challenge:${batch.commitmentId}`,
        contract: scc,
        method: "challenge",
        args: [proof],
        alreadyHandled: CHALLENGE_ALREADY_HANDLED,
      });
      detection.result = result.status;
      if (result.status === "confirmed") {
        detection.challengeTxHash = result.txHash;
        detection.challengeBlock = result.blockNumber;
        detection.challengeAt = await this.#timestampOf(result.blockNumber);
      }
      log.info("watcher: fraud proven", { commitmentId: batch.commitmentId, step, result: result.status });
    }
    report.rollbacks = await readRollbacks(scc, fromBlock, toBlock);
    this.#cursor = toBlock + 1;
    return report;
  }

  async #timestampOf(blockNumber: number): Promise<number> {
    return (await this.#deps.provider.getBlock(blockNumber))?.timestamp ?? 0;
  }
}
