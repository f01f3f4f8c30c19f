import { expect } from "chai";
import { id } from "ethers";

import { deploySuite, type Suite } from "../../src/suite/deploy.js";
import { createOperators, heartbeatAll, type Operator } from "../../src/suite/fleet.js";
import { withParameters } from "../../src/suite/parameters.js";
import { heartbeatRounds, startAgentEnv, type AgentEnv, type Connection } from "../helpers/agent-env.js";
import { devWallet } from "../helpers/chain-fixture.js";
import { makeKeeper } from "../helpers/keeper.js";

const TOKEN = 10n ** 18n;
/** IValidatorSet.Status */
const Status = { Backup: 1n, Jailed: 4n } as const;

describe("Keeper: restore", function () {
  this.timeout(60_000);
  let env: AgentEnv;
  let connection: Connection;
  let suite: Suite;
  let operators: Operator[];

  before(async function () {
    env = await startAgentEnv("keeper-restore");
    connection = env.connection;
    const [, , , , , , orchestrator] = await connection.ethers.getSigners();
    suite = await deploySuite(connection.ethers, {
      orchestrator: orchestrator!.address,
      parameters: withParameters({ set: { maxActive: 5, minActive: 3 } }),
    });
    operators = await createOperators(
      connection.ethers,
      suite,
      [9n, 8n, 7n, 6n, 5n, 4n, 3n].map((k) => k * 1_000n * TOKEN),
      "keeper-restore",
    );
    await heartbeatAll(suite, operators);
    await (await suite.set.fillVacancies(5)).wait();
  });

  after(async function () {
    await env?.close();
  });

  const rounds = (seconds: number, alive: readonly Operator[]) => heartbeatRounds(env, suite, seconds, alive);

  it("restores a jailed validator once its remediation is reported ok and proven by heartbeats, once", async function () {
    const client = await env.client(devWallet(8).privateKey);
    const { agent, metrics } = await makeKeeper(suite, client, { recovery: true });
    const crashed = operators[0]!;
    const v = crashed.account.address;
    const others = operators.slice(1);

    // The node crashes: overdue, the keeper jails and replaces it (a downtime incident).
    const { heartbeatInterval, gracePeriod } = suite.parameters.health;
    await rounds(heartbeatInterval + gracePeriod + 20, others);
    await agent.tick();
    expect(await suite.set.statusOf(v)).to.equal(Status.Jailed);
    const incidentId = await suite.set.incidentCount();
    expect((await suite.set.incident(incidentId)).validator).to.equal(v);

    // Back up and heartbeating, but no remediation reported: the keeper leaves it jailed.
    await rounds(120, operators);
    let report = await agent.tick();
    expect(report.actions.filter((a) => a.action === "restore")).to.deep.equal([]);
    expect(await suite.stake.isJailed(v)).to.equal(true);

    // The orchestrator reports the restart; one epoch later the proof is not complete yet.
    const [, , , , , , orchestrator] = await connection.ethers.getSigners();
    await (
      await suite.recovery.connect(orchestrator!).reportIncidentRemediation(incidentId, true, id("restarted"))
    ).wait();
    await rounds(40, operators);
    report = await agent.tick();
    expect(report.actions.filter((a) => a.action === "restore")).to.deep.equal([]);
    expect(metrics.skipped.get({ action: "restore", reason: "not-proven" })).to.be.greaterThan(0);

    // recoveryProof epochs later the keeper restores it: back in the backup pool.
    await rounds(100, operators);
    report = await agent.tick();
    const restores = report.actions.filter((a) => a.action === "restore");
    expect(restores.map((a) => [a.subject, a.result])).to.deep.equal([
      [`incident-${incidentId}`, "confirmed"],
    ]);
    expect(await suite.stake.isJailed(v)).to.equal(false);
    expect(await suite.set.statusOf(v)).to.equal(Status.Backup);
    expect((await suite.recovery.restorationOf(incidentId)).validator).to.equal(v);

    // Nothing left to do: the next tick sends no restore.
    report = await agent.tick();
    expect(report.actions.filter((a) => a.action === "restore")).to.deep.equal([]);
  });
});
