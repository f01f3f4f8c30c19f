import { expect } from "chai";

import type { SimRecord, Segment } from "../../src/sim/engine.js";
import type { ChainIncident, ChainWatcher } from "../../src/sim/events.js";
import type { InjectedFault } from "../../src/sim/faults.js";
import { buildReport, percentile } from "../../src/sim/report.js";
import { resolveScenario } from "../../src/sim/scenario.js";

const START = 2_000_000_000;
const A = "0x00000000000000000000000000000000000000a1";
const B = "0x00000000000000000000000000000000000000b2";
const C = "0x00000000000000000000000000000000000000c3";
const KEEPER = "0x00000000000000000000000000000000000000ee";

function incident(
  id: number,
  validator: string,
  detectedAt: number,
  extra: Partial<ChainIncident> = {},
): ChainIncident {
  return {
    id,
    validator,
    kind: "downtime",
    reporter: KEEPER,
    faultAt: START + detectedAt - 30,
    detectedAt: START + detectedAt,
    replacedAt: START + detectedAt,
    replacement: C,
    slash: "pending",
    txs: [],
    ...extra,
  };
}

function fault(
  id: number,
  type: InjectedFault["type"],
  validator: string,
  at: number,
  duration: number,
): InjectedFault {
  return {
    id,
    type,
    at,
    duration,
    spec: { type },
    injectedAt: START + at,
    endsAt: START + at + duration,
    validators: [validator],
    nodes: [validator === A ? "v01" : "v02"],
  };
}

/** A hand-made record: A crashed at 100 s, B was fine all along; the chain opened incidents against both. */
function record(incidents: ChainIncident[], timeline: Map<string, Segment[]>): SimRecord {
  const watcher = {
    incidents: new Map(incidents.map((i) => [i.id, i])),
    degradations: [],
    recoveries: [],
    removals: [],
  } as unknown as ChainWatcher;
  return {
    scenario: resolveScenario({ validators: 7, duration: 600, faults: [{ type: "crash", at: 100 }] }),
    upgrade: null,
    start: START,
    end: START + 600,
    steps: 120,
    sameTimestamp: true,
    network: "embedded",
    chainParams: {
      heartbeatInterval: 30,
      gracePeriod: 30,
      blockTime: 5,
      maxHeightLag: 12,
      stallReports: 2,
      stallEscalationDelay: 300,
      appealWindow: 3_600,
      jailDuration: 600,
      minActive: 4,
      maxActive: 7,
      correlatedFaultBps: 3_300,
      uptimeWindowS: 3_000,
    },
    addresses: {},
    agents: { keepers: [KEEPER], orchestrator: C, treasury: C, guardians: [], threshold: 3 },
    nodes: [
      { label: "v01", validator: A, signer: A, stake: 1n, initialStatus: "active" },
      { label: "v02", validator: B, signer: B, stake: 1n, initialStatus: "active" },
    ],
    faults: [fault(1, "crash", A, 100, 300)],
    watcher,
    timeline,
    actions: [],
    agentEvents: [],
    driverOps: [],
    orchestrator: { available: true, ticks: 0, reports: 0, failures: 0 },
    snapshots: [],
    guardianActions: [],
    appeals: [],
    fraud: { honestBatches: 0, verified: 0, rollbacks: [], lies: new Map() },
    correlatedHealedAt: new Map(),
    agentFaultTimes: new Map(),
    quorum: { samples: 120, withQuorum: 120 },
    belowMinActiveS: 0,
    networkHaltedS: 0,
    finalActive: 7,
    chain: { txs: 10, gasUsed: 1n, blocks: 130, firstBlock: 1, lastBlock: 130 },
    stake: {
      conserved: true,
      deposited: 1n,
      bonded: 1n,
      unbonding: 0n,
      withdrawn: 0n,
      slashed: 0n,
      rewardsOwed: 0n,
      balanceMatches: true,
    },
    audit: { verified: true, entries: 1 },
    performance: { phaseMs: {}, viewCalls: 0, viewCacheHits: 0 },
    receipts: new Map(),
    wallTimeS: 1,
    setupWallTimeS: 0.1,
  };
}

describe("Simulation report", function () {
  const timeline = new Map<string, Segment[]>([
    [
      A,
      [
        { from: 0, to: 100, status: "active", condition: "ok" },
        { from: 100, to: 400, status: "active", condition: "crashed" },
      ],
    ],
    [B, [{ from: 0, to: 600, status: "active", condition: "ok" }]],
  ]);

  it("counts a downtime slash of a node that was running all along as a false positive, not one of a crashed node", function () {
    const report = buildReport(record([incident(1, A, 160), incident(2, B, 300)], timeline));
    expect(report.falsePositives).to.equal(1);
    expect(report.falsePositiveDetails[0]).to.include({ chainIncident: 2, node: "v02", kind: "downtime" });
    expect(report.targets.find((t) => t.name === "false positives")?.ok).to.equal(false);
  });

  it("counts a live node slashed and then restarted in the same step as a false positive (the restart is no excuse)", function () {
    // B was slow (a latency spike, heartbeats inside the grace period) but running until the chain opened the
    // incident at t=300; the orchestrator then restarted the jailed node, from t=300.
    const restarted = new Map<string, Segment[]>([
      ...timeline,
      [
        B,
        [
          { from: 0, to: 240, status: "active", condition: "ok" },
          { from: 240, to: 300, status: "active", condition: "slow" },
          { from: 300, to: 320, status: "jailed", condition: "restarting" },
          { from: 320, to: 600, status: "jailed", condition: "ok" },
        ],
      ],
    ]);
    const report = buildReport(record([incident(1, A, 160), incident(2, B, 300)], restarted));
    expect(report.falsePositiveDetails.map((x) => x.chainIncident)).to.deep.equal([2]);
    expect(report.targets.find((t) => t.name === "false positives")?.ok).to.equal(false);
  });

  it("takes detection and heal times from the chain's incident, relative to the start", function () {
    const report = buildReport(record([incident(1, A, 160)], timeline));
    const row = report.incidents[0]!;
    expect(row).to.include({ fault: "crash", injectedAt: 100, detectedAt: 160, healedAt: 160 });
    expect(row).to.include({ timeToDetectS: 60, timeToHealS: 60, withinTarget: true });
    expect(report.byFault.crash?.timeToHealS).to.deep.equal({ median: 60, p95: 60 });
  });

  it("misses the crash target when the replacement came later than interval + grace + one block", function () {
    const report = buildReport(record([incident(1, A, 170)], timeline));
    expect(report.incidents[0]!.withinTarget).to.equal(false);
    expect(report.targets.find((t) => t.name === "crash replaced in time")?.ok).to.equal(false);
  });

  it("computes nearest-rank percentiles", function () {
    expect(percentile([], 0.5)).to.equal(null);
    expect(percentile([5, 1, 3], 0.5)).to.equal(3);
    expect(
      percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 100], 0.95),
    ).to.equal(19);
  });
});
