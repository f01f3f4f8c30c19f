/**
 * `npx hardhat heal simulate [--network localhost] [options]`: the chaos simulation of `npm start`, as a
 * Hardhat task. Without `--network` it runs on the embedded network; with `--network localhost` against a
 * separately started node (`npx hardhat node --hostname 127.0.0.1`). A thin wrapper over src/sim/run.ts:
 * the same options, checks and report.
 *
 * On an external node, blocks cannot share a timestamp, so each transaction advances the chain's clock by
 * a second or more: the schedule is the same, the figures may differ by a few seconds from an embedded run.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { parseCli, UsageError } from "../src/sim/cli.js";
import { simulate } from "../src/sim/run.js";

export interface SimulateTaskArguments {
  validators: string;
  backups: string;
  duration: string;
  seed: string;
  scenario: string;
  out: string;
  json: boolean;
}

export default async function simulateTask(args: SimulateTaskArguments, hre: HardhatRuntimeEnvironment) {
  const argv: string[] = [];
  for (const name of ["validators", "backups", "duration", "seed", "scenario", "out"] as const)
    if (args[name] !== "") argv.push(`--${name}`, args[name]);
  if (args.json) argv.push("--json");
  let options;
  try {
    options = parseCli(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
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
    process.exitCode = result.exitCode;
  } finally {
    await connection.close();
  }
}
