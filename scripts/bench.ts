/**
 * `npm run bench [-- --json] [-- --sizes 10,100] [-- --batch 1,10,100] [-- --write-snapshot FILE]`: gas of
 * healnet's hot operations, as real transactions (receipt gasUsed, including the 21,000 base and the proxy)
 * on the embedded network, at backup-pool sizes 10, 100, 1,000 and 10,000. Prints a table (or, with --json,
 * a JSON array of rows `{"operation", "backups", "items", "gas"}`) and checks the targets of the design:
 *   heartbeat ≤ 40,000 (the common case, which does not raise bestHeight) · heartbeatBatch ≤ 15,000 per
 *   validator at 100 items · checkHeartbeat/replace at 10,000 backups ≤ 1.3 × at 10 backups.
 * Then the guardian and audit rows (src/bench/guardian.ts, one deployment, independent of --sizes):
 *   guardian/propose, guardian/approve, guardian/approveBySig/perSignature (and /marginal),
 *   guardian/execute/<action> for every council action type, and audit/append at log lengths 1 and 10,000,
 *   which must not differ by more than a small constant (O(1)). These rows carry a "note" saying what was
 *   measured, have backups = 0, and are not written to the snapshot.
 * Then the fraud-proof rows (src/bench/fraud.ts): fraud/prove/depth<N> for ledger tree depths 8 .. 160 (gas of a
 * successful single-step challenge, rollback and slash included) and fraud/propose; not in the snapshot either.
 * Then the upgrade rows (src/bench/upgrade.ts): upgrade/upgradeAndCall/migration (ProxyAdmin.upgradeAndCall to
 * StakeManagerV2 with its migration call) and upgrade/upgradeAndCall/plain (a new NodeHealth implementation).
 * A figure that misses its target makes the script exit 1. `npm run gas:snapshot` rewrites the committed
 * snapshot (gas-snapshots/core.json) that `npm test` checks.
 */
import { writeFileSync } from "node:fs";

import { network } from "hardhat";

import { BenchArgsError, parseBenchArgs } from "../src/bench/args.js";
import { formatRows, ratioRows } from "../src/bench/report.js";
import { checkGuardianTargets, runGuardianBench } from "../src/bench/guardian.js";
import { runFraudBench } from "../src/bench/fraud.js";
import { runUpgradeBench } from "../src/bench/upgrade.js";
import { checkTargets, runBench } from "../src/bench/run.js";

let args;
try {
  args = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof BenchArgsError)) throw error;
  console.error(`bench: ${error.message}`);
  process.exit(2);
}
const json = args.json;
const log = (message: string): void => {
  if (!json) console.error(message);
};

const { ethers } = await network.getOrCreate();
const rows = await runBench(ethers, args, log);
const failures = checkTargets(rows, args.sizes);
if (args.writeSnapshot !== undefined) {
  // The committed snapshot holds the core rows only.
  writeFileSync(args.writeSnapshot, JSON.stringify(rows, null, 2) + "\n");
  log(`gas snapshot written to ${args.writeSnapshot}`);
}
const guardianRows = await runGuardianBench(ethers, log);
failures.push(...checkGuardianTargets(guardianRows));
const fraudRows = await runFraudBench(ethers, log);
const upgradeRows = await runUpgradeBench(ethers, log);
if (json) {
  console.log(JSON.stringify([...rows, ...guardianRows, ...fraudRows, ...upgradeRows]));
} else {
  console.log(formatRows(rows));
  console.log("");
  console.log(formatRows(ratioRows(rows), ["operation", "smallest", "largest", "ratio"]));
  console.log("");
  console.log(formatRows(guardianRows, ["operation", "items", "gas", "note"]));
  const appendAt = guardianRows.filter((r) => r.operation === "audit/append");
  console.log("");
  console.log(
    `audit/append (O(1)): ${appendAt.map((r) => `${r.gas.toLocaleString("en-US")} gas at length ${r.items.toLocaleString("en-US")}`).join(", ")}`,
  );
  console.log("");
  console.log(formatRows(fraudRows, ["operation", "items", "gas", "note"]));
  console.log("");
  console.log(formatRows(upgradeRows, ["operation", "gas", "note"]));
  for (const failure of failures) console.log(`TARGET MISSED: ${failure}`);
  if (failures.length === 0) console.log("all targets met");
}
process.exitCode = failures.length === 0 ? 0 : 1;
