/**
 * `npm start`: the chaos simulation (src/sim). A fleet of validators and backups on the embedded Hardhat
 * network, faults injected on a schedule, the real agents healing it, and a report (JSON + HTML) under
 * reports/. Options: `npm start -- --help`. A bad option or scenario file: one line on stderr, exit code 2.
 */
import { parseCli, USAGE, UsageError } from "../src/sim/cli.js";

let options;
try {
  options = parseCli(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

// Loaded only now: parsing the options must not wait for Hardhat.
const { network } = await import("hardhat");
const { simulate } = await import("../src/sim/run.js");

// Every transaction of a simulated step is mined at the step's timestamp: the embedded network must allow
// blocks with equal timestamps.
const connection = await network.create({ override: { allowBlocksWithSameTimestamp: true } });
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
