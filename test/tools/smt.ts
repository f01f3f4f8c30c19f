import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import { findZ3 } from "../../tools/smt/checker.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Runs `npm run lint:smt`'s script on one fixture (CHC only, short budget), as CI would. */
function runSmt(target: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "tools/smt/run.ts", target], {
    cwd: repoRoot,
    encoding: "utf8",
    timeout: 90_000,
    env: {
      ...process.env,
      HEALNET_SMT_ENGINE: "chc",
      HEALNET_SMT_QUERY_TIMEOUT_MS: "10000",
      HEALNET_SMT_BUDGET_MS: "60000",
      ...env,
    },
  });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

describe("tools/smt (SMTChecker in lint)", function () {
  this.timeout(120_000);

  before(function () {
    if (!findZ3()) this.skip(); // .ci/run installs z3; the script itself fails loudly without it
  });

  it("proves a ledger that conserves stake, and exits 0", function () {
    const { status, out } = runSmt("test/tools/fixtures/smt/Ledger.sol.txt:Ledger");
    expect(out).to.match(/proved\s+Ledger\.bond /);
    expect(out).to.match(/proved\s+Ledger\.slash /);
    expect(out).to.contain("2 proved, 0 violated, 0 unknown");
    expect(status).to.equal(0);
  });

  it("flags the deliberately broken ledger (a counterexample) and exits 1", function () {
    const { status, out } = runSmt("test/tools/fixtures/smt/BrokenLedger.sol.txt:BrokenLedger");
    expect(out).to.match(/VIOLATED\s+BrokenLedger\.slash /);
    expect(out).to.match(/proved\s+BrokenLedger\.bond /);
    expect(out).to.contain("an assertion is violated");
    expect(status).to.equal(1);
  });

  it("prints an unknown result without failing when the solver runs out of budget", function () {
    // A budget of 1 ms: every query is answered "unknown" without running z3.
    const { status, out } = runSmt("test/tools/fixtures/smt/BrokenLedger.sol.txt:BrokenLedger", {
      HEALNET_SMT_BUDGET_MS: "1",
    });
    expect(out).to.match(/unknown\s+BrokenLedger\.slash /);
    expect(out).to.match(/skipped \(budget spent\)/);
    expect(status).to.equal(0);
  });

  it("says how to install z3 when it is missing, and fails", function () {
    const { status, out } = runSmt("test/tools/fixtures/smt/Ledger.sol.txt:Ledger", {
      HEALNET_Z3: "/nonexistent/z3",
    });
    expect(out).to.contain("z3 not found: apt-get install z3");
    expect(status).to.equal(2);
  });
});
