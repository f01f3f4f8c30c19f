/**
 * Branch coverage for Solidity, computed from Hardhat 3's statement coverage.
 *
 * Hardhat 3.18 writes only line data to coverage/lcov.info, but it keeps the raw hits of every
 * instrumented statement in coverage/data/<run>/*.json as `{ tag: count }`. The tags come from EDR's
 * `addStatementCoverageInstrumentation(source, sourceName, solcVersion)`, which is deterministic: run
 * again on the same file (source name `project/<path>`, solc 0.8.30), it returns the same tags with
 * their UTF-16 ranges (leading trivia included). EDR instruments every statement, including the body of
 * an `if`/`else` (a block, even an empty one, or a single statement) and the statements inside a block,
 * but not the blocks of a `try`/`catch` clause themselves.
 *
 * A count is the number of transactions that executed the statement at least once (EDR reports each
 * hit once per transaction): a TypeScript test's transactions, a Solidity test function's call (6 test
 * functions calling `initialize` give its first statement a count of 6; a fuzz test presumably one per run).
 *
 * Branch points (found with Slang, tools/detectors/tree.ts):
 * - `if` (2 arms). True arm: the count of its body. False arm: with `else`, the count of the else body
 *   (so an `else if` chain is a chain of 2-arm points); without `else`, count(if) - count(body) when
 *   positive, else 0: some run executed the `if` without entering its body.
 * - `try` (1 + number of `catch` clauses arms). An arm's count is that of the first statement of its
 *   block. If exactly one block is empty, its count is count(try) - the sum of the other arms, when
 *   positive; with two or more empty blocks, the empty ones are not counted (listed in `notCounted`).
 * - Not counted (statement data cannot tell their arms apart): the ternary `?:`, `&&`/`||`
 *   short-circuits, and loop conditions. Their occurrences are listed in `notCounted`.
 *
 * Limits (all documented in docs/security/coverage.md):
 * - Implicit/inferred arms are conservative within one run: a run that takes both arms of an `if`
 *   without `else` (e.g. in a loop) counts for the true arm only.
 * - They can be optimistic when the statement was hit but its condition (or the `try` call's
 *   arguments) reverted, or a `try` call failed with an error no `catch` clause catches: that run is
 *   counted as taking the implicit/empty arm.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

import { addStatementCoverageInstrumentation, latestSupportedSolidityVersion } from "@nomicfoundation/edr";

import {
  child,
  childrenLabelled,
  descendants,
  lineAt,
  parseSolidity,
  SOLIDITY_VERSION,
  type SNode,
  unwrap,
} from "../detectors/tree.js";

/** One instrumented statement: its tag (hex, no 0x, as in coverage/data) and UTF-16 range. */
export interface StatementTag {
  tag: string;
  start: number;
  end: number;
}

export interface BranchArm {
  /** "true", "false", "try", "catch", "catch Error", "catch Panic", "catch (bytes)". */
  label: string;
  /** Runs that took this arm (0 if none). */
  count: number;
  /** True when the count is inferred (if without else, the one empty try/catch block). */
  inferred: boolean;
}

export interface BranchPoint {
  kind: "if" | "try";
  /** 1-based line of the `if`/`try` keyword. */
  line: number;
  /** Runs that executed the statement; 0 means the point was never reached. */
  reached: number;
  arms: BranchArm[];
}

export interface NotCounted {
  kind: "ternary" | "and-or" | "loop" | "try-empty-blocks" | "unmapped";
  line: number;
}

export interface FileBranches {
  file: string;
  points: BranchPoint[];
  notCounted: NotCounted[];
  found: number;
  hit: number;
  /** Instrumented statements of the file, and how many of them the data shows executed. */
  statements: number;
  statementsHit: number;
}

/** The tags EDR gives this file's statements, exactly as Hardhat's coverage build computes them. */
export function instrumentTags(
  source: string,
  sourceName: string,
  solcVersion = SOLIDITY_VERSION,
): StatementTag[] {
  const version = newer(solcVersion, latestSupportedSolidityVersion())
    ? latestSupportedSolidityVersion()
    : solcVersion;
  const { metadata } = addStatementCoverageInstrumentation(source, sourceName, version);
  return metadata
    .filter((m) => m.kind === "statement")
    .map((m) => ({
      tag: Buffer.from(m.tag).toString("hex"),
      start: m.startUtf16,
      end: m.endUtf16,
    }));
}

function newer(a: string, b: string): boolean {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x !== y) return x > y;
  }
  return false;
}

/** Sums the `{ tag: count }` files of Hardhat's coverage/data/<run>/ directories (or the dirs given). */
export function loadHits(dataDirs: string[]): Map<string, number> {
  const hits = new Map<string, number>();
  const visit = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) visit(p);
      else if (name.endsWith(".json")) {
        const entries = JSON.parse(readFileSync(p, "utf8")) as Record<string, number>;
        for (const [tag, count] of Object.entries(entries)) {
          const key = tag.startsWith("0x") ? tag.slice(2).toLowerCase() : tag.toLowerCase();
          hits.set(key, (hits.get(key) ?? 0) + count);
        }
      }
    }
  };
  for (const dir of dataDirs) if (existsSync(dir)) visit(dir);
  return hits;
}

const TRIVIA = /^(?:\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*$/;

/**
 * Maps Slang statement nodes to tags: the tag of a node is the smallest instrumented range that covers
 * the node and starts with trivia only before it.
 */
class TagIndex {
  private readonly byStart: StatementTag[];

  constructor(
    private readonly source: string,
    tags: StatementTag[],
  ) {
    this.byStart = [...tags].sort((a, b) => a.start - b.start || a.end - b.end);
  }

  tagOf(n: SNode | undefined): StatementTag | undefined {
    if (n === undefined || n.start < 0) return undefined;
    let best: StatementTag | undefined;
    for (const t of this.byStart) {
      if (t.start > n.start) break;
      if (t.end < n.end) continue;
      if (!TRIVIA.test(this.source.slice(t.start, n.start))) continue;
      if (best === undefined || t.end - t.start < best.end - best.start) best = t;
    }
    return best;
  }
}

/** Finds the branch points of one source file and their arm counts. */
export function findBranches(
  file: string,
  source: string,
  tags: StatementTag[],
  hits: Map<string, number>,
): FileBranches {
  const root = parseSolidity(file, source);
  const index = new TagIndex(source, tags);
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const line = (n: SNode) => lineAt(lineStarts, n.start);
  const countOf = (n: SNode | undefined): number | undefined => {
    const t = index.tagOf(n);
    return t === undefined ? undefined : (hits.get(t.tag) ?? 0);
  };

  const points: BranchPoint[] = [];
  const notCounted: NotCounted[] = [];
  for (const n of descendants(root)) {
    if (n.kind === "IfStatement") {
      const reached = countOf(n);
      const body = child(n, "Body");
      const elseBody = child(child(n, "ElseBranch"), "Body");
      const thenCount = countOf(body);
      const elseCount = elseBody === undefined ? undefined : countOf(elseBody);
      if (reached === undefined || thenCount === undefined || (elseBody && elseCount === undefined)) {
        notCounted.push({ kind: "unmapped", line: line(n) });
        continue;
      }
      points.push({
        kind: "if",
        line: line(n),
        reached,
        arms: [
          { label: "true", count: thenCount, inferred: false },
          elseBody === undefined
            ? { label: "false", count: Math.max(0, reached - thenCount), inferred: true }
            : { label: "false", count: elseCount ?? 0, inferred: false },
        ],
      });
    } else if (n.kind === "TryStatement") {
      const reached = countOf(n);
      if (reached === undefined) {
        notCounted.push({ kind: "unmapped", line: line(n) });
        continue;
      }
      const blocks: { label: string; block: SNode | undefined }[] = [
        { label: "try", block: child(n, "Body") },
        ...childrenLabelled(child(n, "CatchClauses"), "Item").map((c) => ({
          label: catchLabel(source, c),
          block: child(c, "Body"),
        })),
      ];
      const counts = blocks.map(({ block }) => {
        const first = childrenLabelled(child(block, "Statements"), "Item")[0];
        return first === undefined ? undefined : countOf(first);
      });
      const unknown = counts.filter((c) => c === undefined).length;
      if (unknown > 1) {
        notCounted.push({ kind: "try-empty-blocks", line: line(n) });
        continue;
      }
      const known = counts.reduce<number>((s, c) => s + (c ?? 0), 0);
      points.push({
        kind: "try",
        line: line(n),
        reached,
        arms: blocks.map(({ label }, i) => {
          const c = counts[i];
          return c === undefined
            ? { label, count: Math.max(0, reached - known), inferred: true }
            : { label, count: c, inferred: false };
        }),
      });
    } else if (n.kind === "ConditionalExpression") {
      notCounted.push({ kind: "ternary", line: line(n) });
    } else if (n.kind === "AndExpression" || n.kind === "OrExpression") {
      notCounted.push({ kind: "and-or", line: line(n) });
    } else if (n.kind === "ForStatement" || n.kind === "WhileStatement" || n.kind === "DoWhileStatement") {
      notCounted.push({ kind: "loop", line: line(n) });
    }
  }
  let found = 0;
  let hit = 0;
  for (const p of points) {
    found += p.arms.length;
    hit += p.arms.filter((a) => a.count > 0).length;
  }
  const statementsHit = tags.filter((t) => (hits.get(t.tag) ?? 0) > 0).length;
  return { file, points, notCounted, found, hit, statements: tags.length, statementsHit };
}

function catchLabel(source: string, clause: SNode): string {
  const err = child(clause, "Error");
  if (err === undefined) return "catch";
  const name = child(err, "Name");
  if (name !== undefined) return `catch ${source.slice(name.start, name.end)}`;
  const params = unwrap(child(err, "Parameters"));
  return params === undefined ? "catch" : `catch ${source.slice(params.start, params.end)}`;
}

/** Branch coverage of one project file (path relative to root), reading its current source. */
export function fileBranches(root: string, file: string, hits: Map<string, number>): FileBranches {
  const source = readFileSync(path.join(root, file), "utf8");
  const sourceName = `project/${file.split(path.sep).join("/")}`;
  return findBranches(file, source, instrumentTags(source, sourceName), hits);
}

/** The lcov branch records of a file: BRDA per arm (`-` when the point was not reached), BRF, BRH. */
export function lcovBranchRecords(f: FileBranches): string[] {
  const out: string[] = [];
  f.points.forEach((p, block) => {
    p.arms.forEach((a, branch) => {
      out.push(`BRDA:${p.line},${block},${branch},${p.reached === 0 ? "-" : a.count}`);
    });
  });
  out.push(`BRF:${f.found}`, `BRH:${f.hit}`);
  return out;
}

/**
 * Writes branch records into an lcov tracefile: for every SF whose file is in `branches`, any
 * existing BRDA/BRF/BRH lines are replaced by the computed ones (placed before end_of_record).
 */
export function withBranchRecords(lcov: string, branches: Map<string, FileBranches>): string {
  const out: string[] = [];
  let current: FileBranches | undefined;
  for (const raw of lcov.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("SF:")) current = branches.get(line.slice(3));
    if (current !== undefined && /^(BRDA|BRF|BRH):/.test(line)) continue;
    if (line === "end_of_record" && current !== undefined) {
      out.push(...lcovBranchRecords(current));
      current = undefined;
    }
    out.push(raw);
  }
  return out.join("\n");
}

/** Human-readable list of the arms no run took, e.g. `contracts/x.sol:42 if false`. */
export function uncoveredArms(f: FileBranches): string[] {
  const out: string[] = [];
  for (const p of f.points) {
    for (const a of p.arms) {
      if (a.count === 0) {
        out.push(`${f.file}:${p.line} ${p.kind} ${a.label}${p.reached === 0 ? " (never reached)" : ""}`);
      }
    }
  }
  return out;
}
