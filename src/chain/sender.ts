/**
 * Sends contract calls safely, once.
 *
 * For each call (named by an intent key):
 *   1. If the intent log already holds the key: a finished intent returns its recorded outcome; an intent
 *      with a signed transaction is reconciled (receipt → done; still pending → keep waiting; nonce taken
 *      by another transaction → abandoned; dropped → re-simulate and re-broadcast the same signed
 *      transaction) — it is never signed a second time with a fresh nonce while the old one may land.
 *   2. Record the intent, then simulate (`eth_call`, then `eth_estimateGas`) right before signing. A revert
 *      whose custom error is in the caller's `alreadyHandled` list is success without a send; any other
 *      revert is returned as `rejected`, nothing sent.
 *   3. EIP-1559 fees from the node, `maxFeePerGas` capped by `maxFeePerGasCap`. Sign, record hash, nonce,
 *      fees and raw bytes in the log, then broadcast.
 *   4. Wait for a receipt. If none after `stuckAfterMs`, replace the transaction with the same nonce and
 *      both `maxFeePerGas` and `maxPriorityFeePerGas` raised by at least `bumpPercent` (>= 10) and never
 *      above the cap; at most `maxBumps` replacements, then keep re-broadcasting until `maxWaitMs`.
 *   5. A mined transaction that reverted is re-simulated: if the revert is now "already handled" (another
 *      keeper won the race in the same block) it is reported as such, otherwise as `reverted`.
 */
import {
  type BaseContract,
  type Interface,
  keccak256,
  type Provider,
  type Signer,
  Transaction,
  type TransactionReceipt,
  type TransactionRequest,
} from "ethers";

import {
  alreadyHandled,
  type DecodedRevert,
  decodeRevert,
  describeError,
  isAlreadyKnown,
  isNonceTooLow,
  isRetryable,
  isRevert,
  StaleHeadError,
} from "./errors.js";
import type { IntentLog, IntentOutcome, IntentRecord, TxRecord } from "./intent-log.js";
import type { NonceManager } from "./nonce.js";

/** The logging the chain layer needs; the agents' JSON logger satisfies it. */
export interface ChainLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: ChainLogger = { debug() {}, info() {}, warn() {}, error() {} };

export interface SendRequest {
  /** Names the action once, e.g. `checkHeartbeat:0xabc…:incident-7`. */
  key: string;
  contract: BaseContract;
  method: string;
  args?: readonly unknown[];
  value?: bigint;
  /** Custom error names that mean "someone already did this": success without a send. */
  alreadyHandled?: readonly string[];
  /** Overrides the estimated gas limit. */
  gasLimit?: bigint;
}

export type SendResult =
  | {
      status: "confirmed";
      txHash: string;
      blockNumber: number;
      gasUsed: bigint;
      replacements: number;
      fromLog: boolean;
    }
  | { status: "already-handled"; error: string; txHash?: string; fromLog: boolean }
  | { status: "rejected"; error: string; revert: DecodedRevert | null; fromLog: boolean }
  | { status: "reverted"; txHash: string; blockNumber: number; error?: string; fromLog: boolean };

export interface SenderOptions {
  provider: Provider;
  /** Must be able to sign raw transactions (an ethers Wallet, a keystore-backed signer). */
  signer: Signer;
  nonces: NonceManager;
  log: IntentLog;
  chainId: bigint;
  /** Hard cap on `maxFeePerGas`, in wei. */
  maxFeePerGasCap: bigint;
  /** Replacement fee increase in percent; at least 10 (the usual mempool rule). Default 12. */
  bumpPercent?: number;
  /** Maximum number of fee-bumped replacements per intent (default 3). */
  maxBumps?: number;
  /** No receipt for this long after a (re)broadcast → bump (default 30 s). */
  stuckAfterMs?: number;
  /** Give up waiting (intent stays `sent`, reconciled next time) after this long (default 5 min). */
  maxWaitMs?: number;
  /** Receipt polling interval (default 1 s). */
  pollMs?: number;
  /** Gas limit = estimate * this percent / 100 (default 125). */
  gasLimitPercent?: number;
  /**
   * A finished intent whose transaction was mined fewer than this many blocks below the head is checked
   * again when its key is sent again: if the receipt is gone (reorganised away) the intent is reconciled
   * like an unfinished one. Older outcomes are taken as final (default 128).
   */
  reorgWindowBlocks?: number;
  logger?: ChainLogger;
  now?: () => number;
}

/** Waiting for a receipt exceeded `maxWaitMs`. The intent stays `sent`; the next send reconciles it. */
export class TxStuckError extends Error {
  override readonly name = "TxStuckError";
  constructor(
    message: string,
    readonly key: string,
    readonly txHashes: string[],
  ) {
    super(message);
  }
}

/** The sender was closed while waiting. */
export class SenderClosedError extends Error {
  override readonly name = "SenderClosedError";
}

type Reconciled =
  { state: "done"; result: SendResult } | { state: "pending"; tx: TxRecord } | { state: "open" }; // nothing in flight: a fresh send may proceed

interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

const MAX_FRESH_ATTEMPTS = 3;

export class Sender {
  readonly #o: Required<Omit<SenderOptions, "logger" | "now">> & { logger: ChainLogger; now: () => number };
  readonly #closed = new AbortController();
  #address: string | null = null;
  /**
   * The highest block one of our transactions was seen mined in (from the intent log at start, then from
   * every receipt). A node whose head is below it lags: nothing is simulated or signed on its state.
   */
  #highWater: number;

  constructor(options: SenderOptions) {
    const bumpPercent = options.bumpPercent ?? 12;
    if (bumpPercent < 10)
      throw new Error(`bumpPercent must be at least 10 (replacement rule), got ${bumpPercent}`);
    const stuckAfterMs = options.stuckAfterMs ?? 30_000;
    this.#o = {
      ...options,
      bumpPercent,
      maxBumps: options.maxBumps ?? 3,
      stuckAfterMs,
      maxWaitMs: options.maxWaitMs ?? 300_000,
      pollMs: options.pollMs ?? 1000,
      gasLimitPercent: options.gasLimitPercent ?? 125,
      reorgWindowBlocks: options.reorgWindowBlocks ?? 128,
      logger: options.logger ?? silentLogger,
      now: options.now ?? Date.now,
    };
    this.#highWater = options.log.highestBlock();
    if (this.#highWater > 0) requireHead(options.provider, this.#highWater);
  }

  /** Stops every wait in progress (they reject with SenderClosedError); the intent log keeps their state. */
  close(): void {
    this.#closed.abort();
  }

  async send(req: SendRequest): Promise<SendResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#sendOnce(req);
      } catch (error) {
        if (this.#closed.signal.aborted && !(error instanceof SenderClosedError)) {
          throw new SenderClosedError("sender closed during send", { cause: error });
        }
        // The nonce was taken by a transaction that is not this intent's (another process with the same
        // key): the intent was abandoned and the nonce manager resynced. Simulate again and retry with a
        // fresh nonce, a bounded number of times.
        if (!(error instanceof NonceTakenError) || attempt >= MAX_FRESH_ATTEMPTS) throw error;
        this.#o.logger.warn("nonce taken by another transaction; retrying", { intentKey: req.key, attempt });
      }
    }
  }

  async #sendOnce(req: SendRequest): Promise<SendResult> {
    let existing = this.#o.log.get(req.key);
    if (existing?.status === "done" && existing.outcome) {
      if (!(await this.#receiptGone(existing))) return fromOutcome(existing.outcome);
      this.#o.log.reopen(req.key, `receipt of ${existing.outcome.txHash} gone (reorg)`);
      existing = this.#o.log.get(req.key);
    }
    if (existing?.status === "sent") {
      const r = await this.#reconcileIntent(existing, req);
      if (r.state === "done") return r.result;
      if (r.state === "pending") return this.#awaitReceipt(req, r.tx);
    }
    this.#o.log.begin(req.key);
    let prepared: { tx: TransactionRequest } | { result: SendResult };
    try {
      prepared = await this.#simulate(req);
    } catch (error) {
      // Nothing was signed: a lagging node's state decided nothing (the next send of the key starts afresh).
      if (error instanceof StaleHeadError) this.#o.log.abandon(req.key, error.message);
      throw error;
    }
    if ("result" in prepared) return prepared.result;
    const tx = await this.#signAndBroadcast(req, prepared.tx);
    return this.#awaitReceipt(req, tx);
  }

  /**
   * Looks up every intent that may have a transaction in flight (after a restart): receipts are
   * recorded, dropped transactions re-simulated and re-broadcast or abandoned. Pending ones are left to
   * the next `send` of the same key (which waits and bumps). Needs the contract to re-simulate; without
   * it, dropped intents are re-broadcast as signed.
   */
  async reconcile(contracts?: (key: string) => SendRequest | undefined): Promise<IntentRecord[]> {
    for (const intent of this.#o.log.unfinished()) {
      if (intent.status === "intent") {
        // Interrupted before signing: nothing can land.
        this.#o.log.abandon(intent.key, "interrupted before signing");
        continue;
      }
      await this.#reconcileIntent(intent, contracts?.(intent.key));
    }
    return this.#o.log.unfinished();
  }

  /**
   * Whether a finished intent's mined transaction has left the chain (a reorg): its receipt is gone
   * although the node's head is at or above the block it was mined in. A node below that block lags
   * (not a reorg); outcomes older than `reorgWindowBlocks` and outcomes without a mined transaction
   * (already handled by simulation, rejected) are final.
   */
  async #receiptGone(intent: IntentRecord): Promise<boolean> {
    const outcome = intent.outcome;
    if (!outcome?.txHash || outcome.blockNumber === undefined || intent.txs.length === 0) return false;
    const head = await this.#o.provider.getBlockNumber();
    if (head < outcome.blockNumber || head - outcome.blockNumber >= this.#o.reorgWindowBlocks) return false;
    if ((await this.#o.provider.getTransactionReceipt(outcome.txHash)) !== null) return false;
    // Another of the intent's transactions (a replacement) may have landed instead after the reorg.
    if ((await this.#findReceipt(intent.txs)) !== null) return true; // reconciled: records that one
    this.#o.logger.warn("a mined transaction's receipt is gone (reorg); reconciling the intent", {
      intentKey: intent.key,
      hash: outcome.txHash,
      block: outcome.blockNumber,
      head,
    });
    return true;
  }

  /** The head, unless it is below a block we saw one of our transactions mined in (StaleHeadError). */
  async #freshHead(): Promise<number> {
    const head = await this.#o.provider.getBlockNumber();
    if (head < this.#highWater) {
      this.#o.logger.warn("RPC head behind our last mined transaction; not acting on stale state", {
        head,
        expected: this.#highWater,
      });
      throw new StaleHeadError(head, this.#highWater);
    }
    return head;
  }

  async #sender(): Promise<string> {
    this.#address ??= await this.#o.signer.getAddress();
    return this.#address;
  }

  async #reconcileIntent(intent: IntentRecord, req: SendRequest | undefined): Promise<Reconciled> {
    const { provider } = this.#o;
    const log = this.#o.logger;
    const done = await this.#findReceipt(intent.txs);
    if (done)
      return {
        state: "done",
        result: await this.#finishWithReceipt(intent.key, done, req, intent.txs.length - 1),
      };
    const latest = intent.txs[intent.txs.length - 1];
    if (!latest) {
      this.#o.log.abandon(intent.key, "no transaction recorded");
      return { state: "open" };
    }
    const mined = await provider.getTransactionCount(await this.#sender(), "latest");
    if (mined > latest.nonce) {
      // Our nonce is used, by none of our transactions (checked receipts above; re-check for a race).
      const again = await this.#findReceipt(intent.txs);
      if (again)
        return {
          state: "done",
          result: await this.#finishWithReceipt(intent.key, again, req, intent.txs.length - 1),
        };
      log.warn("intent's nonce was taken by another transaction; abandoning", {
        intentKey: intent.key,
        nonce: latest.nonce,
      });
      this.#o.log.abandon(intent.key, `nonce ${latest.nonce} used by another transaction`);
      this.#o.nonces.invalidate();
      return { state: "open" };
    }
    for (const tx of intent.txs) {
      if ((await provider.getTransaction(tx.hash)) !== null) return { state: "pending", tx: latest };
    }
    // Dropped: not mined, not known to the node, nonce still free. Decide by re-simulating.
    if (req) {
      const sim = await this.#simulate(req);
      if ("result" in sim) {
        log.info("dropped intent no longer needed", { intentKey: intent.key, status: sim.result.status });
        return { state: "done", result: sim.result };
      }
    } else {
      // No contract to decode with: simulate the signed call itself; any revert means it must not land.
      try {
        await provider.call({ ...decodeCall(latest.raw), from: await this.#sender() });
      } catch (error) {
        if (!isRevert(error) || isRetryable(error)) throw error;
        log.info("dropped intent would now revert; abandoning", {
          intentKey: intent.key,
          error: describeError(error),
        });
        this.#o.log.abandon(intent.key, `dropped; simulation now reverts: ${describeError(error)}`);
        return { state: "open" };
      }
    }
    log.info("re-broadcasting dropped transaction", {
      intentKey: intent.key,
      hash: latest.hash,
      nonce: latest.nonce,
    });
    try {
      await this.#o.nonces.exclusive(async () => {
        await this.#broadcastRecorded(intent.key, latest); // transport failures: re-broadcast while waiting
        this.#o.nonces.markUsed(latest.nonce);
      });
    } catch (error) {
      if (!isNonceTooLow(error)) throw error;
      // The nonce got used meanwhile: by this intent (receipt) or by another transaction.
      const found = await this.#findReceipt(intent.txs);
      if (found) {
        return {
          state: "done",
          result: await this.#finishWithReceipt(intent.key, found, req, intent.txs.length - 1),
        };
      }
      this.#o.log.abandon(intent.key, `nonce ${latest.nonce} used by another transaction`);
      this.#o.nonces.invalidate();
      return { state: "open" };
    }
    return { state: "pending", tx: latest };
  }

  /**
   * eth_call then estimateGas with the sender as `from`. Returns the populated transaction, or the final
   * result when the call reverts (already handled → done; otherwise rejected).
   */
  async #simulate(req: SendRequest): Promise<{ tx: TransactionRequest } | { result: SendResult }> {
    const from = await this.#sender();
    const fn = req.contract.getFunction(req.method);
    const populated = await fn.populateTransaction(...(req.args ?? []), { value: req.value ?? 0n });
    const call: TransactionRequest = { to: populated.to, data: populated.data, value: req.value ?? 0n, from };
    // On the state of a head that holds every transaction of ours we saw mined (a lagging node refuses).
    const blockTag = await this.#freshHead();
    try {
      await this.#o.provider.call({ ...call, blockTag });
      const estimate = req.gasLimit ?? (await this.#o.provider.estimateGas(call));
      const gasLimit = req.gasLimit ?? (estimate * BigInt(this.#o.gasLimitPercent) + 99n) / 100n;
      return { tx: { ...call, gasLimit } };
    } catch (error) {
      if (!isRevert(error) || isRetryable(error)) throw error;
      const iface: Interface = req.contract.interface;
      const handled = alreadyHandled(error, iface, req.alreadyHandled ?? []);
      if (handled) {
        this.#o.logger.info("already handled; not sending", { intentKey: req.key, error: handled.name });
        const outcome: IntentOutcome = { result: "already-handled", error: handled.name };
        this.#o.log.finish(req.key, outcome);
        return { result: { status: "already-handled", error: handled.name, fromLog: false } };
      }
      const revert = decodeRevert(error, iface);
      const name = revert?.name ?? describeError(error);
      this.#o.logger.warn("simulation reverted; not sending", { intentKey: req.key, error: name });
      this.#o.log.abandon(req.key, `simulation reverted: ${name}`);
      return { result: { status: "rejected", error: name, revert, fromLog: false } };
    }
  }

  async #initialFees(): Promise<Fees> {
    const data = await this.#o.provider.getFeeData();
    const cap = this.#o.maxFeePerGasCap;
    let maxFeePerGas = data.maxFeePerGas ?? data.gasPrice ?? cap;
    let maxPriorityFeePerGas = data.maxPriorityFeePerGas ?? 0n;
    if (maxFeePerGas > cap) {
      this.#o.logger.warn("suggested maxFeePerGas above the cap; using the cap", {
        suggested: maxFeePerGas.toString(),
        cap: cap.toString(),
      });
      maxFeePerGas = cap;
    }
    if (maxPriorityFeePerGas > maxFeePerGas) maxPriorityFeePerGas = maxFeePerGas;
    return { maxFeePerGas, maxPriorityFeePerGas };
  }

  /**
   * Fees for a replacement: both at least `bumpPercent` above the previous ones (and at least the
   * node's current suggestion), maxFeePerGas capped. Null if the cap leaves no room for a valid bump.
   */
  async #bumpedFees(prev: Fees): Promise<Fees | null> {
    const pct = BigInt(this.#o.bumpPercent);
    const up = (x: bigint, p: bigint) => (x * (100n + p) + 99n) / 100n;
    const data = await this.#o.provider.getFeeData();
    let maxPriorityFeePerGas = max(up(prev.maxPriorityFeePerGas, pct), data.maxPriorityFeePerGas ?? 0n);
    let maxFeePerGas = max(up(prev.maxFeePerGas, pct), data.maxFeePerGas ?? 0n, maxPriorityFeePerGas);
    if (maxFeePerGas > this.#o.maxFeePerGasCap) maxFeePerGas = this.#o.maxFeePerGasCap;
    if (maxPriorityFeePerGas > maxFeePerGas) maxPriorityFeePerGas = maxFeePerGas;
    // Nodes accept a replacement only if both fees rose by at least 10%.
    if (
      maxFeePerGas < up(prev.maxFeePerGas, 10n) ||
      maxPriorityFeePerGas < up(prev.maxPriorityFeePerGas, 10n)
    ) {
      return null;
    }
    return { maxFeePerGas, maxPriorityFeePerGas };
  }

  async #signAndBroadcast(req: SendRequest, call: TransactionRequest): Promise<TxRecord> {
    const fees = await this.#initialFees();
    try {
      return await this.#o.nonces.withNonce(async (nonce) => {
        const tx = await this.#signAndRecord(req.key, call, nonce, fees);
        await this.#broadcastRecorded(req.key, tx);
        return tx;
      });
    } catch (error) {
      if (isNonceTooLow(error)) {
        // Recorded but refused: nothing of ours holds the nonce (unless it was ours and already mined).
        const intent = this.#o.log.get(req.key);
        const receipt = intent ? await this.#findReceipt(intent.txs) : null;
        if (receipt) throw new NonceTakenError("our transaction was already mined"); // reconciled on retry
        this.#o.log.abandon(req.key, "nonce taken before broadcast");
        throw new NonceTakenError(describeError(error));
      }
      throw error;
    }
  }

  async #signAndRecord(key: string, call: TransactionRequest, nonce: number, fees: Fees): Promise<TxRecord> {
    const raw = await this.#o.signer.signTransaction({
      to: call.to,
      data: call.data,
      value: call.value,
      gasLimit: call.gasLimit,
      nonce,
      chainId: this.#o.chainId,
      type: 2,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    });
    const tx = { hash: keccak256(raw), nonce, raw, ...fees };
    // Write-ahead: the hash is durable before the transaction can reach any node.
    this.#o.log.recordTx(key, tx);
    return { ...tx, createdAt: this.#o.now() };
  }

  /**
   * Broadcasts a recorded transaction. "Already known" is success; a transport failure is logged and
   * left to the wait loop's re-broadcast; "nonce too low" and other answers are thrown.
   */
  async #broadcastRecorded(key: string, tx: TxRecord): Promise<void> {
    try {
      await this.#broadcast(tx.raw);
      this.#o.logger.info("transaction sent", {
        key,
        hash: tx.hash,
        nonce: tx.nonce,
        maxFeePerGas: tx.maxFeePerGas.toString(),
        maxPriorityFeePerGas: tx.maxPriorityFeePerGas.toString(),
      });
    } catch (error) {
      if (isRetryable(error)) {
        this.#o.logger.warn("broadcast failed; will re-broadcast", {
          key,
          hash: tx.hash,
          error: describeError(error),
        });
        return;
      }
      throw error;
    }
  }

  /**
   * Broadcasts a signed transaction. Development nodes with automine (Hardhat/EDR, anvil) mine it at once and
   * answer a transaction that reverted with the revert error: it is mined all the same, so the receipt is
   * handled like any mined revert (re-simulated: "already handled" or "reverted"). Real nodes never answer
   * `eth_sendRawTransaction` with a revert.
   */
  async #broadcast(raw: string): Promise<void> {
    try {
      await this.#o.provider.broadcastTransaction(raw);
    } catch (error) {
      if (isAlreadyKnown(error)) return;
      if (isRevert(error)) {
        this.#o.logger.debug("the node mined the transaction and it reverted", {
          error: describeError(error),
        });
        return;
      }
      throw error;
    }
  }

  async #findReceipt(
    txs: readonly TxRecord[],
  ): Promise<{ receipt: TransactionReceipt; tx: TxRecord } | null> {
    for (const tx of txs) {
      const receipt = await this.#o.provider.getTransactionReceipt(tx.hash);
      if (receipt) return { receipt, tx };
    }
    return null;
  }

  async #finishWithReceipt(
    key: string,
    found: { receipt: TransactionReceipt; tx: TxRecord },
    req: SendRequest | undefined,
    replacements: number,
  ): Promise<SendResult> {
    const { receipt } = found;
    if (receipt.blockNumber > this.#highWater) {
      this.#highWater = receipt.blockNumber;
      requireHead(this.#o.provider, receipt.blockNumber);
    }
    this.#o.nonces.markMined(found.tx.nonce);
    if (receipt.status === 1) {
      this.#o.log.finish(key, {
        result: "confirmed",
        txHash: receipt.hash,
        blockNumber: receipt.blockNumber,
      });
      this.#o.logger.info("transaction confirmed", { key, hash: receipt.hash, block: receipt.blockNumber });
      return {
        status: "confirmed",
        txHash: receipt.hash,
        blockNumber: receipt.blockNumber,
        gasUsed: receipt.gasUsed,
        replacements,
        fromLog: false,
      };
    }
    // Mined but reverted: find out why by simulating again (the state that made it revert is now current).
    let error: string | undefined;
    if (req) {
      try {
        const from = await this.#sender();
        const populated = await req.contract.getFunction(req.method).populateTransaction(...(req.args ?? []));
        // At the block it reverted in: the state that made it revert (a lagging "latest" may predate it).
        await this.#o.provider.call({
          ...populated,
          from,
          value: req.value ?? 0n,
          blockTag: receipt.blockNumber,
        });
      } catch (e) {
        // Not an answer (e.g. a lagging endpoint without that block): decide later, not "reverted" now.
        if (isRetryable(e)) throw e;
        const handled = alreadyHandled(e, req.contract.interface, req.alreadyHandled ?? []);
        if (handled) {
          this.#o.log.finish(key, {
            result: "already-handled",
            txHash: receipt.hash,
            blockNumber: receipt.blockNumber,
            error: handled.name,
          });
          return { status: "already-handled", error: handled.name, txHash: receipt.hash, fromLog: false };
        }
        error = decodeRevert(e, req.contract.interface)?.name;
      }
    }
    this.#o.log.finish(key, {
      result: "reverted",
      txHash: receipt.hash,
      blockNumber: receipt.blockNumber,
      error,
    });
    this.#o.logger.warn("transaction reverted on-chain", { key, hash: receipt.hash, error });
    return {
      status: "reverted",
      txHash: receipt.hash,
      blockNumber: receipt.blockNumber,
      error,
      fromLog: false,
    };
  }

  /** Polls for a receipt of any of the intent's transactions; bumps fees when stuck; bounded by maxWaitMs. */
  async #awaitReceipt(req: SendRequest, current: TxRecord): Promise<SendResult> {
    const { now, pollMs, stuckAfterMs, maxWaitMs, maxBumps } = this.#o;
    const log = this.#o.logger;
    const deadline = now() + maxWaitMs;
    let lastActivity = now();
    let latest = current;
    for (;;) {
      const intent = this.#o.log.get(req.key);
      const txs = intent?.txs ?? [latest];
      try {
        const found = await this.#findReceipt(txs);
        if (found) return await this.#finishWithReceipt(req.key, found, req, txs.length - 1);
        if (now() - lastActivity >= stuckAfterMs) {
          lastActivity = now();
          const bumps = txs.length - 1;
          const fees = bumps < maxBumps ? await this.#bumpedFees(latest) : null;
          if (fees) {
            const replacement = await this.#signAndRecord(
              req.key,
              { ...decodeCall(latest.raw) },
              latest.nonce,
              fees,
            );
            log.warn("transaction stuck; replacing with higher fees", {
              intentKey: req.key,
              replaced: latest.hash,
              hash: replacement.hash,
              bump: bumps + 1,
            });
            latest = replacement;
            await this.#broadcastRecorded(req.key, replacement);
          } else {
            log.warn("transaction stuck; re-broadcasting (no bump left under the cap)", {
              intentKey: req.key,
              hash: latest.hash,
            });
            await this.#broadcastRecorded(req.key, latest);
          }
        }
      } catch (error) {
        if (isNonceTooLow(error)) {
          // The nonce got mined while we replaced: by one of ours (receipt next round) or by another tx.
          const found = await this.#findReceipt(this.#o.log.get(req.key)?.txs ?? txs);
          if (found) return await this.#finishWithReceipt(req.key, found, req, txs.length - 1);
          this.#o.log.abandon(req.key, `nonce ${latest.nonce} used by another transaction`);
          this.#o.nonces.invalidate();
          throw new NonceTakenError("nonce used by another transaction while waiting");
        }
        if (!isRetryable(error)) throw error;
        log.warn("RPC error while waiting for a receipt; retrying", {
          intentKey: req.key,
          error: describeError(error),
        });
      }
      if (now() >= deadline) {
        throw new TxStuckError(
          `no receipt for intent ${req.key} within ${maxWaitMs} ms; it stays recorded and is reconciled on the next send`,
          req.key,
          txs.map((t) => t.hash),
        );
      }
      await this.#sleep(pollMs);
    }
  }

  #sleep(ms: number): Promise<void> {
    const signal = this.#closed.signal;
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new SenderClosedError("sender closed"));
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(new SenderClosedError("sender closed"));
      };
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }
}

/** The nonce was taken by a transaction that is not this intent's; the intent was abandoned. */
class NonceTakenError extends Error {
  override readonly name = "NonceTakenError";
}

function fromOutcome(o: IntentOutcome): SendResult {
  switch (o.result) {
    case "confirmed":
      return {
        status: "confirmed",
        txHash: o.txHash ?? "",
        blockNumber: o.blockNumber ?? 0,
        gasUsed: 0n,
        replacements: 0,
        fromLog: true,
      };
    case "already-handled":
      return { status: "already-handled", error: o.error ?? "", txHash: o.txHash, fromLog: true };
    case "reverted":
      return {
        status: "reverted",
        txHash: o.txHash ?? "",
        blockNumber: o.blockNumber ?? 0,
        error: o.error,
        fromLog: true,
      };
    case "rejected":
      return { status: "rejected", error: o.error ?? "", revert: null, fromLog: true };
  }
}

/** Tells a provider that can fail over (FailoverProvider) which head its endpoints must have reached. */
function requireHead(provider: Provider, block: number): void {
  const p = provider as Provider & { requireHead?: (block: number) => void };
  if (typeof p.requireHead === "function") p.requireHead(block);
}

function max(...xs: bigint[]): bigint {
  return xs.reduce((a, b) => (a > b ? a : b));
}

/** The call part (to, data, value, gasLimit) of a signed transaction, for building its replacement. */
function decodeCall(raw: string): TransactionRequest {
  const tx = Transaction.from(raw);
  return { to: tx.to, data: tx.data, value: tx.value, gasLimit: tx.gasLimit };
}
