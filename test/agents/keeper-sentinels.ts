/**
 * The keeper sweeps the sentinel pool: a served sentinel that stops heartbeating is dropped within a tick, one
 * that heartbeats again is restored, and a tick where nothing would change sends nothing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { getAddress, Wallet } from "ethers";
import { network } from "hardhat";

import { makeLogger } from "../../src/agents/common/log.js";
import { Registry } from "../../src/agents/common/metrics.js";
import { Keeper } from "../../src/agents/keeper/keeper.js";
import { registerKeeperMetrics } from "../../src/agents/keeper/metrics.js";
import { makeChainClient, type ChainClient } from "../../src/chain/index.js";
import { deploySuite, type Suite } from "../../src/suite/deploy.js";
import { healthyReport } from "../../src/suite/fleet.js";
import {
  INodeHealth__factory,
  ISentinelRegistry__factory,
  IStakeManager__factory,
  IValidatorSet__factory,
} from "../../types/ethers-contracts/index.js";
import { devWallet } from "../helpers/chain-fixture.js";
import { startFakeRpc, type FakeRpc } from "../helpers/fake-rpc.js";

const GWEI = 10n ** 9n;

describe("Keeper: sentinel pool sweep", function () {
  this.timeout(60_000);
  let connection: Awaited<ReturnType<typeof network.create>>;
  let rpc: FakeRpc;
  let dir: string;
  let suite: Suite;
  let client: ChainClient | undefined;
  const sentinels: { id: string; signer: Awaited<ReturnType<typeof connection.ethers.getSigner>> }[] = [];

  before(async function () {
    connection = await network.create();
    rpc = await startFakeRpc(connection.provider);
    dir = mkdtempSync(join(tmpdir(), "healnet-keeper-sentinels-"));
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
    client?.close();
    await rpc?.close();
    await connection?.close();
    rmSync(dir, { recursive: true, force: true });
  });

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

  /** Heartbeat rounds 20 s apart from `alive` for `seconds`. */
  async function rounds(seconds: number, alive: typeof sentinels): Promise<void> {
    for (let done = 0; done < seconds; done += 20) {
      await connection.networkHelpers.time.increase(20);
      await beat(alive);
    }
  }

  it("drops a silent sentinel, restores it when it heartbeats again, and sends nothing otherwise", async function () {
    client = await makeChainClient({
      urls: [rpc.url],
      chainId: 31337n,
      privateKey: devWallet(8).privateKey,
      intentLogPath: join(dir, "keeper.sqlite"),
      maxFeePerGasCap: 100n * GWEI,
      rpc: { timeoutMs: 5_000, cooldownMs: 50, maxRounds: 1, pollingIntervalMs: 50 },
      sender: { pollMs: 20, stuckAfterMs: 60_000, maxWaitMs: 20_000 },
    });
    const metrics = registerKeeperMetrics(new Registry());
    const agent = new Keeper({
      contracts: {
        set: IValidatorSet__factory.connect(await suite.set.getAddress(), client.signer),
        health: INodeHealth__factory.connect(await suite.health.getAddress(), client.signer),
        stake: IStakeManager__factory.connect(await suite.stake.getAddress(), client.signer),
        sentinels: ISentinelRegistry__factory.connect(await suite.sentinels.getAddress(), client.signer),
      },
      address: client.address,
      send: (request) => client!.send(request),
      chainTime: async () => BigInt((await client!.provider.getBlock("latest"))?.timestamp ?? 0),
      log: makeLogger({ level: "error", sink: () => {} }),
      metrics,
      options: { rotateEveryTicks: 1_000, claimRewardsAbove: 0n },
    });
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
