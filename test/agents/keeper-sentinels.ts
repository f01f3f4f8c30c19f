/**
 * The keeper sweeps the sentinel pool: a served sentinel that stops heartbeating is dropped within a tick, one
 * that heartbeats again is restored, and a tick where nothing would change sends nothing.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { getAddress, Wallet } from "ethers";

import type { Keeper } from "../../src/agents/keeper/keeper.js";
import { deploySuite, type Suite } from "../../src/suite/deploy.js";
import { sentinelHeartbeats, startAgentEnv, type AgentEnv, type Connection } from "../helpers/agent-env.js";
import { devWallet } from "../helpers/chain-fixture.js";
import { makeKeeper } from "../helpers/keeper.js";

describe("Keeper: sentinel pool sweep", function () {
  this.timeout(60_000);
  let env: AgentEnv;
  let connection: Connection;
  let suite: Suite;
  const sentinels: { id: string; signer: HardhatEthersSigner }[] = [];

  before(async function () {
    env = await startAgentEnv("keeper-sentinels");
    connection = env.connection;
    const signers = await connection.ethers.getSigners();
    const admin = signers[0]!;
    suite = await deploySuite(connection.ethers, {});
    for (const [i, signer] of [signers[15]!, signers[16]!, signers[17]!].entries()) {
      const id = getAddress(Wallet.createRandom().address);
      await (
        await suite.sentinels.addSentinel(id, signer.address, admin.address, `http://10.0.0.${i + 1}:8545`)
      ).wait();
      sentinels.push({ id, signer });
    }
    await beat(sentinels);
    await (await suite.sentinels.checkAll()).wait();
    expect(await suite.sentinels.servedCount()).to.equal(3n);
  });

  after(async function () {
    await env?.close();
  });

  const beat = (which: typeof sentinels) => sentinelHeartbeats(env, suite, which);

  /** Heartbeat rounds 20 s apart from `alive` for `seconds`. */
  async function rounds(seconds: number, alive: typeof sentinels): Promise<void> {
    for (let done = 0; done < seconds; done += 20) {
      await connection.networkHelpers.time.increase(20);
      await beat(alive);
    }
  }

  it("drops a silent sentinel, restores it when it heartbeats again, and sends nothing otherwise", async function () {
    const client = await env.client(devWallet(8).privateKey);
    const { agent, metrics } = await makeKeeper(suite, client, { sentinels: true });
    const sweeps = (r: Awaited<ReturnType<Keeper["tick"]>>) =>
      r.actions.filter((a) => a.action === "checkSentinels").map((a) => [a.subject, a.result]);

    // All live and served: nothing to send.
    expect(sweeps(await agent.tick())).to.deep.equal([]);

    // The third sentinel goes silent: the next tick drops it (checkSentinel for the one change).
    const [a, b, c] = sentinels as [(typeof sentinels)[0], (typeof sentinels)[0], (typeof sentinels)[0]];
    const { heartbeatInterval, gracePeriod } = suite.parameters.health;
    await rounds(heartbeatInterval + gracePeriod + 20, [a, b]);
    expect(await suite.sentinels.isLive(c.id)).to.equal(false);
    expect(sweeps(await agent.tick())).to.deep.equal([[c.id, "confirmed"]]);
    expect(await suite.sentinels.servedSentinels()).to.deep.equal([a.id, b.id]);
    expect(metrics.actions.get({ action: "checkSentinels", result: "confirmed" })).to.equal(1);

    // Nothing changed since: no transaction.
    expect(sweeps(await agent.tick())).to.deep.equal([]);

    // The second goes silent while the third is back: two changes, one checkAll does both.
    await rounds(heartbeatInterval + gracePeriod + 20, [a, c]);
    expect(sweeps(await agent.tick())).to.deep.equal([["2 sentinels", "confirmed"]]);
    expect([...(await suite.sentinels.servedSentinels())].sort()).to.deep.equal([a.id, c.id].sort());

    // The second heartbeats again: restored by the next tick, then quiet.
    await rounds(20, [a, b, c]);
    expect(sweeps(await agent.tick())).to.deep.equal([[b.id, "confirmed"]]);
    expect(await suite.sentinels.servedCount()).to.equal(3n);
    expect(sweeps(await agent.tick())).to.deep.equal([]);
  });
});
