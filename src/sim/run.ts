/**
 * One simulation from start to report, shared by `npm start` (scripts/start.ts) and `heal simulate`
 * (tasks/simulate.ts): runs the engine with a progress display, writes the JSON and HTML reports, prints
 * the summary table, the targets and the report paths (or the summary as JSON with `--json`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

import { runSimulation, type SimConnection } from "./engine.js";
import { renderHtml } from "./html.js";
import { makeProgress } from "./progress.js";
import { buildReport, type Report } from "./report.js";
import type { Scenario } from "./scenario.js";

export interface SimulateOptions {
  scenario: Scenario;
  connection: SimConnection;
  outDir: string;
  json: boolean;
  /** Where the summary goes (stdout). */
  out?: NodeJS.WritableStream;
  /** Where progress goes (stderr). */
  progressStream?: NodeJS.WriteStream;
}

export interface SimulateResult {
  report: Report;
  jsonPath: string;
  htmlPath: string;
  /** 0 when every correctness target holds (wall time is reported, not enforced), else 1. */
  exitCode: number;
}

/** The `--json` summary: the report without the per-step timeline. */
export function summaryOf(report: Report): Omit<Report, "timeline"> {
  const { timeline: _timeline, ...summary } = report;
  void _timeline;
  return summary;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => pad(c, widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "─".repeat(w))), ...rows.map(line)].join("\n");
}

const s = (x: number | null) => (x === null ? "—" : `${x}`);

export function summaryText(report: Report, paths: { json: string; html: string }): string {
  const lines: string[] = [];
  lines.push("");
  lines.push(
    table(
      ["#", "fault", "validator", "injected", "detected", "healed", "detect s", "heal s", "action"],
      report.incidents.map((r) => [
        String(r.id),
        r.fault,
        r.node.length > 24 ? `${r.node.slice(0, 23)}…` : r.node,
        String(r.injectedAt),
        s(r.detectedAt),
        s(r.healedAt),
        s(r.timeToDetectS),
        s(r.timeToHealS),
        r.action.length > 90 ? `${r.action.slice(0, 89)}…` : r.action,
      ]),
    ),
  );
  lines.push("");
  lines.push(
    table(
      ["fault", "count", "detected", "healed", "detect median/p95 s", "heal median/p95 s"],
      Object.entries(report.byFault).map(([type, x]) => [
        type,
        String(x.count),
        String(x.detected),
        String(x.healed),
        `${s(x.timeToDetectS.median)} / ${s(x.timeToDetectS.p95)}`,
        `${s(x.timeToHealS.median)} / ${s(x.timeToHealS.p95)}`,
      ]),
    ),
  );
  lines.push("");
  lines.push(
    `false positives ${report.falsePositives} · live-quorum share ${(report.liveQuorumShare * 100).toFixed(1)} % · ` +
      `validators lost ${report.validatorsLost} · stake conserved ${report.stakeConserved ? "yes" : "NO"} · ` +
      `audit trail ${report.auditVerified === null ? "n/a" : report.auditVerified ? "verified" : "NOT verified"}`,
  );
  if (report.upgrade !== null) {
    const u = report.upgrade;
    lines.push(
      `upgrade during faults: ${u.contract} v${u.versionBefore} → v${u.versionAfter} at ${u.at} s, ` +
        `${u.activeFaults.length} fault(s) active, ${u.gas.toLocaleString("en-US")} gas, ` +
        (u.error !== null ? `FAILED: ${u.error}` : u.ok ? "nothing lost" : "SOMETHING CHANGED"),
    );
  }
  lines.push("");
  lines.push("targets:");
  for (const t of report.targets) {
    const mark = t.ok === null ? "–" : t.ok ? "✔" : "✘";
    lines.push(`  ${mark} ${t.name}: ${t.actual}  (target ${t.target})`);
  }
  lines.push("");
  lines.push(
    `wall time ${report.wallTimeS.toFixed(1)} s (setup ${report.setupWallTimeS.toFixed(1)} s), ${report.tx.count} transactions, ${report.tx.perSecond} tx/s`,
  );
  const phases = Object.entries(report.performance.phasesS)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
    .join(", ");
  const cached =
    report.performance.viewCalls === 0 ? 0 : report.performance.viewCacheHits / report.performance.viewCalls;
  lines.push(
    `where the time went: ${phases}; agents' view reads ${report.performance.viewCalls} (${(cached * 100).toFixed(0)} % from the cache)`,
  );
  lines.push(`reports: ${paths.html}`);
  lines.push(`         ${paths.json}`);
  return lines.join("\n") + "\n";
}

export async function simulate(options: SimulateOptions): Promise<SimulateResult> {
  const out = options.out ?? process.stdout;
  const progress = makeProgress(options.progressStream ?? process.stderr);
  const sc = options.scenario;
  progress.line(
    `healnet chaos simulation — scenario "${sc.name}", seed ${sc.seed}: ${sc.validators} validators, ${sc.backups} backups, ` +
      `guardians ${sc.guardians.threshold}-of-${sc.guardians.count}, ${sc.faults.length} faults, ${sc.duration} simulated seconds`,
  );
  const record = await runSimulation({
    scenario: sc,
    connection: options.connection,
    onPhase: (line) => progress.line(`· ${line}`),
    onProgress: (p) => progress.update(p),
  });
  progress.done();
  const report = buildReport(record);
  const dir = resolve(options.outDir);
  mkdirSync(dir, { recursive: true });
  const base = `simulation-${sc.name.replace(/[^A-Za-z0-9_-]+/g, "_")}-seed-${sc.seed.replace(/[^A-Za-z0-9_-]+/g, "_")}`;
  const jsonPath = join(dir, `${base}.json`);
  const htmlPath = join(dir, `${base}.html`);
  writeFileSync(jsonPath, JSON.stringify(report, null, 2) + "\n");
  writeFileSync(htmlPath, renderHtml(report));
  if (options.json) out.write(JSON.stringify(summaryOf(report), null, 2) + "\n");
  else out.write(summaryText(report, { json: jsonPath, html: htmlPath }));
  const failed = report.targets.filter((t) => t.ok === false && t.name !== "wall time");
  return { report, jsonPath, htmlPath, exitCode: failed.length === 0 ? 0 : 1 };
}
