import { expect } from "chai";

import { makeLogger } from "../../src/agents/common/log.js";
import { Registry } from "../../src/agents/common/metrics.js";
import { Keeper, Liveness } from "../../src/agents/keeper/keeper.js";
import { registerKeeperMetrics } from "../../src/agents/keeper/metrics.js";
import type { SendRequest, SendResult } from "../../src/chain/sender.js";
import type { KeeperContracts } from "../../src/agents/keeper/keeper.js";

const V = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

/** A set with one overdue active validator; `wouldAct` is what an eth_call of checkHeartbeat returns. */
function stubContracts(state: {
  wouldAct: bigint;
  degradedSince: bigint;
  stillDegraded?: boolean;
}): KeeperContracts {
  const checkHeartbeat = Object.assign(async () => 0n, { staticCall: async () => state.wouldAct });
  const refreshHealth = Object.assign(async () => true, {
    staticCall: async () => state.stillDegraded ?? true,
  });
  const set = {
    activeValidators: async () => [V],
    overdueAt: async () => 100n,
    openRemediationOf: async () => 0n,
    degradedSince: async () => state.degradedSince,
    checkHeartbeat,
    refreshHealth,
    incidentCount: async () => 0n,
    parameters: async () => ({ appealWindow: 3600n, maxActive: 4n, minActive: 4n, minUptimeBps: 5000n }),
    activeCount: async () => 4n,
    backupCount: async () => 0n,
  };
  const health = { livenessOf: async () => Liveness.Overdue };
  return { set, health, stake: {} } as unknown as KeeperContracts;
}

describe("Keeper intent replays", function () {
  it("a replayed checkHeartbeat is not a new action; it is retried under a new key only if the call now acts", async function () {
    const state = { wouldAct: 0n, degradedSince: 0n };
    const sent: string[] = [];
    const logs: Record<string, unknown>[] = [];
    const metrics = registerKeeperMetrics(new Registry());
    const send = async (request: SendRequest): Promise<SendResult> => {
      const fromLog = sent.includes(request.key);
      sent.push(request.key);
      return { status: "confirmed", txHash: "0x01", blockNumber: 1, gasUsed: 1n, replacements: 0, fromLog };
    };
    const agent = new Keeper({
      contracts: stubContracts(state),
      address: V,
      send,
      chainTime: async () => 200n,
      log: makeLogger({ level: "debug", sink: (line) => logs.push(JSON.parse(line)) }),
      metrics,
      options: { claimRewardsAbove: 0n, rotateEveryTicks: 1_000 },
    });

    const first = await agent.tick();
    expect(first.actions.map((a) => a.action)).to.deep.equal(["checkHeartbeat"]);
    // Same fault, same key: the saved outcome comes back; the chain says the call would do nothing.
    const second = await agent.tick();
    expect(second.actions).to.deep.equal([]);
    expect(sent).to.have.length(2);
    expect(sent[1]).to.equal(sent[0]);
    expect(metrics.skipped.get({ action: "checkHeartbeat", reason: "replayed" })).to.equal(1);
    expect(metrics.actions.get({ action: "checkHeartbeat", result: "confirmed" })).to.equal(1);
    expect(logs.filter((l) => l.msg === "keeper action")).to.have.length(1);

    // Now the call would act (e.g. the floor degradation cleared): sent again under a new key.
    state.wouldAct = 7n;
    const third = await agent.tick();
    expect(third.actions.map((a) => [a.action, a.result])).to.deep.equal([["checkHeartbeat", "confirmed"]]);
    expect(sent).to.have.length(4);
    expect(sent[3]).to.equal(`${sent[0]}:retry:200`);
    expect(logs.filter((l) => l.msg === "keeper action").at(-1)?.intentKey).to.equal(sent[3]);
  });

  it("while degraded, an overdue validator is skipped unless the call would act", async function () {
    const state = { wouldAct: 0n, degradedSince: 50n };
    const sent: string[] = [];
    const metrics = registerKeeperMetrics(new Registry());
    const agent = new Keeper({
      contracts: stubContracts(state),
      address: V,
      send: async (request) => {
        sent.push(request.key);
        return {
          status: "confirmed",
          txHash: "0x01",
          blockNumber: 1,
          gasUsed: 1n,
          replacements: 0,
          fromLog: false,
        };
      },
      chainTime: async () => 200n,
      log: makeLogger({ level: "error", sink: () => {} }),
      metrics,
      options: { claimRewardsAbove: 0n, rotateEveryTicks: 1_000 },
    });
    for (let i = 0; i < 3; i++) expect((await agent.tick()).actions).to.deep.equal([]);
    expect(sent).to.deep.equal([]);
    expect(metrics.skipped.get({ action: "checkHeartbeat", reason: "degraded" })).to.equal(3);
    state.wouldAct = 3n;
    expect((await agent.tick()).actions.map((a) => a.action)).to.deep.equal(["checkHeartbeat"]);
    expect(sent).to.deep.equal([`checkHeartbeat:${V}:overdue:100:degraded:50`]);
  });

  it("while degraded, refreshHealth is sent once the call would clear the degradation, and only then", async function () {
    const state = { wouldAct: 0n, degradedSince: 50n, stillDegraded: true };
    const sent: string[] = [];
    const agent = new Keeper({
      contracts: stubContracts(state),
      address: V,
      send: async (request) => {
        sent.push(`${request.method}:${request.key}`);
        return {
          status: "confirmed",
          txHash: "0x01",
          blockNumber: 1,
          gasUsed: 1n,
          replacements: 0,
          fromLog: false,
        };
      },
      chainTime: async () => 200n,
      log: makeLogger({ level: "error", sink: () => {} }),
      metrics: registerKeeperMetrics(new Registry()),
      options: { claimRewardsAbove: 0n, rotateEveryTicks: 1_000 },
    });
    // Still degraded by the chain's own count: nothing to send.
    expect((await agent.tick()).actions).to.deep.equal([]);
    // The silent share fell back under the threshold: one refreshHealth, keyed by the degradation it clears.
    state.stillDegraded = false;
    expect((await agent.tick()).actions.map((a) => a.action)).to.deep.equal(["refreshHealth"]);
    expect(sent).to.deep.equal(["refreshHealth:refreshHealth:50"]);
    // Healthy again: no further refreshHealth (the overdue validator is checked as usual).
    state.degradedSince = 0n;
    expect((await agent.tick()).actions.map((a) => a.action)).to.deep.equal(["checkHeartbeat"]);
    expect(sent.filter((k) => k.startsWith("refreshHealth"))).to.have.length(1);
  });
});
