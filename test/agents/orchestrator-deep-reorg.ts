/**
 * The orchestrator's cursor across reorgs DEEPER than `confirmations`, against an in-memory chain with block
 * hashes whose tail the test replaces, and in-memory contract views derived from that chain (what is open and
 * what is reported is whatever the canonical chain's events say). The orchestrator keeps the hash of its
 * cursor's block and a bounded ring of recent checkpoints; a replaced cursor block makes it walk back to the
 * newest checkpoint still on the chain (or rewind `reorgRewindBlocks` past the ring) and rescan:
 *   - an event the new chain put at or below the old cursor is handled, exactly once;
 *   - a rescanned event whose work was already done restarts nothing: its report re-included on the new
 *     chain, nothing is sent; its report dropped, the same report is sent again under the same intent key;
 *   - past the ring: a bounded rewind, a warning, and the event is still found; RPC calls per tick bounded;
 *   - a state file of the previous version (no hashes) loads and is verified from the next tick; a malformed
 *     hash is refused with a clear error.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import type { SendRequest, SendResult } from "../../src/chain/sender.js";
import { makeLogger } from "../../src/agents/common/log.js";
import { Registry } from "../../src/agents/common/metrics.js";
import {
  type OrchestratorMetrics,
  registerOrchestratorMetrics,
} from "../../src/agents/orchestrator/metrics.js";
import { Orchestrator, type OrchestratorOptions } from "../../src/agents/orchestrator/orchestrator.js";
import {
  JsonFileStateStore,
  MemoryStateStore,
  type StateStore,
} from "../../src/agents/orchestrator/state.js";
import type {
  IRecoveryManager,
  ISnapshotRegistry,
  IValidatorSet,
} from "../../types/ethers-contracts/index.js";
import { HashedChain, RECOVERY, SET, V } from "../helpers/hashed-chain.js";
import { FakeDriver } from "./orchestrator-fake-driver.js";

describe("Orchestrator cursor across reorgs deeper than `confirmations`", function () {
  this.timeout(30_000);
  let dir: string;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), "healnet-deep-reorg-"));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  interface Rig {
    orch: Orchestrator;
    driver: FakeDriver;
    sent: SendRequest[];
    warnings: string[];
    metrics: OrchestratorMetrics;
    registry: Registry;
  }

  function rig(chain: HashedChain, state: StateStore, options: Partial<OrchestratorOptions> = {}): Rig {
    const driver = new FakeDriver(V);
    driver.behaviour.restart = "heal";
    const sent: SendRequest[] = [];
    const warnings: string[] = [];
    const log = makeLogger({
      level: "warn",
      sink: (line) => {
        const entry = JSON.parse(line) as { level: string; msg: string };
        if (entry.level === "warn") warnings.push(entry.msg);
      },
    });
    const set = {
      interface: chain.setIface,
      getAddress: async () => SET,
      incident: async () => ({ resolvedAt: 0n }),
      openRemediationOf: async (v: string) => chain.openRemediationOf(v),
    } as unknown as IValidatorSet;
    const recovery = {
      interface: chain.rmIface,
      getAddress: async () => RECOVERY,
      incidentReport: async (id: bigint) => ({ reportedAt: chain.reportsOf(id) > 0 ? 1n : 0n }),
    } as unknown as IRecoveryManager;
    const snapshots = { latestFinal: async () => 0n } as unknown as ISnapshotRegistry;
    const registry = new Registry();
    const metrics = registerOrchestratorMetrics(registry);
    const orch = new Orchestrator({
      contracts: { set, recovery, snapshots },
      driver,
      provider: chain.source,
      send: async (request: SendRequest): Promise<SendResult> => {
        sent.push(request);
        const [id, ok, hash] = request.args as [bigint, boolean, string];
        const blockNumber = chain.report(id, ok, hash);
        return {
          status: "confirmed",
          txHash: chain.blocks[blockNumber]!.hash,
          blockNumber,
          gasUsed: 1n,
          replacements: 0,
          fromLog: false,
        };
      },
      log,
      metrics,
      state,
      options: {
        fromBlock: 1n,
        maxBlockRange: 2,
        maxRangesPerTick: 100,
        ladder: { healWaitMs: 50, healPollMs: 5, restartTimeoutMs: 2_000 },
        ...options,
      },
    });
    return { orch, driver, sent, warnings, metrics, registry };
  }
  const tick = (o: Orchestrator) => o.tick({ signal: AbortSignal.timeout(10_000), tick: 1 });
  const restarts = (d: FakeDriver) => d.calls.filter((c) => c.method === "restart").map((c) => c.nodeId);

  it("an event the deep reorg moved below the cursor (another validator's incident) is handled exactly once", async function () {
    const chain = new HashedChain(4);
    const state = new MemoryStateStore();
    const { orch, driver, sent, warnings, metrics, registry } = rig(chain, state, { confirmations: 1 });
    chain.remediation(2n, V[0]!); // block 4
    chain.mine(2); // head 6, cursor 5
    // Every series exists at zero before any reorg.
    expect(registry.render())
      .to.contain('healnet_orchestrator_reorgs_total{kind="checkpoint"} 0')
      .and.contain('healnet_orchestrator_reorgs_total{kind="deep"} 0')
      .and.contain("healnet_orchestrator_last_reorg_depth_blocks 0");
    const first = await tick(orch);
    expect(first.handled.map((h) => h.result)).to.deep.equal(["reported-ok"]);
    expect(restarts(driver)).to.deep.equal(["node-0"]);
    expect(chain.reportsOf(2n)).to.equal(1); // block 7

    // 4 blocks replaced (deeper than 1 confirmation): incident 2 is now V[1]'s, at block 5, below the cursor.
    chain.reorg(4);
    chain.mine(1);
    chain.remediation(2n, V[1]!);
    chain.mine(2);
    expect(chain.reportsOf(2n)).to.equal(0);
    const second = await tick(orch);
    expect(second.handled.map((h) => `${h.id}:${h.result}`)).to.deep.equal(["2:reported-ok"]);
    expect(restarts(driver)).to.deep.equal(["node-0", "node-1"]);
    expect(chain.reportsOf(2n)).to.equal(1);
    expect(warnings.some((w) => /reorg/i.test(w))).to.equal(true);
    // Checkpoints 2, 4 and 5 were read (ranges of 2 from block 1, stopping 1 below the head 6); blocks 4.. were
    // replaced and block 2 is still on the chain: one rewind to a checkpoint, from 5 to 2.
    expect(metrics.reorgs.get({ kind: "checkpoint" })).to.equal(1);
    expect(metrics.reorgs.get({ kind: "deep" })).to.equal(0);
    expect(metrics.lastReorgDepth.get()).to.equal(3);

    // Later ticks, and a restart on the saved state: nothing more.
    chain.mine(3);
    await tick(orch);
    const restarted = rig(chain, state, { confirmations: 1 });
    await tick(restarted.orch);
    chain.mine(2);
    await tick(restarted.orch);
    expect(restarts(driver)).to.deep.equal(["node-0", "node-1"]);
    expect(restarted.driver.calls).to.deep.equal([]);
    expect(sent.length + restarted.sent.length).to.equal(2);
    expect(chain.reportsOf(2n)).to.equal(1);
    expect(restarted.orch.pending).to.deep.equal([]);
  });

  it("a rescanned event whose report the new chain re-included: no second restart, no second report", async function () {
    const chain = new HashedChain(4);
    const { orch, driver, sent } = rig(chain, new MemoryStateStore(), { confirmations: 1 });
    chain.remediation(3n, V[0]!); // block 4
    chain.mine(2);
    await tick(orch);
    expect(restarts(driver)).to.deep.equal(["node-0"]);
    const reportBlock = chain.blocks[chain.head]!.logs[0]!;

    // The same request and the same report, each one block later on the new chain.
    chain.reorg(4);
    chain.mine(1);
    chain.remediation(3n, V[0]!); // block 5
    chain.push([reportBlock]); // block 6
    chain.mine(2);
    const second = await tick(orch);
    expect(second.handled).to.deep.equal([]);
    expect(orch.pending).to.deep.equal([]);
    expect(restarts(driver)).to.deep.equal(["node-0"]);
    expect(sent).to.have.length(1);
    expect(chain.reportsOf(3n)).to.equal(1);
  });

  it("a rescanned event whose report the reorg dropped: the same report re-sent (same intent key), no second restart", async function () {
    const chain = new HashedChain(4);
    const state = new MemoryStateStore();
    const { orch, driver, sent } = rig(chain, state, { confirmations: 1 });
    chain.remediation(4n, V[0]!); // block 4
    chain.mine(2);
    await tick(orch);
    expect(restarts(driver)).to.deep.equal(["node-0"]);
    expect(sent).to.have.length(1);

    // The same request one block later on the new chain; our report (block 7) is gone.
    chain.reorg(4);
    chain.mine(1);
    chain.remediation(4n, V[0]!); // block 5
    chain.mine(2);
    expect(chain.reportsOf(4n)).to.equal(0);
    const second = await tick(orch);
    expect(second.handled.map((h) => `${h.id}:${h.result}`)).to.deep.equal(["4:reported-ok"]);
    expect(restarts(driver)).to.deep.equal(["node-0"]);
    expect(sent).to.have.length(2);
    expect(sent[1]!.key).to.equal(sent[0]!.key);
    expect(sent[1]!.args).to.deep.equal(sent[0]!.args);
    expect(chain.reportsOf(4n)).to.equal(1);

    // A restart on the saved state reads nothing new and does nothing.
    chain.mine(2);
    const restarted = rig(chain, state, { confirmations: 1 });
    await tick(restarted.orch);
    expect(restarted.driver.calls).to.deep.equal([]);
    expect(restarted.sent).to.deep.equal([]);
  });

  it("a reorg past the checkpoint ring rewinds `reorgRewindBlocks` below it (warned), bounded RPC calls per tick", async function () {
    const chain = new HashedChain(200);
    const state = new MemoryStateStore();
    const opts = { confirmations: 0, maxBlockRange: 1, maxRangesPerTick: 300, maxWorkPerTick: 0 };
    const { orch, warnings, metrics, registry } = rig(chain, state, { ...opts, reorgRewindBlocks: 60 });
    expect((await tick(orch)).cursor).to.equal(199n);
    const ring = state.load()!.checkpoints!;
    expect(ring).to.have.length(64); // bounded: the last 64 blocks read up to, 136..199
    expect(ring[0]!.number).to.equal(136n);

    // Blocks 50.. replaced: no checkpoint is still on the chain, so the cursor goes to 136 - 60 = 76.
    chain.reorg(150);
    chain.mine(20);
    chain.remediation(4n, V[0]!); // block 70: below the bounded rewind, not read (the documented limit)
    chain.mine(49);
    chain.remediation(5n, V[1]!); // block 120: read
    chain.mine(79);
    chain.getBlockCalls = 0;
    const report = await tick(orch);
    expect(report.cursor).to.equal(199n);
    expect(warnings.filter((w) => /reorg below every checkpoint/.test(w))).to.have.length(1);
    // One deep rewind (past every checkpoint), from the cursor 199 to 76: 123 blocks.
    expect(metrics.reorgs.get({ kind: "deep" })).to.equal(1);
    expect(metrics.reorgs.get({ kind: "checkpoint" })).to.equal(0);
    expect(metrics.lastReorgDepth.get()).to.equal(199 - 76);
    expect(registry.render())
      .to.contain('healnet_orchestrator_reorgs_total{kind="deep"} 1')
      .and.contain("healnet_orchestrator_last_reorg_depth_blocks 123");
    expect(orch.pending.map((w) => `${w.type}:${w.id}:${w.validator}`)).to.deep.equal([`incident:5:${V[1]}`]);
    // One check of the cursor, a binary search of the ring (at most 6), then per range 2 (to, cursor check).
    expect(chain.getBlockCalls).to.be.at.most(1 + 6 + 2 * (199 - 76));
  });

  it("loads a state file of the previous version (no block hashes) and verifies it from the next tick", async function () {
    const chain = new HashedChain(10);
    const path = join(dir, "old-state.json");
    const binding = { set: SET, recovery: RECOVERY };
    writeFileSync(
      path,
      JSON.stringify({
        version: 1,
        binding,
        cursor: "6",
        pending: [{ type: "incident", id: "9", validator: V[1], seenAt: 1 }],
      }),
    );
    const store = new JsonFileStateStore(path, binding);
    expect(store.load()?.cursor).to.equal(6n);
    const { orch, warnings } = rig(chain, store, { maxWorkPerTick: 0 });
    chain.remediation(7n, V[0]!); // block 10
    expect((await tick(orch)).cursor).to.equal(10n);
    expect(warnings).to.deep.equal([]);
    expect(orch.pending.map((w) => `${w.type}:${w.id}`).sort()).to.deep.equal(["incident:7", "incident:9"]);
    const saved = JSON.parse(readFileSync(path, "utf8")) as {
      checkpoints?: { number: string; hash: string }[];
    };
    expect(saved.checkpoints?.at(-1)).to.deep.equal({ number: "10", hash: chain.blocks[10]!.hash });

    // From now on a reorg below the cursor is noticed.
    chain.reorg(3);
    chain.remediation(8n, V[1]!); // block 8
    chain.mine(2);
    await tick(orch);
    expect(orch.pending.map((w) => `${w.type}:${w.id}`).sort()).to.deep.equal([
      "incident:7",
      "incident:8",
      "incident:9",
    ]);
  });

  it("refuses a state file with a malformed block hash, naming the file", function () {
    const path = join(dir, "bad-state.json");
    writeFileSync(
      path,
      JSON.stringify({
        version: 1,
        binding: {},
        cursor: "6",
        pending: [],
        checkpoints: [{ number: "6", hash: "0x1234" }],
      }),
    );
    expect(() => new JsonFileStateStore(path, {}).load()).to.throw(
      new RegExp(`state file ${path}.*malformed block hash "0x1234"`),
    );
  });
});
