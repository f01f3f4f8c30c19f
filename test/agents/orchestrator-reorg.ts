/**
 * The orchestrator's event cursor across reorgs, against an in-memory chain whose blocks the test replaces
 * (getBlockNumber / getLogs / getBlock are all the cursor reads; a replaced block gets a new hash). Work is only collected here (`maxWorkPerTick: 0`):
 * what happens to pending work is tested in orchestrator.ts.
 *   - a reorg shallower than `confirmations` never reaches the cursor: each event of the final chain becomes
 *     pending work exactly once, none of the dropped blocks does, also across a restart on the saved state;
 *   - a deeper one (documented in docs/agents/chain.md): the cursor's block hash no longer matches, the
 *     cursor moves back and the new chain's event is read (it replaces the pending work of the dropped one).
 *     More in orchestrator-deep-reorg.ts.
 */
import { expect } from "chai";

import { makeLogger } from "../../src/agents/common/log.js";
import { Orchestrator, type OrchestratorOptions } from "../../src/agents/orchestrator/orchestrator.js";
import { MemoryStateStore, type StateStore } from "../../src/agents/orchestrator/state.js";
import {
  IRecoveryManager__factory,
  ISnapshotRegistry__factory,
  IValidatorSet__factory,
} from "../../types/ethers-contracts/index.js";
import { HashedChain, RECOVERY, SET, V } from "../helpers/hashed-chain.js";
import { FakeDriver } from "./orchestrator-fake-driver.js";

const SNAPSHOTS = "0x0000000000000000000000000000000000005a95";

describe("Orchestrator event cursor across reorgs", function () {
  const log = makeLogger({ level: "error", sink: () => {} });

  function orchestrator(chain: HashedChain, state: StateStore, options: Partial<OrchestratorOptions>) {
    return new Orchestrator({
      contracts: {
        set: IValidatorSet__factory.connect(SET),
        recovery: IRecoveryManager__factory.connect(RECOVERY),
        snapshots: ISnapshotRegistry__factory.connect(SNAPSHOTS),
      },
      driver: new FakeDriver(V),
      provider: chain.source,
      send: () => Promise.reject(new Error("nothing is sent in this test")),
      log,
      state,
      options: { fromBlock: 1n, maxBlockRange: 2, maxRangesPerTick: 100, maxWorkPerTick: 0, ...options },
    });
  }
  const tick = (o: Orchestrator) => o.tick({ signal: AbortSignal.timeout(10_000), tick: 1 });
  const pending = (o: Orchestrator) => o.pending.map((w) => `${w.type}:${w.id}:${w.validator}`);

  it("a reorg shallower than `confirmations`: every final event read once, no dropped one", async function () {
    const chain = new HashedChain(8);
    const state = new MemoryStateStore();
    const orch = orchestrator(chain, state, { confirmations: 3 });
    chain.remediation(1n, V[0]!); // block 8: within the last 3 blocks
    chain.mine(1);
    const first = await tick(orch);
    expect(first.cursor).to.equal(BigInt(chain.head - 3));
    expect(pending(orch)).to.deep.equal([]);

    // The last two blocks are replaced: incident 1 is now V[1]'s, one block later.
    chain.reorg(2);
    chain.mine(1);
    chain.remediation(1n, V[1]!);
    chain.mine(3);
    const second = await tick(orch);
    expect(second.cursor).to.equal(BigInt(chain.head - 3));
    expect(pending(orch)).to.deep.equal([`incident:1:${V[1]}`]);

    // More blocks, then a restart on the saved state: nothing read twice, nothing lost.
    chain.mine(2);
    expect((await tick(orch)).cursor).to.equal(BigInt(chain.head - 3));
    const restarted = orchestrator(chain, state, { confirmations: 3 });
    const third = await tick(restarted);
    expect(third.cursor).to.equal(BigInt(chain.head - 3));
    expect(pending(restarted)).to.deep.equal([`incident:1:${V[1]}`]);
  });

  it("a reorg deeper than `confirmations`: the cursor moves back and the new chain's event replaces the dropped one", async function () {
    const chain = new HashedChain(4);
    const orch = orchestrator(chain, new MemoryStateStore(), { confirmations: 1 });
    chain.remediation(2n, V[0]!); // block 4
    chain.mine(2);
    await tick(orch);
    expect(pending(orch)).to.deep.equal([`incident:2:${V[0]}`]);

    chain.reorg(3); // deeper than 1 confirmation: block 4 and its event are gone
    chain.remediation(2n, V[1]!); // the new chain's incident 2, at block 4 again (below the cursor: 5)
    chain.mine(2);
    await tick(orch);
    // The cursor's block (5) was replaced: the orchestrator read from block 2 again and found the new event.
    expect(pending(orch)).to.deep.equal([`incident:2:${V[1]}`]);
  });
});
