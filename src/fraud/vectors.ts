/**
 * The shared test vectors of the ledger (test/fraud/vectors.json): one transfer each, with its domain (chain id
 * and StateCommitmentChain address), its pre-state root, the two account proofs, the expected post-root and
 * outcome. Generated here from fixed keys (signatures are
 * deterministic, RFC 6979); `npx tsx scripts/fraud-vectors.ts` rewrites the file, and test/fraud/vectors.ts
 * checks that both the TypeScript ledger and the Solidity LedgerTransition (through LedgerTransitionHarness)
 * produce every expected root and outcome.
 */
import { SigningKey, computeAddress, getAddress, id, toBeHex } from "ethers";

import {
  Ledger,
  OUTCOME_NAMES,
  leafIndex,
  signTransfer,
  type AccountProof,
  type LedgerDomain,
  type Transfer,
  type UnsignedTransfer,
} from "./ledger.js";

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

export interface VectorAccountProof {
  account: { owner: string; balance: string; nonce: string };
  siblings: string[];
}

export interface Vector {
  name: string;
  /** The domain the ledger applying the transfer is bound to (the chain id as a decimal string). */
  domain: { chainId: string; verifyingContract: string };
  depth: number;
  preRoot: string;
  transfer: { from: string; to: string; amount: string; nonce: string; r: string; vs: string };
  from: VectorAccountProof;
  to: VectorAccountProof;
  postRoot: string;
  outcome: (typeof OUTCOME_NAMES)[number];
}

function key(label: string): SigningKey {
  return new SigningKey(id(`healnet fraud vector ${label}`));
}

function proofJson(p: AccountProof): VectorAccountProof {
  return {
    account: {
      owner: p.account.owner,
      balance: p.account.balance.toString(),
      nonce: p.account.nonce.toString(),
    },
    siblings: p.siblings,
  };
}

export function domainFromJson(d: Vector["domain"]): LedgerDomain {
  return { chainId: BigInt(d.chainId), verifyingContract: d.verifyingContract };
}

/** A fixed contract address for the vectors' domains. */
function contractAddress(label: string): string {
  return getAddress(`0x${id(`healnet fraud vector contract ${label}`).slice(-40)}`);
}

export function transferFromJson(t: Vector["transfer"]): Transfer {
  return { ...t, amount: BigInt(t.amount), nonce: BigInt(t.nonce) };
}

export function proofFromJson(p: VectorAccountProof): AccountProof {
  return {
    account: { owner: p.account.owner, balance: BigInt(p.account.balance), nonce: BigInt(p.account.nonce) },
    siblings: p.siblings,
  };
}

/** Finds a key whose address shares `target`'s leaf at `depth` (deterministic search). */
function colliding(target: string, depth: number, label: string): SigningKey {
  for (let i = 0; ; i++) {
    const k = key(`${label} ${i}`);
    const address = computeAddress(k);
    if (address !== target && leafIndex(address, depth) === leafIndex(target, depth)) return k;
  }
}

export function generateVectors(): Vector[] {
  const vectors: Vector[] = [];
  const depth = 8;
  const alice = key("alice");
  const bob = key("bob");
  const carol = key("carol");
  const rich = key("rich");
  const old = key("old");
  const dave = key("dave");
  const D = computeAddress(dave);
  const A = computeAddress(alice);
  const B = computeAddress(bob);
  const C = computeAddress(carol);
  const R = computeAddress(rich);
  const O = computeAddress(old);
  const intruder = colliding(A, depth, "intruder"); // its slot is alice's
  const I = computeAddress(intruder);
  const shadow = computeAddress(colliding(B, depth, "shadow")); // its slot is bob's
  const MAX128 = (1n << 128n) - 1n;
  // The ledger's own domain; the replays are signed for another chain id or another chain contract.
  const domain: LedgerDomain = { chainId: 31_337n, verifyingContract: contractAddress("home") };
  const otherChain: LedgerDomain = { chainId: 1n, verifyingContract: domain.verifyingContract };
  const otherContract: LedgerDomain = {
    chainId: domain.chainId,
    verifyingContract: contractAddress("other"),
  };
  const ledger = Ledger.genesis(depth, domain, [
    { owner: A, balance: 1_000n },
    { owner: R, balance: MAX128 - 5n },
    { owner: O, balance: 10n, nonce: (1n << 64n) - 1n },
  ]);

  const record = (name: string, l: Ledger, t: Transfer): void => {
    const step = l.apply(t);
    vectors.push({
      name,
      domain: { chainId: l.domain.chainId.toString(), verifyingContract: l.domain.verifyingContract },
      depth: l.depth,
      preRoot: step.preRoot,
      transfer: { ...t, amount: t.amount.toString(), nonce: t.nonce.toString() },
      from: proofJson(step.from),
      to: proofJson(step.to),
      postRoot: step.postRoot,
      outcome: OUTCOME_NAMES[step.outcome]!,
    });
  };
  const sign = (k: SigningKey, t: UnsignedTransfer, d: LedgerDomain = domain) => signTransfer(k, d, t);

  record(
    "applied: alice pays bob (new account)",
    ledger,
    sign(alice, { from: A, to: B, amount: 100n, nonce: 0n }),
  );
  record("applied: bob pays alice back", ledger, sign(bob, { from: B, to: A, amount: 40n, nonce: 0n }));
  record(
    "applied: zero amount to an empty account",
    ledger,
    sign(alice, { from: A, to: C, amount: 0n, nonce: 1n }),
  );
  record("applied: whole balance", ledger, sign(bob, { from: B, to: C, amount: 60n, nonce: 1n }));
  record("no-op: same account", ledger, sign(alice, { from: A, to: A, amount: 1n, nonce: 2n }));
  record("no-op: signed by someone else", ledger, sign(carol, { from: A, to: C, amount: 1n, nonce: 2n }));
  const good = sign(alice, { from: A, to: C, amount: 1n, nonce: 2n });
  record("no-op: zero r", ledger, { ...good, r: toBeHex(0n, 32) });
  const vs = BigInt(good.vs);
  const s = vs & ((1n << 255n) - 1n);
  const flipped = (vs >> 255n) ^ 1n;
  record("no-op: high-s (malleated) signature", ledger, {
    ...good,
    vs: toBeHex((flipped << 255n) | (SECP256K1_N - s), 32),
  });
  const replay = { from: A, to: C, amount: 1n, nonce: 2n };
  record("no-op: signed for another chain id (replay)", ledger, sign(alice, replay, otherChain));
  record("no-op: signed for another chain contract (replay)", ledger, sign(alice, replay, otherContract));
  record(
    "applied: the replayed transfer on the contract it was signed for",
    ledger.withDomain(otherContract),
    sign(alice, replay, otherContract),
  );
  record("no-op: nonce too high", ledger, sign(alice, { from: A, to: C, amount: 1n, nonce: 7n }));
  record("no-op: nonce replayed", ledger, sign(alice, { from: A, to: C, amount: 1n, nonce: 0n }));
  record("no-op: insufficient balance", ledger, sign(alice, { from: A, to: C, amount: 10_000n, nonce: 2n }));
  record(
    "applied: carol (paid earlier) pays alice",
    ledger,
    sign(carol, { from: C, to: A, amount: 1n, nonce: 0n }),
  );
  record("no-op: empty sender", ledger, sign(dave, { from: D, to: A, amount: 1n, nonce: 0n }));
  record("applied: empty sender, zero amount", ledger, sign(dave, { from: D, to: A, amount: 0n, nonce: 0n }));
  record(
    "no-op: sender's slot held by another",
    ledger,
    sign(intruder, { from: I, to: C, amount: 0n, nonce: 0n }),
  );
  record(
    "no-op: recipient's slot held by another",
    ledger,
    sign(alice, { from: A, to: shadow, amount: 5n, nonce: 2n }),
  );
  record("no-op: recipient balance overflow", ledger, sign(alice, { from: A, to: R, amount: 6n, nonce: 2n }));
  record(
    "applied: recipient balance to the 128-bit maximum",
    ledger,
    sign(alice, { from: A, to: R, amount: 5n, nonce: 2n }),
  );
  record(
    "no-op: sender nonce at 2^64 - 1",
    ledger,
    sign(old, { from: O, to: A, amount: 1n, nonce: (1n << 64n) - 1n }),
  );

  for (const d of [32, 160]) {
    const l = Ledger.genesis(d, domain, [
      { owner: A, balance: 500n },
      { owner: B, balance: 7n },
    ]);
    record(`applied: depth ${d}`, l, sign(alice, { from: A, to: C, amount: 123n, nonce: 0n }));
    record(`applied: depth ${d}, second transfer`, l, sign(bob, { from: B, to: A, amount: 7n, nonce: 0n }));
  }
  return vectors;
}
