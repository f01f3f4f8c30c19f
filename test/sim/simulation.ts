import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";

import { renderHtml } from "../../src/sim/html.js";
import { deterministicView, type Report } from "../../src/sim/report.js";

import { runShort, SHORT_SCENARIO } from "./short-scenario.js";

describe("Chaos simulation (short scenario)", function () {
  this.timeout(180_000);
  let report: Report;

  before(async function () {
    report = await runShort();
  });

  it("replaces the crashed validator within heartbeatInterval + gracePeriod + one block of the fault", function () {
    const { heartbeatInterval, gracePeriod, blockTime } = report.params;
    const crash = report.incidents.find((r) => r.fault === "crash");
    expect(crash, "crash incident").to.not.equal(undefined);
    expect(crash!.detectedAt, "detected").to.not.equal(null);
    expect(crash!.healedAt, "healed").to.not.equal(null);
    expect(crash!.timeToHealS).to.be.at.most(heartbeatInterval + gracePeriod + blockTime);
    expect(crash!.chainIncidents).to.have.length(1);
    expect(crash!.gas).to.be.greaterThan(0);
    expect(report.targets.find((t) => t.name === "crash replaced in time")?.ok).to.equal(true);
  });

  it("heals the corrupted stall through the orchestrator (restart fails, resync from a final snapshot) without a slash", function () {
    const stall = report.incidents.find((r) => r.fault === "stall");
    expect(stall!.detectedAt).to.not.equal(null);
    expect(stall!.healedAt).to.not.equal(null);
    expect(stall!.action).to.match(/remediation requested/);
    expect(stall!.action).to.match(/driver: restart → resync/);
    expect(stall!.action).to.match(/resolved on-chain/);
    expect(stall!.rung).to.equal("resync");
    const ops = report.agents.orchestrator.driverOps.map((o) => o.op);
    expect(ops).to.include("restart");
    expect(ops).to.include("resync");
    expect(stall!.slashed).to.equal(null);
    // The resync restored a snapshot the guardians attested and the registry finalized before it.
    const resync = report.agents.orchestrator.driverOps.find((o) => o.op === "resync")!;
    expect(report.snapshots.some((x) => x.finalizedAt !== null && x.finalizedAt <= resync.at)).to.equal(true);
  });

  it("drops the silent sentinels, alerts the guardians and resyncs only from the live one", function () {
    const row = report.incidents.find((r) => r.fault === "sentinel-outage")!;
    expect(row.node.split(" ")).to.have.length(2);
    expect(row.detectedAt, "dropped").to.not.equal(null);
    // Dropped once Overdue (heartbeatInterval + gracePeriod after the last heartbeat), at the next sweep.
    expect(row.timeToDetectS).to.be.at.most(30 + 30 + 30 + 15);
    expect(row.action).to.match(/dropped from the served list/);
    expect(row.action).to.match(/SentinelPoolDegraded \(served 1 < minSentinels 2\): guardians alerted/);
    expect(row.action).to.match(/1 resync\(s\) during the outage from s\d \(only live sentinels\)/);
    const live = /from (s\d)/.exec(row.action)![1]!;
    expect(row.node.split(" ")).to.not.include(live);
    expect(row.healedAt, "served again after the outage").to.not.equal(null);
    expect(report.targets.find((t) => t.name === "resync only from live sentinels")?.ok).to.equal(true);
  });

  it("rolls back the byzantine proposer's lie inside the challenge window", function () {
    const lie = report.incidents.find((r) => r.fault === "byzantine-proposer")!;
    expect(lie.rung).to.equal("rollback");
    expect(lie.detectedAt).to.not.equal(null);
    expect(lie.healedAt).to.not.equal(null);
    expect(lie.timeToDetectS).to.be.at.most(lie.timeToHealS!);
    expect(lie.timeToHealS).to.be.lessThan(3_600);
    expect(lie.action).to.match(/^rollback: /);
    expect(lie.gas).to.be.greaterThan(0);
    expect(report.stateCommitments.rollbacks).to.have.length(1);
    expect(report.stateCommitments.honestBatches).to.be.greaterThan(2);
    expect(report.targets.find((t) => t.name === "byzantine proposer rolled back")?.ok).to.equal(true);
  });

  it("has the guardians pause slashing on the correlated outage (propose, approveBySig, execute), nobody slashed", function () {
    const outage = report.incidents.find((r) => r.fault === "correlated-outage")!;
    expect(outage.detectedAt).to.not.equal(null);
    expect(report.slashedDuringHalt).to.equal(0);
    const pause = report.guardianActions.find((a) => a.faultId === outage.id)!;
    expect(pause.type).to.equal("Pause");
    expect(pause.proposalId).to.be.greaterThan(0);
    expect(pause.approvals).to.be.at.least(3);
    expect(pause.executedAt).to.not.equal(null);
    expect(pause.timeToExecuteS).to.be.at.least(0);
    expect(outage.rung).to.equal("guardian-pause");
    expect(report.appeals).to.deep.equal([]);
  });

  it("upgrades NodeHealth through its ProxyAdmin mid-run while faults are active, and loses nothing", function () {
    const u = report.upgrade!;
    expect(u, "upgrade").to.not.equal(null);
    expect(u.error).to.equal(null);
    expect(u.contract).to.equal("NodeHealth");
    expect(u.activeFaults.length, "faults active at the upgrade").to.be.greaterThan(0);
    expect(u.at).to.be.at.least(SHORT_SCENARIO.duration / 2);
    expect([u.versionBefore, u.versionAfter]).to.deep.equal([1, 2]);
    expect(u.gas).to.be.greaterThan(0);
    const names = u.checks.map((c) => c.name);
    for (const kept of [
      "incidents and pending slashes preserved",
      "audit log kept",
      "stakes unchanged by the upgrade",
      "versions increase without skipped migrations",
    ]) {
      expect(names).to.include(kept);
    }
    expect(u.checks.filter((c) => !c.ok)).to.deep.equal([]);
    expect(u.ok).to.equal(true);
    expect(report.targets.find((t) => t.name === "upgrade during faults: nothing lost")?.ok).to.equal(true);
  });

  it("tolerates flapping and latency spikes: no incident, zero false positives", function () {
    for (const fault of ["flap", "latency"]) {
      const row = report.incidents.find((r) => r.fault === fault)!;
      expect(row.detectedAt, fault).to.equal(null);
      expect(row.chainIncidents, fault).to.deep.equal([]);
    }
    expect(report.falsePositives).to.equal(0);
    expect(report.falsePositiveDetails).to.deep.equal([]);
  });

  it("conserves stake, verifies the audit trail and keeps a live quorum most of the time", function () {
    expect(report.stakeConserved).to.equal(true);
    expect(report.auditVerified).to.equal(true);
    expect(report.auditEntries).to.be.greaterThan(0);
    expect(report.liveQuorumShare).to.be.greaterThan(0.9);
    expect(report.validatorsLost).to.equal(0);
    expect(report.finalActive).to.equal(7);
  });

  it("reads detection and heal times from the chain (they match the chain's incidents)", function () {
    const crash = report.incidents.find((r) => r.fault === "crash")!;
    const chain = report.chainIncidents.find((c) => c.id === crash.chainIncidents[0])!;
    expect(chain.kind).to.equal("downtime");
    expect(crash.detectedAt).to.equal(chain.detectedAt);
    expect(crash.healedAt).to.equal(chain.replacedAt);
  });

  it("gives the same incidents and figures for the same seed", async function () {
    const again = await runShort();
    expect(JSON.stringify(again.incidents)).to.equal(JSON.stringify(report.incidents));
    expect(deterministicView(again)).to.deep.equal(deterministicView(report));
  });

  describe("HTML report", function () {
    it("renders the timeline and the summary in headless Chromium (screenshot under reports/)", async function () {
      const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
      if (!existsSync(executablePath)) this.skip(); // .ci/run installs Debian's chromium
      const dir = join(process.cwd(), "reports");
      mkdirSync(dir, { recursive: true });
      const htmlPath = join(dir, "test-simulation-short.html");
      writeFileSync(htmlPath, renderHtml(report));
      const { chromium } = await import("playwright-core");
      const browser = await chromium.launch({
        executablePath,
        args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"],
        timeout: 30_000,
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const requests: string[] = [];
        page.on("request", (r) => {
          if (!r.url().startsWith("file:")) requests.push(r.url());
        });
        await page.goto(`file://${htmlPath}`, { timeout: 30_000 });
        // Timeline: one row per validator, coloured segments, markers.
        const rows = await page.locator("#timeline g.row").count();
        expect(rows).to.equal(report.timeline.length);
        expect(await page.locator("#timeline rect.seg").count()).to.be.greaterThan(rows - 1);
        expect(await page.locator("#timeline .detect").count()).to.be.greaterThan(0);
        const box = await page.locator("#timeline").boundingBox();
        expect(box?.width ?? 0).to.be.greaterThan(600);
        expect(box?.height ?? 0).to.be.greaterThan(100);
        // Summary: the headline figures and the targets table.
        const summary = await page.locator("#summary").innerText();
        expect(summary).to.match(/false positives/);
        expect(summary).to.match(/crash replaced in time/);
        expect(await page.locator("#targets tbody tr").count()).to.equal(report.targets.length);
        expect(await page.locator("#incidents tbody tr").count()).to.equal(report.incidents.length);
        expect(await page.locator("#distributions circle").count()).to.be.greaterThan(0);
        // Guardian actions, snapshots and state commitments.
        expect(await page.locator("#guardian-actions tbody tr").count()).to.equal(
          report.guardianActions.length,
        );
        expect(await page.locator("#guardian-actions tbody").innerText()).to.match(/Pause/);
        expect(await page.locator("#snapshot-list tbody tr").count()).to.equal(report.snapshots.length);
        expect(await page.locator("#state-commitments").innerText()).to.match(/rollbacks: 1/);
        expect(await page.locator("#incidents tbody").innerText()).to.match(/resync/);
        expect(requests, "no external asset").to.deep.equal([]);
        await page.screenshot({ path: join(dir, "simulation-report.png"), fullPage: true });
        expect(existsSync(join(dir, "simulation-report.png"))).to.equal(true);
      } finally {
        await browser.close();
      }
    });
  });
});
