/**
 * solc's SMTChecker through solc-js (the npm `solc` package, the same compiler Hardhat builds with) with a
 * local z3 as the solver: solc writes each verification condition as an SMT-LIB2 query, the callback below
 * runs `z3` on it with a per-query timeout, and solc turns the answers into "safe", "happens" (a violation)
 * or "might happen" (the solver gave up: unknown or timeout).
 *
 * Engines: CHC (Horn clauses, proves properties of every reachable state, loops included) runs first; with
 * `engine: "all"` BMC then checks, function by function, what CHC left open (loops unrolled
 * `bmcLoopIterations` times).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

/** One contract to check: a source file (relative to `root`) and the contract in it. */
export interface Target {
  file: string;
  contract: string;
}

export interface CheckOptions {
  root: string;
  targets: Target[];
  /** "chc" or "all" (CHC, then BMC on what CHC did not settle). */
  engine: "chc" | "bmc" | "all";
  /** Solver time per CHC query, in milliseconds (passed to solc and enforced on the z3 process). */
  queryTimeoutMs: number;
  /** Solver time per BMC query (BMC's queries are per function and worth more time each). */
  bmcQueryTimeoutMs: number;
  /** Wall-clock budget of the whole run, in milliseconds: once spent, every further query is "unknown". */
  budgetMs: number;
  /** Loop unrolling depth for BMC. */
  bmcLoopIterations: number;
  /** The solver binary. */
  z3: string;
}

export type Verdict = "proved" | "violated" | "unknown";

/** The outcome of one `assert` (a source location), over every function that reaches it. */
export interface AssertionResult {
  file: string;
  contract: string;
  /** The function the assertion is in. */
  function: string;
  line: number;
  text: string;
  verdict: Verdict;
  /** The engine messages for this location, e.g. "CHC: proved", "BMC: unknown". */
  notes: string[];
  /** For a violation: solc's message (BMC's includes a counterexample; CHC over SMT-LIB2 gives none). */
  counterexample?: string;
}

export interface CheckReport {
  assertions: AssertionResult[];
  /** Compiler errors (the run is then void). */
  errors: string[];
  /** Other compiler or checker warnings (unsupported features, ...), one line each. */
  warnings: string[];
  queries: number;
  queriesSkipped: number;
  elapsedMs: number;
}

/** z3's options for solc's Horn queries (the ones solc-js's own smtsolver.js passes). */
const Z3_ARGS = [
  "-smt2",
  "-in",
  "rewriter.pull_cheap_ite=true",
  "fp.spacer.q3.use_qgen=true",
  "fp.spacer.mbqi=false",
  "fp.spacer.ground_pobs=false",
];

export function findZ3(candidate = process.env.HEALNET_Z3 ?? "z3"): string | undefined {
  if (candidate.includes("/")) return existsSync(candidate) ? candidate : undefined;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, candidate))) return path.join(dir, candidate);
  }
  return undefined;
}

interface SolcError {
  severity: string;
  errorCode?: string;
  message: string;
  formattedMessage?: string;
  sourceLocation?: { file: string; start: number; end: number };
}

interface Solc {
  compile(input: string, callbacks?: object): string;
}

export function check(options: CheckOptions): CheckReport {
  const solc = require("solc") as Solc;
  const started = Date.now();
  let queries = 0;
  let queriesSkipped = 0;

  const sources: Record<string, { content: string }> = {};
  const contracts: Record<string, string[]> = {};
  for (const t of options.targets) {
    sources[t.file] ??= { content: readFileSync(path.join(options.root, t.file), "utf8") };
    (contracts[t.file] ??= []).push(t.contract);
  }

  let queryTimeoutMs = options.queryTimeoutMs;
  const solve = (query: string): { contents?: string; error?: string } => {
    queries++;
    const left = options.budgetMs - (Date.now() - started);
    if (left <= 0) {
      queriesSkipped++;
      return { contents: "unknown\n" };
    }
    // solc already sets `(set-option :timeout N)` in the query; -T is a hard stop in case z3 overruns it.
    const hardStopSeconds = Math.max(1, Math.ceil((Math.min(queryTimeoutMs, left) + 2000) / 1000));
    try {
      const out = execFileSync(options.z3, [...Z3_ARGS, `-T:${hardStopSeconds}`], {
        input: query,
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
        timeout: hardStopSeconds * 1000 + 2000,
        stdio: ["pipe", "pipe", "pipe"],
      });
      return { contents: out };
    } catch (error) {
      // z3 exits non-zero when a query asks for a model of an unsat formula, or on timeout: its stdout
      // still starts with the answer, or is empty (then: unknown).
      const stdout = (error as { stdout?: string | Buffer }).stdout?.toString() ?? "";
      return { contents: /^(sat|unsat|unknown)/.test(stdout) ? stdout : "unknown\n" };
    }
  };

  const importCallback = (importPath: string): { contents?: string; error?: string } => {
    for (const base of [options.root, path.join(options.root, "node_modules")]) {
      const file = path.join(base, importPath);
      if (existsSync(file)) return { contents: readFileSync(file, "utf8") };
    }
    return { error: `not found: ${importPath}` };
  };

  const runEngine = (engine: "chc" | "bmc", only?: Set<string>) => {
    queryTimeoutMs = engine === "bmc" ? options.bmcQueryTimeoutMs : options.queryTimeoutMs;
    const selected = only
      ? Object.fromEntries(
          Object.entries(contracts)
            .map(([file, names]) => [file, names.filter((n) => only.has(`${file}:${n}`))] as const)
            .filter(([, names]) => names.length > 0),
        )
      : contracts;
    const input = {
      language: "Solidity",
      sources,
      settings: {
        modelChecker: {
          engine,
          contracts: selected,
          targets: ["assert"],
          timeout: queryTimeoutMs,
          ...(engine === "bmc" ? { bmcLoopIterations: options.bmcLoopIterations } : {}),
          solvers: ["smtlib2"],
          showProvedSafe: true,
          showUnproved: true,
          showUnsupported: true,
        },
        outputSelection: {},
      },
    };
    const output = JSON.parse(
      solc.compile(JSON.stringify(input), { import: importCallback, smtSolver: solve }),
    ) as { errors?: SolcError[] };
    return collect(output.errors ?? [], sources);
  };

  const engines: ("chc" | "bmc")[] = options.engine === "all" ? ["chc", "bmc"] : [options.engine];
  const first = runEngine(engines[0]!);
  const { errors, warnings, byLocation } = first;
  const open = () => [...byLocation.values()].filter((a) => a.verdict === "unknown");
  if (engines[1] && errors.length === 0 && open().length > 0) {
    // BMC checks each function alone from any state meeting its `require`s, loops unrolled: for the
    // harnesses' require-invariant-on-entry / assert-it-on-exit shape, that is the induction step.
    // Only the contracts that still have open assertions.
    const second = runEngine(engines[1], new Set(open().map((a) => `${a.file}:${a.contract}`)));
    for (const a of open()) {
      const b = second.byLocation.get(`${a.file}:${a.start}`);
      if (!b) continue;
      a.verdict = b.verdict;
      a.notes.push(...b.notes);
      if (b.counterexample) a.counterexample = b.counterexample;
    }
  }
  const assertions: AssertionResult[] = [...byLocation.values()].map(({ start: _start, ...a }) => a);
  assertions.sort((x, y) => x.file.localeCompare(y.file) || x.line - y.line);
  return { assertions, errors, warnings, queries, queriesSkipped, elapsedMs: Date.now() - started };
}

type Located = AssertionResult & { start: number };

/** Sorts solc's messages: assertion verdicts by source location, compile errors, other warnings. */
function collect(messages: SolcError[], sources: Record<string, { content: string }>) {
  const errors: string[] = [];
  const warnings: string[] = [];
  const byLocation = new Map<string, Located>();
  for (const e of messages) {
    const first = (e.formattedMessage ?? e.message).split("\n")[0] ?? e.message;
    if (e.severity === "error") {
      errors.push(e.formattedMessage ?? e.message);
      continue;
    }
    const m = /^(CHC|BMC): Assertion violation (happens here|might happen here|check is safe!)/.exec(
      e.message,
    );
    if (!m || !e.sourceLocation) {
      warnings.push(first);
      continue;
    }
    const loc = e.sourceLocation;
    const content = sources[loc.file]?.content ?? "";
    const key = `${loc.file}:${loc.start}`;
    const verdict: Verdict =
      m[2] === "check is safe!" ? "proved" : m[2] === "happens here" ? "violated" : "unknown";
    let entry = byLocation.get(key);
    if (!entry) {
      entry = {
        file: loc.file,
        contract: contractAt(content, loc.start) ?? "?",
        function: functionAt(content, loc.start) ?? "?",
        line: content.slice(0, loc.start).split("\n").length,
        start: loc.start,
        text: content.slice(loc.start, loc.end).replace(/\s+/g, " "),
        verdict,
        notes: [],
      };
      byLocation.set(key, entry);
    }
    // One location reached from several paths: violated beats unknown beats proved.
    const rank = { proved: 0, unknown: 1, violated: 2 };
    if (rank[verdict] > rank[entry.verdict]) entry.verdict = verdict;
    if (verdict === "violated") entry.counterexample ??= e.formattedMessage ?? e.message;
    entry.notes.push(`${m[1]}: ${verdict}`);
  }
  return { errors, warnings, byLocation };
}

/** The function (or modifier) whose body contains `offset`: the last one declared before it. */
function functionAt(content: string, offset: number): string | undefined {
  let name: string | undefined;
  for (const m of content.slice(0, offset).matchAll(/^\s*(?:function|modifier)\s+(\w+)/gm)) name = m[1];
  return name;
}

/** The name of the contract whose body contains `offset` (the last `contract X` declared before it). */
function contractAt(content: string, offset: number): string | undefined {
  let name: string | undefined;
  for (const m of content.slice(0, offset).matchAll(/^(?:abstract\s+)?(?:contract|library)\s+(\w+)/gm))
    name = m[1];
  return name;
}
