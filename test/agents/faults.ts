/**
 * Fault tests with the agents as real child processes (src/agents/<kind>/main.ts), talking over loopback
 * HTTP to the in-process Hardhat network through fake RPC servers (test/helpers/fake-rpc.ts):
 *   - an RPC that answers 500 and one that hangs, listed before the healthy one: the sidecar and the
 *     keeper keep working through the healthy URL;
 *   - a keeper SIGKILLed between send and receipt, then restarted: one transaction, not two;
 *   - a transaction dropped from the mempool: re-sent (fee-bumped replacement) and mined once;
 *   - bad configuration and bad command lines: exit 2 and one line naming the option.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import type { Interface } from "ethers";
import { network } from "hardhat";

import { deployCore, type CoreSuite } from "../../src/suite/deploy.js";
import { createOperators, heartbeatAll, type Operator } from "../../src/suite/fleet.js";
import { withParameters } from "../../src/suite/parameters.js";
import { devWallet } from "../helpers/chain-fixture.js";
import { eventually, exitWithin, killAll, ROOT, spawnAgent, writeKeyFile } from "../helpers/agents.js";
import { startFakeRpc, type FakeRpc } from "../helpers/fake-rpc.js";

const TOKEN = 10n ** 18n;

describe("agent processes under faults", function () {
  this.timeout(120_000);
  let connection: Awaited<ReturnType<typeof network.create>>;
  let good: FakeRpc;
  let failing: FakeRpc;
  let hanging: FakeRpc;
  let dir: string;
  let suite: CoreSuite;
  let ops: Operator[];
  let addressesFile: string;

  const rpc = (method: string, params: unknown[] = []) => connection.provider.request({ method, params });

  before(async function () {
    connection = await network.create();
    good = await startFakeRpc(connection.provider);
    failing = await startFakeRpc(connection.provider);
    hanging = await startFakeRpc(connection.provider);
    dir = mkdtempSync(join(tmpdir(), "healnet-faults-"));
    suite = await deployCore(connection.ethers, {
      parameters: withParameters({ set: { maxActive: 4, minActive: 2, correlatedFaultBps: 10_000 } }),
    });
    ops = await createOperators(
      connection.ethers,
      suite,
      [9n, 8n, 7n, 6n, 5n].map((k) => k * 1_000n * TOKEN),
      "faults",
    );
    await heartbeatAll(suite, ops);
    await (await suite.set.fillVacancies(8)).wait();
    addressesFile = join(dir, "addresses.json");
    writeFileSync(
      addressesFile,
      JSON.stringify({
        chainId: "31337",
        token: await suite.token.getAddress(),
        stake: await suite.stake.getAddress(),
        health: await suite.health.getAddress(),
        set: await suite.set.getAddress(),
      }),
    );
  });

  after(async function () {
    await killAll();
    await rpc("evm_setAutomine", [true]).catch(() => undefined);
    for (const s of [good, failing, hanging]) await s?.close();
    await connection?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function common(name: string, key: string, urls = [failing.url, hanging.url, good.url]): string[] {
    return [
      "--rpc-urls",
      urls.join(","),
      "--chain-id",
      "31337",
      "--addresses",
      addressesFile,
      "--key-file",
      writeKeyFile(join(dir, `${name}.key`), key),
      "--intent-log",
      join(dir, `${name}.sqlite`),
      "--metrics-port",
      "0",
      "--interval-ms",
      "250ms",
      "--rpc-timeout-ms",
      "400ms",
      "--rpc-cooldown-ms",
      "60s",
      "--tx-poll-ms",
      "50ms",
      "--log-level",
      "debug",
    ];
  }

  async function advance(seconds: number, alive: readonly Operator[]): Promise<void> {
    const interval = suite.parameters.health.heartbeatInterval;
    for (let done = 0; done < seconds; done += interval) {
      await connection.networkHelpers.time.increase(Math.min(interval, seconds - done));
      await heartbeatAll(suite, alive);
    }
  }

  /** Mined transactions from `from` calling `method` in blocks after `fromBlock`. */
  async function minedCalls(
    from: string,
    fromBlock: number,
    iface: Interface,
    method: string,
    arg0?: string,
  ) {
    const latest = await connection.ethers.provider.getBlockNumber();
    const found: string[] = [];
    for (let n = fromBlock + 1; n <= latest; n++) {
      const block = await connection.ethers.provider.getBlock(n, true);
      for (const tx of block?.prefetchedTransactions ?? []) {
        if (tx.from.toLowerCase() !== from.toLowerCase()) continue;
        const parsed = iface.parseTransaction({ data: tx.data });
        if (parsed?.name !== method) continue;
        if (arg0 !== undefined && String(parsed.args[0]).toLowerCase() !== arg0.toLowerCase()) continue;
        found.push(tx.hash);
      }
    }
    return found;
  }

  it("a sidecar and a keeper keep working when the first RPCs answer 500 or hang", async function () {
    const [op0, , victim] = ops as [Operator, Operator, Operator];
    const before = await suite.health.lastHeartbeatAt(op0.account.address);
    const sidecar = spawnAgent(
      "sidecar",
      [
        ...common("sidecar-0", op0.signer.privateKey),
        "--validator",
        op0.account.address,
        "--node-url",
        good.url,
      ],
      {},
      "sidecar-0",
    );
    const keeper = spawnAgent("keeper", common("keeper-a", devWallet(8).privateKey), {}, "keeper-a");
    // Every endpoint must answer the chain id at start (src/chain refuses to start otherwise); the faults
    // begin once both run.
    await sidecar.waitForLog((l) => l.msg === "sidecar started", 30_000);
    await keeper.waitForLog((l) => l.msg === "keeper started", 30_000);
    failing.setFault({ kind: "http", status: 500 });
    hanging.setFault({ kind: "hang" });
    const failingBefore = failing.calls.length;
    const hangingBefore = hanging.calls.length;
    await eventually(
      "a heartbeat from the sidecar",
      async () => (await suite.health.lastHeartbeatAt(op0.account.address)) > before,
      30_000,
    );

    // The victim goes silent; the others heartbeat (op0 through its sidecar as well).
    const alive = ops.filter((o) => o !== victim);
    const { heartbeatInterval, gracePeriod } = suite.parameters.health;
    await advance(heartbeatInterval + gracePeriod + 1, alive);
    await eventually(
      "the victim replaced",
      async () => !(await suite.set.isActive(victim.account.address)),
      30_000,
    );
    expect(await suite.set.isActive((ops[4] as Operator).account.address)).to.equal(true);
    expect(await suite.set.incidentCount()).to.equal(1n);
    expect((await suite.set.incident(1n)).reporter).to.equal(devWallet(8).address);

    // Both saw the failing endpoints and went on.
    expect(failing.calls.length).to.be.greaterThan(failingBefore);
    expect(hanging.calls.length).to.be.greaterThan(hangingBefore);
    expect((await sidecar.stop("SIGTERM")).code).to.equal(0);
    expect((await keeper.stop("SIGTERM")).code).to.equal(0);
    expect(keeper.logs.some((l) => l.msg === "stopped")).to.equal(true);
  });

  it("a keeper SIGKILLed between send and receipt, restarted, sends no second transaction", async function () {
    const victim = ops[1] as Operator;
    const alive = ops.filter((o) => o !== victim && o !== ops[2]);
    const { heartbeatInterval, gracePeriod } = suite.parameters.health;
    await advance(heartbeatInterval + gracePeriod + 1, alive);
    const startBlock = await connection.ethers.provider.getBlockNumber();
    const keeperKey = devWallet(9);
    const minedNonce = await connection.ethers.provider.getTransactionCount(keeperKey.address, "latest");

    await rpc("evm_setAutomine", [false]);
    const args = common("keeper-b", keeperKey.privateKey, [good.url]);
    const first = spawnAgent("keeper", args, {}, "keeper-b1");
    await eventually(
      "the keeper's transaction in the mempool",
      async () =>
        (await connection.ethers.provider.getTransactionCount(keeperKey.address, "pending")) > minedNonce,
      30_000,
    );
    const killed = await first.stop("SIGKILL");
    expect(killed.signal).to.equal("SIGKILL");

    const second = spawnAgent("keeper", args, {}, "keeper-b2");
    await second.waitForLog((l) => l.msg === "keeper started", 30_000);
    await new Promise((r) => setTimeout(r, 1_000)); // a few ticks with the transaction still pending
    await rpc("evm_setAutomine", [true]);
    await rpc("evm_mine");
    await eventually(
      "the victim replaced",
      async () => !(await suite.set.isActive(victim.account.address)),
      30_000,
    );
    await second.waitForLog((l) => l.msg === "keeper action" && l.action === "checkHeartbeat", 30_000);

    const calls = await minedCalls(
      keeperKey.address,
      startBlock,
      suite.set.interface,
      "checkHeartbeat",
      victim.account.address,
    );
    expect(calls).to.have.length(1);
    expect(await suite.set.incidentCount()).to.equal(2n);
    expect((await second.stop("SIGTERM")).code).to.equal(0);
  });

  it("re-sends a transaction dropped from the mempool, and it is mined once", async function () {
    const op = ops[3] as Operator;
    const startBlock = await connection.ethers.provider.getBlockNumber();
    const signer = op.signer.address;
    const minedNonce = await connection.ethers.provider.getTransactionCount(signer, "latest");
    await connection.networkHelpers.time.increase(suite.parameters.health.heartbeatInterval);
    await rpc("evm_setAutomine", [false]);
    const sidecar = spawnAgent(
      "sidecar",
      [
        ...common("sidecar-3", op.signer.privateKey, [good.url]),
        "--validator",
        op.account.address,
        "--tx-stuck-after-ms",
        "500ms",
      ],
      {},
      "sidecar-3",
    );
    interface RawTx {
      hash: string;
      from: string;
      nonce: string;
      maxFeePerGas: string;
    }
    const pending = async (): Promise<RawTx | undefined> => {
      const block = (await rpc("eth_getBlockByNumber", ["pending", true])) as { transactions: RawTx[] };
      return block.transactions.find((tx) => tx.from.toLowerCase() === signer.toLowerCase());
    };
    const dropped = await eventually("the heartbeat in the mempool", pending, 30_000);
    await rpc("hardhat_dropTransaction", [dropped.hash]);
    expect(await pending()).to.equal(undefined);
    const resent = await eventually("the heartbeat sent again", pending, 30_000);
    expect(resent.nonce).to.equal(dropped.nonce);
    expect(BigInt(resent.maxFeePerGas) >= (BigInt(dropped.maxFeePerGas) * 110n) / 100n).to.equal(true);
    await rpc("evm_setAutomine", [true]);
    await rpc("evm_mine");
    await eventually(
      "the heartbeat mined",
      async () => (await connection.ethers.provider.getTransactionCount(signer, "latest")) > minedNonce,
      30_000,
    );
    expect((await sidecar.stop("SIGTERM")).code).to.equal(0);
    const hashes = await minedCalls(signer, startBlock, suite.health.interface, "heartbeat");
    expect(hashes[0]).to.equal(resent.hash);
    expect(await connection.ethers.provider.getTransactionCount(signer, "latest")).to.be.greaterThan(
      minedNonce,
    );
  });

  describe("bad configuration and command lines", function () {
    const cases: [string, (base: string[]) => string[], Record<string, string>, RegExp][] = [
      ["an unknown flag", (b) => [...b, "--intervall", "5s"], {}, /unknown option --intervall/],
      [
        "an RPC URL that is not one",
        (b) => [...b, "--rpc-urls", "localhost:8545"],
        {},
        /--rpc-urls.*Example: --rpc-urls http/,
      ],
      [
        "a bad number in the environment",
        (b) => b,
        { HEALNET_RELAY_QUEUE_SIZE: "lots" },
        /HEALNET_RELAY_QUEUE_SIZE.*Example: --relay-queue-size 1000/,
      ],
      [
        "a private key on the command line",
        (b) => [...b, "--private-key", "0x" + "11".repeat(32)],
        {},
        /secret.*not accepted on the command line/,
      ],
      [
        "a missing addresses file",
        (b) => [...b, "--addresses", "/nonexistent/addresses.json"],
        {},
        /--addresses: \/nonexistent/,
      ],
      ["a stray argument", (b) => [...b, "extra"], {}, /unexpected argument "extra"/],
      ["an RPC on another chain", (b) => [...b, "--chain-id", "1"], {}, /--chain-id/],
    ];
    for (const [what, argv, env, pattern] of cases) {
      it(`exits 2 with one line on ${what}`, async function () {
        const base = common("bad", devWallet(10).privateKey, [good.url]);
        const agent = spawnAgent("keeper", argv(base), env, `keeper-bad`);
        const exit = await exitWithin(agent, 30_000);
        expect(exit.code, agent.stderr.join("\n")).to.equal(2);
        expect(agent.stderr).to.have.length(1);
        expect(agent.stderr[0])
          .to.match(/^keeper: /)
          .and.match(pattern);
        expect(agent.stderr[0]).not.to.contain("11".repeat(32));
      });
    }

    it("exits 2 when a key file is readable by others, without printing the key", async function () {
      const file = join(dir, "open.key");
      writeFileSync(file, devWallet(10).privateKey, { mode: 0o644 });
      const base = common("bad", devWallet(10).privateKey, [good.url]);
      const i = base.indexOf("--key-file");
      base[i + 1] = file;
      const agent = spawnAgent("sidecar", [...base, "--validator", ops[0]!.account.address]);
      const exit = await exitWithin(agent, 30_000);
      expect(exit.code).to.equal(2);
      expect(agent.stderr).to.deep.equal([
        `sidecar: --key-file ${file} is readable by others (mode 0644); restrict it with: chmod 600 ${file}`,
      ]);
    });

    it("the Hardhat task heal keeper runs the same entry function: exit 2 and one line", async function () {
      const { spawnSync } = await import("node:child_process");
      const r = spawnSync(
        process.execPath,
        [
          join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js"),
          "heal",
          "keeper",
          "interval-ms=soon",
        ],
        {
          cwd: ROOT,
          env: { PATH: process.env.PATH ?? "", HEALNET_RPC_URLS: good.url, HEALNET_CHAIN_ID: "31337" },
          encoding: "utf8",
          timeout: 60_000,
        },
      );
      expect(r.status).to.equal(2);
      const lines = r.stderr.split("\n").filter((l) => l !== "" && !l.includes("npm warn"));
      expect(lines).to.deep.equal([
        'keeper: invalid --interval-ms (from --interval-ms): "soon" is not a duration (a number of ms, or e.g. 500ms, 10s, 5m, 1h). Example: --interval-ms 12s',
      ]);
    });

    it("exits 2 when the orchestrator's --nodes file is missing or has a bad node", async function () {
      const base = common("bad", devWallet(10).privateKey, [good.url]);
      const missing = spawnAgent("orchestrator", [...base, "--nodes", join(dir, "none.json")]);
      expect((await exitWithin(missing, 30_000)).code).to.equal(2);
      expect(missing.stderr).to.have.length(1);
      expect(missing.stderr[0]).to.match(/^orchestrator: --nodes .*none\.json cannot be read/);
      const file = join(dir, "nodes.json");
      writeFileSync(
        file,
        JSON.stringify({ nodes: [{ validator: "0x1234", nodeId: "a", config: { chainId: 1 } }] }),
      );
      const bad = spawnAgent("orchestrator", [...base, "--nodes", file]);
      expect((await exitWithin(bad, 30_000)).code).to.equal(2);
      expect(bad.stderr).to.have.length(1);
      expect(bad.stderr[0]).to.contain("nodes[0].validator is not an address").and.contain("example:");
    });

    it("exits 2 when relay mode has no keeper URL", async function () {
      const base = common("bad", devWallet(10).privateKey, [good.url]);
      const agent = spawnAgent("sidecar", [
        ...base,
        "--validator",
        ops[0]!.account.address,
        "--mode",
        "relay",
      ]);
      expect((await exitWithin(agent, 30_000)).code).to.equal(2);
      expect(agent.stderr).to.have.length(1);
      expect(agent.stderr[0]).to.contain("--relay-urls");
    });
  });
});
