/**
 * ops/ stays in step with the agents: every healnet_* metric that the Grafana dashboard or the alert rules
 * query is registered by one of the agents (keeper, sidecar, orchestrator, and what every agent has).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";

import { runAgent } from "../../src/agents/common/lifecycle.js";
import { Registry, registerRpcMetrics } from "../../src/agents/common/metrics.js";
import { registerKeeperMetrics } from "../../src/agents/keeper/metrics.js";
import { HeartbeatQueue, registerRelayMetrics } from "../../src/agents/keeper/relay.js";
import { REORG_KINDS, registerOrchestratorMetrics } from "../../src/agents/orchestrator/metrics.js";
import { registerSidecarMetrics } from "../../src/agents/sidecar/metrics.js";
import { FailoverProvider } from "../../src/chain/rpc.js";
import { ROOT } from "../helpers/agents.js";

/** Every metric family the agents expose (histograms with their _bucket/_sum/_count series). */
async function exposedMetrics(): Promise<Set<string>> {
  const registry = new Registry();
  registerKeeperMetrics(registry);
  registerRelayMetrics(registry, new HeartbeatQueue(1));
  registerSidecarMetrics(registry);
  registerOrchestratorMetrics(registry);
  const provider = new FailoverProvider({ urls: ["http://127.0.0.1:1"], chainId: 31337n });
  registerRpcMetrics(registry, provider);
  provider.destroy();
  // runAgent registers the healnet_agent_* metrics; stopped before its first tick.
  const stop = new AbortController();
  stop.abort();
  await runAgent({
    intervalMs: 1,
    tick: async () => {},
    metrics: registry,
    signals: [],
    stopSignal: stop.signal,
  });
  const names = new Set<string>();
  for (const line of registry.render().split("\n")) {
    const m = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (!m) continue;
    names.add(m[1]!);
    if (m[2] === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(m[1]! + s);
  }
  return names;
}

function queried(text: string): string[] {
  return [...new Set(text.match(/healnet_[a-z0-9_]+/g) ?? [])];
}

describe("ops/ (Prometheus, alerts, Grafana)", function () {
  it("the Grafana dashboard is valid JSON and every metric it queries exists", async function () {
    const dashboard = JSON.parse(readFileSync(join(ROOT, "ops/grafana/healnet-agents.json"), "utf8")) as {
      panels: { targets?: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).to.be.greaterThan(10);
    const exposed = await exposedMetrics();
    const used = queried(exprs.join("\n"));
    expect(used.filter((m) => !exposed.has(m))).to.deep.equal([]);
    // And the dashboard shows every family (a new metric gets a panel).
    const families = [...exposed].filter(
      (m) => !/_(bucket|sum|count)$/.test(m) || !exposed.has(m.replace(/_(bucket|sum|count)$/, "")),
    );
    const shown = new Set(used.map((m) => m.replace(/_(bucket|sum|count)$/, "")));
    expect(families.filter((m) => !shown.has(m))).to.deep.equal([]);
  });

  it("every metric in the alert rules exists", async function () {
    const exposed = await exposedMetrics();
    const used = queried(readFileSync(join(ROOT, "ops/alerts.yml"), "utf8"));
    expect(used.length).to.be.greaterThan(5);
    expect(used.filter((m) => !exposed.has(m))).to.deep.equal([]);
  });

  it("a deep reorg (a rewind past every saved block) pages, and the summary says to raise --confirmations", function () {
    const text = readFileSync(join(ROOT, "ops/alerts.yml"), "utf8");
    // One rule: from its "- alert:" line to the next one (or the end).
    const rule = /- alert: HealnetOrchestratorDeepReorg\n([\s\S]*?)(?=\n\s*(?:#[^\n]*\n\s*)*- alert:|$)/.exec(
      text,
    );
    expect(rule, "HealnetOrchestratorDeepReorg in ops/alerts.yml").to.not.equal(null);
    const body = rule![1]!;
    const expr = /^\s*expr: (.+)$/m.exec(body)?.[1];
    expect(expr).to.equal('increase(healnet_orchestrator_reorgs_total{kind="deep"}[15m]) > 0');
    expect(REORG_KINDS).to.include("deep");
    expect(body).to.match(/severity: page/);
    expect(/^\s*summary: (.+)$/m.exec(body)?.[1]).to.contain("raise --confirmations");
  });

  it("Prometheus scrapes the three agents", function () {
    const config = readFileSync(join(ROOT, "ops/prometheus.yml"), "utf8");
    for (const job of ["healnet-keeper", "healnet-sidecar", "healnet-orchestrator"])
      expect(config).to.contain(`job_name: ${job}`);
    expect(config).to.contain("rule_files");
  });
});
