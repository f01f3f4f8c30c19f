/**
 * Command-line options of the simulation (`npm start -- …`, `heal simulate`). Parsed before anything heavy
 * is loaded, so a bad option fails at once: one line on stderr and exit code 2.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

import { scheduleFaults } from "./faults.js";
import { resolveScenario, type Scenario, ScenarioError, type ScenarioOverrides } from "./scenario.js";

export const USAGE = `usage: npm start -- [options]

Runs the chaos simulation: a fleet of validators and backups on the embedded Hardhat network, faults on a
schedule, the real agents (sidecars, keepers, orchestrator) healing it, and a report (JSON + HTML).

options:
  --validators <n>     validators wanting an active seat (default 21; the active set holds at most 128)
  --backups <n>        extra candidates in the backup pool (default 5)
  --duration <time>    simulated time: seconds, or with a unit: 90s, 15m, 1h (default 1h)
  --seed <seed>        same seed, same incidents and figures (default 1)
  --scenario <file>    a JSON scenario (see docs/simulation.md); options above override its fields
  --out <dir>          where the reports go (default reports/)
  --json               print the summary as JSON on stdout (progress goes to stderr)
  --help               this text`;

export interface CliOptions {
  scenario: Scenario;
  outDir: string;
  json: boolean;
  help: boolean;
}

/** A bad command line: the message is the one line to print; exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

const OPTIONS = {
  validators: { type: "string" },
  backups: { type: "string" },
  duration: { type: "string" },
  seed: { type: "string" },
  scenario: { type: "string" },
  out: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean" },
} as const;

function integer(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min)
    throw new UsageError(`--${name} must be an integer ≥ ${min} (got "${value}")`);
  return Number(value);
}

/** Seconds from "3600", "90s", "15m", "1h". */
export function parseDuration(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)\s*(s|m|h)?$/.exec(value.trim());
  const seconds = m ? Number(m[1]) * (m[2] === "h" ? 3_600 : m[2] === "m" ? 60 : 1) : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UsageError(`--duration must be a positive time such as 3600, 90s, 15m or 1h (got "${value}")`);
  return seconds;
}

export function parseCli(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false });
  } catch (error) {
    const e = error as Error & { code?: string };
    const known = Object.keys(OPTIONS)
      .map((k) => `--${k}`)
      .join(", ");
    const unknown = /'([^']+)'/.exec(e.message)?.[1];
    if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION")
      throw new UsageError(`unknown option ${unknown ?? ""} (options: ${known})`);
    if (e.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL")
      throw new UsageError(`unexpected argument ${unknown ?? ""} (options: ${known})`);
    if (e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE")
      throw new UsageError(e.message.split("\n")[0] ?? e.message);
    throw new UsageError(e.message.split("\n")[0] ?? e.message);
  }
  const v = parsed.values;
  if (v.help) return { scenario: resolveScenario({}), outDir: "reports", json: false, help: true };
  const overrides: ScenarioOverrides = {};
  const validators = integer("validators", v.validators, 1);
  const backups = integer("backups", v.backups, 0);
  const duration = parseDuration(v.duration);
  if (validators !== undefined) overrides.validators = validators;
  if (backups !== undefined) overrides.backups = backups;
  if (duration !== undefined) overrides.duration = duration;
  if (v.seed !== undefined) {
    if (v.seed.trim() === "") throw new UsageError(`--seed must not be empty`);
    overrides.seed = v.seed;
  }
  if (v.out !== undefined && v.out.trim() === "") throw new UsageError(`--out must name a directory`);

  let document: unknown = {};
  if (v.scenario !== undefined) {
    let text: string;
    try {
      text = readFileSync(v.scenario, "utf8");
    } catch (error) {
      throw new UsageError(
        `cannot read scenario ${v.scenario}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`scenario ${v.scenario} is not valid JSON: ${(error as Error).message}`);
    }
  }
  let scenario: Scenario;
  try {
    scenario = resolveScenario(document, overrides);
    scheduleFaults(scenario); // the schedule must fit in the run
  } catch (error) {
    if (error instanceof ScenarioError) {
      const where = v.scenario !== undefined ? `scenario ${v.scenario}` : "options";
      throw new UsageError(`invalid ${where}: ${error.message.split("\n").join("; ")}`);
    }
    throw error;
  }
  return { scenario, outDir: v.out ?? "reports", json: v.json === true, help: false };
}
