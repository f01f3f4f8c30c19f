/**
 * The keeper and the sidecar under the two faults of a real RPC that 5xx and hangs do not cover, on anvil
 * (a real node: `anvil_reorg`) behind the loopback fault proxy (test/helpers/fake-rpc.ts):
 *   - a stale head: the proxy answers as a node stuck at an old block (`lagging`), before or after the
 *     agent's own last transaction. No duplicate heal, no duplicate-heartbeat revert, no nonce gap, and
 *     the heal lands on the first tick after the head moves;
 *   - a reorg that drops the block holding the agent's transaction: the agent notices (receipt gone, nonce
 *     back) and the heal or heartbeat lands again, exactly once, with no nonce gap.
 * After each fault the agent is restarted on the same intent log and sends nothing twice.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import type { Interface } from "ethers";
import { network } from "hardhat";

import { makeLogger } from "../../src/agents/common/log.js";
import { Registry } from "../../src/agents/common/metrics.js";
import type { Keeper } from "../../src/agents/keeper/keeper.js";
import { registerSidecarMetrics } from "../../src/agents/sidecar/metrics.js";
import { rpcNodeProbe } from "../../src/agents/sidecar/probe.js";
import { Sidecar } from "../../src/agents/sidecar/sidecar.js";
import { makeChainClient, type ChainClient } from "../../src/chain/index.js";
import { deployCore, type CoreSuite } from "../../src/suite/deploy.js";
import { createOperators, healthyReport, heartbeatAll, type Operator } from "../../src/suite/fleet.js";
import { withParameters } from "../../src/suite/parameters.js";
import { domainOf, signHeartbeat } from "../../src/suite/signing.js";
import { INodeHealth__factory } from "../../types/ethers-contracts/index.js";
import { type Anvil, rawRpc, reorg, startAnvil } from "../helpers/anvil.js";
import { devWallet } from "../helpers/chain-fixture.js";
import { startFakeRpc, type FakeRpc } from "../helpers/fake-rpc.js";
import { makeKeeper } from "../helpers/keeper.js";

const TOKEN = 10n ** 18n;
const GWEI = 10n ** 9n;

describe("agents under stale heads and reorgs (anvil)", function () {
  this.timeout(120_000);
  let anvil: Anvil;
  let connection: Awaited<ReturnType<typeof network.create>>;
  let proxy: FakeRpc;
  /** A second, healthy route to the same node (for the two-RPC test). */
  let good: FakeRpc;
  let dir: string;
  let suite: CoreSuite;
  let ops: Operator[];
  const clients: ChainClient[] = [];

  before(async function () {
    anvil = await startAnvil(["--accounts", "20", "--chain-id", "31337"]);
    connection = await network.create({ network: "localhost", override: { url: anvil.url } });
    proxy = await startFakeRpc(connection.provider);
    good = await startFakeRpc(connection.provider);
    dir = mkdtempSync(join(tmpdir(), "healnet-stale-reorg-"));
    suite = await deployCore(connection.ethers, {
      parameters: withParameters({ set: { maxActive: 4, minActive: 2, correlatedFaultBps: 10_000 } }),
    });
    ops = await createOperators(
      connection.ethers,
      suite,
      [9n, 8n, 7n, 6n, 5n, 4n, 3n].map((k) => k * 1_000n * TOKEN),
      "stale-reorg",
    );
    await heartbeatAll(suite, ops);
    await (await suite.set.fillVacancies(8)).wait();
  });

  afterEach(function () {
    proxy?.setFault({ kind: "none" });
  });

  after(async function () {
    for (const c of clients) c.close();
    await proxy?.close();
    await good?.close();
    await connection?.close().catch(() => undefined);
    await anvil?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const head = async () => Number(await rawRpc(anvil.url, "eth_blockNumber"));
  /** Every log line at error level (and all of them on stderr with HEALNET_TEST_LOG=1). */
  const errors: string[] = [];
  const log = makeLogger({
    level: process.env.HEALNET_TEST_LOG ? "debug" : "error",
    sink: (line) => {
      if (process.env.HEALNET_TEST_LOG) console.error(line);
      if (line.includes('"level":"error"')) errors.push(line);
    },
  });

  async function client(
    name: string,
    privateKey: string,
    maxWaitMs = 10_000,
    urls = [proxy.url],
    cooldownMs = 50,
  ): Promise<ChainClient> {
    const c = await makeChainClient({
      urls,
      chainId: 31337n,
      privateKey,
      intentLogPath: join(dir, `${name}.sqlite`),
      maxFeePerGasCap: 100n * GWEI,
      rpc: { timeoutMs: 5_000, cooldownMs, maxRounds: 1, pollingIntervalMs: 50 },
      sender: { pollMs: 20, stuckAfterMs: 60_000, maxWaitMs },
      logger: log.child({ component: "chain", agent: name }),
    });
    clients.push(c);
    return c;
  }

  /** A keeper on the proxy, its intent log at `<name>.sqlite` (the same name = a restart on the same log). */
  async function keeper(name: string, walletIndex: number, maxWaitMs?: number, urls?: string[]) {
    // With a second URL, an endpoint passed over stays out for the test (mixing the two mid-tick would
    // read an incident count from one and the incident from the other).
    const cooldownMs = urls !== undefined && urls.length > 1 ? 60_000 : 50;
    const c = await client(name, devWallet(walletIndex).privateKey, maxWaitMs, urls, cooldownMs);
    const { agent, metrics } = await makeKeeper(suite, c, { log });
    return { agent, client: c, metrics };
  }

  async function sidecar(name: string, op: Operator) {
    const c = await client(name, op.signer.privateKey);
    const metrics = registerSidecarMetrics(new Registry());
    const agent = new Sidecar({
      validator: op.account.address,
      health: INodeHealth__factory.connect(await suite.health.getAddress(), c.signer),
      node: rpcNodeProbe(anvil.url, 2_000),
      host: { diskUsedBps: async () => 1_000 },
      mode: { kind: "direct" },
      send: (request) => c.send(request),
      chainTime: async () => BigInt((await c.provider.getBlock("latest"))?.timestamp ?? 0),
      log,
      metrics,
    });
    return { agent, client: c, metrics };
  }

  /** A new block two seconds later. */
  async function later(): Promise<void> {
    await rawRpc(anvil.url, "evm_increaseTime", [2]);
    await rawRpc(anvil.url, "evm_mine");
  }

  /** Moves the chain's clock by `seconds`, the `alive` operators heartbeating every interval. */
  async function advance(seconds: number, alive: readonly Operator[]): Promise<void> {
    const interval = suite.parameters.health.heartbeatInterval;
    for (let done = 0; done < seconds; done += interval) {
      await rawRpc(anvil.url, "evm_increaseTime", [Math.min(interval, seconds - done)]);
      await rawRpc(anvil.url, "evm_mine");
      await heartbeatAll(suite, alive);
    }
  }

  async function makeOverdue(victim: Operator): Promise<void> {
    const alive = ops.filter((o) => o !== victim && !removed.has(o));
    const { heartbeatInterval, gracePeriod } = suite.parameters.health;
    await advance(heartbeatInterval + gracePeriod + 1, alive);
  }
  /** Validators healed (removed) by an earlier test: they no longer heartbeat. */
  const removed = new Set<Operator>();

  /** Transactions from `from` calling `method` (optionally with `arg0`) in canonical blocks after `fromBlock`. */
  async function minedCalls(
    from: string,
    fromBlock: number,
    iface: Interface,
    method: string,
    arg0?: string,
  ) {
    const latest = await head();
    const found: { hash: string; status: number }[] = [];
    for (let n = fromBlock + 1; n <= latest; n++) {
      const block = await connection.ethers.provider.getBlock(n, true);
      for (const tx of block?.prefetchedTransactions ?? []) {
        if (tx.from.toLowerCase() !== from.toLowerCase()) continue;
        const parsed = iface.parseTransaction({ data: tx.data });
        if (parsed?.name !== method) continue;
        if (arg0 !== undefined && String(parsed.args[0]).toLowerCase() !== arg0.toLowerCase()) continue;
        const receipt = await connection.ethers.provider.getTransactionReceipt(tx.hash);
        found.push({ hash: tx.hash, status: receipt?.status ?? -1 });
      }
    }
    return found;
  }

  /** The account's mined nonce equals its pending one: nothing queued behind a gap. */
  async function expectNoNonceGap(address: string): Promise<void> {
    const [mined, pending] = await Promise.all([
      rawRpc(anvil.url, "eth_getTransactionCount", [address, "latest"]),
      rawRpc(anvil.url, "eth_getTransactionCount", [address, "pending"]),
    ]);
    expect(pending, `${address}: pending nonce`).to.equal(mined);
  }

  const checks = (report: Awaited<ReturnType<Keeper["tick"]>>) =>
    report.actions.filter((a) => a.action === "checkHeartbeat");

  it("keeper, stale head: the heal lands on the first tick after the head moves, and never twice", async function () {
    const victim = ops[1] as Operator;
    const keeperAddress = devWallet(10).address;
    const { agent, metrics, client: first } = await keeper("keeper-stale", 10);
    const start = await head();

    // The RPC freezes before the victim is overdue; the chain moves on without it.
    proxy.setFault({ kind: "lagging", block: await head() });
    await makeOverdue(victim);
    expect(await suite.set.isActive(victim.account.address)).to.equal(true);
    for (let i = 0; i < 3; i++) expect(checks(await agent.tick())).to.deep.equal([]);

    // The head moves: the very next tick heals.
    proxy.setFault({ kind: "none" });
    const healed = checks(await agent.tick());
    expect(healed.map((a) => a.result)).to.deep.equal(["confirmed"]);
    expect(await suite.set.isActive(victim.account.address)).to.equal(false);
    removed.add(victim);
    const heal = await connection.ethers.provider.getTransactionReceipt(healed[0]!.txHash!);

    // A lagging backend behind the heal: its state still shows the victim active and overdue.
    proxy.setFault({ kind: "lagging", block: heal!.blockNumber - 1 });
    for (let i = 0; i < 3; i++) expect(checks(await agent.tick())).to.deep.equal([]);
    expect(metrics.skipped.get({ action: "checkHeartbeat", reason: "stale-head" })).to.be.greaterThan(0);

    // Clean restart on the same intent log, still lagging, then with the head back.
    first.close();
    const restarted = await keeper("keeper-stale", 10);
    expect(checks(await restarted.agent.tick())).to.deep.equal([]);
    proxy.setFault({ kind: "none" });
    expect(checks(await restarted.agent.tick())).to.deep.equal([]);

    const calls = await minedCalls(
      keeperAddress,
      start,
      suite.set.interface,
      "checkHeartbeat",
      victim.account.address,
    );
    expect(calls).to.deep.equal([{ hash: heal!.hash, status: 1 }]);
    await expectNoNonceGap(keeperAddress);
  });

  it("sidecar, stale head: no duplicate-heartbeat revert, no failure, no nonce gap; heartbeats resume", async function () {
    const op = ops[0] as Operator;
    const { agent, metrics, client: first } = await sidecar("sidecar-stale", op);
    await later(); // anvil's blocks may share a second: not the second of the fleet's last heartbeat
    const start = await head();
    expect((await agent.tick()).status).to.equal("sent");
    const sentAt = await head();
    // Later blocks with later timestamps, then the RPC lags behind the heartbeat's block.
    for (let i = 0; i < 3; i++) await later();
    proxy.setFault({ kind: "lagging", block: sentAt - 2 });
    for (let i = 0; i < 3; i++) {
      const outcome = await agent.tick();
      expect(outcome.status).to.be.oneOf(["sent", "stale-head"]);
    }
    proxy.setFault({ kind: "none" });
    const before = await suite.health.lastHeartbeatAt(op.account.address);
    expect((await agent.tick()).status).to.equal("sent");
    expect(await suite.health.lastHeartbeatAt(op.account.address)).to.be.greaterThan(before);

    // Restart on the same log: one more heartbeat at the new time, nothing replayed or reverted.
    first.close();
    const restarted = await sidecar("sidecar-stale", op);
    await later();
    expect((await restarted.agent.tick()).status).to.equal("sent");

    const beats = await minedCalls(op.signer.address, start, suite.health.interface, "heartbeat");
    expect(beats.map((b) => b.status)).to.deep.equal([1, 1, 1]);
    expect(metrics.heartbeats.get({ result: "failed" })).to.equal(0);
    await expectNoNonceGap(op.signer.address);
  });

  it("sidecar: a heartbeat that loses a same-block race (duplicate) is handled, not a failure", async function () {
    const op = ops[0] as Operator;
    const { agent, metrics } = await sidecar("sidecar-race", op);
    await later();
    const start = await head();
    const count = async (tag: string) =>
      Number(await rawRpc(anvil.url, "eth_getTransactionCount", [op.signer.address, tag]));
    await rawRpc(anvil.url, "evm_setAutomine", [false]);
    try {
      const ticking = agent.tick();
      const deadline = Date.now() + 10_000;
      while ((await count("pending")) <= (await count("latest"))) {
        if (Date.now() > deadline) throw new Error("the sidecar's heartbeat never reached the mempool");
        await new Promise((r) => setTimeout(r, 20));
      }
      // A relayer's batch carrying the same validator's heartbeat, stamped with the next block's time and
      // paying a higher tip, goes first in that block: the sidecar's own heartbeat then reverts as a duplicate.
      const at = BigInt((await connection.ethers.provider.getBlock("latest"))!.timestamp) + 10n;
      await rawRpc(anvil.url, "evm_setNextBlockTimestamp", [Number(at)]);
      const [, signerEpoch] = await suite.health.signerOf(op.account.address);
      const item = await signHeartbeat(op.signer, await domainOf(suite.health), {
        validator: op.account.address,
        signerEpoch,
        timestamp: at,
        report: await healthyReport(connection.ethers.provider),
      });
      const relayer = devWallet(13).connect(connection.ethers.provider);
      await suite.health.connect(relayer).heartbeatBatch([item], {
        gasLimit: 500_000n,
        maxFeePerGas: 100n * GWEI,
        maxPriorityFeePerGas: 50n * GWEI,
      });
      await rawRpc(anvil.url, "evm_mine");
      expect((await ticking).status).to.equal("sent");
    } finally {
      await rawRpc(anvil.url, "evm_setAutomine", [true]);
    }
    expect(await suite.health.lastHeartbeatAt(op.account.address)).to.equal(
      BigInt((await connection.ethers.provider.getBlock("latest"))!.timestamp),
    );
    const beats = await minedCalls(op.signer.address, start, suite.health.interface, "heartbeat");
    expect(beats.map((b) => b.status)).to.deep.equal([0]); // mined, reverted as a duplicate
    expect(metrics.heartbeats.get({ result: "failed" })).to.equal(0);
    expect(metrics.heartbeats.get({ result: "sent" })).to.equal(1);
    await expectNoNonceGap(op.signer.address);
  });

  it("keeper, reorg dropping its heal: notices, the heal lands again exactly once, no nonce gap", async function () {
    const victim = ops[2] as Operator;
    const keeperAddress = devWallet(11).address;
    const { agent, client: firstClient } = await keeper("keeper-reorg", 11);
    await makeOverdue(victim);
    const start = await head();
    const first = checks(await agent.tick());
    expect(first.map((a) => a.result)).to.deep.equal(["confirmed"]);
    const dropped = await connection.ethers.provider.getTransactionReceipt(first[0]!.txHash!);
    expect(await suite.set.isActive(victim.account.address)).to.equal(false);

    await reorg(anvil.url, (await head()) - dropped!.blockNumber + 1);
    expect(await connection.ethers.provider.getTransactionReceipt(dropped!.hash)).to.equal(null);
    expect(await suite.set.isActive(victim.account.address)).to.equal(true);

    const again = checks(await agent.tick());
    expect(again.map((a) => a.result)).to.deep.equal(["confirmed"]);
    expect(await suite.set.isActive(victim.account.address)).to.equal(false);
    removed.add(victim);

    // Clean restart on the same log: nothing more.
    firstClient.close();
    const restarted = await keeper("keeper-reorg", 11);
    expect(checks(await restarted.agent.tick())).to.deep.equal([]);

    const calls = await minedCalls(
      keeperAddress,
      start,
      suite.set.interface,
      "checkHeartbeat",
      victim.account.address,
    );
    expect(calls).to.have.length(1);
    expect(calls[0]!.status).to.equal(1);
    await expectNoNonceGap(keeperAddress);
  });

  it("keeper, head frozen after the fault: a heal it cannot see confirmed is not sent twice", async function () {
    const victim = ops[4] as Operator;
    expect(await suite.set.isActive(victim.account.address)).to.equal(true);
    const keeperAddress = devWallet(12).address;
    const { agent, client: firstClient } = await keeper("keeper-frozen", 12, 1_000);
    await makeOverdue(victim);
    const start = await head();

    // The RPC is stuck at a head where the victim is overdue: the heal is sent (the node relays it) and
    // mined, but its receipt is beyond that head. Waiting ends at maxWaitMs; later ticks find the nonce taken.
    proxy.setFault({ kind: "lagging", block: start });
    errors.length = 0;
    for (let i = 0; i < 3; i++) {
      for (const a of checks(await agent.tick())) expect(a.result).to.equal("rejected"); // an error, not a send
    }
    // Only the chain's answers: no receipt in time, then the nonce is taken (never a local failure).
    for (const line of errors) expect(line).to.match(/TxStuckError|NonceTakenError|nonce/i);
    expect(await suite.set.isActive(victim.account.address)).to.equal(false);
    removed.add(victim);

    // The head moves: the chain says it is handled; nothing more is sent, also after a restart.
    proxy.setFault({ kind: "none" });
    for (const a of checks(await agent.tick())) expect(a.result).to.equal("already-handled");
    firstClient.close();
    const restarted = await keeper("keeper-frozen", 12, 1_000);
    expect(checks(await restarted.agent.tick())).to.deep.equal([]);

    const calls = await minedCalls(
      keeperAddress,
      start,
      suite.set.interface,
      "checkHeartbeat",
      victim.account.address,
    );
    expect(calls.map((c) => c.status)).to.deep.equal([1]);
    await expectNoNonceGap(keeperAddress);
  });

  it("sidecar, reorg dropping its heartbeat: heartbeats again, once, no nonce gap", async function () {
    const op = ops[3] as Operator;
    const { agent, metrics, client: first } = await sidecar("sidecar-reorg", op);
    await later();
    const lastBefore = await suite.health.lastHeartbeatAt(op.account.address);
    const start = await head();
    expect((await agent.tick()).status).to.equal("sent");
    const sentAt = await head();
    await rawRpc(anvil.url, "evm_mine");

    await reorg(anvil.url, (await head()) - sentAt + 1);
    expect(await suite.health.lastHeartbeatAt(op.account.address)).to.equal(lastBefore);

    expect((await agent.tick()).status).to.equal("sent");
    expect(await suite.health.lastHeartbeatAt(op.account.address)).to.be.greaterThan(lastBefore);
    const beats = await minedCalls(op.signer.address, start, suite.health.interface, "heartbeat");
    expect(beats.map((b) => b.status)).to.deep.equal([1]);
    await expectNoNonceGap(op.signer.address);

    // Clean restart on the same log: the next heartbeat is a new one, nothing replayed or reverted.
    first.close();
    const restarted = await sidecar("sidecar-reorg", op);
    await later();
    expect((await restarted.agent.tick()).status).to.equal("sent");
    const after = await minedCalls(op.signer.address, start, suite.health.interface, "heartbeat");
    expect(after.map((b) => b.status)).to.deep.equal([1, 1]);
    expect(metrics.heartbeats.get({ result: "failed" })).to.equal(0);
    await expectNoNonceGap(op.signer.address);
  });

  it("keeper, two RPCs and the first lags behind its heal: the other one answers, nothing skipped or resent", async function () {
    const victim = ops[5] as Operator;
    expect(await suite.set.isActive(victim.account.address)).to.equal(true);
    const keeperAddress = devWallet(14).address;
    const { agent, metrics, client: c } = await keeper("keeper-two", 14, undefined, [proxy.url, good.url]);
    await makeOverdue(victim);
    const start = await head();
    const healed = checks(await agent.tick());
    expect(healed.map((a) => a.result)).to.deep.equal(["confirmed"]);
    removed.add(victim);
    const heal = await connection.ethers.provider.getTransactionReceipt(healed[0]!.txHash!);

    proxy.setFault({ kind: "lagging", block: heal!.blockNumber - 1 });
    for (let i = 0; i < 3; i++) expect(checks(await agent.tick())).to.deep.equal([]);
    expect(metrics.skipped.get({ action: "checkHeartbeat", reason: "stale-head" })).to.equal(0);
    // The lagging endpoint was passed over (counted as stale_head), the healthy one answered.
    const [first] = (c.provider as unknown as { stats(): { errors: Record<string, number> }[] }).stats();
    expect(first!.errors.stale_head).to.be.greaterThan(0);

    const calls = await minedCalls(
      keeperAddress,
      start,
      suite.set.interface,
      "checkHeartbeat",
      victim.account.address,
    );
    expect(calls).to.deep.equal([{ hash: heal!.hash, status: 1 }]);
    await expectNoNonceGap(keeperAddress);
  });
});
