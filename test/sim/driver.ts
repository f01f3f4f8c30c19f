import { expect } from "chai";
import { keccak256, toUtf8Bytes, Wallet } from "ethers";

import { DriverError, type SnapshotRef } from "../../src/agents/orchestrator/driver.js";
import { SimClock } from "../../src/sim/clock.js";
import { SimulatedDriver } from "../../src/sim/driver.js";
import { Fleet } from "../../src/sim/fleet.js";

const T0 = 2_000_000_000;

function setup() {
  const operators = [0, 1, 2].map((i) => ({
    account: new Wallet(keccak256(toUtf8Bytes(`driver-test/account/${i}`))),
    signer: new Wallet(keccak256(toUtf8Bytes(`driver-test/signer/${i}`))),
    stake: 1n,
  }));
  const fleet = new Fleet(operators);
  fleet.network.height = 100n;
  const clock = new SimClock(T0);
  const file = toUtf8Bytes("snapshot at height 90");
  const driver = new SimulatedDriver({
    fleet,
    clock,
    restartTime: 20,
    files: new Map([["bafy-good", file]]),
  });
  const snapshot = (contentHash: string): SnapshotRef => ({
    snapshotId: 1n,
    height: 90n,
    blockHash: "0x" + "11".repeat(32),
    stateRoot: "0x" + "22".repeat(32),
    contentHash,
    cid: "bafy-good",
    sizeBytes: BigInt(file.length),
  });
  return { fleet, clock, driver, node: fleet.nodes[0]!, file, snapshot };
}

const signal = () => new AbortController().signal;

describe("SimClock", function () {
  it("moveTo moves time without waking a waiter; wakeDue wakes only the waiters due", async function () {
    const clock = new SimClock(T0);
    const woken: number[] = [];
    void clock.until(T0 + 10).then(() => woken.push(10));
    void clock.until(T0 + 20).then(() => woken.push(20));
    clock.moveTo(T0 + 15);
    await new Promise((r) => setImmediate(r));
    expect(clock.now).to.equal(T0 + 15);
    expect(woken).to.deep.equal([]);
    expect(clock.wakeDue()).to.equal(1);
    await new Promise((r) => setImmediate(r));
    expect(woken).to.deep.equal([10]);
    expect(clock.hasWaiters()).to.equal(true);
    expect(() => clock.moveTo(T0)).to.throw(/cannot go back/);
  });
});

describe("SimulatedDriver", function () {
  it("restarts a stalled node: it is down for restartTime, resolves once it answers, in sync again", async function () {
    const { fleet, clock, driver, node } = setup();
    node.freeze();
    node.stalledUntil = T0 + 3_600;
    fleet.network.height = 130n;
    expect(node.height(T0)).to.equal(100n);
    const ref = driver.nodeOf(node.validator)!;

    let done = false;
    const restart = driver.restart(ref, signal()).then(() => (done = true));
    await Promise.resolve();
    expect(done).to.equal(false);
    expect(await driver.status(ref, signal())).to.deep.equal({ running: false });

    clock.advance(T0 + 19);
    await Promise.resolve();
    expect(done).to.equal(false);
    clock.advance(T0 + 20);
    await restart;
    expect(done).to.equal(true);
    fleet.step(T0 + 20, [], 5);
    const status = await driver.status(ref, signal());
    expect(status.running).to.equal(true);
    expect(status.height).to.equal(fleet.network.height);
    expect(driver.ops.map((o) => [o.op, o.node, o.ok])).to.deep.equal([["restart", "v01", true]]);
  });

  it("cannot cure corrupted data with a restart; a resync from a matching snapshot does", async function () {
    const { fleet, clock, driver, node, file, snapshot } = setup();
    node.freeze();
    node.stalledUntil = T0 + 3_600;
    node.corrupted = true;
    fleet.network.height = 130n;
    const ref = driver.nodeOf(node.validator)!;

    const restart = driver.restart(ref, signal());
    clock.advance(T0 + 20);
    await restart;
    fleet.step(T0 + 20, [], 5);
    const stuck = await driver.status(ref, signal());
    expect(stuck.running).to.equal(true);
    expect(stuck.height).to.equal(100n);
    expect(node.corrupted).to.equal(true);

    const resync = driver.resync(ref, snapshot(keccak256(file)), signal());
    clock.advance(T0 + 40);
    await resync;
    fleet.step(T0 + 40, [], 5);
    expect(node.corrupted).to.equal(false);
    expect((await driver.status(ref, signal())).height).to.equal(fleet.network.height);
    expect(driver.ops.map((o) => o.op)).to.deep.equal(["restart", "resync"]);
  });

  it("refuses a snapshot whose hash does not match the registry, and leaves the node as it was", async function () {
    const { driver, node, snapshot } = setup();
    node.freeze();
    node.stalledUntil = T0 + 3_600;
    const ref = driver.nodeOf(node.validator)!;
    let error: unknown;
    try {
      await driver.resync(ref, snapshot("0x" + "00".repeat(32)), signal());
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(DriverError);
    expect((error as DriverError).code).to.equal("hash-mismatch");
    expect(node.stalledUntil).to.equal(T0 + 3_600);
    expect(node.restarts).to.equal(0);
    expect(driver.ops.at(-1)).to.include({ op: "resync", ok: false, error: "hash-mismatch" });
  });

  it("resyncs from a snapshot whose hash matches", async function () {
    const { clock, driver, node, file, snapshot } = setup();
    node.freeze();
    node.stalledUntil = T0 + 3_600;
    const ref = driver.nodeOf(node.validator)!;
    const resync = driver.resync(ref, snapshot(keccak256(file)), signal());
    clock.advance(T0 + 20);
    await resync;
    expect(node.stalledUntil).to.equal(null);
    expect(node.restarts).to.equal(1);
  });

  it("cannot cure a partition: the node comes back but stays behind until the partition ends", async function () {
    const { fleet, clock, driver, node } = setup();
    node.freeze();
    node.partitionedUntil = T0 + 600;
    const ref = driver.nodeOf(node.validator)!;
    const restart = driver.restart(ref, signal());
    clock.advance(T0 + 20);
    await restart;
    fleet.network.height = 150n;
    expect((await driver.status(ref, signal())).height).to.equal(100n);
    expect(node.live(T0 + 20)).to.equal(false);
    expect(node.live(T0 + 600)).to.equal(true);
  });

  it("names unknown nodes and aborted calls", async function () {
    const { driver, node } = setup();
    const codeOf = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        return (e as DriverError).code;
      }
      return "resolved";
    };
    expect(driver.nodeOf("0x0000000000000000000000000000000000000001")).to.equal(undefined);
    expect(await codeOf(driver.restart({ validator: node.validator, nodeId: "v99" }, signal()))).to.equal(
      "unknown-node",
    );
    const aborted = new AbortController();
    aborted.abort();
    expect(await codeOf(driver.restart(driver.nodeOf(node.validator)!, aborted.signal))).to.equal("aborted");
  });
});
