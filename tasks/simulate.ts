/**
 * `npx hardhat heal simulate [--network localhost] [options]`: the chaos simulation of `npm start`, as a
 * Hardhat task. Without `--network` it runs on the embedded network; with `--network localhost` against a
 * separately started node (`npx hardhat node --hostname 127.0.0.1`). A thin wrapper over src/sim/run.ts:
 * the same options, checks and report. Like every `heal` task, a bad argument is one line on stderr and
 * exit code 1 (`npm start` uses 2); a failed correctness target also exits 1.
 *
 * On an external node, blocks cannot share a timestamp, so each transaction advances the chain's clock by
 * a second: the schedule is the same, the figures may differ by a few seconds from an embedded run.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { parseCli } from "../src/sim/cli.js";
import { simulate } from "../src/sim/run.js";
import { healAction } from "./common.js";

export interface SimulateTaskArguments {
  validators: string;
  backups: string;
  duration: string;
  seed: string;
  scenario: string;
  out: string;
  json: boolean;
}

async function simulateAction(args: SimulateTaskArguments, hre: HardhatRuntimeEnvironment): Promise<string> {
  const argv: string[] = [];
  for (const name of ["validators", "backups", "duration", "seed", "scenario", "out"] as const)
    if (args[name] !== "") argv.push(`--${name}`, args[name]);
  if (args.json) argv.push("--json");
  const options = parseCli(argv); // throws a UsageError naming the bad option or field
  const name = hre.globalOptions.network ?? "default";
  const embedded = hre.config.networks[name]?.type === "edr-simulated";
  const connection = embedded
    ? await hre.network.create({ override: { allowBlocksWithSameTimestamp: true } })
    : await hre.network.create();
  try {
    const result = await simulate({
      scenario: options.scenario,
      connection,
      outDir: options.outDir,
      json: options.json,
    });
    if (result.exitCode !== 0) {
      const failed = result.report.targets.filter((t) => t.ok === false && t.name !== "wall time");
      throw new Error(`targets not met: ${failed.map((t) => `${t.name} (${t.actual})`).join(", ")}`);
    }
    return result.htmlPath;
  } finally {
    await connection.close();
  }
}

export default healAction("simulate", simulateAction);
