import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";
import { type Filter, keccak256, toUtf8Bytes } from "ethers";

import { makeLogger } from "../../src/agents/common/log.js";
import { Registry } from "../../src/agents/common/metrics.js";
import { DriverError } from "../../src/agents/orchestrator/driver.js";
import { ProcessDriver } from "../../src/agents/orchestrator/drivers/process.js";
import { registerOrchestratorMetrics } from "../../src/agents/orchestrator/metrics.js";
import { ActionStatus, makeOrchestrator } from "../../src/agents/orchestrator/orchestrator.js";
import { JsonFileStateStore } from "../../src/agents/orchestrator/state.js";
import { DirectoryContentStore } from "../../src/agents/orchestrator/store.js";
import type { Suite } from "../../src/suite/deploy.js";
import type { Operator } from "../../src/suite/fleet.js";
import {
  IRecoveryManager__factory,
  ISnapshotRegistry__factory,
  IValidatorSet__factory,
} from "../../types/ethers-contracts/index.js";
import { startAgentEnv, type AgentEnv, type Connection } from "../helpers/agent-env.js";
import {
  CONFIG_CID,
  deployWithFinalSnapshot,
  OPERATOR,
  orchestratorBench,
  tick,
  type OrchestratorBench,
} from "../helpers/orchestrator.js";
import type { FakeRpc } from "../helpers/fake-rpc.js";
import { FakeDriver } from "./orchestrator-fake-driver.js";

describe("Orchestrator", function () {
  this.timeout(120_000);
  let env: AgentEnv;
  let connection: Connection;
  let rpc: FakeRpc;
  let dir: string;
  let suite: Suite;
  let validators: Operator[];
  let snapshotId: bigint;
  let bench: OrchestratorBench;

  before(async function () {
    env = await startAgentEnv("orchestrator");
    ({ connection, rpc, dir } = env);
    const deployed = await deployWithFinalSnapshot(
      env,
      [9n, 8n, 7n, 6n, 5n, 4n, 3n, 2n],
      "orchestrator-test",
    );
    ({ suite, snapshotId, validators } = deployed);
    // With `guardian` set, the council is that address alone (1-of-1): the admin.
    expect(suite.guardianAddresses).to.deep.equal([deployed.admin.address]);
    expect(await suite.snapshots.latestFinal()).to.equal(snapshotId);
    bench = orchestratorBench(env, suite, validators);
  });

  after(async function () {
    await env?.close();
  });

  async function reportsOf(incidentId: bigint) {
    const events = await suite.recovery.queryFilter(
      suite.recovery.filters.IncidentRemediationReported(incidentId),
    );
    return events.map((e) => ({ ok: e.args.ok, detailsHash: e.args.detailsHash, operator: e.args.operator }));
  }

  function fakeDriver(): FakeDriver {
    return new FakeDriver(validators.map((v) => v.account.address));
  }

  it("restart heals: reported ok once", async function () {
    const driver = fakeDriver();
    driver.behaviour.restart = "heal";
    const { incidentId } = await bench.stall();
    const { orch, lines, metrics } = await bench.orchestrator(driver);

    const report = await tick(orch);
    expect(report.handled).to.deep.equal([
      { type: "incident", id: incidentId, result: "reported-ok", rung: "restart" },
    ]);
    expect(driver.calls.map((c) => c.method)).to.deep.equal(["restart"]);
    const reports = await reportsOf(incidentId);
    expect(reports).to.have.length(1);
    expect(reports[0]).to.deep.include({ ok: true, operator: OPERATOR.address });
    // The hash is of the canonical details the orchestrator logged.
    const logged = lines.find((l) => l.msg === "result reported on-chain");
    expect(keccak256(toUtf8Bytes(logged?.details as string))).to.equal(reports[0]!.detailsHash);
    expect(JSON.parse(logged?.details as string)).to.deep.include({
      rung: "restart",
      driver: "fake",
      ok: true,
    });
    expect(metrics.remediations.get({ rung: "restart", result: "ok" })).to.equal(1);
    expect(metrics.reports.get({ subject: "incident", result: "confirmed" })).to.equal(1);
    expect(metrics.pendingWork.get()).to.equal(0);

    // Later ticks find nothing more to do.
    expect((await tick(orch)).handled).to.deep.equal([]);
    expect(await reportsOf(incidentId)).to.have.length(1);
  });

  it("restart fails, then the resync from the latest final snapshot heals", async function () {
    const { incidentId } = await bench.stall();
    const driver = fakeDriver();
    driver.behaviour.resync = "heal";
    const { orch } = await bench.orchestrator(driver);
    const report = await tick(orch);
    expect(report.handled[0]).to.deep.include({ id: incidentId, result: "reported-ok", rung: "resync" });
    expect(driver.calls.map((c) => c.method)).to.deep.equal(["restart", "resync"]);
    const s = await suite.snapshots.snapshot(snapshotId);
    expect(driver.calls[1]!.snapshot).to.deep.equal({
      snapshotId,
      height: s.height,
      blockHash: s.blockHash,
      stateRoot: s.stateRoot,
      contentHash: s.contentHash,
      cid: s.cid,
      sizeBytes: s.sizeBytes,
    });
    expect((await reportsOf(incidentId)).map((r) => r.ok)).to.deep.equal([true]);
  });

  it("a refused snapshot (hash mismatch) passes the node to the reprovision rung", async function () {
    const { incidentId } = await bench.stall();
    const driver = fakeDriver();
    driver.behaviour.resync = new DriverError("hash-mismatch", "refused");
    driver.behaviour.reprovision = "heal";
    const { orch, metrics, lines } = await bench.orchestrator(driver);
    const report = await tick(orch);
    expect(report.handled[0]).to.deep.include({ id: incidentId, result: "reported-ok", rung: "reprovision" });
    expect(driver.calls.map((c) => c.method)).to.deep.equal(["restart", "resync", "reprovision"]);
    expect(driver.calls[2]!.configCid).to.equal(CONFIG_CID);
    expect(metrics.driverErrors.get({ code: "hash-mismatch" })).to.equal(1);
    const details = JSON.parse(
      lines.find((l) => l.msg === "result reported on-chain")!.details as string,
    ) as {
      steps: { rung: string; result: string; code?: string }[];
    };
    expect(details.steps[1]).to.deep.include({ rung: "resync", result: "error", code: "hash-mismatch" });
  });

  it("nothing works: reported failed, and the escalation to the guardians is logged", async function () {
    const { incidentId } = await bench.stall();
    const driver = fakeDriver();
    driver.behaviour.reprovision = new DriverError("bad-config", "bad");
    const { orch, metrics, lines } = await bench.orchestrator(driver);
    const report = await tick(orch);
    expect(report.handled[0]).to.deep.include({
      id: incidentId,
      result: "reported-failed",
      rung: "guardian",
    });
    const reports = await reportsOf(incidentId);
    expect(reports.map((r) => r.ok)).to.deep.equal([false]);
    const logged = lines.find((l) => l.msg === "result reported on-chain")!;
    expect(JSON.parse(logged.details as string)).to.deep.include({
      ok: false,
      rung: "guardian",
      needs: "guardians: key rotation or manual help",
    });
    expect(keccak256(toUtf8Bytes(logged.details as string))).to.equal(reports[0]!.detailsHash);
    expect(lines.some((l) => l.level === "error" && /guardians must act/.test(String(l.msg)))).to.equal(true);
    expect(metrics.guardianEscalations.get()).to.equal(1);
  });

  it("a restart of the orchestrator mid-incident does not double-report", async function () {
    const { incidentId } = await bench.stall();
    const statePath = join(dir, "state", "orchestrator.json");
    const binding = { recovery: await suite.recovery.getAddress() };
    const intents = join(dir, "restart-intents.sqlite");

    // Run 1: the restart hangs, and the orchestrator is stopped (its tick aborted) mid-ladder.
    const hanging = fakeDriver();
    hanging.behaviour.restart = "hang";
    const first = await bench.orchestrator(hanging, {
      intents,
      state: new JsonFileStateStore(statePath, binding),
      options: { ladder: { restartTimeoutMs: 10_000 } },
    });
    const stop = new AbortController();
    hanging.onHang = () => stop.abort(new Error("orchestrator stopped mid-restart"));
    const aborted = await tick(first.orch, stop.signal);
    expect(aborted.handled).to.deep.equal([]);
    expect(await reportsOf(incidentId)).to.have.length(0);
    const saved = JSON.parse(readFileSync(statePath, "utf8")) as {
      pending: { id: string }[];
      cursor: string;
    };
    expect(saved.pending.map((w) => w.id)).to.deep.equal([incidentId.toString()]);
    copyFileSync(statePath, `${statePath}.before-report`);
    first.chain.close();

    // Run 2: a new process (same state file, same intent log) resumes and reports once.
    const healing = fakeDriver();
    healing.behaviour.restart = "heal";
    const second = await bench.orchestrator(healing, {
      intents,
      state: new JsonFileStateStore(statePath, binding),
    });
    const resumed = await tick(second.orch);
    expect(resumed.handled).to.deep.equal([
      { type: "incident", id: incidentId, result: "reported-ok", rung: "restart" },
    ]);
    expect(await reportsOf(incidentId)).to.have.length(1);

    // Run 3: a crash right after the report, before the state was saved: the stale state still lists the
    // incident, but the report on-chain (`incidentReport`) closes it — no second report.
    copyFileSync(`${statePath}.before-report`, statePath);
    const third = await bench.orchestrator(healing, {
      intents,
      state: new JsonFileStateStore(statePath, binding),
    });
    const after = await tick(third.orch);
    expect(after.handled).to.deep.equal([]);
    expect(after.pending).to.equal(0);
    expect(await reportsOf(incidentId)).to.have.length(1);
    expect(healing.calls.map((c) => c.method)).to.deep.equal(["restart"]);
  });

  it("reads logs in bounded ranges from its cursor and acts only once caught up", async function () {
    const start = BigInt(await connection.ethers.provider.getBlockNumber()) - 20n;
    const { incidentId } = await bench.stall();
    const driver = fakeDriver();
    driver.behaviour.restart = "heal";
    const chain = await bench.client();
    const ranges: [number, number][] = [];
    const provider = {
      getBlockNumber: () => chain.provider.getBlockNumber(),
      getBlock: chain.provider.getBlock.bind(chain.provider),
      getLogs: (filter: Filter) => {
        if (filter.topics?.length === 1) ranges.push([Number(filter.fromBlock), Number(filter.toBlock)]);
        return chain.provider.getLogs(filter);
      },
    };
    const metrics = registerOrchestratorMetrics(new Registry());
    const bounded = makeOrchestrator({
      contracts: {
        set: IValidatorSet__factory.connect(await suite.set.getAddress(), chain.signer),
        recovery: IRecoveryManager__factory.connect(await suite.recovery.getAddress(), chain.signer),
        snapshots: ISnapshotRegistry__factory.connect(await suite.snapshots.getAddress(), chain.signer),
      },
      driver,
      sender: chain,
      provider,
      log: makeLogger({ sink: () => {} }),
      metrics,
      options: {
        fromBlock: start,
        maxBlockRange: 5,
        maxRangesPerTick: 2,
        ladder: { healWaitMs: 50, healPollMs: 5 },
      },
    });
    const ticks: { caughtUp: boolean; handled: number }[] = [];
    for (let i = 0; i < 30; i++) {
      const r = await tick(bounded);
      ticks.push({ caughtUp: r.caughtUp, handled: r.handled.length });
      if (r.handled.length > 0) break;
    }
    // Each tick read at most 2 ranges of at most 5 blocks, contiguous from the start block.
    expect(ticks.length).to.be.greaterThan(2);
    expect(ticks.slice(0, -1).every((t) => t.handled === 0)).to.equal(true);
    expect(ticks.at(-1)).to.deep.equal({ caughtUp: true, handled: 1 });
    // The set and the manager are read in one pair of calls per range (two entries per range here).
    const unique = [...new Map(ranges.map((r) => [r.join("-"), r])).values()];
    expect(unique[0]![0]).to.equal(Number(start));
    for (const [i, [from, to]] of unique.entries()) {
      expect(to - from).to.be.lessThan(5);
      if (i > 0) expect(from).to.equal(unique[i - 1]![1] + 1);
    }
    expect(metrics.cursorBlock.get()).to.equal(unique.at(-1)![1]);
    expect(await reportsOf(incidentId)).to.have.length(1);
  });

  it("an RPC outage while handling keeps the work pending; the next tick reports once", async function () {
    const { incidentId } = await bench.stall();
    const driver = fakeDriver();
    driver.behaviour.restart = "heal";
    const { orch, lines } = await bench.orchestrator(driver);
    rpc.setFault({ kind: "http", status: 500, methods: ["eth_call"] });
    let failed;
    try {
      failed = await tick(orch);
    } finally {
      rpc.setFault({ kind: "none" });
    }
    expect(failed.handled).to.deep.equal([{ type: "incident", id: incidentId, result: "error" }]);
    expect(failed.pending).to.equal(1);
    expect(driver.calls).to.deep.equal([]);
    expect(lines.some((l) => l.msg === "work failed; it stays pending and is retried next tick")).to.equal(
      true,
    );

    const healed = await tick(orch);
    expect(healed.handled).to.deep.equal([
      { type: "incident", id: incidentId, result: "reported-ok", rung: "restart" },
    ]);
    expect(await reportsOf(incidentId)).to.have.length(1);
  });

  it("with the process driver: a stalled validator's crashed anvil is restarted and the result reported", async function () {
    const victim = bench.nextVictim();
    const driver = new ProcessDriver({
      nodes: [{ validator: victim.account.address, nodeId: "victim", config: { chainId: 31337 } }],
      dataDir: join(dir, "process-nodes"),
      store: new DirectoryContentStore(join(dir, "process-store")),
    });
    try {
      const node = driver.nodeOf(victim.account.address)!;
      await driver.start(node, AbortSignal.timeout(20_000));
      await driver.status(node, AbortSignal.timeout(5_000));
      await fetch(driver.rpcUrl(node)!, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "anvil_mine", params: ["0x3"] }),
        signal: AbortSignal.timeout(5_000),
      });
      await driver.restart(node, AbortSignal.timeout(20_000)); // a clean stop: state dumped at height 3
      process.kill(driver.pid(node)!, "SIGKILL"); // then a crash

      const { incidentId } = await bench.stall();
      const { orch, lines } = await bench.orchestrator(driver);
      const report = await tick(orch);
      expect(report.handled).to.deep.equal([
        { type: "incident", id: incidentId, result: "reported-ok", rung: "restart" },
      ]);
      const details = JSON.parse(
        lines.find((l) => l.msg === "result reported on-chain")!.details as string,
      ) as {
        driver: string;
        steps: { heightAfter?: string }[];
      };
      expect(details.driver).to.equal("process");
      expect(details.steps[0]!.heightAfter).to.equal("3");
      expect((await reportsOf(incidentId)).map((r) => r.ok)).to.deep.equal([true]);
    } finally {
      await driver.dispose();
    }
  });

  it("refuses a state file of another deployment", async function () {
    const statePath = join(dir, "state", "orchestrator.json");
    const store = new JsonFileStateStore(statePath, { recovery: "0x" + "12".repeat(20) });
    expect(() => store.load()).to.throw(/another deployment/);
  });

  it("carries out a guardian-approved resync and reports the action", async function () {
    const victim = validators[6]!;
    const driver = fakeDriver();
    driver.behaviour.resync = "heal";
    driver.behaviour.reprovision = new DriverError("bad-config", "bad");
    const { orch, lines, metrics } = await bench.orchestrator(driver);
    const requestedFrom = BigInt(await connection.ethers.provider.getBlockNumber());

    await (await suite.recovery.requestResync(victim.account.address, snapshotId)).wait();
    const resyncId = await suite.recovery.actionCount();
    await (await suite.recovery.requestReprovision(victim.account.address, CONFIG_CID)).wait();
    const reprovisionId = await suite.recovery.actionCount();

    const report = await tick(orch);
    expect(report.handled).to.deep.equal([
      { type: "action", id: resyncId, result: "reported-ok", rung: "resync" },
      { type: "action", id: reprovisionId, result: "reported-failed", rung: "reprovision" },
    ]);
    expect(driver.calls.map((c) => [c.method, c.snapshot?.snapshotId ?? c.configCid])).to.deep.equal([
      ["resync", snapshotId],
      ["reprovision", CONFIG_CID],
    ]);
    const resync = await suite.recovery.action(resyncId);
    expect(resync.status).to.equal(ActionStatus.Succeeded);
    const details = lines.filter((l) => l.msg === "result reported on-chain").map((l) => l.details as string);
    expect(keccak256(toUtf8Bytes(details[0]!))).to.equal(resync.detailsHash);
    expect(JSON.parse(details[0]!)).to.deep.include({ subject: "action", rung: "resync", ok: true });
    const reprovision = await suite.recovery.action(reprovisionId);
    expect(reprovision.status).to.equal(ActionStatus.Failed);
    expect(JSON.parse(details[1]!)).to.deep.include({ error: "bad-config", configCid: CONFIG_CID });
    expect(metrics.reports.get({ subject: "action", result: "confirmed" })).to.equal(2);

    // A second orchestrator that reads the same request does nothing: the action is no longer Requested.
    const other = await bench.orchestrator(fakeDriver(), {
      options: { fromBlock: requestedFrom },
    });
    const again = await tick(other.orch);
    expect(again.handled).to.deep.equal([]);
    expect(again.pending).to.equal(0);
  });
});
