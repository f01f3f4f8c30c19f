import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { id } from "ethers";
import { network } from "hardhat";

import { makeLogger } from "../../src/agents/common/log.js";
import { Registry } from "../../src/agents/common/metrics.js";
import { Keeper } from "../../src/agents/keeper/keeper.js";
import { registerKeeperMetrics } from "../../src/agents/keeper/metrics.js";
import { makeChainClient, type ChainClient } from "../../src/chain/index.js";
import { deploySuite, type Suite } from "../../src/suite/deploy.js";
import { createOperators, heartbeatAll, type Operator } from "../../src/suite/fleet.js";
import { withParameters } from "../../src/suite/parameters.js";
import {
  INodeHealth__factory,
  IRecoveryManager__factory,
  IStakeManager__factory,
  IValidatorSet__factory,
} from "../../types/ethers-contracts/index.js";
import { devWallet } from "../helpers/chain-fixture.js";
import { startFakeRpc, type FakeRpc } from "../helpers/fake-rpc.js";

const TOKEN = 10n ** 18n;
const GWEI = 10n ** 9n;
/** IValidatorSet.Status */
const Status = { Backup: 1n, Jailed: 4n } as const;

describe("Keeper: restore", function () {
  this.timeout(60_000);
  let connection: Awaited<ReturnType<typeof network.create>>;
  let rpc: FakeRpc;
  let dir: string;
  let suite: Suite;
  let operators: Operator[];
  let client: ChainClient | undefined;

  before(async function () {
    connection = await network.create();
    rpc = await startFakeRpc(connection.provider);
    dir = mkdtempSync(join(tmpdir(), "healnet-keeper-restore-"));
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
    client?.close();
    await rpc.close();
    await connection.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Heartbeat rounds 20 s apart (under the 30 s epoch, so none is missed) for `seconds`. */
  async function rounds(seconds: number, alive: readonly Operator[]): Promise<void> {
    for (let done = 0; done < seconds; done += 20) {
      await connection.networkHelpers.time.increase(20);
      await heartbeatAll(suite, alive);
    }
  }

  it("restores a jailed validator once its remediation is reported ok and proven by heartbeats, once", async function () {
    const wallet = devWallet(8);
    client = await makeChainClient({
      urls: [rpc.url],
      chainId: 31337n,
      privateKey: wallet.privateKey,
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
        recovery: IRecoveryManager__factory.connect(await suite.recovery.getAddress(), client.signer),
      },
      address: client.address,
      send: (request) => client!.send(request),
      chainTime: async () => BigInt((await client!.provider.getBlock("latest"))?.timestamp ?? 0),
      log: makeLogger({ level: "error", sink: () => {} }),
      metrics,
      options: { rotateEveryTicks: 1_000, claimRewardsAbove: 0n },
    });
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
