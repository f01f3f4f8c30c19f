/**
 * `npm run test:seeds [-- count [first-seed]]` (`tsx scripts/sim-seeds.ts`): runs the default scenario with
 * `count` seeds (default 20) and checks the correctness targets on each — zero false positives, nobody slashed
 * in the chain halt, the crash replaced in time, stake conserved, audit trail verified. One line per seed;
 * exit 1 if any fails. Long (about 25 s per seed): not part of `npm test`, which checks the same targets on
 * the short scenario over six seeds (test/sim/seeds.ts).
 */
import { network } from "hardhat";

import { runSimulation } from "../src/sim/engine.js";
import { buildReport } from "../src/sim/report.js";
import { resolveScenario } from "../src/sim/scenario.js";

const count = Number(process.argv[2] ?? 20);
const first = Number(process.argv[3] ?? 1);
let failures = 0;
for (let seed = first; seed < first + count; seed++) {
  const connection = await network.create({ override: { allowBlocksWithSameTimestamp: true } });
  try {
    const report = buildReport(
      await runSimulation({ scenario: resolveScenario({ seed: String(seed) }), connection }),
    );
    const failed = report.targets
      .filter((t) => t.ok === false && t.name !== "wall time")
      .map((t) => `${t.name}: ${t.actual}`);
    if (failed.length > 0) failures++;
    console.log(
      `seed ${seed}: false positives ${report.falsePositives}, halt slashes ${report.slashedDuringHalt}, ` +
        `crash heal ${report.incidents.find((r) => r.fault === "crash")?.timeToHealS ?? "—"} s, ` +
        `quorum ${(report.liveQuorumShare * 100).toFixed(1)} %, wall ${report.wallTimeS.toFixed(1)} s` +
        (failed.length > 0 ? ` — FAILED ${failed.join("; ")}` : ""),
    );
  } finally {
    await connection.close();
  }
}
console.log(`${count - failures} of ${count} seeds met every correctness target`);
process.exitCode = failures === 0 ? 0 : 1;
