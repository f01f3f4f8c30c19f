/**
 * A nonce manager for one key. Sends through it are serialised: each `withNonce` call holds the key's
 * lock while it signs and broadcasts, so two concurrent sends never get the same nonce.
 *
 * The next nonce comes from the node's `pending` transaction count on first use, after `invalidate()`,
 * and whenever a send fails with "nonce too low" or "replacement underpriced" (another process, or a
 * transaction this one lost track of, used the nonce), and when the node's mined count falls below a nonce
 * seen mined (`markMined`): a reorg dropped one of our transactions and the cached nonce would leave a gap.
 */
import type { Provider } from "ethers";

import { isNonceTooLow, isReplacementUnderpriced } from "./errors.js";

export class NonceManager {
  #next: number | null = null;
  /** Nonces below this were seen mined (a receipt). The node's mined count falling below it = a reorg. */
  #minedFloor = 0;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly provider: Provider,
    readonly address: string,
  ) {}

  /** Re-reads the next nonce from the node's pending count. */
  async sync(): Promise<number> {
    return this.exclusive(() => this.#sync());
  }

  /** Forgets the cached nonce; the next send re-reads it from the node. */
  invalidate(): void {
    this.#next = null;
  }

  /**
   * Runs `fn` with the next nonce while holding the lock. If `fn` resolves, the nonce counts as used
   * (resolve as soon as the signed transaction is recorded, even if broadcasting failed: it will be
   * re-broadcast). If `fn` throws, the nonce is handed out again, after a resync if the error says the
   * nonce was already taken.
   */
  async withNonce<T>(fn: (nonce: number) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      let nonce = this.#next;
      if (nonce !== null && this.#minedFloor > 0) {
        // A reorg that dropped one of our mined transactions puts the account's nonce back: the cached
        // next nonce would leave a gap that nothing fills. Resync when the node no longer counts a nonce
        // we saw mined (a lagging node does too; then the broadcast says "nonce too low" and resyncs).
        const mined = await this.provider.getTransactionCount(this.address, "latest");
        if (mined < this.#minedFloor) {
          this.#minedFloor = mined;
          nonce = null;
        }
      }
      nonce ??= await this.#sync();
      try {
        const result = await fn(nonce);
        this.#next = nonce + 1;
        return result;
      } catch (error) {
        if (isNonceTooLow(error) || isReplacementUnderpriced(error)) this.#next = null;
        throw error;
      }
    });
  }

  /** Records that a transaction of ours with `nonce` was seen mined (its receipt). */
  markMined(nonce: number): void {
    if (nonce + 1 > this.#minedFloor) this.#minedFloor = nonce + 1;
  }

  /** Records that `nonce` is in use by a transaction sent outside `withNonce` (a re-broadcast). */
  markUsed(nonce: number): void {
    if (this.#next !== null && this.#next <= nonce) this.#next = nonce + 1;
  }

  /** Runs `fn` while holding this key's lock (no other send can take a nonce meanwhile). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn, fn);
    // The chain continues whether `fn` succeeded or not; errors go to the caller only.
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #sync(): Promise<number> {
    this.#next = await this.provider.getTransactionCount(this.address, "pending");
    return this.#next;
  }
}
