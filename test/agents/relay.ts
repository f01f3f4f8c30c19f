import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { expect } from "chai";
import { Wallet, type TypedDataDomain } from "ethers";

import { startHttpServer, type RunningHttpServer } from "../../src/agents/common/http.js";
import { Registry } from "../../src/agents/common/metrics.js";
import {
  decodeHeartbeat,
  encodeHeartbeat,
  HeartbeatQueue,
  heartbeatRoute,
  httpHeartbeatRelay,
  registerRelayMetrics,
  type RelayMetrics,
} from "../../src/agents/keeper/relay.js";
import { deployCore, type CoreSuite } from "../../src/suite/deploy.js";
import { createOperators, healthyReport, type Operator } from "../../src/suite/fleet.js";
import { domainOf, signHeartbeat, type SignedHeartbeatInput } from "../../src/suite/signing.js";
import { startAgentEnv, type AgentEnv, type Connection } from "../helpers/agent-env.js";
import { devWallet } from "../helpers/chain-fixture.js";
import { makeKeeper } from "../helpers/keeper.js";

const TOKEN = 10n ** 18n;

describe("heartbeat relay over HTTP", function () {
  this.timeout(60_000);
  let env: AgentEnv;
  let connection: Connection;
  let suite: CoreSuite;
  let ops: Operator[];
  let domain: TypedDataDomain;
  const servers: RunningHttpServer[] = [];

  before(async function () {
    env = await startAgentEnv("relay");
    connection = env.connection;
    suite = await deployCore(connection.ethers);
    ops = await createOperators(
      connection.ethers,
      suite,
      [5n, 4n, 3n].map((k) => k * 1_000n * TOKEN),
      "relay",
    );
    domain = await domainOf(suite.health);
  });

  after(async function () {
    for (const s of servers) await s.close();
    await env?.close();
  });

  async function signed(
    op: Operator,
    timestamp?: bigint,
    key: Wallet = op.signer,
  ): Promise<SignedHeartbeatInput> {
    const [, signerEpoch] = await suite.health.signerOf(op.account.address);
    const block = await connection.ethers.provider.getBlock("latest");
    return await signHeartbeat(key, domain, {
      validator: op.account.address,
      signerEpoch,
      timestamp: timestamp ?? BigInt(block!.timestamp),
      report: await healthyReport(connection.ethers.provider),
    });
  }

  async function relayServer(capacity = 10): Promise<{
    url: string;
    queue: HeartbeatQueue;
    metrics: RelayMetrics;
    registry: Registry;
  }> {
    const queue = new HeartbeatQueue(capacity);
    const registry = new Registry();
    const metrics = registerRelayMetrics(registry, queue);
    const server = await startHttpServer({
      port: 0,
      registry,
      health: () => ({ ok: true }),
      postRoutes: {
        "/heartbeats": heartbeatRoute({
          queue,
          domain,
          signerOf: async (validator) => {
            const [signer, epoch] = await suite.health.signerOf(validator);
            return { signer, epoch };
          },
          metrics,
        }),
      },
    });
    servers.push(server);
    return { url: server.url, queue, metrics, registry };
  }

  async function post(url: string, body: string): Promise<{ status: number; error?: string }> {
    const r = await fetch(`${url}/heartbeats`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json" },
    });
    const json = (await r.json()) as { error?: string };
    return { status: r.status, ...(json.error !== undefined ? { error: json.error } : {}) };
  }

  it("encodes integers as decimal strings and decodes them back", async function () {
    const item = await signed(ops[0]!);
    const wire = encodeHeartbeat(item);
    expect(wire.signerEpoch).to.be.a("string");
    expect(wire.report.peerCount).to.equal("25");
    expect(decodeHeartbeat(JSON.parse(JSON.stringify(wire)))).to.deep.equal({
      ...item,
      report: { ...item.report, blockHash: item.report.blockHash.toLowerCase() },
      r: item.r.toLowerCase(),
      vs: item.vs.toLowerCase(),
    });
  });

  it("accepts a heartbeat signed by the registered signer (202), one queued per validator", async function () {
    const { url, queue, metrics } = await relayServer();
    const relay = httpHeartbeatRelay({ urls: [url], timeoutMs: 2_000 });
    await relay.post(await signed(ops[0]!));
    await relay.post(
      await signed(ops[0]!, BigInt((await connection.ethers.provider.getBlock("latest"))!.timestamp) + 1n),
    );
    await relay.post(await signed(ops[1]!));
    expect(queue.size).to.equal(2);
    expect(metrics.requests.get({ result: "accepted" })).to.equal(3);
    const taken = queue.take(10);
    expect(taken.map((i) => i.validator)).to.deep.equal([ops[0]!.account.address, ops[1]!.account.address]);
    expect(queue.size).to.equal(0);
  });

  it("refuses malformed bodies (400, naming the field), oversized ones (413) and foreign signatures (403)", async function () {
    const { url, queue, metrics } = await relayServer();
    const good = encodeHeartbeat(await signed(ops[0]!));
    expect(await post(url, "not json")).to.deep.equal({ status: 400, error: "body is not JSON" });
    expect(await post(url, JSON.stringify({ ...good, signerEpoch: 1 }))).to.deep.equal({
      status: 400,
      error: "signerEpoch must be a decimal string",
    });
    expect(
      await post(url, JSON.stringify({ ...good, report: { ...good.report, peerCount: "70000" } })),
    ).to.deep.equal({ status: 400, error: "report.peerCount does not fit in uint16" });
    expect(await post(url, JSON.stringify({ ...good, r: "0x1234" }))).to.deep.equal({
      status: 400,
      error: "r must be 0x followed by 64 hex digits",
    });
    expect((await post(url, JSON.stringify({ ...good, pad: "x".repeat(4_000) }))).status).to.equal(413);
    // Signed by a key that is not the validator's registered signer.
    const forged = encodeHeartbeat(
      await signed(ops[0]!, undefined, new Wallet(Wallet.createRandom().privateKey)),
    );
    expect(await post(url, JSON.stringify(forged))).to.deep.equal({
      status: 403,
      error: "signature is not from the validator's registered signer",
    });
    // A valid signature over other values (tampered height) recovers to some other address: 403 too.
    const tampered = { ...good, report: { ...good.report, blockHeight: "999999" } };
    expect((await post(url, JSON.stringify(tampered))).status).to.equal(403);
    expect(queue.size).to.equal(0);
    expect(metrics.requests.get({ result: "bad_request" })).to.equal(4);
    expect(metrics.requests.get({ result: "too_large" })).to.equal(1);
    expect(metrics.requests.get({ result: "bad_signature" })).to.equal(2);
  });

  it("answers 429 when the queue is full, keeping what it accepted; the client reports the refusal", async function () {
    const { url, queue, registry } = await relayServer(1);
    const relay = httpHeartbeatRelay({ urls: [url], timeoutMs: 2_000 });
    await relay.post(await signed(ops[0]!));
    await expect(relay.post(await signed(ops[1]!))).to.be.rejectedWith(/429/);
    expect(queue.size).to.equal(1);
    expect(registry.render()).to.contain('healnet_keeper_relay_requests_total{result="queue_full"} 1');
    expect(registry.render()).to.contain("healnet_keeper_relay_queue_depth 1");
    // A newer heartbeat of an already queued validator still fits (it replaces the queued one).
    await relay.post(await signed(ops[0]!));
  });

  it("bounds a post to a keeper that does not answer, and succeeds if another keeper accepts", async function () {
    const hang: Server = createServer(() => {});
    await new Promise<void>((r) => hang.listen(0, "127.0.0.1", r));
    const hangUrl = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
    try {
      const lone = httpHeartbeatRelay({ urls: [hangUrl], timeoutMs: 200 });
      const started = Date.now();
      await expect(lone.post(await signed(ops[0]!))).to.be.rejectedWith(/no keeper accepted/);
      expect(Date.now() - started).to.be.lessThan(2_000);
      const { url, queue } = await relayServer();
      await httpHeartbeatRelay({ urls: [hangUrl, url], timeoutMs: 200 }).post(await signed(ops[0]!));
      expect(queue.size).to.equal(1);
    } finally {
      hang.closeAllConnections();
      hang.close();
    }
  });

  it("a keeper relays what sidecars posted in one heartbeatBatch", async function () {
    const { url, queue } = await relayServer();
    const relay = httpHeartbeatRelay({ urls: [url] });
    await connection.networkHelpers.time.increase(5);
    await connection.networkHelpers.mine();
    const items = await Promise.all(ops.map((op) => signed(op)));
    for (const item of items) await relay.post(item);
    const client = await env.client(devWallet(8).privateKey);
    const { agent: keeper } = await makeKeeper(suite, client, { heartbeats: queue });
    const report = await keeper.tick();
    expect(report.actions.find((a) => a.action === "heartbeatBatch")?.result).to.equal("confirmed");
    for (const item of items) {
      expect(await suite.health.lastHeartbeatAt(item.validator)).to.equal(item.timestamp);
    }
    expect(queue.size).to.equal(0);
  });
});
