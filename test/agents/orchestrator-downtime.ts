/**
 * The orchestrator heals crashed validators it manages: a Downtime incident (the set jailed the node) of a
 * validator in its driver's nodes is restarted through the ladder and reported ok
 * (`reportIncidentRemediation`), once; the keeper's `restore` then returns the validator to the backup pool
 * once its heartbeats prove it. An unmanaged validator's incident is ignored, and a restarted orchestrator
 * does not report twice.
 */
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";

import { JsonFileStateStore } from "../../src/agents/orchestrator/state.js";
import { deploySuite, type Suite } from "../../src/suite/deploy.js";
import { createOperators, heartbeatAll, type Operator } from "../../src/suite/fleet.js";
import { withParameters } from "../../src/suite/parameters.js";
import { heartbeatRounds, startAgentEnv, type AgentEnv, type Connection } from "../helpers/agent-env.js";
import { devWallet } from "../helpers/chain-fixture.js";
import { makeKeeper } from "../helpers/keeper.js";
import { OPERATOR, orchestratorBench, tick, type OrchestratorBench } from "../helpers/orchestrator.js";
import { FakeDriver } from "./orchestrator-fake-driver.js";

const TOKEN = 10n ** 18n;
/** IValidatorSet.Status */
const Status = { Backup: 1n, Jailed: 4n } as const;

describe("Orchestrator: crashed (downtime) validators", function () {
  this.timeout(120_000);
  let env: AgentEnv;
  let connection: Connection;
  let dir: string;
  let suite: Suite;
  let operators: Operator[];
  /** Managed by the orchestrator's driver: every operator but `stranger` (an active validator). */
  let managed: Operator[];
  let stranger: Operator;
  /** Orchestrators without node configs, and no `stall` (the victims here crash). */
  let bench: OrchestratorBench;

  before(async function () {
    env = await startAgentEnv("orchestrator-downtime");
    ({ connection, dir } = env);
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
    bench = orchestratorBench(env, suite);
  });

  after(async function () {
    await env?.close();
  });

  function fakeDriver(): FakeDriver {
    return new FakeDriver(managed.map((v) => v.account.address));
  }

  const rounds = (seconds: number, alive: readonly Operator[]) => heartbeatRounds(env, suite, seconds, alive);

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
    const { orch } = await bench.orchestrator(driver, { options: { fromBlock: from } });
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
    const kc = await env.client(devWallet(8).privateKey, join(dir, "keeper.sqlite"));
    const { agent: keeper } = await makeKeeper(suite, kc, { recovery: true });
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
    const { orch, lines } = await bench.orchestrator(driver, { options: { fromBlock: from } });
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
    const first = await bench.orchestrator(hanging, {
      intents,
      state: new JsonFileStateStore(statePath, binding),
      options: { fromBlock: from, ladder: { restartTimeoutMs: 10_000 } },
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
    const second = await bench.orchestrator(healing, {
      intents,
      state: new JsonFileStateStore(statePath, binding),
      options: { fromBlock: from },
    });
    expect((await tick(second.orch)).handled).to.deep.equal([
      { type: "incident", id: incidentId, result: "reported-ok", rung: "restart" },
    ]);
    expect(await reportsOf(incidentId)).to.have.length(1);

    // Run 3: a crash after the report but before the state was saved: the report on-chain closes it.
    copyFileSync(`${statePath}.before-report`, statePath);
    const third = await bench.orchestrator(healing, {
      intents,
      state: new JsonFileStateStore(statePath, binding),
      options: { fromBlock: from },
    });
    const after = await tick(third.orch);
    expect(after.handled).to.deep.equal([]);
    expect(after.pending).to.equal(0);
    expect(await reportsOf(incidentId)).to.have.length(1);
    expect(healing.calls.map((c) => c.method)).to.deep.equal(["restart"]);

    // Run 4: a fresh orchestrator reading the logs from before the incident reads the report too: nothing done.
    const fresh = fakeDriver();
    const fourth = await bench.orchestrator(fresh, { options: { fromBlock: from } });
    const fourthReport = await tick(fourth.orch);
    expect(fourthReport.handled).to.deep.equal([]);
    expect(fourthReport.pending).to.equal(0);
    expect(fresh.calls).to.deep.equal([]);
    expect(await reportsOf(incidentId)).to.have.length(1);
  });
});
