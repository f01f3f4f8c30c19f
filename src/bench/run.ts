/** The measurements of `npm run bench`, shared with the [gas] snapshot test. */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";

import { CorePool } from "./pool.js";
import type { BenchRow } from "./report.js";

export interface BenchPlan {
  /** Backup-pool sizes, ascending. */
  sizes: readonly number[];
  batchSizes: readonly number[];
}

/** Measures every operation at every pool size, growing one deployment's pool from size to size. */
export async function runBench(
  ethers: HardhatEthers,
  plan: BenchPlan,
  log: (message: string) => void,
): Promise<BenchRow[]> {
  const pool = await CorePool.create(ethers);
  const rows: BenchRow[] = [];
  for (const size of plan.sizes) {
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
    for (const items of plan.batchSizes) {
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
    rows.push({
      operation: "delegate+rerank",
      backups: size,
      items: 1,
      gas: await pool.measureVoteChange(),
    });
    const { gas, checked } = await pool.measureEvaluateAndRotate();
    rows.push({
      operation: "evaluateAndRotate/perValidator",
      backups: size,
      items: checked,
      gas: Math.round(gas / checked),
    });
  }
  return rows;
}

/** The design's targets; each miss is a sentence. */
export function checkTargets(all: readonly BenchRow[], sizes: readonly number[]): string[] {
  const out: string[] = [];
  for (const row of all) {
    if (row.operation === "heartbeat" && row.gas > 40_000)
      out.push(`heartbeat at ${row.backups} backups: ${row.gas} > 40,000`);
    if (row.operation === "heartbeatBatch/perValidator" && row.items === 100 && row.gas > 15_000) {
      out.push(`heartbeatBatch/perValidator at 100 items, ${row.backups} backups: ${row.gas} > 15,000`);
    }
  }
  const smallest = Math.min(...sizes);
  const largest = Math.max(...sizes);
  const replaceAt = (n: number) =>
    all.find((r) => r.operation === "checkHeartbeat/replace" && r.backups === n)?.gas ?? 0;
  if (largest > smallest && replaceAt(largest) > 1.3 * replaceAt(smallest)) {
    out.push(
      `checkHeartbeat/replace at ${largest} backups: ${replaceAt(largest)} > 1.3 × ${replaceAt(smallest)} (at ${smallest})`,
    );
  }
  return out;
}
