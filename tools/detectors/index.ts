/**
 * healnet's own static-analysis detectors (see docs/security/detectors.md): the detector list, project
 * loading and the suppression comments shared by all detectors.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { detector as checksEffectsInteractions } from "./checks-effects-interactions.js";
import { detector as guardedOrPermissionless } from "./guarded-or-permissionless.js";
import { detector as noTxOrigin } from "./no-tx-origin.js";
import { parseSolidity } from "./tree.js";
import type { Detector, Finding, ParsedFile, Project } from "./types.js";
import { detector as unboundedLoop } from "./unbounded-loop.js";

export type { Detector, Finding, ParsedFile, Project } from "./types.js";

export const DETECTORS: Detector[] = [
  unboundedLoop,
  checksEffectsInteractions,
  noTxOrigin,
  guardedOrPermissionless,
];

/** Builds a project from in-memory sources (paths are used as given in findings). */
export function projectFromSources(sources: { path: string; source: string }[]): Project {
  const project: Project = { files: [] };
  for (const { path: p, source } of sources) {
    project.files.push({
      path: p,
      source,
      lines: source.split("\n"),
      root: parseSolidity(p, source),
      project,
    });
  }
  return project;
}

/** Every .sol file under `dir` (node_modules excluded), relative to `root`, sorted. */
export function findSolidityFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const childRel = path.posix.join(rel, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") walk(childRel);
      } else if (entry.isFile() && entry.name.endsWith(".sol")) {
        out.push(childRel);
      }
    }
  };
  walk(dir);
  return out.sort();
}

export function loadProject(root: string, dir = "contracts"): Project {
  return projectFromSources(
    findSolidityFiles(root, dir).map((p) => ({ path: p, source: readFileSync(path.join(root, p), "utf8") })),
  );
}

const SUPPRESS = /\/\/\s*detectors-disable-(next-line|line)\s+([\w\s,-]*?)(?:\s+--\s*(.*))?\s*$/;

interface Suppression {
  line: number;
  detectors: string[];
  reason: string;
}

/**
 * `// detectors-disable-line <detector>[, <detector>] -- <reason>` (same line) and
 * `// detectors-disable-next-line <detector>[, ...] -- <reason>` (the line below). A reason is required.
 */
function suppressionsOf(file: ParsedFile): { suppressions: Suppression[]; problems: Finding[] } {
  const suppressions: Suppression[] = [];
  const problems: Finding[] = [];
  file.lines.forEach((text, i) => {
    const m = SUPPRESS.exec(text);
    if (m === null) return;
    const line = i + 1;
    const detectors = (m[2] ?? "")
      .split(/[\s,]+/)
      .map((d) => d.trim())
      .filter((d) => d !== "");
    const reason = (m[3] ?? "").trim();
    const unknown = detectors.filter((d) => !DETECTORS.some((det) => det.name === d));
    if (detectors.length === 0 || unknown.length > 0 || reason === "") {
      problems.push({
        detector: "detectors",
        file: file.path,
        line,
        message:
          `malformed suppression${unknown.length > 0 ? ` (unknown detector ${unknown.join(", ")})` : ""}: ` +
          "write `// detectors-disable-next-line <detector> -- <reason>`",
      });
      return;
    }
    suppressions.push({ line: m[1] === "next-line" ? line + 1 : line, detectors, reason });
  });
  return { suppressions, problems };
}

/** Runs the detectors on every file of the project and applies suppression comments. */
export function runDetectors(project: Project, detectors: Detector[] = DETECTORS): Finding[] {
  const findings: Finding[] = [];
  for (const file of project.files) {
    const { suppressions, problems } = suppressionsOf(file);
    findings.push(...problems);
    const isMock = /(^|\/)contracts\/mocks\//.test(file.path);
    for (const det of detectors) {
      if (isMock && det.includeMocks !== true) continue;
      for (const f of det.run(file)) {
        if (suppressions.some((s) => s.line === f.line && s.detectors.includes(f.detector))) continue;
        findings.push(f);
      }
    }
  }
  return findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}  ${f.detector}  ${f.message}`;
}
