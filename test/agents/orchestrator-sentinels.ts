/**
 * The orchestrator's resync path against a real SentinelRegistry: a resync syncs only from a live sentinel's
 * endpoint, never from a dropped (or silent) one, and with no live sentinel the resync rung is skipped, logged,
 * counted, and the incident goes on up the ladder to the guardians.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { getAddress, Wallet } from "ethers";

import { pickSentinel } from "../../src/agents/orchestrator/ladder.js";
import { liveSentinels } from "../../src/agents/orchestrator/orchestrator.js";
import type { Suite } from "../../src/suite/deploy.js";
import type { Operator } from "../../src/suite/fleet.js";
import { sentinelHeartbeats, startAgentEnv, type AgentEnv, type Connection } from "../helpers/agent-env.js";
import {
  deployWithFinalSnapshot,
  orchestratorBench,
  tick,
  type OrchestratorBench,
} from "../helpers/orchestrator.js";
import { FakeDriver } from "./orchestrator-fake-driver.js";

describe("Orchestrator with a sentinel pool", function () {
  this.timeout(120_000);
  let env: AgentEnv;
  let connection: Connection;
  let suite: Suite;
  let validators: Operator[];
  let bench: OrchestratorBench;
  /** Sentinel ids, their heartbeat signers (funded dev accounts) and endpoints. */
  const sentinels: { id: string; signer: HardhatEthersSigner; endpoint: string }[] = [];

  before(async function () {
    env = await startAgentEnv("orchestrator-sentinels");
    connection = env.connection;
    const signers = await connection.ethers.getSigners();
    const admin = signers[0]!;
    ({ suite, validators } = await deployWithFinalSnapshot(
      env,
      [9n, 8n, 7n, 6n, 5n, 4n],
      "orchestrator-sentinels-test",
    ));
    bench = orchestratorBench(env, suite, validators);

    // Two sentinels, added by the curator (the admin standing in for the timelock), heartbeating and checked in.
    for (const [i, signer] of [signers[15]!, signers[16]!].entries()) {
      const id = getAddress(Wallet.createRandom().address);
      const endpoint = `http://10.0.0.${i + 1}:8545`;
      await (await suite.sentinels.addSentinel(id, signer.address, admin.address, endpoint)).wait();
      sentinels.push({ id, signer, endpoint });
    }
    await beat(sentinels);
    await (await suite.sentinels.checkAll()).wait();
    expect(await suite.sentinels.servedCount()).to.equal(2n);
  });

  after(async function () {
    await env?.close();
  });

  const beat = (which: typeof sentinels) => sentinelHeartbeats(env, suite, which);
  /** An orchestrator that knows the sentinel pool. */
  const orchestrator = (driver: FakeDriver) => bench.orchestrator(driver, { sentinels: true });
  const fakeDriver = () => new FakeDriver(validators.map((v) => v.account.address));

  it("picks a live sentinel's endpoint from the registry for the resync", async function () {
    const driver = fakeDriver();
    driver.behaviour.resync = "heal";
    const { orch, lines } = await orchestrator(driver);
    const { incidentId } = await bench.stall();
    await beat(sentinels);
    const report = await tick(orch);
    expect(report.handled[0]).to.deep.include({ id: incidentId, result: "reported-ok", rung: "resync" });
    const source = driver.calls[1]!.source;
    expect(source).to.not.equal(undefined);
    const chosen = sentinels.find((s) => s.id === source!.sentinel);
    expect(chosen?.endpoint).to.equal(source!.endpoint);
    const details = JSON.parse(
      lines.find((l) => l.msg === "result reported on-chain")!.details as string,
    ) as { steps: { rung: string; sentinel?: string }[] };
    expect(details.steps[1]).to.deep.include({ rung: "resync", sentinel: source!.sentinel });
  });

  it("never resyncs from a silent or dropped sentinel", async function () {
    const [a, b] = [sentinels[0]!, sentinels[1]!];
    // Past heartbeatInterval + grace: only A heartbeats again. B is silent but still served (nobody checked).
    await connection.networkHelpers.time.increase(61);
    await beat([a]);
    expect(await suite.sentinels.servedCount()).to.equal(2n);
    const live = await liveSentinels(suite.sentinels);
    expect(live.map((s) => s.sentinel)).to.deep.equal([a.id]);
    // Whoever checks drops B from the served list; one sentinel is under the minimum (2): the guardians are told.
    await expect(suite.sentinels.checkSentinel(b.id))
      .to.emit(suite.sentinels, "SentinelDropped")
      .and.to.emit(suite.sentinels, "SentinelPoolDegraded")
      .withArgs(1n, 2n);
    expect([...(await suite.sentinels.servedSentinels())]).to.deep.equal([a.id]);

    // Two recovering nodes (whose picks would spread over both sentinels) both use A.
    for (let i = 0; i < 2; i++) {
      const driver = fakeDriver();
      driver.behaviour.resync = "heal";
      const { orch } = await orchestrator(driver);
      const { incidentId } = await bench.stall();
      await beat([a]);
      const report = await tick(orch);
      expect(report.handled[0]).to.deep.include({ id: incidentId, rung: "resync" });
      expect(driver.calls[1]!.source).to.deep.equal({ sentinel: a.id, endpoint: a.endpoint });
    }
    expect(pickSentinel([], validators[0]!.account.address)).to.equal(undefined);
  });

  it("with no live sentinel skips the resync, logs and counts it, and escalates to the guardians", async function () {
    await connection.networkHelpers.time.increase(61);
    await expect(suite.sentinels.checkAll()).to.emit(suite.sentinels, "SentinelDropped");
    expect(await suite.sentinels.servedCount()).to.equal(0n);
    expect(await suite.sentinels.degraded()).to.equal(true);
    const driver = fakeDriver();
    driver.behaviour.resync = "heal"; // it would heal, had it been called
    const { orch, lines, metrics } = await orchestrator(driver);
    const { incidentId } = await bench.stall();
    const report = await tick(orch);
    expect(report.handled[0]).to.deep.include({ id: incidentId, result: "reported-failed" });
    expect(driver.calls.map((c) => c.method)).to.deep.equal(["restart", "reprovision"]);
    expect(metrics.resyncNoSentinel.get()).to.equal(1);
    expect(metrics.remediations.get({ rung: "resync", result: "skipped" })).to.equal(1);
    expect(metrics.guardianEscalations.get()).to.equal(1);
    expect(lines.some((l) => /no live sentinel/.test(String(l.msg)))).to.equal(true);
  });

  it("with no live sentinel reports a guardian-approved resync failed (no-live-sentinel), without calling the driver", async function () {
    expect(await suite.sentinels.servedCount()).to.equal(0n);
    const victim = validators[validators.length - 1]!;
    const driver = fakeDriver();
    driver.behaviour.resync = "heal";
    const { orch, lines, metrics } = await orchestrator(driver);
    await (
      await suite.recovery.requestResync(victim.account.address, await suite.snapshots.latestFinal())
    ).wait();
    const actionId = await suite.recovery.actionCount();
    const report = await tick(orch);
    expect(report.handled).to.deep.equal([
      { type: "action", id: actionId, result: "reported-failed", rung: "resync" },
    ]);
    expect(driver.calls).to.deep.equal([]);
    expect(metrics.resyncNoSentinel.get()).to.equal(1);
    const details = JSON.parse(
      lines.find((l) => l.msg === "result reported on-chain")!.details as string,
    ) as Record<string, unknown>;
    expect(details).to.deep.include({
      subject: "action",
      rung: "resync",
      ok: false,
      error: "no-live-sentinel",
    });
  });
});
