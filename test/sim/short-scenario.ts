import { network } from "hardhat";

import { runSimulation } from "../../src/sim/engine.js";
import { buildReport, type Report } from "../../src/sim/report.js";
import { resolveScenario } from "../../src/sim/scenario.js";

/**
 * A few simulated minutes with 7 validators and 3 backups: a crash, a stall with corrupted data (a restart
 * does not cure it: the orchestrator resyncs it from the latest final snapshot), a flapping node, a latency
 * spike, a byzantine state proposer (proven and rolled back), a correlated outage (the guardians pause
 * slashing) and a sentinel outage (2 of the 3 sentinels go silent during the stall: dropped, the guardians
 * told, and the resync uses the remaining live one). Small enough for the test suite, and it exercises every
 * agent and the report end to end. Shared by test/sim/simulation.ts (one seed, in depth) and test/sim/seeds.ts
 * (the correctness targets over several seeds).
 */
export const SHORT_SCENARIO = {
  name: "short",
  seed: "test-1",
  validators: 7,
  backups: 3,
  duration: 660,
  faults: [
    { type: "crash", at: 60, duration: 300 },
    { type: "stall", at: 90, duration: 380, corrupted: true },
    { type: "flap", at: 60, duration: 240 },
    { type: "latency", at: 120, duration: 200, latencyMs: 4_000 },
    { type: "byzantine-proposer", at: 400 },
    { type: "correlated-outage", at: 480, duration: 60, share: 0.4 },
    { type: "sentinel-outage", at: 90, duration: 240, count: 2 },
  ],
};

/**
 * Runs the short scenario (with `seed` instead of its own when given) on a fresh embedded network, closed
 * afterwards whatever happens, and returns its report.
 */
export async function runShort(seed?: string): Promise<Report> {
  const connection = await network.create({ override: { allowBlocksWithSameTimestamp: true } });
  try {
    const record = await runSimulation({ scenario: resolveScenario(SHORT_SCENARIO, { seed }), connection });
    return buildReport(record);
  } finally {
    await connection.close();
  }
}
