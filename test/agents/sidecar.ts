import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import { makeLogger } from "../../src/agents/common/log.js";
import { Registry } from "../../src/agents/common/metrics.js";
import { registerSidecarMetrics } from "../../src/agents/sidecar/metrics.js";
import { diskProbe, NodeProbeError, rpcNodeProbe, type NodeProbe } from "../../src/agents/sidecar/probe.js";
import { Sidecar, type SidecarMode } from "../../src/agents/sidecar/sidecar.js";
import { makeChainClient, type ChainClient } from "../../src/chain/index.js";
import { deployCore, type CoreSuite } from "../../src/suite/deploy.js";
import { createOperators, type Operator } from "../../src/suite/fleet.js";
import type { SignedHeartbeatInput } from "../../src/suite/signing.js";
import { INodeHealth__factory } from "../../types/ethers-contracts/index.js";
import { startFakeRpc, type FakeRpc } from "../helpers/fake-rpc.js";

const GWEI = 10n ** 9n;

describe("Sidecar", function () {
  this.timeout(60_000);
  let connection: Awaited<ReturnType<typeof network.create>>;
  let rpc: FakeRpc;
  let dir: string;
  let suite: CoreSuite;
  let operator: Operator;
  const clients: ChainClient[] = [];

  before(async function () {
    connection = await network.create();
    rpc = await startFakeRpc(connection.provider);
    dir = mkdtempSync(join(tmpdir(), "healnet-sidecar-"));
    suite = await deployCore(connection.ethers);
    [operator] = (await createOperators(connection.ethers, suite, [5_000n * 10n ** 18n], "sidecar-test")) as [
      Operator,
    ];
  });

  after(async function () {
    for (const c of clients) c.close();
    await rpc.close();
    await connection.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function sidecar(node: NodeProbe, mode: SidecarMode = { kind: "direct" }) {
    const client = await makeChainClient({
      urls: [rpc.url],
      chainId: 31337n,
      privateKey: operator.signer.privateKey,
      intentLogPath: join(dir, `sidecar-${clients.length}.sqlite`),
      maxFeePerGasCap: 100n * GWEI,
      rpc: { timeoutMs: 5_000, cooldownMs: 50, maxRounds: 1, pollingIntervalMs: 50 },
      sender: { pollMs: 20, stuckAfterMs: 60_000, maxWaitMs: 20_000 },
    });
    clients.push(client);
    const registry = new Registry();
    const metrics = registerSidecarMetrics(registry);
    const agent = new Sidecar({
      validator: operator.account.address,
      health: INodeHealth__factory.connect(await suite.health.getAddress(), client.signer),
      node,
      host: { diskUsedBps: async () => 4_321 },
      mode,
      send: (request) => client.send(request),
      chainTime: async () => BigInt((await client.provider.getBlock("latest"))?.timestamp ?? 0),
      log: makeLogger({ level: "error", sink: () => {} }),
      metrics,
    });
    return { agent, metrics, registry };
  }

  it("reads the node over JSON-RPC and sends a heartbeat carrying what it read", async function () {
    const { agent, metrics, registry } = await sidecar(rpcNodeProbe(rpc.url, 2_000));
    const outcome = await agent.tick();
    expect(outcome.status).to.equal("sent");
    const head = await connection.ethers.provider.getBlock("latest");
    const record = await suite.health.recordOf(operator.account.address);
    expect(record.diskUsedBps).to.equal(4_321n);
    expect(record.blockHeight).to.be.greaterThan(0n);
    expect(record.blockHeight).to.be.at.most(BigInt(head?.number ?? 0));
    expect(await suite.health.livenessOf(operator.account.address)).to.equal(1n); // Live
    expect(metrics.heartbeats.get({ result: "sent" })).to.equal(1);
    expect(registry.render()).to.match(/healnet_sidecar_node_height \d+/);
  });

  it("sends nothing when the node cannot be read, and counts it", async function () {
    const before = await suite.health.lastHeartbeatAt(operator.account.address);
    const dead: NodeProbe = {
      read: async () => {
        throw new NodeProbeError("connection refused");
      },
    };
    const { agent, metrics } = await sidecar(dead);
    await connection.networkHelpers.time.increase(10);
    const outcome = await agent.tick();
    expect(outcome).to.deep.equal({ status: "node-unreadable", error: "connection refused" });
    expect(await suite.health.lastHeartbeatAt(operator.account.address)).to.equal(before);
    expect(metrics.heartbeats.get({ result: "node_unreadable" })).to.equal(1);
  });

  it("fails the read of an unreachable node within its timeout", async function () {
    rpc.setFault({ kind: "hang" });
    try {
      const started = Date.now();
      await expect(rpcNodeProbe(rpc.url, 300).read()).to.be.rejectedWith(NodeProbeError);
      expect(Date.now() - started).to.be.lessThan(3_000);
    } finally {
      rpc.setFault({ kind: "none" });
    }
  });

  it("signs heartbeats for a relayer in relay mode, valid for heartbeatBatch", async function () {
    const posted: SignedHeartbeatInput[] = [];
    const mode: SidecarMode = {
      kind: "relay",
      signer: operator.signer,
      relay: { post: async (item) => void posted.push(item) },
    };
    const { agent } = await sidecar(rpcNodeProbe(rpc.url, 2_000), mode);
    await connection.networkHelpers.time.increase(10);
    await connection.networkHelpers.mine();
    const o = await agent.tick();
    expect(o.status).to.equal("relayed");
    expect(posted).to.have.length(1);
    const item = posted[0] as SignedHeartbeatInput;
    expect(await suite.health.recoverHeartbeatSigner(item)).to.equal(operator.signer.address);
    await (await suite.health.heartbeatBatch([item])).wait();
    expect(await suite.health.lastHeartbeatAt(operator.account.address)).to.equal(item.timestamp);
  });

  it("reads the disk use of a real path", async function () {
    const bps = await diskProbe(dir).diskUsedBps();
    expect(bps).to.be.within(0, 10_000);
  });
});
