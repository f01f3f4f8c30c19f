/**
 * The orchestrator's resync path against a real SentinelRegistry: a resync syncs only from a live sentinel's
 * endpoint, never from a dropped (or silent) one, and with no live sentinel the resync rung is skipped, logged,
 * counted, and the incident goes on up the ladder to the guardians.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { getAddress, keccak256, toUtf8Bytes, Wallet } from "ethers";
import { network } from "hardhat";

import { makeLogger } from "../../src/agents/common/log.js";
import { Registry } from "../../src/agents/common/metrics.js";
import { pickSentinel } from "../../src/agents/orchestrator/ladder.js";
import { registerOrchestratorMetrics } from "../../src/agents/orchestrator/metrics.js";
import { liveSentinels, makeOrchestrator } from "../../src/agents/orchestrator/orchestrator.js";
import { cidOf } from "../../src/agents/orchestrator/store.js";
import { makeChainClient, type ChainClient } from "../../src/chain/index.js";
import { deploySuite, type Suite } from "../../src/suite/deploy.js";
import { createOperators, healthyReport, heartbeatAll, type Operator } from "../../src/suite/fleet.js";
import { withParameters } from "../../src/suite/parameters.js";
import {
  IRecoveryManager__factory,
  ISentinelRegistry__factory,
  ISnapshotRegistry__factory,
  IValidatorSet__factory,
} from "../../types/ethers-contracts/index.js";
import { devWallet } from "../helpers/chain-fixture.js";
import { startFakeRpc, type FakeRpc } from "../helpers/fake-rpc.js";
import { FakeDriver } from "./orchestrator-fake-driver.js";

const TOKEN = 10n ** 18n;
const GWEI = 10n ** 9n;
const OPERATOR = devWallet(9);
const CONFIG_CID = cidOf(toUtf8Bytes('{"chainId":31337}'));

describe("Orchestrator with a sentinel pool", function () {
  this.timeout(120_000);
  let connection: Awaited<ReturnType<typeof network.create>>;
  let rpc: FakeRpc;
  let dir: string;
  let suite: Suite;
  let validators: Operator[];
  /** Sentinel ids, their heartbeat signers (funded dev accounts) and endpoints. */
  const sentinels: {
    id: string;
    signer: Awaited<ReturnType<typeof connection.ethers.getSigner>>;
    endpoint: string;
  }[] = [];
  const clients: ChainClient[] = [];
  let nextVictim = 0;

  before(async function () {
    connection = await network.create();
    rpc = await startFakeRpc(connection.provider);
    dir = mkdtempSync(join(tmpdir(), "healnet-orchestrator-sentinels-"));
    const signers = await connection.ethers.getSigners();
    const admin = signers[0]!;
    suite = await deploySuite(connection.ethers, {
      guardian: admin.address,
      orchestrator: OPERATOR.address,
      parameters: withParameters({ snapshots: { challengeWindow: 60 } }),
    });
    const bond = suite.parameters.snapshots.proposalBond;
    await (await suite.token.approve(await suite.snapshots.getAddress(), bond)).wait();
    await (
      await suite.snapshots.propose(
        500n,
        "0x" + "aa".repeat(32),
        "0x" + "bb".repeat(32),
        keccak256(toUtf8Bytes("snapshot file")),
        "bafkreisnapshotfile",
        13n,
      )
    ).wait();
    const snapshotId = await suite.snapshots.snapshotCount();
    await (await suite.snapshots.attestAsGuardian(snapshotId)).wait();
    await connection.networkHelpers.time.increase(61);
    await (await suite.snapshots.finalize(snapshotId)).wait();

    validators = await createOperators(
      connection.ethers,
      suite,
      [9n, 8n, 7n, 6n, 5n, 4n].map((k) => k * 1_000n * TOKEN),
      "orchestrator-sentinels-test",
    );
    await heartbeatAll(suite, validators);
    await (await suite.set.fillVacancies(validators.length)).wait();
    await heartbeatAll(suite, validators);

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
    for (const c of clients) c.close();
    await rpc?.close();
    await connection?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Heartbeats from `which` sentinels, at the best height (a sentinel far behind it would be Stalled). */
  async function beat(which: typeof sentinels): Promise<void> {
    const report = await healthyReport(connection.ethers.provider);
    const best = await suite.health.bestHeight();
    for (const s of which)
      await (
        await suite.health
          .connect(s.signer)
          .heartbeat({ ...report, blockHeight: best > report.blockHeight ? best : report.blockHeight })
      ).wait();
  }

  async function orchestrator(driver: FakeDriver) {
    const chain = await makeChainClient({
      urls: [rpc.url],
      chainId: 31337n,
      privateKey: OPERATOR.privateKey,
      intentLogPath: join(dir, `intents-${clients.length}.sqlite`),
      maxFeePerGasCap: 100n * GWEI,
      rpc: { timeoutMs: 5_000, cooldownMs: 50, maxRounds: 1, pollingIntervalMs: 50 },
      sender: { pollMs: 20, stuckAfterMs: 60_000, maxWaitMs: 20_000 },
    });
    clients.push(chain);
    const lines: Record<string, unknown>[] = [];
    const metrics = registerOrchestratorMetrics(new Registry());
    const orch = makeOrchestrator({
      contracts: {
        set: IValidatorSet__factory.connect(await suite.set.getAddress(), chain.signer),
        recovery: IRecoveryManager__factory.connect(await suite.recovery.getAddress(), chain.signer),
        snapshots: ISnapshotRegistry__factory.connect(await suite.snapshots.getAddress(), chain.signer),
        sentinels: ISentinelRegistry__factory.connect(await suite.sentinels.getAddress(), chain.signer),
      },
      driver,
      sender: chain,
      provider: chain.provider,
      log: makeLogger({ level: "debug", sink: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) }),
      metrics,
      options: {
        fromBlock: BigInt(await connection.ethers.provider.getBlockNumber()),
        maxBlockRange: 5,
        maxRangesPerTick: 100,
        nodeConfigs: Object.fromEntries(validators.map((v) => [v.account.address, CONFIG_CID])),
        ladder: { healWaitMs: 50, healPollMs: 5, restartTimeoutMs: 2_000 },
      },
    });
    return { orch, lines, metrics };
  }

  /** Makes the next validator stalled and opens its remediation (as in orchestrator.ts). */
  async function stall(): Promise<{ victim: Operator; incidentId: bigint }> {
    const victim = validators[nextVictim++]!;
    const others = validators.filter((v) => v !== victim);
    for (let round = 0; round < suite.parameters.health.stallReports; round++) {
      await connection.networkHelpers.time.increase(5);
      const report = await healthyReport(connection.ethers.provider);
      for (const op of others)
        await (
          await suite.health.connect(op.signer).heartbeat({ ...report, blockHeight: 1_000_000n })
        ).wait();
      await (await suite.health.connect(victim.signer).heartbeat({ ...report, blockHeight: 1n })).wait();
    }
    await (await suite.set.checkHeartbeat(victim.account.address)).wait();
    const incidentId = await suite.set.openRemediationOf(victim.account.address);
    expect(incidentId).to.not.equal(0n);
    return { victim, incidentId };
  }

  const tick = (orch: Awaited<ReturnType<typeof orchestrator>>["orch"]) =>
    orch.tick({ signal: AbortSignal.timeout(60_000), tick: 1 });

  const fakeDriver = () => new FakeDriver(validators.map((v) => v.account.address));

  it("picks a live sentinel's endpoint from the registry for the resync", async function () {
    const driver = fakeDriver();
    driver.behaviour.resync = "heal";
    const { orch, lines } = await orchestrator(driver);
    const { incidentId } = await stall();
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
      const { incidentId } = await stall();
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
    const { incidentId } = await stall();
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
