import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { keccak256 } from "ethers";

import { makeLogger } from "../../src/agents/common/log.js";
import { DriverError, type NodeRef, type SnapshotRef } from "../../src/agents/orchestrator/driver.js";
import {
  parseNodeConfig,
  parseProcessNodes,
  ProcessDriver,
} from "../../src/agents/orchestrator/drivers/process.js";
import { runLadder } from "../../src/agents/orchestrator/ladder.js";
import { cidOf, DirectoryContentStore } from "../../src/agents/orchestrator/store.js";

const A = "0x00000000000000000000000000000000000000A1";
const B = "0x00000000000000000000000000000000000000B2";

/** Bounded signal for one driver call. */
const within = (ms = 20_000) => AbortSignal.timeout(ms);

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const r = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await r.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
  return body.result;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function expectDriverError(p: Promise<unknown>, code: string): Promise<DriverError> {
  let thrown: unknown;
  await p.catch((e: unknown) => (thrown = e));
  expect(thrown, `expected DriverError(${code})`).to.be.instanceOf(DriverError);
  expect((thrown as DriverError).code).to.equal(code);
  return thrown as DriverError;
}

describe("process driver (anvil)", function () {
  this.timeout(120_000);
  let dir: string;
  let store: DirectoryContentStore;
  let driver: ProcessDriver;
  let a: NodeRef;
  let b: NodeRef;
  const pids = new Set<number>();

  before(function () {
    dir = mkdtempSync(join(tmpdir(), "healnet-process-driver-"));
    store = new DirectoryContentStore(join(dir, "store"));
    driver = new ProcessDriver({
      nodes: [
        { validator: A, nodeId: "a", config: { chainId: 31337 } },
        { validator: B, nodeId: "b", config: { chainId: 31337 } },
      ],
      dataDir: join(dir, "nodes"),
      store,
      startTimeoutMs: 20_000,
      stopTimeoutMs: 10_000,
    });
    a = driver.nodeOf(A)!;
    b = driver.nodeOf(B)!;
  });

  after(async function () {
    await driver?.dispose();
    for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  async function started(node: NodeRef): Promise<string> {
    await driver.start(node, within());
    pids.add(driver.pid(node)!);
    return driver.rpcUrl(node)!;
  }

  async function height(node: NodeRef): Promise<bigint | undefined> {
    return (await driver.status(node, within(5_000))).height;
  }

  it("starts on 127.0.0.1 and keeps its height across stop and restart (state dump/load)", async function () {
    const url = await started(a);
    expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    await rpc(url, "anvil_mine", ["0x7"]);
    expect(await height(a)).to.equal(7n);

    await driver.restart(a, within());
    pids.add(driver.pid(a)!);
    expect(existsSync(driver.statePath(a))).to.equal(true);
    expect(await height(a)).to.equal(7n);

    await driver.stop(a, within());
    expect(await driver.status(a, within())).to.deep.equal({ running: false });
    expect(driver.rpcUrl(a)).to.equal(undefined);
  });

  it("wipes a node and resyncs it from a snapshot file to the snapshot's height", async function () {
    // Node a's dump at height 7 becomes the snapshot, as a proposer would publish it.
    const bytes = new Uint8Array(readFileSync(driver.statePath(a)));
    const cid = await store.put(bytes);
    expect(cid).to.equal(cidOf(bytes));
    const snapshot: SnapshotRef = {
      snapshotId: 1n,
      height: 7n,
      blockHash: "0x" + "00".repeat(32),
      stateRoot: "0x" + "00".repeat(32),
      contentHash: keccak256(bytes),
      cid,
      sizeBytes: BigInt(bytes.length),
    };

    await started(b);
    expect(await height(b)).to.equal(0n);
    await driver.resync(b, snapshot, within());
    pids.add(driver.pid(b)!);
    expect(await height(b)).to.equal(7n);
    // The snapshot's chain, not an empty one: node a's block 7 is there.
    const blockB = (await rpc(driver.rpcUrl(b)!, "eth_getBlockByNumber", ["0x7", false])) as { hash: string };
    await started(a);
    const blockA = (await rpc(driver.rpcUrl(a)!, "eth_getBlockByNumber", ["0x7", false])) as { hash: string };
    expect(blockB.hash).to.equal(blockA.hash);
  });

  it("refuses a tampered or resized snapshot file and leaves the node as it was", async function () {
    const url = driver.rpcUrl(b)!;
    await rpc(url, "anvil_mine", ["0x3"]);
    const genuine = new Uint8Array(readFileSync(driver.statePath(a)));
    const tampered = Uint8Array.from(genuine);
    tampered[tampered.length - 2] = tampered[tampered.length - 2]! ^ 0x01;
    const cid = cidOf(genuine);
    await store.putAs(cid, tampered); // the store serves different bytes under the registry's CID
    const ref: SnapshotRef = {
      snapshotId: 2n,
      height: 7n,
      blockHash: "0x" + "00".repeat(32),
      stateRoot: "0x" + "00".repeat(32),
      contentHash: keccak256(genuine),
      cid,
      sizeBytes: BigInt(genuine.length),
    };
    const pid = driver.pid(b);
    await expectDriverError(driver.resync(b, ref, within()), "hash-mismatch");
    await expectDriverError(
      driver.resync(b, { ...ref, contentHash: keccak256(tampered), sizeBytes: ref.sizeBytes + 1n }, within()),
      "hash-mismatch",
    );
    expect(driver.pid(b)).to.equal(pid);
    expect(await height(b)).to.equal(10n);
    await expectDriverError(
      driver.resync(b, { ...ref, cid: cidOf(new Uint8Array([9])) }, within()),
      "fetch-failed",
    );
  });

  it("reprovisions from a config CID and refuses a bad config", async function () {
    const good = await store.put(
      new TextEncoder().encode(JSON.stringify({ chainId: 4242, args: ["--gas-limit", "30000000"] })),
    );
    await driver.reprovision(b, good, within());
    pids.add(driver.pid(b)!);
    expect(await rpc(driver.rpcUrl(b)!, "eth_chainId")).to.equal("0x1092");
    expect(await height(b)).to.equal(0n);
    expect(driver.config(b)).to.deep.equal({ chainId: 4242, args: ["--gas-limit", "30000000"] });

    const pid = driver.pid(b);
    for (const bad of [
      { chainId: "x" },
      { chainId: 1, args: ["--host", "0.0.0.0"] },
      { chainId: 1, extra: 1 },
    ]) {
      const cid = await store.put(new TextEncoder().encode(JSON.stringify(bad)));
      await expectDriverError(driver.reprovision(b, cid, within()), "bad-config");
    }
    await expectDriverError(
      driver.reprovision(b, await store.put(new TextEncoder().encode("not json")), within()),
      "bad-config",
    );
    expect(driver.pid(b)).to.equal(pid);
    expect(() => parseNodeConfig({ chainId: 1, blockTime: 0 })).to.throw(DriverError, /blockTime/);
  });

  it("the ladder heals a crashed node with a restart through this driver", async function () {
    const pid = driver.pid(a)!;
    process.kill(pid, "SIGKILL"); // a crash: no state dump
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    expect((await driver.status(a, within())).running).to.equal(false);
    const outcome = await runLadder(
      { driver, log: makeLogger({ sink: () => {} }), options: { healWaitMs: 5_000, healPollMs: 50 } },
      { node: a, latestFinalSnapshot: async () => undefined },
      within(60_000),
    );
    pids.add(driver.pid(a)!);
    expect(outcome).to.deep.include({ ok: true, rung: "restart" });
    expect(outcome.steps[0]!.heightAfter).to.equal(7n); // the state dumped at the last clean stop
  });

  it("kills every child on dispose", async function () {
    const running = [driver.pid(a), driver.pid(b)].filter((p): p is number => p !== undefined);
    expect(running).to.have.length(2);
    await driver.dispose();
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).to.equal(false);
    await expectDriverError(driver.start(a, within()), "failed");
  });

  it("validates a node list from JSON, naming the bad entry", function () {
    const nodes = parseProcessNodes([
      { validator: A.toLowerCase(), nodeId: "v1", config: { chainId: 31337, blockTime: 1 }, port: 21001 },
    ]);
    expect(nodes).to.deep.equal([
      { validator: A, nodeId: "v1", config: { chainId: 31337, blockTime: 1 }, port: 21001 },
    ]);
    expect(() => parseProcessNodes([])).to.throw(/non-empty/);
    expect(() => parseProcessNodes([{ validator: "0x12", nodeId: "v", config: { chainId: 1 } }])).to.throw(
      /nodes\[0\]\.validator/,
    );
    expect(() => parseProcessNodes([{ validator: A, nodeId: "../x", config: { chainId: 1 } }])).to.throw(
      /nodeId/,
    );
    expect(() => parseProcessNodes([{ validator: A, nodeId: "v", config: { chainId: 0 } }])).to.throw(
      /nodes\[0\]\.config: chainId/,
    );
    expect(() =>
      parseProcessNodes([
        { validator: A, nodeId: "v", config: { chainId: 1 } },
        { validator: B, nodeId: "v", config: { chainId: 1 } },
      ]),
    ).to.throw(/used twice/);
  });
});
