/**
 * `npm run lint:smt`: solc's SMTChecker on the assert-annotated harnesses under formal/ (see
 * docs/security/formal.md). Prints, per assertion, whether it is proved, violated (a counterexample exists)
 * or unknown (the solver gave up within its time), and exits 1 if any assertion is violated, 2 if the
 * harnesses do not compile or z3 is missing. Unknown results are printed, not failed.
 *
 * Usage: node --import tsx tools/smt/run.ts [file.sol:Contract ...]
 *   (default: the harnesses listed in TARGETS). Environment:
 *   HEALNET_SMT_QUERY_TIMEOUT_MS  solver time per CHC query (default 4000)
 *   HEALNET_SMT_BMC_QUERY_TIMEOUT_MS  solver time per BMC query (default 12000)
 *   HEALNET_SMT_BUDGET_MS         wall-clock budget of the run (default 100000); later queries: unknown
 *   HEALNET_SMT_ENGINE            chc | bmc | all (default all: CHC, then BMC on what CHC leaves open)
 *   HEALNET_Z3                    the z3 binary (default: z3 on PATH)
 *   HEALNET_SKIP_SMT=1            skip the check (prints that it was skipped)
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

import { type AssertionResult, check, type CheckOptions, findZ3, type Target } from "./checker.js";

/** The harnesses `npm run lint` checks. */
export const TARGETS: Target[] = [
  { file: "formal/StakeLedgerHarness.sol", contract: "StakeLedgerHarness" },
  { file: "formal/GuardianCouncilHarness.sol", contract: "GuardianCouncilHarness" },
];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

function parseTargets(args: string[]): Target[] {
  return args.map((arg) => {
    const i = arg.lastIndexOf(":");
    const file = i > 0 ? arg.slice(0, i) : arg;
    const contract = i > 0 ? arg.slice(i + 1) : path.basename(file).replace(/\..*$/, "");
    return { file: path.relative(root, path.resolve(file)), contract };
  });
}

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

function line(a: AssertionResult): string {
  const label = { proved: "proved  ", violated: "VIOLATED", unknown: "unknown " }[a.verdict];
  return `  ${label} ${a.contract}.${a.function} (${a.file}:${a.line})  ${a.text}  [${[...new Set(a.notes)].join(", ")}]`;
}

function main(): number {
  if (process.env.HEALNET_SKIP_SMT === "1") {
    console.log("smt: skipped (HEALNET_SKIP_SMT=1)");
    return 0;
  }
  const z3 = findZ3();
  if (!z3) {
    console.error("smt: z3 not found: apt-get install z3 (or set HEALNET_Z3 to the solver's path)");
    return 2;
  }
  const engine = (process.env.HEALNET_SMT_ENGINE ?? "all") as CheckOptions["engine"];
  if (!["chc", "bmc", "all"].includes(engine))
    throw new Error(`HEALNET_SMT_ENGINE: chc, bmc or all, got ${engine}`);
  const options: CheckOptions = {
    root,
    targets: process.argv.length > 2 ? parseTargets(process.argv.slice(2)) : TARGETS,
    engine,
    queryTimeoutMs: numberFromEnv("HEALNET_SMT_QUERY_TIMEOUT_MS", 4000),
    bmcQueryTimeoutMs: numberFromEnv("HEALNET_SMT_BMC_QUERY_TIMEOUT_MS", 12_000),
    budgetMs: numberFromEnv("HEALNET_SMT_BUDGET_MS", 100_000),
    bmcLoopIterations: 9,
    z3,
  };
  const report = check(options);
  if (report.errors.length > 0) {
    for (const e of report.errors) console.error(e);
    console.error("smt: the harnesses do not compile");
    return 2;
  }
  for (const t of options.targets) {
    console.log(`${t.file}:${t.contract}`);
    for (const a of report.assertions.filter((x) => x.file === t.file && x.contract === t.contract)) {
      console.log(line(a));
      if (a.counterexample) console.log(a.counterexample.replace(/^/gm, "      "));
    }
  }
  for (const w of report.warnings) console.log(`  note: ${w}`);
  const count = (v: string) => report.assertions.filter((a) => a.verdict === v).length;
  const skipped = report.queriesSkipped > 0 ? `, ${report.queriesSkipped} skipped (budget spent)` : "";
  console.log(
    `smt: ${count("proved")} proved, ${count("violated")} violated, ${count("unknown")} unknown ` +
      `(engine ${engine}, ${report.queries} z3 queries${skipped}, ${(report.elapsedMs / 1000).toFixed(1)} s)`,
  );
  if (report.assertions.length === 0) {
    console.error("smt: no assertion was checked");
    return 2;
  }
  if (count("violated") > 0) {
    console.error("smt: an assertion is violated (the checker found a counterexample)");
    return 1;
  }
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(`smt: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
