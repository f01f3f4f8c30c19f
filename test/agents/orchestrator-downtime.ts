/**
 * The orchestrator heals crashed validators it manages: a Downtime incident (the set jailed the node) of a
 * validator in its driver's nodes is restarted through the ladder and reported ok
 * (`reportIncidentRemediation`), once; the keeper's `restore` then returns the validator to the backup pool
 * once its heartbeats prove it. An unmanaged validator's incident is ignored, and a restarted orchestrator
 * does not report twice.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import { makeLogger } from "../../src/agents/common/log.js";
import { Registry } from "../../src/agents/common/metrics.js";
import { Keeper } from "../../src/agents/keeper/keeper.js";
import { registerOrchestratorMetrics } from "../../src/agents/orchestrator/metrics.js";
import {
  makeOrchestrator,
  type Orchestrator,
  type OrchestratorOptions,
} from "../../src/agents/orchestrator/orchestrator.js";
import { JsonFileStateStore, type StateStore } from "../../src/agents/orchestrator/state.js";
import { makeChainClient, type ChainClient } from "../../src/chain/index.js";
import { deploySuite, type Suite } from "../../src/suite/deploy.js";
import { createOperators, heartbeatAll, type Operator } from "../../src/suite/fleet.js";
import { withParameters } from "../../src/suite/parameters.js";
import {
  INodeHealth__factory,
  IRecoveryManager__factory,
  ISnapshotRegistry__factory,
  IStakeManager__factory,
  IValidatorSet__factory,
} from "../../types/ethers-contracts/index.js";
import { devWallet } from "../helpers/chain-fixture.js";
import { startFakeRpc, type FakeRpc } from "../helpers/fake-rpc.js";
import { FakeDriver } from "./orchestrator-fake-driver.js";

const TOKEN = 10n ** 18n;
const GWEI = 10n ** 9n;
const OPERATOR = devWallet(9);
/** IValidatorSet.Status */
const Status = { Backup: 1n, Jailed: 4n } as const;

describe("Orchestrator: crashed (downtime) validators", function () {
  this.timeout(120_000);
  let connection: Awaited<ReturnType<typeof network.create>>;
  let rpc: FakeRpc;
  let dir: string;
  let suite: Suite;
  let operators: Operator[];
  /** Managed by the orchestrator's driver: every operator but `stranger` (an active validator). */
  let managed: Operator[];
  let stranger: Operator;
  const clients: ChainClient[] = [];

  before(async function () {
    connection = await network.create();
    rpc = await startFakeRpc(connection.provider);
    dir = mkdtempSync(join(tmpdir(), "healnet-orchestrator-downtime-"));
    suite = await deploySuite(connection.ethers, {
      orchestrator: OPERATOR.address,
      parameters: withParameters({ set: { maxActive: 5, minActive: 3 } }),
    });
    operators = await createOperators(
      connection.ethers,
      suite,
      [9n, 8n, 7n, 6n, 5n, 4n, 3n, 2n].map((k) => k * 1_000n * TOKEN),
      "orchestrator-downtime",
    );
    stranger = operators[4]!;
    managed = operators.filter((o) => o !== stranger);
    await heartbeatAll(suite, operators);
    await (await suite.set.fillVacancies(5)).wait();
  });

  after(async function () {
    for (const c of clients) c.close();
    await rpc?.close();
    await connection?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function client(key: string, intentLog: string): Promise<ChainClient> {
    const c = await makeChainClient({
      urls: [rpc.url],
      chainId: 31337n,
      privateKey: key,
      intentLogPath: intentLog,
      maxFeePerGasCap: 100n * GWEI,
      rpc: { timeoutMs: 5_000, cooldownMs: 50, maxRounds: 1, pollingIntervalMs: 50 },
      sender: { pollMs: 20, stuckAfterMs: 60_000, maxWaitMs: 20_000 },
    });
    clients.push(c);
    return c;
  }

  async function orchestrator(
    driver: FakeDriver,
    fromBlock: bigint,
    setup: { intents?: string; state?: StateStore; options?: Partial<OrchestratorOptions> } = {},
  ) {
    const chain = await client(
      OPERATOR.privateKey,
      setup.intents ?? join(dir, `orchestrator-${clients.length}.sqlite`),
    );
    const lines: Record<string, unknown>[] = [];
    const orch = makeOrchestrator({
      contracts: {
        set: IValidatorSet__factory.connect(await suite.set.getAddress(), chain.signer),
        recovery: IRecoveryManager__factory.connect(await suite.recovery.getAddress(), chain.signer),
        snapshots: ISnapshotRegistry__factory.connect(await suite.snapshots.getAddress(), chain.signer),
      },
      driver,
      sender: chain,
      provider: chain.provider,
      log: makeLogger({ level: "debug", sink: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) }),
      metrics: registerOrchestratorMetrics(new Registry()),
      state: setup.state,
      options: {
        fromBlock,
        maxBlockRange: 5,
        maxRangesPerTick: 100,
        ladder: { healWaitMs: 50, healPollMs: 5, restartTimeoutMs: 2_000 },
        ...setup.options,
      },
    });
    return { orch, lines, chain };
  }

  const tick = (orch: Orchestrator, signal = AbortSignal.timeout(60_000)) => orch.tick({ signal, tick: 1 });

  function fakeDriver(): FakeDriver {
    return new FakeDriver(managed.map((v) => v.account.address));
  }

  /** Heartbeat rounds 20 s apart (under the 30 s epoch) for `seconds`. */
  async function rounds(seconds: number, alive: readonly Operator[]): Promise<void> {
    for (let done = 0; done < seconds; done += 20) {
      await connection.networkHelpers.time.increase(20);
      await heartbeatAll(suite, alive);
    }
  }

  /** `victim` stops heartbeating until it is overdue; a check jails it (a Downtime incident). */
  async function crash(victim: Operator): Promise<bigint> {
    const { heartbeatInterval, gracePeriod } = suite.parameters.health;
    const others = operators.filter((o) => o !== victim);
    await rounds(heartbeatInterval + gracePeriod + 20, others);
    await (await suite.set.checkHeartbeat(victim.account.address)).wait();
    expect(await suite.set.statusOf(victim.account.address)).to.equal(Status.Jailed);
    const incidentId = await suite.set.incidentCount();
    const incident = await suite.set.incident(incidentId);
    expect(incident.validator).to.equal(victim.account.address);
    expect(incident.kind).to.equal(0n); // Downtime
    return incidentId;
  }

  async function reportsOf(incidentId: bigint) {
    const events = await suite.recovery.queryFilter(
      suite.recovery.filters.IncidentRemediationReported(incidentId),
    );
    return events.map((e) => ({ ok: e.args.ok, operator: e.args.operator }));
  }

  const block = async () => BigInt(await connection.ethers.provider.getBlockNumber());

  it("restarts a crashed managed node, reports once, and the keeper restores it to the backup pool", async function () {
    const from = await block();
    const victim = managed[0]!;
    const v = victim.account.address;
    const incidentId = await crash(victim);

    const driver = fakeDriver();
    driver.behaviour.restart = "heal";
    const { orch } = await orchestrator(driver, from);
    const report = await tick(orch);
    expect(report.handled).to.deep.equal([
      { type: "incident", id: incidentId, result: "reported-ok", rung: "restart" },
    ]);
    expect(driver.calls.map((c) => [c.method, c.nodeId])).to.deep.equal([["restart", "node-0"]]);
    expect(await reportsOf(incidentId)).to.deep.equal([{ ok: true, operator: OPERATOR.address }]);
    expect((await suite.recovery.incidentReport(incidentId)).ok).to.equal(true);

    // Nothing left: a second tick neither restarts nor reports.
    const again = await tick(orch);
    expect(again.handled).to.deep.equal([]);
    expect(again.pending).to.equal(0);
    expect(driver.calls).to.have.length(1);

    // The restarted node heartbeats; recoveryProof epochs later the keeper restores it (backup pool).
    const kc = await client(devWallet(8).privateKey, join(dir, "keeper.sqlite"));
    const keeper = new Keeper({
      contracts: {
        set: IValidatorSet__factory.connect(await suite.set.getAddress(), kc.signer),
        health: INodeHealth__factory.connect(await suite.health.getAddress(), kc.signer),
        stake: IStakeManager__factory.connect(await suite.stake.getAddress(), kc.signer),
        recovery: IRecoveryManager__factory.connect(await suite.recovery.getAddress(), kc.signer),
      },
      address: kc.address,
      send: (request) => kc.send(request),
      chainTime: async () => BigInt((await kc.provider.getBlock("latest"))?.timestamp ?? 0),
      log: makeLogger({ level: "error", sink: () => {} }),
      options: { rotateEveryTicks: 1_000, claimRewardsAbove: 0n },
    });
    const recoveryProof = Number(suite.parameters.recovery.recoveryProof);
    await rounds(40 * (recoveryProof + 2), operators);
    const kept = await keeper.tick();
    expect(
      kept.actions.filter((a) => a.action === "restore").map((a) => [a.subject, a.result]),
    ).to.deep.equal([[`incident-${incidentId}`, "confirmed"]]);
    expect(await suite.set.statusOf(v)).to.equal(Status.Backup);
    expect(await suite.stake.isJailed(v)).to.equal(false);
  });

  it("ignores the downtime incident of a validator its driver does not manage", async function () {
    const from = await block();
    const incidentId = await crash(stranger);
    const driver = fakeDriver();
    driver.behaviour.restart = "heal";
    const { orch, lines } = await orchestrator(driver, from);
    const report = await tick(orch);
    expect(report.handled).to.deep.equal([]);
    expect(report.pending).to.equal(0);
    expect(driver.calls).to.deep.equal([]);
    expect(await reportsOf(incidentId)).to.deep.equal([]);
    expect(
      lines.some((l) => l.msg === "downtime incident of a validator this driver does not manage; ignored"),
    ).to.equal(true);
  });

  it("a restart of the orchestrator mid-way does not restart or report twice", async function () {
    const from = await block();
    const victim = managed[1]!;
    const incidentId = await crash(victim);
    const statePath = join(dir, "state", "orchestrator.json");
    const binding = { recovery: await suite.recovery.getAddress() };
    const intents = join(dir, "restart-intents.sqlite");

    // Run 1: the restart hangs and the tick is aborted mid-ladder: the incident stays pending on disk.
    const hanging = fakeDriver();
    hanging.behaviour.restart = "hang";
    const first = await orchestrator(hanging, from, {
      intents,
      state: new JsonFileStateStore(statePath, binding),
      options: { ladder: { restartTimeoutMs: 10_000 } },
    });
    const stop = new AbortController();
    hanging.onHang = () => stop.abort(new Error("orchestrator stopped mid-restart"));
    const aborted = await tick(first.orch, stop.signal);
    expect(aborted.handled).to.deep.equal([]);
    const saved = JSON.parse(readFileSync(statePath, "utf8")) as {
      pending: { id: string; cause?: string }[];
    };
    expect(saved.pending.map((w) => [w.id, w.cause])).to.deep.equal([[incidentId.toString(), "downtime"]]);
    copyFileSync(statePath, `${statePath}.before-report`);
    first.chain.close();

    // Run 2: a new process resumes from the state file and reports once.
    const healing = fakeDriver();
    healing.behaviour.restart = "heal";
    const second = await orchestrator(healing, from, {
      intents,
      state: new JsonFileStateStore(statePath, binding),
    });
    expect((await tick(second.orch)).handled).to.deep.equal([
      { type: "incident", id: incidentId, result: "reported-ok", rung: "restart" },
    ]);
    expect(await reportsOf(incidentId)).to.have.length(1);

    // Run 3: a crash after the report but before the state was saved: the report on-chain closes it.
    copyFileSync(`${statePath}.before-report`, statePath);
    const third = await orchestrator(healing, from, {
      intents,
      state: new JsonFileStateStore(statePath, binding),
    });
    const after = await tick(third.orch);
    expect(after.handled).to.deep.equal([]);
    expect(after.pending).to.equal(0);
    expect(await reportsOf(incidentId)).to.have.length(1);
    expect(healing.calls.map((c) => c.method)).to.deep.equal(["restart"]);

    // Run 4: a fresh orchestrator reading the logs from before the incident reads the report too: nothing done.
    const fresh = fakeDriver();
    const fourth = await orchestrator(fresh, from);
    const fourthReport = await tick(fourth.orch);
    expect(fourthReport.handled).to.deep.equal([]);
    expect(fourthReport.pending).to.equal(0);
    expect(fresh.calls).to.deep.equal([]);
    expect(await reportsOf(incidentId)).to.have.length(1);
  });
});
