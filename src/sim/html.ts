/**
 * The HTML report: one self-contained file (inline CSS and SVG, no script, no external asset) that opens
 * offline. Sections: summary (targets and headline figures), timeline (one row per validator, coloured by
 * its on-chain status with its node's condition inside, fault and incident markers), time to detect and to
 * heal per fault type, the incident table (with the remediation rung taken), the guardian council's actions,
 * appeals, snapshots and the state commitment chain (batches, rollbacks).
 */
import type { Report } from "./report.js";

const STATUS_COLORS: Record<string, string> = {
  active: "#2f9e44",
  backup: "#a5d8ff",
  parked: "#ced4da",
  jailed: "#868e96",
  tombstoned: "#212529",
  exited: "#f1f3f5",
  none: "#ffffff",
};

const CONDITION_COLORS: Record<string, string> = {
  crashed: "#e03131",
  outage: "#862e9c",
  restarting: "#1c7ed6",
  stalled: "#f76707",
  partitioned: "#ae3ec9",
  flapping: "#fab005",
  slow: "#ffd43b",
  equivocated: "#000000",
};

const FAULT_COLORS: Record<string, string> = {
  crash: "#e03131",
  stall: "#f76707",
  flap: "#fab005",
  latency: "#e8b400",
  partition: "#ae3ec9",
  "correlated-outage": "#862e9c",
  "double-sign": "#000000",
  "keeper-crash": "#495057",
  "rpc-outage": "#1c7ed6",
  "sentinel-outage": "#7048e8",
  "byzantine-proposer": "#c2255c",
};

function esc(text: unknown): string {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

function clock(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return `${m}:${String(s).padStart(2, "0")}`;
}

function secs(x: number | null): string {
  return x === null ? "—" : `${x} s`;
}

function timelineSvg(report: Report): string {
  const rows = report.timeline;
  const duration = report.scenario.duration;
  const left = 54;
  const right = 16;
  const top = 58;
  const rowH = 14;
  const width = 1100;
  const plotW = width - left - right;
  const agentFaults = report.incidents.filter((r) => r.fault === "keeper-crash" || r.fault === "rpc-outage");
  const keepers = report.agents.keepers.map((k) => k.name);
  const keeperTop = top + rows.length * rowH + 8;
  const height = keeperTop + keepers.length * rowH + 28;
  const x = (t: number) => left + (Math.min(Math.max(t, 0), duration) / duration) * plotW;
  const parts: string[] = [];
  parts.push(
    `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="Validator timeline">`,
  );
  // Time axis.
  const tick = duration > 3 * 3_600 ? 1_800 : duration > 1_200 ? 300 : duration > 300 ? 60 : 30;
  for (let t = 0; t <= duration; t += tick) {
    parts.push(
      `<line x1="${x(t)}" y1="${top - 4}" x2="${x(t)}" y2="${keeperTop + keepers.length * rowH}" stroke="#e9ecef"/>`,
      `<text x="${x(t)}" y="${height - 10}" class="axis" text-anchor="middle">${clock(t)}</text>`,
    );
  }
  rows.forEach((row, i) => {
    const y = top + i * rowH;
    parts.push(
      `<text x="${left - 6}" y="${y + rowH - 3}" class="label" text-anchor="end">${esc(row.node)}</text>`,
    );
    parts.push(`<g class="row" data-node="${esc(row.node)}">`);
    for (const [from, to, status, condition] of row.segments) {
      const w = Math.max(0.5, x(to) - x(from));
      parts.push(
        `<rect class="seg" x="${x(from).toFixed(1)}" y="${y + 1}" width="${w.toFixed(1)}" height="${rowH - 2}" fill="${STATUS_COLORS[status] ?? "#fff"}"><title>${esc(row.node)} ${clock(from)}–${clock(to)}: ${esc(status)}, node ${esc(condition)}</title></rect>`,
      );
      if (condition !== "ok")
        parts.push(
          `<rect x="${x(from).toFixed(1)}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${CONDITION_COLORS[condition] ?? "#000"}"><title>${esc(row.node)} ${clock(from)}–${clock(to)}: node ${esc(condition)}</title></rect>`,
        );
    }
    parts.push(`</g>`);
  });
  // Keepers: up, crashed or cut off from their RPC.
  keepers.forEach((name, i) => {
    const y = keeperTop + i * rowH;
    parts.push(
      `<text x="${left - 6}" y="${y + rowH - 3}" class="label" text-anchor="end">${esc(name)}</text>`,
    );
    parts.push(
      `<rect class="agent" x="${x(0)}" y="${y + 1}" width="${plotW}" height="${rowH - 2}" fill="#dee2e6"><title>${esc(name)}: up</title></rect>`,
    );
    for (const f of agentFaults.filter((r) => r.node === name)) {
      parts.push(
        `<rect class="agent" x="${x(f.injectedAt)}" y="${y + 1}" width="${Math.max(1, x(f.endsAt) - x(f.injectedAt))}" height="${rowH - 2}" fill="${FAULT_COLORS[f.fault] ?? "#000"}"><title>${esc(name)}: ${esc(f.fault)} ${clock(f.injectedAt)}–${clock(f.endsAt)}</title></rect>`,
      );
    }
  });
  // Faults: a dashed line at injection, labelled with the fault's id (labels on three levels, so they don't collide).
  const seen = new Set<number>();
  let level = 0;
  for (const inc of report.incidents) {
    if (seen.has(inc.id)) continue;
    seen.add(inc.id);
    const color = FAULT_COLORS[inc.fault] ?? "#000";
    const ly = top - 8 - (level % 3) * 14;
    level++;
    parts.push(
      `<line x1="${x(inc.injectedAt)}" y1="${ly + 2}" x2="${x(inc.injectedAt)}" y2="${keeperTop + keepers.length * rowH}" stroke="${color}" stroke-dasharray="3,3" opacity="0.7"><title>#${inc.id} ${esc(inc.fault)} at ${clock(inc.injectedAt)}</title></line>`,
      `<text x="${x(inc.injectedAt) + 2}" y="${ly}" class="fault" fill="${color}">#${inc.id} ${esc(inc.fault)}</text>`,
    );
  }
  // Detection (▼) and heal (●) on the victim's row.
  for (const inc of report.incidents) {
    const nodes = inc.node.split(" ");
    for (const node of nodes) {
      const i = rows.findIndex((r) => r.node === node);
      if (i < 0) continue;
      const y = top + i * rowH + rowH / 2;
      if (inc.detectedAt !== null)
        parts.push(
          `<path class="detect" d="M${x(inc.detectedAt) - 4},${y - 6} h8 l-4,6 z" fill="#fff" stroke="#000"><title>#${inc.id} detected at ${clock(inc.detectedAt)} (${secs(inc.timeToDetectS)})</title></path>`,
        );
      if (inc.healedAt !== null)
        parts.push(
          `<circle class="heal" cx="${x(inc.healedAt)}" cy="${y}" r="3.5" fill="#fff" stroke="#2b8a3e" stroke-width="2"><title>#${inc.id} healed at ${clock(inc.healedAt)} (${secs(inc.timeToHealS)})</title></circle>`,
        );
    }
  }
  parts.push(`</svg>`);
  return parts.join("\n");
}

function distributionSvg(report: Report): string {
  const types = Object.keys(report.byFault);
  const rowsWithTimes = report.incidents.filter((r) => r.timeToHealS !== null || r.timeToDetectS !== null);
  const max = Math.max(60, ...rowsWithTimes.map((r) => Math.max(r.timeToHealS ?? 0, r.timeToDetectS ?? 0)));
  const left = 140;
  const width = 900;
  const rowH = 30;
  const top = 16;
  const height = top + types.length * rowH + 34;
  const plotW = width - left - 20;
  const x = (s: number) => left + (s / max) * plotW;
  const parts: string[] = [
    `<svg id="distributions" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="Time to detect and to heal per fault type">`,
  ];
  const step = max > 1_200 ? 300 : max > 300 ? 60 : max > 120 ? 30 : 10;
  for (let s = 0; s <= max; s += step)
    parts.push(
      `<line x1="${x(s)}" y1="${top}" x2="${x(s)}" y2="${top + types.length * rowH}" stroke="#e9ecef"/>`,
      `<text x="${x(s)}" y="${height - 16}" class="axis" text-anchor="middle">${s} s</text>`,
    );
  const window = report.params.heartbeatInterval + report.params.gracePeriod + report.params.blockTime;
  parts.push(
    `<line x1="${x(window)}" y1="${top}" x2="${x(window)}" y2="${top + types.length * rowH}" stroke="#e03131" stroke-dasharray="4,3"><title>crash target: ${window} s</title></line>`,
  );
  types.forEach((type, i) => {
    const y = top + i * rowH + rowH / 2;
    const stats = report.byFault[type as keyof Report["byFault"]]!;
    parts.push(
      `<text x="${left - 8}" y="${y + 4}" class="label" text-anchor="end">${esc(type)} (${stats.count})</text>`,
    );
    for (const r of report.incidents.filter((x) => x.fault === type)) {
      if (r.timeToDetectS !== null)
        parts.push(
          `<circle cx="${x(r.timeToDetectS)}" cy="${y - 5}" r="4" fill="none" stroke="#1c7ed6" stroke-width="2"><title>#${r.id} ${esc(r.node)}: detected after ${r.timeToDetectS} s</title></circle>`,
        );
      if (r.timeToHealS !== null)
        parts.push(
          `<circle cx="${x(r.timeToHealS)}" cy="${y + 5}" r="4" fill="#2b8a3e"><title>#${r.id} ${esc(r.node)}: healed after ${r.timeToHealS} s</title></circle>`,
        );
    }
    if (stats.timeToHealS.median !== null)
      parts.push(
        `<line x1="${x(stats.timeToHealS.median)}" y1="${y - 11}" x2="${x(stats.timeToHealS.median)}" y2="${y + 11}" stroke="#2b8a3e" stroke-width="2"><title>median time to heal ${stats.timeToHealS.median} s, p95 ${stats.timeToHealS.p95} s</title></line>`,
      );
  });
  parts.push(
    `<circle cx="${left}" cy="${height - 4}" r="4" fill="none" stroke="#1c7ed6" stroke-width="2"/><text x="${left + 8}" y="${height - 1}" class="axis">time to detect</text>`,
    `<circle cx="${left + 110}" cy="${height - 4}" r="4" fill="#2b8a3e"/><text x="${left + 118}" y="${height - 1}" class="axis">time to heal (bar: median)</text>`,
    `<line x1="${left + 300}" y1="${height - 4}" x2="${left + 320}" y2="${height - 4}" stroke="#e03131" stroke-dasharray="4,3"/><text x="${left + 326}" y="${height - 1}" class="axis">crash target</text>`,
  );
  parts.push(`</svg>`);
  return parts.join("\n");
}

function legend(): string {
  const item = (color: string, text: string, inner = false) =>
    `<span class="key"><svg width="22" height="12"><rect x="0" y="${inner ? 3 : 0}" width="22" height="${inner ? 6 : 12}" fill="${color}" stroke="#adb5bd" stroke-width="0.5"/></svg>${esc(text)}</span>`;
  return (
    `<div class="legend"><b>on-chain status</b> ` +
    Object.entries(STATUS_COLORS)
      .filter(([k]) => k !== "none")
      .map(([k, c]) => item(c, k))
      .join("") +
    `<br><b>node (ground truth)</b> ` +
    Object.entries(CONDITION_COLORS)
      .map(([k, c]) => item(c, k, true))
      .join("") +
    `<br><b>markers</b> <span class="key">▽ detected on-chain</span><span class="key">◯ healed on-chain</span><span class="key">┆ fault injected</span></div>`
  );
}

export function renderHtml(report: Report): string {
  const ok = (v: boolean | null) =>
    v === null
      ? `<span class="na">n/a</span>`
      : v
        ? `<span class="ok">✔</span>`
        : `<span class="bad">✘</span>`;
  const targets = report.targets
    .map(
      (t) =>
        `<tr><td>${ok(t.ok)}</td><td>${esc(t.name)}</td><td>${esc(t.target)}</td><td>${esc(t.actual)}</td></tr>`,
    )
    .join("\n");
  const figures: [string, string][] = [
    ["false positives", String(report.falsePositives)],
    ["live-quorum share", `${(report.liveQuorumShare * 100).toFixed(1)} %`],
    ["stake conserved", report.stakeConserved ? "yes" : "NO"],
    [
      "audit trail verified",
      report.auditVerified === null ? "n/a" : report.auditVerified ? `yes (${report.auditEntries})` : "NO",
    ],
    ["validators lost", String(report.validatorsLost)],
    ["guardian actions executed", String(report.guardianActions.filter((x) => x.executedAt !== null).length)],
    ["state rollbacks", String(report.stateCommitments.rollbacks.length)],
    ["chain halted", `${report.chainHaltS} s`],
    ["wall time", `${report.wallTimeS.toFixed(1)} s`],
    ["transactions", `${report.tx.count} (${report.tx.perSecond} tx/s)`],
  ];
  const byFault = Object.entries(report.byFault)
    .map(
      ([type, s]) =>
        `<tr><td>${esc(type)}</td><td>${s.count}</td><td>${s.detected}</td><td>${s.healed}</td><td>${secs(s.timeToDetectS.median)}</td><td>${secs(s.timeToDetectS.p95)}</td><td>${secs(s.timeToHealS.median)}</td><td>${secs(s.timeToHealS.p95)}</td></tr>`,
    )
    .join("\n");
  const incidents = report.incidents
    .map(
      (r) =>
        `<tr><td>#${r.id}</td><td>${esc(r.fault)}</td><td title="${esc(r.validator)}">${esc(r.node)}</td><td>${clock(r.injectedAt)}</td><td>${r.detectedAt === null ? "—" : clock(r.detectedAt)}</td><td>${r.healedAt === null ? "—" : clock(r.healedAt)}</td><td>${secs(r.timeToDetectS)}</td><td>${secs(r.timeToHealS)}</td><td>${r.rung === null ? "—" : esc(r.rung)}</td><td>${esc(r.action)}</td><td>${r.gas > 0 ? r.gas.toLocaleString("en-US") : "—"}</td><td>${esc([...r.gasPaidBy.map((g) => `gas: ${g}`), r.paidBy ? `slash: ${r.paidBy}` : "", ...r.paidTo].filter(Boolean).join("; ")) || "—"}</td></tr>`,
    )
    .join("\n");
  const guardianRows = report.guardianActions
    .map(
      (a) =>
        `<tr><td>${a.proposalId || "—"}</td><td>${esc(a.type)}</td><td>#${a.faultId}</td><td>${esc(a.reason)}</td><td>${clock(a.triggeredAt)}</td><td>${clock(a.proposedAt)}</td><td>${a.approvals}</td><td>${a.executedAt === null ? esc(a.error ?? "not executed") : clock(a.executedAt)}</td><td>${secs(a.timeToExecuteS)}</td><td>${a.gas.toLocaleString("en-US")}</td></tr>`,
    )
    .join("\n");
  const appealRows = report.appeals
    .map(
      (a) =>
        `<tr><td>#${a.incidentId}</td><td title="${esc(a.validator)}">${esc(a.node)}</td><td>${clock(a.at)}</td><td>${a.ok ? "slash cancelled" : esc(a.error ?? "refused")}</td></tr>`,
    )
    .join("\n");
  const snapshotRows = report.snapshots
    .map(
      (x) =>
        `<tr><td>${x.id}</td><td>${x.height}</td><td><code>${esc(x.cid)}</code></td><td>${clock(x.proposedAt)}</td><td>${x.finalizedAt === null ? "—" : clock(x.finalizedAt)}</td></tr>`,
    )
    .join("\n");
  const up = report.upgrade;
  const upgradeSection =
    up === null
      ? `<p class="na">no upgrade in this run</p>`
      : `<p>${esc(up.contract)} (<code>${esc(up.proxy)}</code>) upgraded through its ProxyAdmin to <code>${esc(up.implementation || "—")}</code> at ${clock(up.at)}, version ${up.versionBefore} → ${up.versionAfter}, with ${up.activeFaults.length} fault(s) active (${up.activeFaults.map((f) => `#${f}`).join(", ") || "none"}), ${up.gas.toLocaleString("en-US")} gas${up.error === null ? "" : ` — failed: ${esc(up.error)}`}.</p>
<table id="upgrade-checks"><thead><tr><th></th><th>kept across the upgrade</th><th>detail</th></tr></thead>
<tbody>
${up.checks.map((c) => `<tr><td>${c.ok ? "✔" : "✘"}</td><td>${esc(c.name)}</td><td>${esc(c.detail)}</td></tr>`).join("\n")}
</tbody></table>`;
  const sc = report.stateCommitments;
  const p = report.params;
  const s = report.scenario;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>healnet chaos simulation — ${esc(s.name)} (seed ${esc(s.seed)})</title>
<style>
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1180px; color: #212529; padding: 0 16px; }
  h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #dee2e6; padding-bottom: 4px; }
  .sub { color: #495057; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e9ecef; vertical-align: top; }
  th { background: #f8f9fa; }
  .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 10px; margin: 12px 0; }
  .card { border: 1px solid #dee2e6; border-radius: 8px; padding: 8px 12px; background: #f8f9fa; }
  .card .v { font-size: 20px; font-weight: 600; } .card .k { color: #495057; font-size: 12px; }
  .ok { color: #2b8a3e; font-weight: 700; } .bad { color: #c92a2a; font-weight: 700; } .na { color: #868e96; }
  svg text.axis { font-size: 10px; fill: #495057; } svg text.label { font-size: 10px; fill: #212529; }
  svg text.fault { font-size: 10px; font-weight: 600; }
  .legend { font-size: 12px; margin: 6px 0 12px; } .key { display: inline-flex; align-items: center; gap: 4px; margin-right: 12px; }
  code { background: #f1f3f5; padding: 0 3px; border-radius: 3px; }
</style>
</head>
<body>
<h1>healnet chaos simulation</h1>
<div class="sub">scenario <b>${esc(s.name)}</b>, seed <code>${esc(s.seed)}</code>: ${s.validators} validators (${s.activeSeats} active seats), ${s.backups} backups, guardians ${esc(s.guardians)}, ${s.keepers} keepers, ${s.faults} faults over ${clock(s.duration)} simulated (${s.duration} s) on the ${esc(report.network)} network.
heartbeatInterval ${p.heartbeatInterval} s, gracePeriod ${p.gracePeriod} s, block ${p.blockTime} s, maxHeightLag ${p.maxHeightLag} blocks × ${p.stallReports} reports, stall escalation ${p.stallEscalationDelay} s, appeal window ${p.appealWindow} s.</div>

<section id="summary">
<h2>Summary</h2>
<div class="cards">
${figures.map(([k, v]) => `<div class="card"><div class="v">${esc(v)}</div><div class="k">${esc(k)}</div></div>`).join("\n")}
</div>
<table id="targets"><thead><tr><th></th><th>target</th><th>wanted</th><th>measured</th></tr></thead>
<tbody>
${targets}
</tbody></table>
</section>

<section>
<h2>Timeline</h2>
${legend()}
${timelineSvg(report)}
</section>

<section>
<h2>Time to detect and to heal</h2>
${distributionSvg(report)}
<table id="by-fault"><thead><tr><th>fault</th><th>count</th><th>detected</th><th>healed</th><th>detect median</th><th>detect p95</th><th>heal median</th><th>heal p95</th></tr></thead>
<tbody>
${byFault}
</tbody></table>
</section>

<section>
<h2>Incidents</h2>
<table id="incidents"><thead><tr><th>id</th><th>fault</th><th>validator</th><th>injected</th><th>detected</th><th>healed</th><th>to detect</th><th>to heal</th><th>rung</th><th>action</th><th>gas</th><th>who paid / was paid</th></tr></thead>
<tbody>
${incidents}
</tbody></table>
<p class="sub">Times are simulated minutes:seconds after the start; detection and heal times are read from on-chain events. False positives: ${report.falsePositives}${report.falsePositiveDetails.map((f) => ` — #${f.chainIncident} ${esc(f.node)} ${esc(f.kind)} at ${clock(f.at)}: ${esc(f.why)}`).join("")}.</p>
</section>

<section id="upgrade">
<h2>Upgrade during faults</h2>
${upgradeSection}
</section>

<section id="guardians">
<h2>Guardian actions</h2>
<table id="guardian-actions"><thead><tr><th>proposal</th><th>type</th><th>fault</th><th>why</th><th>triggered</th><th>proposed</th><th>approvals</th><th>executed</th><th>time to execute</th><th>gas</th></tr></thead>
<tbody>
${guardianRows || `<tr><td colspan="10" class="na">no guardian action in this run</td></tr>`}
</tbody></table>
<h3>Appeals</h3>
<table id="appeals"><thead><tr><th>incident</th><th>validator</th><th>at</th><th>outcome</th></tr></thead>
<tbody>
${appealRows || `<tr><td colspan="4" class="na">no wrongly accused validator: nothing to appeal</td></tr>`}
</tbody></table>
</section>

<section id="snapshots">
<h2>Snapshots</h2>
<p class="sub">Proposed every 10 simulated minutes, attested by ${esc(s.guardians.split("-of-")[0])} guardians, final after the registry's window; a resync restores the latest final one (its file is checked against the registry's hash).</p>
<table id="snapshot-list"><thead><tr><th>id</th><th>height</th><th>cid</th><th>proposed</th><th>final</th></tr></thead>
<tbody>
${snapshotRows || `<tr><td colspan="5" class="na">no snapshot</td></tr>`}
</tbody></table>
</section>

<section id="state-commitments">
<h2>State commitments</h2>
<p>Honest batches posted: <b>${sc.honestBatches}</b>; batches verified by the watcher: <b>${sc.verified}</b>; rollbacks: <b>${sc.rollbacks.length}</b>${sc.rollbacks.map((x) => ` — from commitment ${x.fromCommitmentId} at ${clock(x.at)}`).join("")}.</p>
</section>
</body>
</html>
`;
}
