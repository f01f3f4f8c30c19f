/**
 * A deterministic stream of valid signed transfers among a fixed set of accounts, for the simulation and the
 * tests: `genesisRoot(depth)` is the root the StateCommitmentChain starts from (`parameters.fraud.genesisStateRoot`),
 * `genesis(depth, domain)` that ledger bound to the deployed chain's domain, `next(n, domain)` signs the next `n`
 * transfers for that domain, each valid on the state left by the previous ones (so a batch that is discarded and
 * requeued in order replays exactly).
 */
import { Wallet, id } from "ethers";

import { Ledger, leafIndex, signTransfer, type LedgerDomain, type Transfer } from "./ledger.js";

export interface WorkloadOptions {
  /** Seeds the account keys and the choice of transfers. */
  seed: string;
  accounts: number;
  /** Each account's genesis balance. */
  balance: bigint;
  /** Tree depth the accounts must not collide at (their leaves are distinct at this depth and deeper). */
  minDepth: number;
}

export const DEFAULT_WORKLOAD_OPTIONS: WorkloadOptions = {
  seed: "healnet workload",
  accounts: 8,
  balance: 1_000_000n,
  minDepth: 8,
};

export class TransferWorkload {
  readonly wallets: Wallet[] = [];
  readonly #options: WorkloadOptions;
  readonly #nonces = new Map<string, bigint>();
  readonly #balances = new Map<string, bigint>();
  #counter = 0;

  constructor(options: Partial<WorkloadOptions> = {}) {
    this.#options = { ...DEFAULT_WORKLOAD_OPTIONS, ...options };
    const used = new Set<bigint>();
    for (let i = 0; this.wallets.length < this.#options.accounts; i++) {
      const w = new Wallet(id(`${this.#options.seed} account ${i}`));
      const leaf = leafIndex(w.address, this.#options.minDepth);
      if (used.has(leaf)) continue;
      used.add(leaf);
      this.wallets.push(w);
      this.#balances.set(w.address, this.#options.balance);
    }
  }

  /** The genesis ledger of `domain`: every account funded with `balance`, nonce 0. */
  genesis(depth: number, domain: LedgerDomain): Ledger {
    return Ledger.genesis(depth, domain, this.#balancesAt(depth));
  }

  /** The genesis state root (the same for every domain). */
  genesisRoot(depth: number): string {
    return Ledger.genesisRoot(depth, this.#balancesAt(depth));
  }

  #balancesAt(depth: number): { owner: string; balance: bigint }[] {
    if (depth < this.#options.minDepth)
      throw new Error(`workload: depth ${depth} < minDepth ${this.#options.minDepth}`);
    return this.wallets.map((w) => ({ owner: w.address, balance: this.#options.balance }));
  }

  /** The next `n` transfers, signed for `domain` (valid in sequence from the genesis). */
  next(n: number, domain: LedgerDomain): Transfer[] {
    const out: Transfer[] = [];
    for (let k = 0; k < n; k++) {
      const r = BigInt(id(`${this.#options.seed} transfer ${this.#counter++}`));
      const count = BigInt(this.wallets.length);
      const f = Number(r % count);
      const t = (f + 1 + Number((r >> 16n) % (count - 1n))) % this.wallets.length;
      const from = this.wallets[f]!;
      const to = this.wallets[t]!;
      const balance = this.#balances.get(from.address)!;
      const amount = balance === 0n ? 0n : (r >> 32n) % (balance / 10n + 1n);
      const nonce = this.#nonces.get(from.address) ?? 0n;
      out.push(signTransfer(from, domain, { from: from.address, to: to.address, amount, nonce }));
      this.#nonces.set(from.address, nonce + 1n);
      this.#balances.set(from.address, balance - amount);
      this.#balances.set(to.address, this.#balances.get(to.address)! + amount);
    }
    return out;
  }
}
