import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { parseCli, parseDuration, UsageError } from "../../src/sim/cli.js";
import { scheduleFaults } from "../../src/sim/faults.js";
import { Rng } from "../../src/sim/rng.js";
import { DEFAULT_SCENARIO, resolveScenario, ScenarioError } from "../../src/sim/scenario.js";

/** Runs `npm start`'s script as a child process (the same Node, tsx as loader); bounded by a timeout. */
function start(args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/start.ts", ...args], {
    cwd: process.cwd(),
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, NODE_NO_WARNINGS: "1" },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.trim() };
}

/** Runs `npx hardhat heal simulate …` as a child process (the same Node 22). */
function healSimulate(args: string[]) {
  const result = spawnSync(
    process.execPath,
    [join(process.cwd(), "node_modules", "hardhat", "dist", "src", "cli.js"), "heal", "simulate", ...args],
    { cwd: process.cwd(), encoding: "utf8", timeout: 90_000, env: { ...process.env, NODE_NO_WARNINGS: "1" } },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.trim() };
}

describe("Chaos simulation: options and scenario files", function () {
  this.timeout(120_000);
  let dir: string;

  before(function () {
    dir = mkdtempSync(join(tmpdir(), "healnet-sim-cli-"));
  });

  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  function file(name: string, content: string): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  }

  describe("the CLI (a child process)", function () {
    const cases: { name: string; args: () => string[]; message: RegExp }[] = [
      { name: "an unknown option", args: () => ["--bogus"], message: /unknown option --bogus/ },
      {
        name: "a bad value",
        args: () => ["--validators", "many"],
        message: /--validators must be an integer/,
      },
      {
        name: "a zero duration",
        args: () => ["--duration", "0"],
        message: /--duration must be a positive time/,
      },
      {
        name: "a missing scenario file",
        args: () => ["--scenario", join(dir, "nope.json")],
        message: /cannot read scenario .*nope\.json: ENOENT/,
      },
      {
        name: "a scenario that is not JSON",
        args: () => ["--scenario", file("broken.json", "{ validators: 7")],
        message: /is not valid JSON/,
      },
      {
        name: "a scenario with a bad field",
        args: () => [
          "--scenario",
          file("bad-field.json", JSON.stringify({ faults: [{ type: "crash", duration: 0 }] })),
        ],
        message: /scenario\.faults\[0\]\.duration: must be ≥ 1 \(got 0\)/,
      },
      {
        name: "a scenario with more faults than validators",
        args: () => [
          "--scenario",
          file(
            "too-many.json",
            JSON.stringify({
              validators: 4,
              parameters: { minActive: 2 },
              faults: [
                { type: "crash", at: 60 },
                { type: "crash", at: 90 },
                { type: "stall", at: 120 },
                { type: "flap", at: 150 },
                { type: "latency", at: 180 },
              ],
            }),
          ),
        ],
        message: /5 validators are hit by faults but there are only 4 validators/,
      },
    ];
    for (const c of cases) {
      it(`refuses ${c.name} with one clear line and exit code 2`, function () {
        const { status, stdout, stderr } = start(c.args());
        expect(status).to.equal(2);
        expect(stderr.split("\n")).to.have.length(1);
        expect(stderr).to.match(/^error: /);
        expect(stderr).to.match(c.message);
        expect(stdout).to.equal("");
      });
    }

    it("prints the summary as JSON with --json (the keys the issue lists; progress on stderr)", function () {
      const scenario = file(
        "tiny.json",
        JSON.stringify({
          name: "tiny",
          validators: 5,
          backups: 2,
          duration: 300,
          parameters: { minActive: 3 },
          faults: [{ type: "crash", at: 60, duration: 200 }],
        }),
      );
      const { status, stdout, stderr } = start(["--scenario", scenario, "--json", "--out", join(dir, "out")]);
      expect(status, stderr).to.equal(0);
      const summary = JSON.parse(stdout) as Record<string, unknown> & {
        params: Record<string, unknown>;
        incidents: Record<string, unknown>[];
      };
      for (const key of ["wallTimeS", "falsePositives", "liveQuorumShare", "stakeConserved", "auditVerified"])
        expect(summary, key).to.have.property(key);
      expect(summary.params).to.include({ heartbeatInterval: 30, gracePeriod: 30, blockTime: 5 });
      expect(summary.incidents).to.have.length(1);
      expect(summary.incidents[0]).to.include.keys(
        "fault",
        "validator",
        "injectedAt",
        "detectedAt",
        "healedAt",
        "timeToDetectS",
        "timeToHealS",
        "action",
      );
      expect(summary.incidents[0]!.fault).to.equal("crash");
      expect(summary).to.not.have.property("timeline");
      expect(stderr).to.match(/100%/);
    });

    it("heal simulate: a bad option is one line on stderr (exit 1); a tiny scenario runs and writes both reports", function () {
      const bad = healSimulate(["--validators", "x"]);
      expect(bad.status).to.equal(1);
      expect(bad.stderr.split("\n").filter((l) => !l.startsWith("npm warn"))).to.deep.equal([
        'heal simulate: --validators must be an integer ≥ 1 (got "x")',
      ]);
      const scenario = file(
        "tiny-task.json",
        JSON.stringify({
          name: "tiny-task",
          validators: 5,
          backups: 1,
          duration: 180,
          parameters: { minActive: 3 },
          faults: [{ type: "crash", at: 30, duration: 120 }],
        }),
      );
      const out = join(dir, "task-out");
      const ok = healSimulate(["--scenario", scenario, "--out", out]);
      expect(ok.status, ok.stderr).to.equal(0);
      expect(ok.stdout).to.match(/crash replaced in time: \d+ s/);
      expect(existsSync(join(out, "simulation-tiny-task-seed-1.html"))).to.equal(true);
      expect(existsSync(join(out, "simulation-tiny-task-seed-1.json"))).to.equal(true);
    });

    it("prints the usage with --help and exits 0", function () {
      const { status, stdout } = start(["--help"]);
      expect(status).to.equal(0);
      expect(stdout).to.match(/--validators/);
      expect(stdout).to.match(/--scenario <file>/);
    });
  });

  describe("parseCli", function () {
    it("takes the defaults: 21 validators, 5 backups, guardians 3-of-5, one hour, one fault of each kind", function () {
      const { scenario, outDir, json } = parseCli([]);
      expect(scenario.validators).to.equal(21);
      expect(scenario.backups).to.equal(5);
      expect(scenario.guardians).to.deep.equal({ count: 5, threshold: 3 });
      expect(scenario.duration).to.equal(3_600);
      expect(new Set(scenario.faults.map((f) => f.type)).size).to.equal(11);
      expect(scenario.sentinels).to.deep.equal({ count: 3, min: 2 });
      expect(scenario.faults.find((f) => f.type === "stall")?.corrupted).to.equal(true);
      expect(outDir).to.equal("reports");
      expect(json).to.equal(false);
    });

    it("lets options override the scenario file", function () {
      const path = file("base.json", JSON.stringify({ validators: 9, backups: 2, seed: "a" }));
      const { scenario } = parseCli([
        "--scenario",
        path,
        "--validators",
        "12",
        "--seed",
        "b",
        "--json",
        "--out",
        "x",
      ]);
      expect(scenario.validators).to.equal(12);
      expect(scenario.backups).to.equal(2);
      expect(scenario.seed).to.equal("b");
    });

    it("reads durations with units", function () {
      expect(parseDuration("90s")).to.equal(90);
      expect(parseDuration("15m")).to.equal(900);
      expect(parseDuration("1h")).to.equal(3_600);
      expect(() => parseDuration("-5")).to.throw(UsageError);
    });

    it("refuses a run too short for its faults", function () {
      expect(() => parseCli(["--duration", "300"])).to.throw(UsageError, /too short for/);
    });
  });

  describe("scenario checks", function () {
    it("names the field of an unknown key and of a wrong type", function () {
      expect(() => resolveScenario({ validatorz: 3 })).to.throw(
        ScenarioError,
        /scenario\.validatorz: unknown field/,
      );
      expect(() => resolveScenario({ parameters: { gracePeriod: "30" } })).to.throw(
        ScenarioError,
        /scenario\.parameters\.gracePeriod: must be an integer/,
      );
      expect(() => resolveScenario({ faults: [{ type: "meteor" }] })).to.throw(
        ScenarioError,
        /scenario\.faults\[0\]\.type: must be one of/,
      );
    });

    it("refuses impossible parameters", function () {
      expect(() => resolveScenario({ duration: 0 })).to.throw(
        ScenarioError,
        /scenario\.duration: must be ≥ 1/,
      );
      expect(() => resolveScenario({ guardians: { count: 3, threshold: 4 } })).to.throw(
        ScenarioError,
        /threshold/,
      );
      expect(() => resolveScenario({ faults: [{ type: "partition", count: 8 }] })).to.throw(
        ScenarioError,
        /not a minority/,
      );
      expect(() => resolveScenario({ faults: [{ type: "correlated-outage", share: 0.2 }] })).to.throw(
        ScenarioError,
        /not a correlated outage/,
      );
      expect(() =>
        resolveScenario({
          faults: [
            { type: "keeper-crash", at: 100, duration: 200, keeper: 0 },
            { type: "rpc-outage", at: 150, duration: 100, keeper: 1 },
          ],
        }),
      ).to.throw(ScenarioError, /every keeper would be down at once/);
      expect(() => resolveScenario({ faults: [{ type: "latency", latencyMs: 30_000 }] })).to.throw(
        ScenarioError,
        /latencyMs/,
      );
      expect(() => resolveScenario({ faults: [{ type: "crash", corrupted: true }] })).to.throw(
        ScenarioError,
        /scenario\.faults\[0\]\.corrupted: only a stall can be corrupted/,
      );
      expect(() => resolveScenario({ faults: [{ type: "stall", corrupted: "yes" }] })).to.throw(
        ScenarioError,
        /scenario\.faults\[0\]\.corrupted: must be a boolean/,
      );
    });
  });

  describe("the schedule", function () {
    it("is the same for the same seed, and different for another seed", function () {
      const a = scheduleFaults(DEFAULT_SCENARIO);
      const b = scheduleFaults({ ...DEFAULT_SCENARIO });
      const c = scheduleFaults({ ...DEFAULT_SCENARIO, seed: "2" });
      expect(a).to.deep.equal(b);
      expect(a.map((f) => f.at)).to.not.deep.equal(c.map((f) => f.at));
    });

    it("places every fault inside the run, and the two keeper faults never at once", function () {
      for (const seed of ["1", "2", "3", "4", "5"]) {
        const faults = scheduleFaults({ ...DEFAULT_SCENARIO, seed });
        for (const f of faults) expect(f.at + f.duration).to.be.lessThan(DEFAULT_SCENARIO.duration);
        const [k, r] = [
          faults.find((f) => f.type === "keeper-crash")!,
          faults.find((f) => f.type === "rpc-outage")!,
        ];
        expect(k.at + k.duration <= r.at || r.at + r.duration <= k.at, `seed ${seed}`).to.equal(true);
      }
    });

    it("draws the same numbers from the same seed", function () {
      const a = new Rng("x");
      const b = new Rng("x");
      const xs = Array.from({ length: 5 }, () => a.int(0, 1_000));
      expect(Array.from({ length: 5 }, () => b.int(0, 1_000))).to.deep.equal(xs);
      expect(new Rng("y").int(0, 1_000_000)).to.not.equal(new Rng("x").int(0, 1_000_000));
    });
  });
});
