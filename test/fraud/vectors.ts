/**
 * The shared ledger vectors (test/fraud/vectors.json) against both implementations: the TypeScript ledger
 * regenerates them exactly, and the Solidity LedgerTransition (through LedgerTransitionHarness, on the
 * in-process network) computes every post-root and outcome they record.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";
import { network } from "hardhat";

import {
  OUTCOME_NAMES,
  domainSeparator,
  transferDigest,
  typedTransferDigest,
} from "../../src/fraud/ledger.js";
import {
  domainFromJson,
  generateVectors,
  proofFromJson,
  transferFromJson,
  type Vector,
} from "../../src/fraud/vectors.js";
import type { LedgerTransitionHarness } from "../../types/ethers-contracts/index.js";

const vectors = JSON.parse(readFileSync("test/fraud/vectors.json", "utf8")) as Vector[];

describe("ledger vectors", function () {
  this.timeout(60_000);
  let connection: Awaited<ReturnType<typeof network.create>>;
  let harness: LedgerTransitionHarness;

  before(async function () {
    connection = await network.create();
    harness = (await connection.ethers.deployContract(
      "LedgerTransitionHarness",
    )) as unknown as LedgerTransitionHarness;
  });

  after(async function () {
    await connection.close();
  });

  it("covers every outcome", function () {
    expect(new Set(vectors.map((v) => v.outcome))).to.deep.equal(new Set(OUTCOME_NAMES));
  });

  it("the TypeScript ledger reproduces the file exactly", function () {
    expect(generateVectors()).to.deep.equal(vectors);
  });

  it("covers replays signed for another chain id and another chain contract", function () {
    const replays = vectors.filter((v) => v.name.includes("(replay)"));
    expect(replays.map((v) => v.outcome)).to.deep.equal(["BadSignature", "BadSignature"]);
  });

  for (const v of vectors) {
    it(`Solidity: ${v.name} (depth ${v.depth})`, async function () {
      const domain = domainFromJson(v.domain);
      const separator = await harness.domainSeparator(domain.chainId, domain.verifyingContract);
      expect(separator).to.equal(domainSeparator(domain));
      const t = transferFromJson(v.transfer);
      const digest = await harness.transferDigest(separator, t);
      expect(digest).to.equal(transferDigest(domain, t));
      expect(digest).to.equal(typedTransferDigest(domain, t));
      const [postRoot, outcome] = await harness.applyTransfer(
        separator,
        v.preRoot,
        t,
        proofFromJson(v.from),
        proofFromJson(v.to),
        v.depth,
      );
      expect(postRoot).to.equal(v.postRoot);
      expect(OUTCOME_NAMES[Number(outcome)]).to.equal(v.outcome);
    });
  }
});
