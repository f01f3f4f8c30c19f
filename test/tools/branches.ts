import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import {
  findBranches,
  instrumentTags,
  lcovBranchRecords,
  type StatementTag,
  uncoveredArms,
  withBranchRecords,
} from "../../tools/coverage/branches.js";
import { computeBranches, parseLcov } from "../../tools/coverage/check.js";

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "branches.sol.txt");
const FILE = "contracts/BranchesFixture.sol";

describe("tools/coverage/branches", function () {
  const source = readFileSync(FIXTURE, "utf8");
  const tags = instrumentTags(source, `project/${FILE}`);

  /** The tag of the one statement whose text (trivia trimmed) starts with `start`. */
  function tagOf(start: string): StatementTag {
    const matches = tags.filter((t) => source.slice(t.start, t.end).trim().startsWith(start));
    if (matches.length !== 1) throw new Error(`${matches.length} statements start with ${start}`);
    return matches[0] as StatementTag;
  }

  /** Fake coverage/data: `{ statement start: runs }`. */
  function hits(counts: Record<string, number>): Map<string, number> {
    return new Map(Object.entries(counts).map(([start, n]) => [tagOf(start).tag, n]));
  }

  const lineOf = (text: string) => source.slice(0, source.indexOf(text)).split("\n").length;

  const data = hits({
    // bothWays: 3 runs reached the if, 2 entered its body, so 1 took the implicit else
    "if (a > 1) x = 11;": 3,
    "x = 11;": 2,
    "x = 12;": 3,
    // oneWay: every run entered the body
    "if (a > 1) {\n            x = 21;": 2,
    "{\n            x = 21;": 2,
    "x = 21;": 2,
    "x = 22;": 2,
    // chain: a == 1 and a == 3 seen, never a == 2
    "if (a == 1)": 2,
    "{\n            x = 31;": 1,
    "if (a == 2)": 1,
    "{\n            x = 33;": 1,
    // tryIt: the call succeeded twice and failed once without a reason (the empty catch {})
    "try t.ping() returns": 3,
    "x = v + 51;": 2,
  });
  const result = findBranches(FILE, source, tags, data);
  const byLine = (text: string) => result.points.find((p) => p.line === lineOf(text));

  it("recomputes EDR's tags deterministically", function () {
    const again = instrumentTags(source, `project/${FILE}`);
    expect(again).to.deep.equal(tags);
    expect(tags.length).to.be.greaterThan(20);
    expect(instrumentTags(source, "project/contracts/Other.sol")[0]?.tag).to.not.equal(tags[0]?.tag);
  });

  it("counts an if without else taken both ways: the false arm is count(if) - count(body)", function () {
    expect(byLine("if (a > 1) x = 11;")?.arms).to.deep.equal([
      { label: "true", count: 2, inferred: false },
      { label: "false", count: 1, inferred: true },
    ]);
  });

  it("counts an if without else taken one way only", function () {
    expect(byLine("if (a > 1) {\n            x = 21;")?.arms).to.deep.equal([
      { label: "true", count: 2, inferred: false },
      { label: "false", count: 0, inferred: true },
    ]);
  });

  it("counts an else-if chain as one 2-arm point per if", function () {
    expect(byLine("if (a == 1)")?.arms.map((a) => a.count)).to.deep.equal([1, 1]);
    const inner = byLine("if (a == 2)");
    expect(inner?.reached).to.equal(1);
    expect(inner?.arms.map((a) => [a.label, a.count, a.inferred])).to.deep.equal([
      ["true", 0, false],
      ["false", 1, false],
    ]);
  });

  it("reports a never-reached if with '-' arms and leaves the ternary uncounted", function () {
    const never = byLine("if (a > 1) x = 41;");
    expect(never?.reached).to.equal(0);
    expect(never?.arms.map((a) => a.count)).to.deep.equal([0, 0]);
    expect(result.notCounted).to.deep.include({ kind: "ternary", line: lineOf("a > 2 ? 42 : 43") });
  });

  it("counts try/catch clauses, inferring the one empty block", function () {
    expect(byLine("try t.ping() returns")?.arms).to.deep.equal([
      { label: "try", count: 2, inferred: false },
      { label: "catch Error", count: 0, inferred: false },
      { label: "catch", count: 1, inferred: true },
    ]);
    expect(result.notCounted).to.deep.include({
      kind: "try-empty-blocks",
      line: lineOf("try t.ping() {}"),
    });
  });

  it("totals the arms and lists the uncovered ones", function () {
    // 5 ifs (10 arms) + 1 try (3 arms); hit: 2 + 1 + 2 + 1 + 0 + 2
    expect([result.found, result.hit]).to.deep.equal([13, 8]);
    expect(uncoveredArms(result)).to.deep.equal([
      `${FILE}:${lineOf("if (a > 1) {\n            x = 21;")} if false`,
      `${FILE}:${lineOf("if (a == 2)")} if true`,
      `${FILE}:${lineOf("if (a > 1) x = 41;")} if true (never reached)`,
      `${FILE}:${lineOf("if (a > 1) x = 41;")} if false (never reached)`,
      `${FILE}:${lineOf("try t.ping() returns")} try catch Error`,
    ]);
  });

  it("writes BRDA/BRF/BRH records into an lcov report that check.ts reads back", function () {
    const records = lcovBranchRecords(result);
    const line = lineOf("if (a > 1) x = 41;");
    expect(records).to.include(`BRDA:${line},4,0,-`);
    expect(records.slice(-2)).to.deep.equal(["BRF:13", "BRH:8"]);
    const lcov = [
      "TN:",
      `SF:${FILE}`,
      "DA:1,1",
      "BRDA:1,0,0,1",
      "LH:1",
      "LF:1",
      "end_of_record",
      "SF:contracts/Other.sol",
      "DA:1,0",
      "end_of_record",
      "",
    ].join("\n");
    const merged = withBranchRecords(lcov, new Map([[FILE, result]]));
    expect(merged).to.not.include("BRDA:1,0,0,1");
    expect(parseLcov(merged).map((f) => [f.file, f.branchesHit, f.branchesFound])).to.deep.equal([
      [FILE, 8, 13],
      ["contracts/Other.sol", 0, 0],
    ]);
    expect(withBranchRecords(merged, new Map([[FILE, result]]))).to.equal(merged);
  });

  it("computes the records of a project from coverage/data, and refuses data of another source", function () {
    const root = mkdtempSync(path.join(tmpdir(), "branches-"));
    try {
      mkdirSync(path.join(root, "contracts"), { recursive: true });
      mkdirSync(path.join(root, "coverage", "data", "solidity"), { recursive: true });
      writeFileSync(path.join(root, FILE), source);
      const json = Object.fromEntries(data);
      writeFileSync(path.join(root, "coverage", "data", "solidity", "a.json"), JSON.stringify(json));
      const lcov = ["TN:", `SF:${FILE}`, "DA:13,3", "LH:1", "LF:1", "end_of_record", ""].join("\n");
      const dataDir = path.join(root, "coverage", "data");
      const { lcov: out, branches } = computeBranches(root, lcov, [dataDir]);
      expect(branches.get(FILE)?.found).to.equal(13);
      expect(parseLcov(out)[0]?.branchesHit).to.equal(8);

      // A tag depends on the whole file: after any edit, none of the recorded hits matches.
      writeFileSync(path.join(root, FILE), source.replace("x = 12;", "x = 13;"));
      expect(() => computeBranches(root, lcov, [dataDir])).to.throw(/source edited since the coverage run/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
