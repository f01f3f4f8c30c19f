/**
 * `npm run bench [-- --json] [-- --sizes 10,100]`: gas of healnet's hot operations, as real transactions
 * (receipt gasUsed, including the 21,000 base and the proxy) on the embedded network, at backup-pool sizes
 * 10, 100, 1,000 and 10,000. Prints a table (or, with --json, a JSON array of rows
 * `{"operation", "backups", "items", "gas"}`) and checks the targets of the design:
 *   heartbeat ≤ 40,000 (the common case, which does not raise bestHeight) · heartbeatBatch ≤ 15,000 per validator at 100 items ·
 *   checkHeartbeat/replace at 10,000 backups ≤ 1.3 × at 10 backups.
 * A figure that misses its target makes the script exit 1.
 */
import { network } from "hardhat";

import { parseBenchArgs } from "../src/bench/args.js";
import { formatRows, ratioRows, type BenchRow } from "../src/bench/report.js";
import { CorePool } from "../src/bench/pool.js";

const args = parseBenchArgs(process.argv.slice(2));
const connection = await network.getOrCreate();
const pool = await CorePool.create(connection.ethers);

const rows: BenchRow[] = [];
const log = (message: string): void => {
  if (!args.json) console.error(message);
};

for (const size of args.sizes) {
  log(`growing the backup pool to ${size}…`);
  await pool.growBackupsTo(size);
  rows.push({
    operation: "registerCandidate",
    backups: size,
    items: 1,
    gas: await pool.measureRegisterCandidate(),
  });
  rows.push({ operation: "heartbeat", backups: size, items: 1, gas: await pool.measureHeartbeat() });
  rows.push({
    operation: "heartbeat/raisesBestHeight",
    backups: size,
    items: 1,
    gas: await pool.measureHeartbeat(true),
  });
  for (const items of args.batchSizes) {
    if (items > pool.keyedMembers().length) {
      log(`  (a batch of ${items} needs more signers than this pool has; measured at a larger pool)`);
      continue;
    }
    const gas = await pool.measureHeartbeatBatch(items);
    rows.push({
      operation: "heartbeatBatch/perValidator",
      backups: size,
      items,
      gas: Math.round(gas / items),
    });
  }
  rows.push({
    operation: "checkHeartbeat/noop",
    backups: size,
    items: 1,
    gas: await pool.measureCheckNoop(),
  });
  rows.push({
    operation: "checkHeartbeat/replace",
    backups: size,
    items: 1,
    gas: await pool.measureCheckReplace(),
  });
  const { gas, checked } = await pool.measureEvaluateAndRotate();
  rows.push({
    operation: "evaluateAndRotate/perValidator",
    backups: size,
    items: checked,
    gas: Math.round(gas / checked),
  });
}

const failures = checkTargets(rows, args.sizes);
if (args.json) {
  console.log(JSON.stringify(rows));
} else {
  console.log(formatRows(rows));
  console.log("");
  console.log(formatRows(ratioRows(rows), ["operation", "smallest", "largest", "ratio"]));
  for (const failure of new Set(failures)) console.log(`TARGET MISSED: ${failure}`);
  if (failures.length === 0) console.log("all targets met");
}
process.exitCode = failures.length === 0 ? 0 : 1;

function checkTargets(all: readonly BenchRow[], sizes: readonly number[]): string[] {
  const out: string[] = [];
  for (const row of all) {
    if (row.operation === "heartbeat" && row.gas > 40_000) out.push(`heartbeat ${row.gas} > 40,000`);
    if (row.operation === "heartbeatBatch/perValidator" && row.items === 100 && row.gas > 15_000) {
      out.push(`heartbeatBatch/perValidator at 100 items ${row.gas} > 15,000`);
    }
  }
  const smallest = Math.min(...sizes);
  const largest = Math.max(...sizes);
  const replaceAt = (n: number) =>
    all.find((r) => r.operation === "checkHeartbeat/replace" && r.backups === n)?.gas ?? 0;
  if (largest > smallest && replaceAt(largest) > 1.3 * replaceAt(smallest)) {
    out.push(
      `checkHeartbeat/replace at ${largest} backups ${replaceAt(largest)} > 1.3 × ${replaceAt(smallest)}`,
    );
  }
  return out;
}
