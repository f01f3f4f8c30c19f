import { expect } from "chai";

import { makeLogger } from "../../src/agents/common/log.js";
import { Registry } from "../../src/agents/common/metrics.js";
import {
  DEFAULT_KEEPER_OPTIONS,
  Keeper,
  type KeeperOptions,
  type SignedHeartbeat,
} from "../../src/agents/keeper/keeper.js";
import { registerKeeperMetrics } from "../../src/agents/keeper/metrics.js";
import { deployCore, type CoreSuite } from "../../src/suite/deploy.js";
import { createOperators, healthyReport, heartbeatAll, type Operator } from "../../src/suite/fleet.js";
import { withParameters } from "../../src/suite/parameters.js";
import { domainOf, signHeartbeat } from "../../src/suite/signing.js";
import {
  INodeHealth__factory,
  IStakeManager__factory,
  IValidatorSet__factory,
} from "../../types/ethers-contracts/index.js";
import { startAgentEnv, type AgentEnv, type Connection } from "../helpers/agent-env.js";
import { devWallet } from "../helpers/chain-fixture.js";
import { makeKeeper } from "../helpers/keeper.js";

const TOKEN = 10n ** 18n;

function fakeHeartbeat(): SignedHeartbeat {
  const zero = "0x" + "00".repeat(32);
  return {
    validator: "0x" + "11".repeat(20),
    signerEpoch: 0n,
    timestamp: 0n,
    report: {
      blockHeight: 0n,
      blockHash: zero,
      peerCount: 0,
      latencyMs: 0,
      diskUsedBps: 0,
      clientVersionHash: zero,
    },
    r: zero,
    vs: zero,
  };
}

describe("Keeper", function () {
  this.timeout(60_000);
  let env: AgentEnv;
  let connection: Connection;
  let suite: CoreSuite;
  let actives: Operator[];
  let backups: Operator[];

  before(async function () {
    env = await startAgentEnv("keeper");
    connection = env.connection;
    suite = await deployCore(connection.ethers, {
      parameters: withParameters({ set: { maxActive: 5, minActive: 3 } }),
    });
    const operators = await createOperators(
      connection.ethers,
      suite,
      [9n, 8n, 7n, 6n, 5n, 4n, 3n].map((k) => k * 1_000n * TOKEN),
      "keeper-test",
    );
    await heartbeatAll(suite, operators);
    actives = operators.slice(0, 5);
    backups = operators.slice(5);
  });

  after(async function () {
    await env?.close();
  });

  /** Claiming stays at its default here (`keeperOptions` turns it off): one test sets a threshold. */
  async function keeper(
    walletIndex: number,
    options: Partial<KeeperOptions> = {},
    heartbeats?: SignedHeartbeat[],
  ) {
    const client = await env.client(devWallet(walletIndex).privateKey);
    const queue = heartbeats ?? [];
    const { agent, metrics, registry } = await makeKeeper(suite, client, {
      heartbeats: { take: (max) => queue.splice(0, max) },
      options: { claimRewardsAbove: DEFAULT_KEEPER_OPTIONS.claimRewardsAbove, ...options },
    });
    return { agent, client, metrics, registry };
  }

  async function advance(seconds: number, alive: readonly Operator[]): Promise<void> {
    const interval = suite.parameters.health.heartbeatInterval;
    for (let done = 0; done < seconds; done += interval) {
      await connection.networkHelpers.time.increase(Math.min(interval, seconds - done));
      if (alive.length > 0) await heartbeatAll(suite, alive);
    }
  }

  it("fills the empty active set with ready backups", async function () {
    const { agent } = await keeper(8);
    const report = await agent.tick();
    expect(report.actions.map((a) => [a.action, a.result])).to.deep.equal([["fillVacancies", "confirmed"]]);
    expect(await suite.set.activeCount()).to.equal(5n);
    for (const op of actives) expect(await suite.set.isActive(op.account.address)).to.equal(true);
  });

  it("sends nothing when every validator is live", async function () {
    const { agent, metrics } = await keeper(8);
    await heartbeatAll(suite, [...actives, ...backups]);
    const report = await agent.tick();
    expect(report.actions).to.deep.equal([]);
    expect(metrics.actions.get({ action: "checkHeartbeat", result: "confirmed" })).to.equal(0);
  });

  it("a tick on a healthy network sends zero transactions, rotation due or not", async function () {
    await heartbeatAll(suite, [...actives, ...backups]);
    const { agent, client, metrics } = await keeper(8, { rotateEveryTicks: 1 });
    const nonce = await client.provider.getTransactionCount(client.address);
    for (let i = 0; i < 3; i++) {
      const report = await agent.tick();
      expect(report.actions).to.deep.equal([]);
    }
    expect(await client.provider.getTransactionCount(client.address)).to.equal(nonce);
    const rotateSkips =
      metrics.skipped.get({ action: "evaluateAndRotate", reason: "nothing-below-min-uptime" }) +
      metrics.skipped.get({ action: "evaluateAndRotate", reason: "no-effect" });
    expect(rotateSkips).to.equal(3);
  });

  it("replaces an overdue validator; two keepers racing cause one effect", async function () {
    const victim = actives[4] as Operator;
    const alive = [...actives.slice(0, 4), ...backups];
    const { heartbeatInterval, gracePeriod } = suite.parameters.health;
    await advance(heartbeatInterval + gracePeriod + 1, alive);

    const [k1, k2] = [await keeper(8), await keeper(9)];
    const [r1, r2] = await Promise.all([k1.agent.tick(), k2.agent.tick()]);
    const checks = [...r1.actions, ...r2.actions].filter((a) => a.action === "checkHeartbeat");
    expect(checks.map((a) => a.result).sort()).to.deep.equal(["already-handled", "confirmed"]);
    expect(await suite.set.incidentCount()).to.equal(1n);
    expect(await suite.set.isActive(victim.account.address)).to.equal(false);
    expect(await suite.set.isActive((backups[0] as Operator).account.address)).to.equal(true);
  });

  it("executes the pending slash once its appeal window closes, and claims the reward", async function () {
    const incident = await suite.set.incident(1n);
    const alive = [...actives.slice(0, 4), ...backups];
    const winner = incident.reporter;
    const index = winner === devWallet(8).address ? 8 : 9;
    const { agent } = await keeper(index, { claimRewardsAbove: 1n });

    const before = await agent.tick();
    expect(before.actions.filter((a) => a.action === "executeSlash")).to.deep.equal([]);

    await advance(suite.parameters.set.appealWindow, []);
    await heartbeatAll(suite, alive);
    const balanceBefore = await suite.token.balanceOf(winner);
    const report = await agent.tick();
    const executed = report.actions.find((a) => a.action === "executeSlash");
    expect(executed?.result).to.equal("confirmed");
    expect((await suite.set.incident(1n)).slashState).to.equal(2n);
    expect(report.actions.find((a) => a.action === "claimReward")?.result).to.equal("confirmed");
    expect(await suite.stake.rewardOf(winner)).to.equal(0n);
    expect(await suite.token.balanceOf(winner)).to.be.greaterThan(balanceBefore);
  });

  it("relays queued signed heartbeats in one batch", async function () {
    await connection.networkHelpers.time.increase(5);
    await connection.networkHelpers.mine();
    const domain = await domainOf(suite.health);
    const report = await healthyReport(connection.ethers.provider);
    const timestamp = BigInt((await connection.ethers.provider.getBlock("latest"))?.timestamp ?? 0);
    const items: SignedHeartbeat[] = [];
    for (const op of actives.slice(0, 3)) {
      const [, signerEpoch] = await suite.health.signerOf(op.account.address);
      items.push(
        await signHeartbeat(op.signer, domain, {
          validator: op.account.address,
          signerEpoch,
          timestamp,
          report,
        }),
      );
    }
    const { agent } = await keeper(8, {}, items);
    const result = await agent.tick();
    expect(result.actions.find((a) => a.action === "heartbeatBatch")?.result).to.equal("confirmed");
    for (const op of actives.slice(0, 3)) {
      expect(await suite.health.lastHeartbeatAt(op.account.address)).to.equal(timestamp);
    }
    expect(items).to.have.length(0);
  });

  it("does not send fillVacancies while no backup is ready", async function () {
    const { heartbeatInterval, gracePeriod } = suite.parameters.health;
    const silent = actives[3] as Operator;
    // actives[3] goes silent; the only backup (backups[1]) too, so the removal has no replacement.
    const alive = [...actives.slice(0, 3), backups[0] as Operator];
    await advance(heartbeatInterval + gracePeriod + 1, alive);
    const { agent, client, metrics } = await keeper(8);
    const removed = await agent.tick();
    expect(removed.actions.map((a) => [a.action, a.result])).to.deep.equal([["checkHeartbeat", "confirmed"]]);
    expect(await suite.set.isActive(silent.account.address)).to.equal(false);
    expect(await suite.set.activeCount()).to.equal(4n);

    // A candidate that never heartbeated: in the heap, not ready. The set has room.
    await createOperators(connection.ethers, suite, [2_000n * TOKEN], "keeper-test-late");
    expect(await suite.set.backupCount()).to.equal(1n);
    const nonce = await client.provider.getTransactionCount(client.address);
    const report = await agent.tick();
    expect(report.actions).to.deep.equal([]);
    expect(await client.provider.getTransactionCount(client.address)).to.equal(nonce);
    expect(metrics.skipped.get({ action: "fillVacancies", reason: "no-effect" })).to.equal(1);
    expect(await suite.set.backupCount()).to.equal(1n);
  });

  it("stops checking an overdue validator once the set is degraded at minActive", async function () {
    const { heartbeatInterval, gracePeriod } = suite.parameters.health;
    const logs: string[] = [];
    const { agent, client, metrics } = await keeper(9);
    // The earlier tests' removals are recent enough to count as victims of one outage with the next faults
    // (the set looks back 2 x (interval + grace)): let them age out while every active validator heartbeats.
    const activeNow = new Set(await suite.set.activeValidators());
    const live = [...actives, ...backups].filter((o) => activeNow.has(o.account.address));
    await advance(2 * (heartbeatInterval + gracePeriod) + 1, [...live, backups[0]] as Operator[]);
    // Two more go silent one after the other: the first is removed (4 -> 3), the second cannot be.
    await advance(heartbeatInterval + gracePeriod + 1, [actives[0], actives[1], backups[0]] as Operator[]);
    const first = await agent.tick();
    expect(first.actions.map((a) => [a.action, a.result])).to.deep.equal([["checkHeartbeat", "confirmed"]]);
    expect(await suite.set.activeCount()).to.equal(3n);

    await advance(heartbeatInterval + gracePeriod + 1, [actives[0], backups[0]] as Operator[]);
    const degrading = await agent.tick();
    expect(degrading.actions.map((a) => a.action)).to.deep.equal(["checkHeartbeat"]);
    expect(await suite.set.degradedSince()).to.not.equal(0n);
    expect(await suite.set.activeCount()).to.equal(3n);

    const nonce = await client.provider.getTransactionCount(client.address);
    for (let i = 0; i < 3; i++) {
      const report = await agent.tick();
      logs.push(...report.actions.map((a) => `${a.action}:${a.result}`));
    }
    expect(logs).to.deep.equal([]);
    expect(await client.provider.getTransactionCount(client.address)).to.equal(nonce);
    expect(metrics.skipped.get({ action: "checkHeartbeat", reason: "degraded" })).to.equal(3);
    expect(metrics.actions.get({ action: "checkHeartbeat", result: "confirmed" })).to.equal(2);

    // A ready backup arrives and the validator removed first is back (while silent it still counted as a
    // victim of the outage). The keeper's eth_call sees that checking the still-silent validator now acts —
    // the old intent of the call that only degraded the set must not hide it — so the stuck validator is
    // replaced by the ready backup in the same transaction and the degradation ends.
    const [late] = await createOperators(connection.ethers, suite, [2_500n * TOKEN], "keeper-test-later");
    const removed = live.filter((o) => ![actives[0], actives[1], backups[0]].includes(o));
    await heartbeatAll(suite, [actives[0], backups[0], late, ...removed] as Operator[]);
    const stuck = actives[1] as Operator;
    expect(await suite.set.isActive(stuck.account.address)).to.equal(true);
    const recovered: string[] = [];
    for (let i = 0; i < 2; i++) {
      const report = await agent.tick();
      recovered.push(...report.actions.map((a) => `${a.action}:${a.result}`));
    }
    expect(recovered).to.include("checkHeartbeat:confirmed");
    expect(await suite.set.isActive(stuck.account.address)).to.equal(false);
    expect(await suite.set.activeCount()).to.be.greaterThanOrEqual(3n);
    expect(await suite.set.degradedSince()).to.equal(0n);
  });

  it("does not report an outcome from the intent log as a new action", async function () {
    const calls: string[] = [];
    const metricsRegistry = new Registry();
    const metrics = registerKeeperMetrics(metricsRegistry);
    const lines: string[] = [];
    const agent = new Keeper({
      contracts: {
        set: IValidatorSet__factory.connect(await suite.set.getAddress(), connection.ethers.provider),
        health: INodeHealth__factory.connect(await suite.health.getAddress(), connection.ethers.provider),
        stake: IStakeManager__factory.connect(await suite.stake.getAddress(), connection.ethers.provider),
      },
      address: devWallet(7).address,
      send: async (request) => {
        calls.push(request.key);
        return {
          status: "confirmed",
          txHash: "0x01",
          blockNumber: 1,
          gasUsed: 1n,
          replacements: 0,
          fromLog: true,
        };
      },
      chainTime: async () => 0n,
      log: makeLogger({ level: "debug", sink: (line) => lines.push(line) }),
      metrics,
      evidence: { take: () => [] },
      heartbeats: { take: (max) => (calls.length === 0 ? [fakeHeartbeat()].slice(0, max) : []) },
      options: { claimRewardsAbove: 0n },
    });
    const report = await agent.tick();
    expect(calls).to.have.length(1);
    expect(report.actions).to.deep.equal([]);
    expect(metrics.actions.get({ action: "heartbeatBatch", result: "confirmed" })).to.equal(0);
    expect(metrics.skipped.get({ action: "heartbeatBatch", reason: "replayed" })).to.equal(1);
    const line = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.intentKey !== undefined);
    expect(line?.intentKey).to.equal(calls[0]);
    expect(line?.msg).to.equal("keeper intent already finished");
  });
});

describe("Keeper metrics", function () {
  it("start every action's series at zero (refreshHealth, restore and checkSentinels included)", function () {
    const registry = new Registry();
    registerKeeperMetrics(registry);
    const text = registry.render();
    for (const action of ["refreshHealth", "restore", "checkSentinels", "checkHeartbeat"]) {
      expect(text).to.include(`healnet_keeper_actions_total{action="${action}",result="confirmed"} 0`);
      expect(text).to.include(`healnet_keeper_skipped_total{action="${action}",reason="replayed"} 0`);
    }
    expect(text).to.include(`healnet_keeper_skipped_total{action="refreshHealth",reason="no-effect"} 0`);
  });
});
