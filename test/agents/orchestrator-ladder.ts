import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";

import { makeLogger } from "../../src/agents/common/log.js";
import { Registry } from "../../src/agents/common/metrics.js";
import { DriverError, type SnapshotRef } from "../../src/agents/orchestrator/driver.js";
import {
  canonicalJson,
  detailsHash,
  incidentDetails,
  LadderAborted,
  pickSentinel,
  runLadder,
  type LadderInput,
} from "../../src/agents/orchestrator/ladder.js";
import { registerOrchestratorMetrics } from "../../src/agents/orchestrator/metrics.js";
import { parseNodeConfigCids } from "../../src/agents/orchestrator/orchestrator.js";
import { cidOf, isCid } from "../../src/agents/orchestrator/store.js";
import { FakeDriver } from "./orchestrator-fake-driver.js";

const VALIDATOR = "0x00000000000000000000000000000000000000A1";

const SNAPSHOT: SnapshotRef = {
  snapshotId: 7n,
  height: 1_234n,
  blockHash: "0x" + "11".repeat(32),
  stateRoot: "0x" + "22".repeat(32),
  contentHash: "0x" + "33".repeat(32),
  cid: "bafkreiexample",
  sizeBytes: 999n,
};

describe("Orchestrator ladder", function () {
  this.timeout(20_000);

  function setup(input: Partial<LadderInput> = {}) {
    const driver = new FakeDriver([VALIDATOR]);
    const lines: Record<string, unknown>[] = [];
    const log = makeLogger({
      level: "debug",
      sink: (l) => lines.push(JSON.parse(l) as Record<string, unknown>),
    });
    const metrics = registerOrchestratorMetrics(new Registry());
    const node = driver.nodeOf(VALIDATOR)!;
    const run = (signal = new AbortController().signal) =>
      runLadder(
        { driver, log, metrics, options: { healWaitMs: 40, healPollMs: 5 } },
        { node, latestFinalSnapshot: async () => SNAPSHOT, configCid: "bafkreiconfig", ...input },
        signal,
      );
    return { driver, lines, metrics, run, node };
  }

  it("stops at the restart when it heals", async function () {
    const { driver, metrics, run } = setup();
    driver.behaviour.restart = "heal";
    const outcome = await run();
    expect(outcome.ok).to.equal(true);
    expect(outcome.rung).to.equal("restart");
    expect(driver.calls.map((c) => c.method)).to.deep.equal(["restart"]);
    expect(metrics.remediations.get({ rung: "restart", result: "ok" })).to.equal(1);
  });

  it("resyncs from the latest final snapshot when the restart does not heal", async function () {
    const { driver, run } = setup();
    driver.behaviour.resync = "heal";
    const outcome = await run();
    expect(outcome).to.deep.include({ ok: true, rung: "resync" });
    expect(driver.calls.map((c) => c.method)).to.deep.equal(["restart", "resync"]);
    expect(driver.calls[1]!.snapshot).to.deep.equal(SNAPSHOT);
    expect(outcome.steps[0]).to.deep.include({ rung: "restart", result: "not-healed" });
    expect(outcome.steps[1]).to.deep.include({ rung: "resync", result: "healed", heightAfter: 1_234n });
  });

  it("treats a refused snapshot (hash mismatch) as a failed rung and reprovisions", async function () {
    const { driver, metrics, run } = setup();
    driver.behaviour.resync = new DriverError("hash-mismatch", "refused");
    driver.behaviour.reprovision = "heal";
    const outcome = await run();
    expect(outcome).to.deep.include({ ok: true, rung: "reprovision" });
    expect(outcome.steps[1]).to.deep.include({ rung: "resync", result: "error", code: "hash-mismatch" });
    expect(driver.calls[2]).to.deep.include({ method: "reprovision", configCid: "bafkreiconfig" });
    expect(metrics.driverErrors.get({ code: "hash-mismatch" })).to.equal(1);
  });

  it("skips rungs without input and ends with the guardians, logged and counted", async function () {
    const { driver, lines, metrics, run } = setup({
      latestFinalSnapshot: async () => undefined,
      configCid: undefined,
    });
    const outcome = await run();
    expect(outcome.ok).to.equal(false);
    expect(outcome.rung).to.equal("guardian");
    expect(outcome.steps.map((s) => `${s.rung}:${s.result}`)).to.deep.equal([
      "restart:not-healed",
      "resync:skipped",
      "reprovision:skipped",
      "guardian:not-healed",
    ]);
    expect(driver.calls).to.have.length(1);
    expect(metrics.guardianEscalations.get()).to.equal(1);
    const escalation = lines.find((l) => l.level === "error");
    expect(escalation?.msg).to.match(/guardians must act.*requestKeyRotation/);
  });

  describe("with a sentinel pool", function () {
    const SENTINELS = [
      { sentinel: "0x00000000000000000000000000000000005E7701", endpoint: "http://10.0.0.1:8545" },
      { sentinel: "0x00000000000000000000000000000000005E7702", endpoint: "http://10.0.0.2:8545" },
    ];

    it("resyncs from the live sentinel it picks, and records it", async function () {
      const { driver, run, node } = setup({ liveSentinels: async () => SENTINELS });
      driver.behaviour.resync = "heal";
      const outcome = await run();
      expect(outcome).to.deep.include({ ok: true, rung: "resync" });
      const source = driver.calls[1]!.source!;
      expect(source).to.deep.equal(pickSentinel(SENTINELS, node.validator));
      expect(outcome.steps[1]).to.deep.include({ rung: "resync", sentinel: source.sentinel });
    });

    it("skips the resync when no sentinel is live (or the registry cannot be read), counted and logged", async function () {
      for (const liveSentinels of [async () => [], async () => Promise.reject(new Error("rpc down"))]) {
        const { driver, lines, metrics, run } = setup({ liveSentinels });
        driver.behaviour.resync = "heal";
        driver.behaviour.reprovision = "heal";
        const outcome = await run();
        expect(outcome).to.deep.include({ ok: true, rung: "reprovision" });
        expect(driver.calls.map((c) => c.method)).to.deep.equal(["restart", "reprovision"]);
        expect(outcome.steps[1]).to.deep.include({
          rung: "resync",
          result: "skipped",
          reason: "no live sentinel",
        });
        expect(metrics.resyncNoSentinel.get()).to.equal(1);
        expect(lines.some((l) => l.level === "warn" && /no live sentinel/.test(String(l.msg)))).to.equal(
          true,
        );
      }
    });

    it("spreads nodes over the live sentinels, each node keeping its pick", function () {
      const picks = new Set<string>();
      for (let i = 1; i <= 32; i++) {
        const validator = "0x" + i.toString(16).padStart(40, "0");
        const pick = pickSentinel(SENTINELS, validator)!;
        expect(pickSentinel(SENTINELS, validator)).to.equal(pick);
        picks.add(pick.sentinel);
      }
      expect(picks.size).to.equal(2);
      expect(pickSentinel([], VALIDATOR)).to.equal(undefined);
    });
  });

  it("bounds each rung by its timeout", async function () {
    const driver = new FakeDriver([VALIDATOR]);
    driver.behaviour.restart = "hang";
    driver.behaviour.resync = "heal";
    const started = Date.now();
    const outcome = await runLadder(
      {
        driver,
        log: makeLogger({ sink: () => {} }),
        options: { restartTimeoutMs: 50, healWaitMs: 20, healPollMs: 5 },
      },
      { node: driver.nodeOf(VALIDATOR)!, latestFinalSnapshot: async () => SNAPSHOT },
      new AbortController().signal,
    );
    expect(Date.now() - started).to.be.lessThan(5_000);
    expect(outcome.steps[0]).to.deep.include({ rung: "restart", result: "error", code: "aborted" });
    expect(outcome).to.deep.include({ ok: true, rung: "resync" });
  });

  it("throws LadderAborted (nothing to report) when the caller aborts", async function () {
    const { driver, run } = setup();
    driver.behaviour.restart = "hang";
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("shutdown")), 20);
    let thrown: unknown;
    await run(controller.signal).catch((e: unknown) => (thrown = e));
    expect(thrown).to.be.instanceOf(LadderAborted);
  });

  it("needs the node near the reference height to count as healed", async function () {
    const { driver, run } = setup({ referenceHeight: async () => 100n });
    driver.behaviour.restart = "heal"; // answers at height 10: still 90 behind
    driver.behaviour.resync = "heal"; // height 1,234 after the snapshot
    const outcome = await run();
    expect(outcome.steps[0]).to.deep.include({ rung: "restart", result: "not-healed" });
    expect(outcome.rung).to.equal("resync");
  });

  it("hashes a canonical JSON of the details", function () {
    expect(canonicalJson({ b: 1n, a: [{ d: undefined, c: "x" }] })).to.equal('{"a":[{"c":"x"}],"b":"1"}');
    const details = incidentDetails(3n, { validator: VALIDATOR, nodeId: "n" }, "fake", {
      ok: true,
      rung: "restart",
      steps: [{ rung: "restart", result: "healed", heightAfter: 5n, ms: 12 }],
    });
    expect(detailsHash(details)).to.equal(keccak256(toUtf8Bytes(canonicalJson(details))));
    expect(canonicalJson(details)).to.equal(
      `{"driver":"fake","incidentId":"3","ok":true,"rung":"restart","steps":[{"heightAfter":"5","result":"healed","rung":"restart"}],"subject":"incident","v":1,"validator":"${VALIDATOR}"}`,
    );
  });

  it("makes CIDv1 strings of the shape the RecoveryManager accepts, and validates the config map", function () {
    const cid = cidOf(toUtf8Bytes("hello"));
    expect(cid).to.match(/^bafkrei[a-z2-7]{52}$/);
    expect(isCid(cid)).to.equal(true);
    expect(isCid("../etc/passwd")).to.equal(false);
    expect(parseNodeConfigCids({ [VALIDATOR.toLowerCase()]: cid })).to.deep.equal({ [VALIDATOR]: cid });
    expect(() => parseNodeConfigCids({ "0x12": cid })).to.throw(/not an address/);
    expect(() => parseNodeConfigCids({ [VALIDATOR]: "nope" })).to.throw(/not a CIDv0/);
  });
});
