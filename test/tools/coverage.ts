import { expect } from "chai";

import { gate, inScope, parseLcov } from "../../tools/coverage/check.js";

const LCOV = [
  "TN:",
  "SF:contracts/staking/StakeManager.sol",
  "DA:1,1",
  "DA:2,0",
  "LH:1",
  "LF:2",
  "end_of_record",
  "SF:contracts/guardians/GuardianCouncil.sol",
  "DA:1,3",
  "DA:2,1",
  "BRDA:1,0,0,1",
  "BRDA:1,0,1,-",
  "end_of_record",
  "SF:contracts/mocks/MockStakeManager.sol",
  "DA:1,0",
  "end_of_record",
].join("\n");

describe("tools/coverage/check", function () {
  it("reads lcov totals, and counts DA/BRDA records when the totals are missing", function () {
    const files = parseLcov(LCOV);
    expect(
      files.map((f) => [f.file, f.linesHit, f.linesFound, f.branchesHit, f.branchesFound]),
    ).to.deep.equal([
      ["contracts/staking/StakeManager.sol", 1, 2, 0, 0],
      ["contracts/guardians/GuardianCouncil.sol", 2, 2, 1, 2],
      ["contracts/mocks/MockStakeManager.sol", 0, 1, 0, 0],
    ]);
  });

  it("leaves mocks and files outside contracts/ out", function () {
    expect(inScope("contracts/staking/StakeManager.sol")).to.equal(true);
    expect(inScope("contracts/mocks/MockStakeManager.sol")).to.equal(false);
    expect(inScope("test/staking/StakeManager.t.sol")).to.equal(false);
  });

  it("fails below the line or branch threshold and passes at or above it", function () {
    const files = parseLcov(LCOV).filter((f) => inScope(f.file));
    const low = gate(files, 95, 95);
    expect(low.lines.pct).to.equal(75);
    expect(low.branches?.pct).to.equal(50);
    expect(low.failures).to.deep.equal(["lines 75.00% < 95%", "branches 50.00% < 95%"]);
    expect(gate(files, 75, 50).failures).to.deep.equal([]);
  });

  it("checks lines only when the report has no branch records", function () {
    const files = parseLcov(LCOV).filter((f) => f.file.includes("StakeManager.sol") && inScope(f.file));
    const result = gate(files, 50, 95);
    expect(result.branches).to.equal(undefined);
    expect(result.failures).to.deep.equal([]);
  });
});
