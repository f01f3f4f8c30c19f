/**
 * Coverage gate, run by `npm test` after `hardhat test --coverage`: reads the lcov report Hardhat writes
 * (coverage/lcov.info), prints the line and branch coverage of each file under contracts/ and the total,
 * and exits 1 if the total line or branch coverage is below its threshold.
 *
 * contracts/mocks/ is left out: mocks are test doubles, exercised only as far as the tests need them.
 *
 * Branches: Hardhat 3's coverage (3.18) reports lines only; its lcov has no BRDA/BRF records. This
 * script computes them (tools/coverage/branches.ts) from the raw statement hits Hardhat leaves in
 * coverage/data/ and writes BRDA/BRF/BRH records into the lcov file before gating:
 * - it re-runs EDR's deterministic statement instrumentation on each Solidity file of the report (source
 *   name `project/<path>`, solc 0.8.30) to get each statement's tag and range;
 * - it parses the file with Slang and counts 2 arms per `if` (true = its body ran; false = the else body
 *   ran, or, without `else`, some run executed the `if` more often than its body) and 1 + catches arms
 *   per `try` (an arm = the first statement of its block ran; one empty block is inferred the same way);
 * - ternaries, `&&`/`||` short-circuits and loop conditions are not counted: statement hits cannot tell
 *   their arms apart. Counts are per transaction / per test run, so an implicit `else` taken only in a
 *   run that also took the `if` body is not seen (conservative); a run whose `if` condition reverted
 *   counts as taking the implicit `else` (optimistic). docs/security/coverage.md has the details.
 * Without coverage/data/ (or with --no-compute-branches) it uses the lcov's own branch records, if any.
 * If a file's line hits and its recomputed tags disagree (source edited since the run), it stops (exit 2).
 *
 * Usage: node --import tsx tools/coverage/check.ts [lcov.info] [--min-lines 95] [--min-branches 95]
 *          [--data coverage/data ...] [--uncovered] [--no-compute-branches]
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { type FileBranches, fileBranches, loadHits, uncoveredArms, withBranchRecords } from "./branches.js";

export interface FileCoverage {
  file: string;
  linesFound: number;
  linesHit: number;
  branchesFound: number;
  branchesHit: number;
}

/** Parses an lcov tracefile; LF/LH and BRF/BRH totals per SF record (computed from DA/BRDA when absent). */
export function parseLcov(text: string): FileCoverage[] {
  const files: FileCoverage[] = [];
  let current: FileCoverage | undefined;
  let da = { found: 0, hit: 0 };
  let brda = { found: 0, hit: 0 };
  let summary: Partial<Record<"LF" | "LH" | "BRF" | "BRH", number>> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("SF:")) {
      current = { file: line.slice(3), linesFound: 0, linesHit: 0, branchesFound: 0, branchesHit: 0 };
      da = { found: 0, hit: 0 };
      brda = { found: 0, hit: 0 };
      summary = {};
    } else if (!current) {
      continue;
    } else if (line.startsWith("DA:")) {
      da.found++;
      if (Number(line.slice(3).split(",")[1]) > 0) da.hit++;
    } else if (line.startsWith("BRDA:")) {
      brda.found++;
      const taken = line.slice(5).split(",")[3];
      if (taken !== undefined && taken !== "-" && Number(taken) > 0) brda.hit++;
    } else if (/^(LF|LH|BRF|BRH):/.test(line)) {
      const [key, value] = line.split(":") as ["LF" | "LH" | "BRF" | "BRH", string];
      summary[key] = Number(value);
    } else if (line === "end_of_record") {
      current.linesFound = summary.LF ?? da.found;
      current.linesHit = summary.LH ?? da.hit;
      current.branchesFound = summary.BRF ?? brda.found;
      current.branchesHit = summary.BRH ?? brda.hit;
      files.push(current);
      current = undefined;
    }
  }
  return files;
}

export interface GateResult {
  lines: { found: number; hit: number; pct: number };
  branches: { found: number; hit: number; pct: number } | undefined;
  failures: string[];
}

const pct = (hit: number, found: number) => (found === 0 ? 100 : (100 * hit) / found);

export function gate(files: FileCoverage[], minLines: number, minBranches: number): GateResult {
  const lines = { found: 0, hit: 0, pct: 0 };
  const branches = { found: 0, hit: 0, pct: 0 };
  for (const f of files) {
    lines.found += f.linesFound;
    lines.hit += f.linesHit;
    branches.found += f.branchesFound;
    branches.hit += f.branchesHit;
  }
  lines.pct = pct(lines.hit, lines.found);
  branches.pct = pct(branches.hit, branches.found);
  const failures: string[] = [];
  if (lines.found === 0) failures.push("no line of contracts/ was instrumented");
  if (lines.pct < minLines) failures.push(`lines ${lines.pct.toFixed(2)}% < ${minLines}%`);
  const measured = branches.found > 0 ? branches : undefined;
  if (measured && measured.pct < minBranches) {
    failures.push(`branches ${measured.pct.toFixed(2)}% < ${minBranches}%`);
  }
  return { lines, branches: measured, failures };
}

/** The files the gate counts: contracts/, without the mocks. */
export function inScope(file: string): boolean {
  const f = file.split(path.sep).join("/");
  return /(^|\/)contracts\//.test(f) && !/(^|\/)contracts\/mocks\//.test(f);
}

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isFinite(value) || value < 0 || value > 100)
    throw new Error(`${name}: a percentage, got ${args[i + 1]}`);
  return value;
}

/**
 * Computes the branch records of every Solidity file of the lcov report from the hits in `dataDirs`
 * and writes them into the report. Throws if a file's hits cannot belong to its current source.
 */
export function computeBranches(
  root: string,
  lcovText: string,
  dataDirs: string[],
): { lcov: string; branches: Map<string, FileBranches> } {
  const hits = loadHits(dataDirs);
  const branches = new Map<string, FileBranches>();
  for (const f of parseLcov(lcovText)) {
    if (!f.file.endsWith(".sol") || !existsSync(path.join(root, f.file))) continue;
    const b = fileBranches(root, f.file, hits);
    if (f.linesHit > 0 && b.statementsHit === 0) {
      throw new Error(
        `${f.file}: the lcov shows executed lines but none of its recomputed statement tags is in ` +
          `${dataDirs.join(", ")} (source edited since the coverage run?); re-run hardhat test --coverage`,
      );
    }
    branches.set(f.file, b);
  }
  return { lcov: withBranchRecords(lcovText, branches), branches };
}

function main(): number {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
  const args = process.argv.slice(2);
  const valued = new Set(["--min-lines", "--min-branches", "--data"]);
  const positional = args.filter((a, i) => !a.startsWith("--") && !valued.has(args[i - 1] ?? ""));
  const lcov = path.resolve(positional[0] ?? path.join(root, "coverage", "lcov.info"));
  const minLines = option(args, "--min-lines", 95);
  const minBranches = option(args, "--min-branches", 95);
  if (!existsSync(lcov)) {
    console.error(
      `coverage: ${path.relative(process.cwd(), lcov)} not found (run hardhat test --coverage first)`,
    );
    return 2;
  }
  let text = readFileSync(lcov, "utf8");
  const dataDirs = args.flatMap((a, i) => (args[i - 1] === "--data" ? [path.resolve(a)] : []));
  if (dataDirs.length === 0) dataDirs.push(path.join(path.dirname(lcov), "data"));
  let computed: Map<string, FileBranches> | undefined;
  if (!args.includes("--no-compute-branches") && dataDirs.some((d) => existsSync(d))) {
    const result = computeBranches(root, text, dataDirs);
    text = result.lcov;
    computed = result.branches;
    writeFileSync(lcov, text);
  }
  const files = parseLcov(text).filter((f) => inScope(f.file));
  const result = gate(files, minLines, minBranches);
  const width = Math.max(20, ...files.map((f) => f.file.length));
  const branchCell = (hit: number, found: number) =>
    found === 0 ? "n/a" : `${pct(hit, found).toFixed(2)}% (${hit}/${found})`;
  console.log(`${"contracts/ (mocks excluded)".padEnd(width)}  lines                 branches`);
  for (const f of [...files].sort((a, b) => a.file.localeCompare(b.file))) {
    const lines = `${pct(f.linesHit, f.linesFound).toFixed(2)}% (${f.linesHit}/${f.linesFound})`;
    console.log(
      `${f.file.padEnd(width)}  ${lines.padEnd(20)}  ${branchCell(f.branchesHit, f.branchesFound)}`,
    );
  }
  if (computed !== undefined) {
    const scoped = [...computed.values()].filter((b) => inScope(b.file));
    const notCounted = new Map<string, number>();
    for (const b of scoped)
      for (const n of b.notCounted) notCounted.set(n.kind, (notCounted.get(n.kind) ?? 0) + 1);
    console.log(
      `branches: ${scoped.reduce((s, b) => s + b.points.length, 0)} if/try points from ` +
        `${dataDirs.map((d) => path.relative(process.cwd(), d)).join(", ")}; not counted: ` +
        ([...notCounted].map(([k, v]) => `${v} ${k}`).join(", ") || "none"),
    );
    if (args.includes("--uncovered")) {
      for (const b of [...scoped].sort((x, y) => x.file.localeCompare(y.file)))
        for (const u of uncoveredArms(b)) console.log(`  uncovered: ${u}`);
    }
  }
  const { lines, branches } = result;
  console.log(
    `coverage: lines ${lines.pct.toFixed(2)}% (${lines.hit}/${lines.found}, minimum ${minLines}%), ` +
      (branches
        ? `branches ${branches.pct.toFixed(2)}% (${branches.hit}/${branches.found}, minimum ${minBranches}%)`
        : "branches not measured (Hardhat's coverage writes no branch records): not checked"),
  );
  if (result.failures.length > 0) {
    console.error(`coverage: below the threshold: ${result.failures.join("; ")}`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main();
  } catch (error) {
    console.error(`coverage: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  }
}
