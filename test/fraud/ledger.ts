/** Unit tests of the TypeScript ledger: the sparse Merkle tree, the transition's bookkeeping, the workload. */
import { expect } from "chai";
import { Wallet, ZeroHash, id } from "ethers";

import { buildBatch, stepProof, stepsRoot } from "../../src/fraud/batch.js";
import {
  Ledger,
  Outcome,
  accountLeaf,
  leafIndex,
  recoverTransferSigner,
  signTransfer,
  transferDigest,
  typedTransferDigest,
  type LedgerDomain,
} from "../../src/fraud/ledger.js";
import { SparseMerkleTree, computeRoot, hashPair } from "../../src/fraud/smt.js";
import { TransferWorkload } from "../../src/fraud/workload.js";

const DOMAIN: LedgerDomain = {
  chainId: 31_337n,
  verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
};

describe("src/fraud ledger", function () {
  describe("SparseMerkleTree", function () {
    it("is zero when empty and returns to zero when its leaves are cleared", function () {
      const tree = new SparseMerkleTree(20);
      expect(tree.root).to.equal(ZeroHash);
      tree.set(5n, id("a"));
      tree.set(1_000n, id("b"));
      expect(tree.root).to.not.equal(ZeroHash);
      tree.set(5n, ZeroHash);
      tree.set(1_000n, ZeroHash);
      expect(tree.root).to.equal(ZeroHash);
    });

    it("proves every leaf against its root, and a changed leaf does not verify", function () {
      const tree = new SparseMerkleTree(12);
      const leaves = new Map<bigint, string>([
        [0n, id("x")],
        [1n, id("y")],
        [4095n, id("z")],
        [1234n, id("w")],
      ]);
      for (const [i, leaf] of leaves) tree.set(i, leaf);
      for (const [i, leaf] of leaves) {
        const proof = tree.proof(i);
        expect(proof.length).to.equal(12);
        expect(computeRoot(leaf, i, proof)).to.equal(tree.root);
        expect(computeRoot(id("other"), i, proof)).to.not.equal(tree.root);
      }
      expect(hashPair(ZeroHash, ZeroHash)).to.equal(ZeroHash);
    });

    it("rejects depths outside 1..160", function () {
      expect(() => new SparseMerkleTree(0)).to.throw(/1..160/);
      expect(() => new SparseMerkleTree(161)).to.throw(/1..160/);
    });
  });

  describe("Ledger", function () {
    it("keeps its accounts and tree consistent, and a no-op leaves the state untouched", function () {
      const workload = new TransferWorkload({ accounts: 6, seed: "ledger unit" });
      const ledger = workload.genesis(16, DOMAIN);
      const [t] = workload.next(1, DOMAIN);
      const before = ledger.root;
      const step = ledger.apply(t!);
      expect(step.outcome).to.equal(Outcome.Applied);
      expect(step.preRoot).to.equal(before);
      expect(ledger.root).to.equal(step.postRoot);
      const from = ledger.account(t!.from);
      expect(from.nonce).to.equal(1n);
      const proof = ledger.proof(t!.from);
      expect(
        computeRoot(
          accountLeaf(from.owner, from.balance, from.nonce),
          leafIndex(t!.from, 16),
          proof.siblings,
        ),
      ).to.equal(ledger.root);
      // Replaying the same transfer is a bad nonce: nothing changes.
      const replay = ledger.apply(t!);
      expect(replay.outcome).to.equal(Outcome.BadNonce);
      expect(ledger.root).to.equal(step.postRoot);
    });

    it("refuses a genesis whose accounts collide", function () {
      const a = "0x00000000000000000000000000000000000000A1";
      const b = "0x00000000000000000000000000000000000001A1";
      expect(() =>
        Ledger.genesis(8, DOMAIN, [
          { owner: a, balance: 1n },
          { owner: b, balance: 1n },
        ]),
      ).to.throw(/collides/);
    });
  });

  describe("domain separation (issue #8)", function () {
    const alice = new Wallet(id("domain alice"));
    const bob = new Wallet(id("domain bob"));
    const otherChain: LedgerDomain = { ...DOMAIN, chainId: 1n };
    const otherContract: LedgerDomain = {
      ...DOMAIN,
      verifyingContract: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
    };
    const unsigned = { from: alice.address, to: bob.address, amount: 5n, nonce: 0n };
    const genesis = () => Ledger.genesis(16, DOMAIN, [{ owner: alice.address, balance: 100n }]);

    it("the digest is the EIP-712 typed-data hash and differs per chain id and per contract", function () {
      expect(transferDigest(DOMAIN, unsigned)).to.equal(typedTransferDigest(DOMAIN, unsigned));
      const digests = new Set([DOMAIN, otherChain, otherContract].map((d) => transferDigest(d, unsigned)));
      expect(digests.size).to.equal(3);
    });

    for (const [what, foreign] of [
      ["another chain id", otherChain],
      ["another chain contract", otherContract],
    ] as const) {
      it(`a transfer signed for ${what} is a BadSignature no-op, and applies on its own domain`, function () {
        const t = signTransfer(alice, foreign, unsigned);
        expect(recoverTransferSigner(foreign, t)).to.equal(alice.address);
        expect(recoverTransferSigner(DOMAIN, t)).to.not.equal(alice.address);
        const ledger = genesis();
        const step = ledger.apply(t);
        expect(step.outcome).to.equal(Outcome.BadSignature);
        expect(step.postRoot).to.equal(step.preRoot);
        expect(ledger.account(alice.address).balance).to.equal(100n);
        const there = genesis().withDomain(foreign);
        expect(there.root).to.equal(ledger.root);
        expect(there.apply(t).outcome).to.equal(Outcome.Applied);
        // Signed for this domain, the same transfer applies here.
        expect(ledger.apply(signTransfer(alice, DOMAIN, unsigned)).outcome).to.equal(Outcome.Applied);
      });
    }

    it("the genesis root does not depend on the domain", function () {
      const balances = [{ owner: alice.address, balance: 100n }];
      expect(Ledger.genesisRoot(16, balances)).to.equal(Ledger.genesis(16, otherChain, balances).root);
    });
  });

  describe("TransferWorkload", function () {
    it("produces transfers that are all valid in sequence", function () {
      const workload = new TransferWorkload();
      const ledger = workload.genesis(32, DOMAIN);
      const outcomes = workload.next(200, DOMAIN).map((t) => ledger.apply(t).outcome);
      expect(outcomes.every((o) => o === Outcome.Applied)).to.equal(true);
    });
  });

  describe("batches", function () {
    it("a corrupted step changes the claimed root, not the ledger, and the step proofs match the steps root", function () {
      const workload = new TransferWorkload({ seed: "batch unit" });
      const honest = workload.genesis(16, DOMAIN);
      const liar = honest.clone();
      const txs = workload.next(5, DOMAIN);
      const good = buildBatch(honest, txs);
      const bad = buildBatch(liar, txs, (step, root) => (step === 3 ? id("lie") : root));
      expect(liar.root).to.equal(honest.root);
      expect(bad.postRoots[3]).to.equal(id("lie"));
      expect(stepsRoot(bad.prevStateRoot, bad.txs, bad.postRoots)).to.not.equal(
        stepsRoot(good.prevStateRoot, good.txs, good.postRoots),
      );
      expect(stepProof(good.prevStateRoot, good.txs, good.postRoots, 4)).to.have.length(3);
    });
  });
});
