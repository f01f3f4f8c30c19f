/**
 * The reference implementation of healnet's minimal ledger, byte for byte as
 * contracts/fraud/libraries/LedgerTransition.sol (the rules, their order and the hashing are documented
 * there); both are held to test/fraud/vectors.json. Accounts `{owner, balance, nonce}` live in a sparse Merkle
 * tree at leaf `uint160(owner) mod 2^depth`; the only transaction is a transfer signed by its sender (EIP-712
 * typed data, EIP-2098 compact signature). A transfer that breaks a rule is a no-op.
 *
 * The signature covers the ledger's domain: the chain id and the StateCommitmentChain (proxy) address whose
 * batches carry the transfer (EIP-712 domain `{name: "healnet.ledger", version: "1", chainId,
 * verifyingContract}`), so a transfer signed for one chain or one deployment is a BadSignature no-op on any
 * other (issue #8). A `Ledger` is bound to one domain.
 */
import {
  AbiCoder,
  SigningKey,
  TypedDataEncoder,
  ZeroAddress,
  ZeroHash,
  concat,
  getAddress,
  keccak256,
  recoverAddress,
  toBeHex,
  toUtf8Bytes,
  type BaseWallet,
} from "ethers";

import { SparseMerkleTree } from "./smt.js";

const abi = AbiCoder.defaultAbiCoder();
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const UINT64_MAX = (1n << 64n) - 1n;
const UINT128_MAX = (1n << 128n) - 1n;

export const TRANSFER_TYPEHASH = keccak256(
  toUtf8Bytes("Transfer(address from,address to,uint128 amount,uint64 nonce)"),
);
export const DOMAIN_TYPEHASH = keccak256(
  toUtf8Bytes("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
);
export const LEDGER_DOMAIN_NAME = "healnet.ledger";
export const LEDGER_DOMAIN_VERSION = "1";
/** The EIP-712 types of a transfer (for `signTypedData` / `TypedDataEncoder`). */
export const TRANSFER_TYPES = {
  Transfer: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "amount", type: "uint128" },
    { name: "nonce", type: "uint64" },
  ],
};

/** Which ledger a transfer is for: the chain id and the StateCommitmentChain (proxy) that carries it. */
export interface LedgerDomain {
  chainId: bigint;
  verifyingContract: string;
}
/** The ABI type of IStateCommitmentChain.Transfer. */
export const TRANSFER_TUPLE =
  "tuple(address from,address to,uint128 amount,uint64 nonce,bytes32 r,bytes32 vs)";

export interface Account {
  owner: string;
  balance: bigint;
  nonce: bigint;
}

export interface UnsignedTransfer {
  from: string;
  to: string;
  amount: bigint;
  nonce: bigint;
}

export interface Transfer extends UnsignedTransfer {
  r: string;
  vs: string;
}

export interface AccountProof {
  account: Account;
  siblings: string[];
}

/** LedgerTransition.Outcome, same order. */
export const Outcome = {
  Applied: 0,
  SameAccount: 1,
  BadSignature: 2,
  SenderSlotTaken: 3,
  BadNonce: 4,
  NonceOverflow: 5,
  InsufficientBalance: 6,
  RecipientSlotTaken: 7,
  BalanceOverflow: 8,
} as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];
export const OUTCOME_NAMES = Object.keys(Outcome) as (keyof typeof Outcome)[];

export const EMPTY_ACCOUNT: Account = { owner: ZeroAddress, balance: 0n, nonce: 0n };

/** The domain as an ethers `TypedDataDomain`. */
export function typedDataDomain(domain: LedgerDomain) {
  return {
    name: LEDGER_DOMAIN_NAME,
    version: LEDGER_DOMAIN_VERSION,
    chainId: domain.chainId,
    verifyingContract: domain.verifyingContract,
  };
}

/** LedgerTransition.domainSeparator(chainId, verifyingContract) (IStateCommitmentChain.ledgerDomainSeparator). */
export function domainSeparator(domain: LedgerDomain): string {
  return keccak256(
    abi.encode(
      ["bytes32", "bytes32", "bytes32", "uint256", "address"],
      [
        DOMAIN_TYPEHASH,
        keccak256(toUtf8Bytes(LEDGER_DOMAIN_NAME)),
        keccak256(toUtf8Bytes(LEDGER_DOMAIN_VERSION)),
        domain.chainId,
        domain.verifyingContract,
      ],
    ),
  );
}

/** The digest `from` signs: `keccak256(0x1901 ‖ domainSeparator ‖ structHash)` (EIP-712). */
export function transferDigest(domain: LedgerDomain, t: UnsignedTransfer): string {
  const structHash = keccak256(
    abi.encode(
      ["bytes32", "address", "address", "uint128", "uint64"],
      [TRANSFER_TYPEHASH, t.from, t.to, t.amount, t.nonce],
    ),
  );
  return keccak256(concat(["0x1901", domainSeparator(domain), structHash]));
}

/** The same digest through ethers' EIP-712 encoder (what a wallet's `eth_signTypedData_v4` signs). */
export function typedTransferDigest(domain: LedgerDomain, t: UnsignedTransfer): string {
  return TypedDataEncoder.hash(typedDataDomain(domain), TRANSFER_TYPES, {
    from: t.from,
    to: t.to,
    amount: t.amount,
    nonce: t.nonce,
  });
}

/** keccak256(abi.encode(transfer)), as a step leaf hashes it. */
export function transferHash(t: Transfer): string {
  return keccak256(abi.encode([TRANSFER_TUPLE], [t]));
}

export function accountLeaf(owner: string, balance: bigint, nonce: bigint): string {
  if (balance === 0n && nonce === 0n) return ZeroHash;
  return keccak256(abi.encode(["address", "uint128", "uint64"], [owner, balance, nonce]));
}

export function leafIndex(address: string, depth: number): bigint {
  return BigInt(address) & ((1n << BigInt(depth)) - 1n);
}

/** Signs a transfer for `domain` with the sender's key (RFC 6979, deterministic). */
export function signTransfer(
  key: SigningKey | BaseWallet,
  domain: LedgerDomain,
  t: UnsignedTransfer,
): Transfer {
  const signingKey = key instanceof SigningKey ? key : key.signingKey;
  const sig = signingKey.sign(transferDigest(domain, t));
  return { ...t, r: sig.r, vs: sig.yParityAndS };
}

/** OpenZeppelin ECDSA.tryRecover(hash, r, vs) of the transfer's digest under `domain`: the signer, or null
 * where it reports an error. */
export function recoverTransferSigner(domain: LedgerDomain, t: Transfer): string | null {
  const vs = BigInt(t.vs);
  const s = vs & ((1n << 255n) - 1n);
  const v = 27 + Number(vs >> 255n);
  const r = BigInt(t.r);
  if (s > SECP256K1_N / 2n) return null;
  if (r === 0n || s === 0n || r >= SECP256K1_N) return null;
  try {
    return recoverAddress(transferDigest(domain, t), { r: toBeHex(r, 32), s: toBeHex(s, 32), v });
  } catch {
    return null;
  }
}

/** One applied transfer with what a fraud proof needs. */
export interface StepResult {
  preRoot: string;
  postRoot: string;
  outcome: Outcome;
  /** The sender's account and siblings against `preRoot`. */
  from: AccountProof;
  /** The recipient's account and siblings against the root after the debit (or `preRoot` if none). */
  to: AccountProof;
}

function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export type GenesisBalances = readonly { owner: string; balance: bigint; nonce?: bigint }[];

export class Ledger {
  readonly depth: number;
  /** The domain every transfer's signature must be for (the chain id and the StateCommitmentChain). */
  readonly domain: LedgerDomain;
  readonly #tree: SparseMerkleTree;
  /** Non-empty accounts by leaf index. */
  readonly #accounts: Map<bigint, Account>;

  constructor(depth: number, domain: LedgerDomain, tree?: SparseMerkleTree, accounts?: Map<bigint, Account>) {
    this.depth = depth;
    this.domain = { chainId: domain.chainId, verifyingContract: getAddress(domain.verifyingContract) };
    this.#tree = tree ?? new SparseMerkleTree(depth);
    this.#accounts = accounts ?? new Map();
  }

  /** A ledger of `domain` whose accounts start with these balances (nonce 0 unless given): a genesis state. */
  static genesis(depth: number, domain: LedgerDomain, balances: GenesisBalances): Ledger {
    const ledger = new Ledger(depth, domain);
    for (const { owner, balance, nonce } of balances) {
      const index = leafIndex(owner, depth);
      const current = ledger.#accounts.get(index);
      if (current !== undefined && !sameAddress(current.owner, owner))
        throw new Error(`genesis: ${owner} collides with ${current.owner} at leaf ${index}`);
      ledger.#write(index, { owner: getAddress(owner), balance, nonce: nonce ?? 0n });
    }
    return ledger;
  }

  /** The genesis state root of these balances: it does not depend on the domain (the chain's
   * `genesisStateRoot`, needed before the chain, and so its address, exists). */
  static genesisRoot(depth: number, balances: GenesisBalances): string {
    return Ledger.genesis(depth, { chainId: 0n, verifyingContract: ZeroAddress }, balances).root;
  }

  get root(): string {
    return this.#tree.root;
  }

  clone(): Ledger {
    return new Ledger(this.depth, this.domain, this.#tree.clone(), new Map(this.#accounts));
  }

  /** The same state bound to another domain (e.g. to replay a batch against another deployment). */
  withDomain(domain: LedgerDomain): Ledger {
    return new Ledger(this.depth, domain, this.#tree.clone(), new Map(this.#accounts));
  }

  /** The account of `address` (empty if its slot is empty or held by another address). */
  account(address: string): Account {
    const a = this.#accounts.get(leafIndex(address, this.depth));
    return a !== undefined && sameAddress(a.owner, address) ? { ...a } : { ...EMPTY_ACCOUNT, owner: address };
  }

  /** The occupant of `address`'s slot (or an empty account) and its siblings. */
  proof(address: string): AccountProof {
    const index = leafIndex(address, this.depth);
    return {
      account: { ...(this.#accounts.get(index) ?? EMPTY_ACCOUNT) },
      siblings: this.#tree.proof(index),
    };
  }

  /** Applies a transfer (LedgerTransition.applyTransfer) and returns the step with its proofs. */
  apply(t: Transfer): StepResult {
    const preRoot = this.root;
    const from = this.proof(t.from);
    const noop = (outcome: Outcome, to: AccountProof = this.proof(t.to)): StepResult => ({
      preRoot,
      postRoot: preRoot,
      outcome,
      from,
      to,
    });
    if (sameAddress(t.from, t.to)) return noop(Outcome.SameAccount);
    const signer = recoverTransferSigner(this.domain, t);
    if (signer === null || !sameAddress(signer, t.from)) return noop(Outcome.BadSignature);

    const a = from.account;
    let outcome: Outcome = Outcome.Applied;
    if (isTaken(a, t.from)) outcome = Outcome.SenderSlotTaken;
    else if (a.nonce !== t.nonce) outcome = Outcome.BadNonce;
    else if (a.nonce === UINT64_MAX) outcome = Outcome.NonceOverflow;
    else if (a.balance < t.amount) outcome = Outcome.InsufficientBalance;
    if (outcome !== Outcome.Applied) return noop(outcome);

    const fromIndex = leafIndex(t.from, this.depth);
    const saved = this.#accounts.get(fromIndex);
    this.#write(fromIndex, { owner: getAddress(t.from), balance: a.balance - t.amount, nonce: a.nonce + 1n });
    const to = this.proof(t.to);
    const b = to.account;
    if (isTaken(b, t.to)) outcome = Outcome.RecipientSlotTaken;
    else if (b.balance + t.amount > UINT128_MAX) outcome = Outcome.BalanceOverflow;
    if (outcome !== Outcome.Applied) {
      this.#write(fromIndex, saved ?? EMPTY_ACCOUNT);
      return noop(outcome, to);
    }
    this.#write(leafIndex(t.to, this.depth), {
      owner: getAddress(t.to),
      balance: b.balance + t.amount,
      nonce: b.nonce,
    });
    return { preRoot, postRoot: this.root, outcome, from, to };
  }

  #write(index: bigint, a: Account): void {
    const leaf = accountLeaf(a.owner, a.balance, a.nonce);
    if (leaf === ZeroHash) this.#accounts.delete(index);
    else this.#accounts.set(index, { ...a });
    this.#tree.set(index, leaf);
  }
}

function isTaken(a: Account, address: string): boolean {
  return (a.balance !== 0n || a.nonce !== 0n) && !sameAddress(a.owner, address);
}
