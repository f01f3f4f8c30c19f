import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { Contract, Wallet } from "ethers";

import {
  type ChainClient,
  type ChainLogger,
  makeChainClient,
  silentLogger,
  SenderClosedError,
  type SenderOptions,
  TxStuckError,
} from "../../src/chain/index.js";
import { chainFixture } from "../helpers/chain-fixture.js";
import { type FakeRpc, startFakeRpc } from "../helpers/fake-rpc.js";

const GWEI = 10n ** 9n;

describe("Sender", function () {
  this.timeout(30_000);
  let fx: Awaited<ReturnType<typeof chainFixture>>;
  let a: FakeRpc;
  let b: FakeRpc;
  let dir: string;
  const clients: ChainClient[] = [];
  let logCount = 0;

  before(async function () {
    fx = await chainFixture();
    a = await startFakeRpc(fx.upstream);
    b = await startFakeRpc(fx.upstream);
    dir = mkdtempSync(join(tmpdir(), "healnet-sender-"));
  });

  after(async function () {
    for (const c of clients) c.close();
    await a.close();
    await b.close();
    await fx.connection.close();
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async function () {
    a.setFault({ kind: "none" });
    b.setFault({ kind: "none" });
    await setAutomine(true);
  });

  function newLogPath(): string {
    return join(dir, `intents-${++logCount}.sqlite`);
  }

  async function client(
    intentLogPath: string,
    sender: Partial<SenderOptions> = {},
    cap = 100n * GWEI,
    logger?: ChainLogger,
  ) {
    const c = await makeChainClient({
      logger,
      urls: [a.url, b.url],
      chainId: 31337n,
      privateKey: fx.wallet.privateKey,
      intentLogPath,
      maxFeePerGasCap: cap,
      rpc: { timeoutMs: 2000, cooldownMs: 50, maxRounds: 1, pollingIntervalMs: 50 },
      sender: { pollMs: 20, stuckAfterMs: 60_000, maxWaitMs: 10_000, ...sender },
    });
    clients.push(c);
    return c;
  }

  function tokenOn(c: ChainClient): Contract {
    return new Contract(fx.tokenAddress, fx.token.interface, c.signer);
  }

  async function setAutomine(on: boolean): Promise<void> {
    await fx.upstream.request({ method: "evm_setAutomine", params: [on] });
  }

  async function mine(): Promise<void> {
    await fx.upstream.request({ method: "evm_mine", params: [] });
  }

  async function minedNonce(): Promise<number> {
    return Number(
      await fx.upstream.request({ method: "eth_getTransactionCount", params: [fx.wallet.address, "latest"] }),
    );
  }

  /** Polls `cond` every 10 ms, failing after `ms`. */
  async function until(cond: () => boolean, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error("condition not met in time");
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it("sends, waits for the receipt and records the outcome", async function () {
    const c = await client(newLogPath());
    const to = Wallet.createRandom().address;
    const r = await c.send({ key: "transfer:1", contract: tokenOn(c), method: "transfer", args: [to, 5n] });
    expect(r.status).to.equal("confirmed");
    expect(await fx.token.balanceOf(to)).to.equal(5n);
    expect(c.intents.get("transfer:1")?.status).to.equal("done");
    // The same key again: the recorded outcome, no second transaction.
    const before = await minedNonce();
    const again = await c.send({
      key: "transfer:1",
      contract: tokenOn(c),
      method: "transfer",
      args: [to, 5n],
    });
    expect(again).to.include({ status: "confirmed", fromLog: true });
    expect(await minedNonce()).to.equal(before);
  });

  it("treats an 'already handled' revert as success without sending", async function () {
    const c = await client(newLogPath());
    const before = await minedNonce();
    const r = await c.send({
      key: "too-much",
      contract: tokenOn(c),
      method: "transfer",
      args: [Wallet.createRandom().address, 10n ** 30n],
      alreadyHandled: ["ERC20InsufficientBalance"],
    });
    expect(r).to.include({ status: "already-handled", error: "ERC20InsufficientBalance" });
    const other = await c.send({
      key: "too-much-2",
      contract: tokenOn(c),
      method: "transfer",
      args: [Wallet.createRandom().address, 10n ** 30n],
      alreadyHandled: ["SomethingElse"],
    });
    expect(other).to.include({ status: "rejected", error: "ERC20InsufficientBalance" });
    expect(await minedNonce()).to.equal(before);
  });

  describe("nonces", function () {
    it("never reuses a nonce under concurrent sends", async function () {
      const c = await client(newLogPath());
      const start = await minedNonce();
      const to = Wallet.createRandom().address;
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          c.send({ key: `concurrent:${i}`, contract: tokenOn(c), method: "transfer", args: [to, 1n] }),
        ),
      );
      expect(results.map((r) => r.status)).to.deep.equal(Array(6).fill("confirmed"));
      const nonces = Array.from(
        { length: 6 },
        (_, i) => c.intents.get(`concurrent:${i}`)!.txs[0]!.nonce,
      ).sort((x, y) => x - y);
      expect(nonces).to.deep.equal([0, 1, 2, 3, 4, 5].map((i) => start + i));
      expect(await fx.token.balanceOf(to)).to.equal(6n);
    });

    it("resyncs after 'nonce too low' when another process used the nonce", async function () {
      const warnings: string[] = [];
      const logger = { ...silentLogger, warn: (msg: string) => void warnings.push(msg) };
      const c = await client(newLogPath(), {}, undefined, logger);
      await c.nonces.sync();
      // Another process with the same key takes the cached nonce.
      const other = fx.wallet.connect(c.provider);
      await (await other.sendTransaction({ to: other.address, value: 0n })).wait();
      const to = Wallet.createRandom().address;
      const r = await c.send({
        key: "after-foreign",
        contract: tokenOn(c),
        method: "transfer",
        args: [to, 2n],
      });
      expect(r.status).to.equal("confirmed");
      expect(await fx.token.balanceOf(to)).to.equal(2n);
      expect(warnings.some((w) => /nonce taken/.test(w))).to.equal(true);
    });
  });

  describe("fee bumping", function () {
    it("replaces a stuck transaction raising both fees by >= 10%, never above the cap", async function () {
      const probe = await client(newLogPath());
      const fees = await probe.provider.getFeeData();
      const initialMax = fees.maxFeePerGas!;
      // Room for two valid bumps (x1.12, x1.2544) but not a third (cap x1.30 < x1.2544 * 1.1).
      const cap = (initialMax * 130n) / 100n;
      const c = await client(newLogPath(), { stuckAfterMs: 80, maxBumps: 3, bumpPercent: 12 }, cap);
      await setAutomine(false);
      const to = Wallet.createRandom().address;
      const sending = c.send({ key: "stuck", contract: tokenOn(c), method: "transfer", args: [to, 3n] });
      await until(() => (c.intents.get("stuck")?.txs.length ?? 0) >= 3);
      // Give it time to try (and refuse) a third bump.
      await new Promise((r) => setTimeout(r, 250));
      await mine();
      const r = await sending;
      expect(r).to.include({ status: "confirmed", replacements: 2 });
      const txs = c.intents.get("stuck")!.txs;
      expect(txs).to.have.length(3);
      expect(new Set(txs.map((t) => t.nonce)).size).to.equal(1);
      for (let i = 1; i < txs.length; i++) {
        const prev = txs[i - 1]!;
        const cur = txs[i]!;
        expect(cur.maxFeePerGas * 100n).to.be.gte(prev.maxFeePerGas * 110n);
        expect(cur.maxPriorityFeePerGas * 100n).to.be.gte(prev.maxPriorityFeePerGas * 110n);
      }
      for (const t of txs) expect(t.maxFeePerGas <= cap).to.equal(true);
      expect(r.status === "confirmed" && r.txHash).to.equal(txs[2]!.hash);
      expect(await fx.token.balanceOf(to)).to.equal(3n);
    });
  });

  describe("intent log", function () {
    it("reconciles after a crash between send and receipt, without a second transaction", async function () {
      const path = newLogPath();
      const first = await client(path);
      await setAutomine(false);
      const start = await minedNonce();
      const to = Wallet.createRandom().address;
      const req = (c: ChainClient) => ({
        key: "crash:1",
        contract: tokenOn(c),
        method: "transfer",
        args: [to, 7n],
      });
      const sending = first.send(req(first));
      await until(() => first.intents.get("crash:1")?.status === "sent");
      // "Crash": the first client goes away with its transaction pending.
      first.close();
      await expect(sending).to.be.rejectedWith(SenderClosedError);

      const second = await client(path);
      expect(second.intents.get("crash:1")?.status).to.equal("sent");
      await mine();
      const r = await second.send(req(second));
      expect(r.status).to.equal("confirmed");
      expect(second.intents.get("crash:1")!.txs).to.have.length(1);
      expect(await minedNonce()).to.equal(start + 1);
      expect(await fx.token.balanceOf(to)).to.equal(7n);
    });

    it("re-broadcasts a dropped transaction after re-simulating it, once", async function () {
      const path = newLogPath();
      // No node accepts the transaction: it is signed and recorded, but never lands anywhere.
      a.setFault({ kind: "http", status: 500, methods: ["eth_sendRawTransaction"] });
      b.setFault({ kind: "http", status: 500, methods: ["eth_sendRawTransaction"] });
      const first = await client(path, { maxWaitMs: 200, maxBumps: 0 });
      const start = await minedNonce();
      const to = Wallet.createRandom().address;
      await expect(
        first.send({ key: "dropped:1", contract: tokenOn(first), method: "transfer", args: [to, 9n] }),
      ).to.be.rejectedWith(TxStuckError);
      first.close();
      a.setFault({ kind: "none" });
      b.setFault({ kind: "none" });

      // The restarted client finds the recorded, dropped transaction, simulates it and re-broadcasts it.
      const second = await client(path);
      const r = await second.send({
        key: "dropped:1",
        contract: tokenOn(second),
        method: "transfer",
        args: [to, 9n],
      });
      expect(r.status).to.equal("confirmed");
      expect(second.intents.get("dropped:1")!.txs).to.have.length(1);
      expect(await minedNonce()).to.equal(start + 1);
      expect(await fx.token.balanceOf(to)).to.equal(9n);
    });
  });
});
