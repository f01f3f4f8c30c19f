/**
 * The simulation's set-up is mined at pinned times, whatever the machine's speed: NodeHealth's genesis (the
 * block of its initialize: the origin of every epoch) is `start - 3600` even when the deployment takes
 * several wall-clock seconds. Before the fix, a block mined after a wall-clock second had passed took a later
 * timestamp, the epoch boundaries moved, and two runs of one seed restored a validator 30 s apart.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { runSimulation } from "../../src/sim/engine.js";
import { resolveScenario } from "../../src/sim/scenario.js";
import { NodeHealth__factory } from "../../types/ethers-contracts/index.js";
import { SHORT_SCENARIO } from "./short-scenario.js";

describe("Chaos simulation set-up time", function () {
  this.timeout(180_000);

  it("pins NodeHealth's genesis to start - 3600 even when the deployment is slow (1.1 s per transaction)", async function () {
    const connection = await network.create({ override: { allowBlocksWithSameTimestamp: true } });
    try {
      // A slow machine: the first transactions of the deployment each take over a wall-clock second.
      const request = connection.provider.request.bind(connection.provider);
      let slowed = 0;
      connection.provider.request = async (args) => {
        if (args.method === "eth_sendTransaction" && slowed < 3) {
          slowed++;
          await new Promise((r) => setTimeout(r, 1_100));
        }
        return request(args);
      };
      const record = await runSimulation({ scenario: resolveScenario(SHORT_SCENARIO), connection });
      expect(slowed).to.equal(3);
      const health = NodeHealth__factory.connect(record.addresses.health!, connection.ethers.provider);
      expect(Number(await health.genesis())).to.equal(record.start - 3_600);
    } finally {
      await connection.close();
    }
  });
});
