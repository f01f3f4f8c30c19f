import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import { detector as cei } from "../../tools/detectors/checks-effects-interactions.js";
import { detector as guarded } from "../../tools/detectors/guarded-or-permissionless.js";
import {
  DETECTORS,
  type Detector,
  type Finding,
  loadProject,
  projectFromSources,
  runDetectors,
} from "../../tools/detectors/index.js";
import { detector as noTxOrigin } from "../../tools/detectors/no-tx-origin.js";
import { detector as unboundedLoop } from "../../tools/detectors/unbounded-loop.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "..", "..");

function fixture(name: string): string {
  return readFileSync(path.join(here, "fixtures", name), "utf8");
}

/** The fixture as contracts/<file>, next to the IVault fixture as contracts/interfaces/IVault.sol. */
function run(det: Detector, source: string, file = "contracts/Fixture.sol"): Finding[] {
  const project = projectFromSources([
    { path: file, source },
    { path: "contracts/interfaces/IVault.sol", source: fixture("IVault.sol.txt") },
  ]);
  return runDetectors(project, [det]).filter((f) => f.file === file);
}

function lines(findings: Finding[]): number[] {
  return findings.map((f) => f.line);
}

describe("detectors", function () {
  describe("unbounded-loop", function () {
    it("flags storage-bounded loops in state-changing code, with their lines and functions", function () {
      const findings = run(unboundedLoop, fixture("unbounded-loop.flagged.sol.txt"));
      expect(lines(findings)).to.deep.equal([21, 29, 37, 44, 50, 61, 68]);
      expect(findings.every((f) => f.detector === "unbounded-loop")).to.equal(true);
      expect(findings[0]?.message)
        .to.contain("UnboundedLoops.sweepArray()")
        .and.contain("_validators.length");
      expect(findings[4]?.message).to.contain("no bound");
      expect(findings[5]?.message).to.contain("_helper() (reached from UnboundedLoops.viaHelper())");
    });

    it("accepts parameter, calldata, min(), a < b ? a : b, constant and conjunction bounds, and justified loops", function () {
      expect(run(unboundedLoop, fixture("unbounded-loop.clean.sol.txt"))).to.deep.equal([]);
    });

    it("requires the `// bounded:` justification (without it the same loops are flagged)", function () {
      const source = fixture("unbounded-loop.clean.sol.txt").replace(/\/\/ bounded:/g, "// note:");
      expect(lines(run(unboundedLoop, source))).to.deep.equal([48, 53]);
    });

    it("does not look at contracts/mocks/", function () {
      const source = fixture("unbounded-loop.flagged.sol.txt");
      expect(run(unboundedLoop, source, "contracts/mocks/UnboundedLoops.sol")).to.deep.equal([]);
    });
  });

  describe("checks-effects-interactions", function () {
    it("flags state written after a value transfer, directly or through same-file helpers", function () {
      const findings = run(cei, fixture("cei.flagged.sol.txt"));
      expect(lines(findings)).to.deep.equal([23, 30, 31, 36]);
      expect(findings[0]?.message).to.contain("_owed[msg.sender] = 0").and.contain("(line 22)");
      expect(findings[1]?.message).to.contain("c.paid = true").and.contain("(line 28)");
      expect(findings[3]?.message).to.contain("_record(...)").and.contain("_pay(...)");
    });

    it("accepts effects before interactions, local writes after them and re-pointed storage locals", function () {
      expect(run(cei, fixture("cei.clean.sol.txt"))).to.deep.equal([]);
    });

    it("honours a suppression comment with a reason, and only with one", function () {
      const source = fixture("cei.clean.sol.txt");
      const line = source.split("\n").findIndex((l) => l.includes("detectors-disable-next-line")) + 1;
      const unsuppressed = source.replace("detectors-disable-next-line", "note");
      expect(lines(run(cei, unsuppressed))).to.deep.equal([line + 1]);
      const noReason = source.replace(/ -- the token.*$/m, "");
      const findings = run(cei, noReason);
      expect(findings.map((f) => [f.line, f.detector])).to.deep.equal([
        [line, "detectors"],
        [line + 1, "checks-effects-interactions"],
      ]);
    });
  });

  describe("no-tx-origin", function () {
    it("flags tx.origin and the origin() opcode", function () {
      const findings = run(noTxOrigin, fixture("tx-origin.flagged.sol.txt"));
      expect(lines(findings)).to.deep.equal([8, 13]);
    });

    it("ignores comments and members named origin", function () {
      expect(run(noTxOrigin, fixture("tx-origin.clean.sol.txt"))).to.deep.equal([]);
    });

    it("also checks contracts/mocks/", function () {
      const source = fixture("tx-origin.flagged.sol.txt");
      expect(lines(run(noTxOrigin, source, "contracts/mocks/UsesTxOrigin.sol"))).to.deep.equal([8, 13]);
    });
  });

  describe("guarded-or-permissionless", function () {
    it("flags unguarded, undocumented entry points and unresolvable @inheritdoc", function () {
      const findings = run(guarded, fixture("guarded.flagged.sol.txt"));
      // sweep (interface says "Only the sweeper role" but there is no guard), setFee (the caller check
      // is not first), rescue, gone (@inheritdoc IMissing), receive.
      expect(lines(findings)).to.deep.equal([14, 20, 26, 29, 31]);
      expect(findings[0]?.message).to.contain("OpenVault.sweep()");
      expect(findings[3]?.message).to.contain("@inheritdoc IMissing");
    });

    it("accepts modifiers, leading caller checks, _checkRole and permissionless NatSpec (own or inherited)", function () {
      expect(run(guarded, fixture("guarded.clean.sol.txt"))).to.deep.equal([]);
    });
  });

  describe("run on the project", function () {
    it("parses every contract under contracts/ and finds nothing", function () {
      const project = loadProject(repoRoot);
      expect(project.files.length).to.be.greaterThan(0);
      expect(project.files.every((f) => f.path.startsWith("contracts/"))).to.equal(true);
      expect(runDetectors(project, DETECTORS)).to.deep.equal([]);
    });
  });
});
