import { expect } from "chai";

import { startHttpServer, type RunningHttpServer } from "../../src/agents/common/http.js";
import { type AgentHealth, isHealthy, newAgentHealth, runAgent } from "../../src/agents/common/lifecycle.js";
import { Registry } from "../../src/agents/common/metrics.js";

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("runAgent", function () {
  this.timeout(10_000);

  it("never overlaps ticks and, on SIGTERM, finishes the tick in flight and exits 0", async function () {
    let running = 0;
    let maxRunning = 0;
    let started = 0;
    let finished = 0;
    // Other code in this process (a browser driver, a node under test) may hold SIGTERM listeners of its
    // own: what matters is that runAgent removes the ones it added.
    const listenersBefore = process.listenerCount("SIGTERM");
    const exit = runAgent({
      intervalMs: 1,
      tick: async () => {
        started++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        if (started === 3) setImmediate(() => process.kill(process.pid, "SIGTERM"));
        await pause(30);
        running--;
        finished++;
      },
    });
    expect(await exit).to.equal(0);
    expect(maxRunning).to.equal(1);
    expect(started).to.equal(3);
    expect(finished).to.equal(3);
    expect(process.listenerCount("SIGTERM")).to.equal(listenersBefore);
  });

  it("does not tick when init fails, and exits 1", async function () {
    let ticks = 0;
    const exit = await runAgent({
      intervalMs: 1,
      signals: [],
      init: () => Promise.reject(new Error("chain id mismatch")),
      tick: async () => void ticks++,
    });
    expect(exit).to.equal(1);
    expect(ticks).to.equal(0);
  });

  it("bounds the shutdown wait for a tick that never finishes", async function () {
    const stop = new AbortController();
    const t0 = Date.now();
    const exit = runAgent({
      intervalMs: 1,
      signals: [],
      stopSignal: stop.signal,
      shutdownTimeoutMs: 50,
      tick: () => {
        setImmediate(() => stop.abort());
        return new Promise<void>(() => {}); // hangs
      },
    });
    expect(await exit).to.equal(1);
    expect(Date.now() - t0).to.be.lessThan(2000);
  });

  it("aborts a tick past its timeout and gives up on it if it ignores the signal", async function () {
    let aborted = false;
    const exit = await runAgent({
      intervalMs: 1,
      signals: [],
      tickTimeoutMs: 30,
      abortGraceMs: 30,
      tick: ({ signal }) => {
        signal.addEventListener("abort", () => (aborted = true));
        return new Promise<void>(() => {});
      },
    });
    expect(exit).to.equal(1);
    expect(aborted).to.equal(true);
  });
});

describe("agent HTTP server", function () {
  this.timeout(10_000);
  let server: RunningHttpServer;
  let health: AgentHealth;
  let registry: Registry;

  before(async function () {
    health = newAgentHealth();
    registry = new Registry();
    server = await startHttpServer({
      port: 0,
      registry,
      health: () => ({ ok: isHealthy(health, 60_000), detail: { ticks: health.ticks } }),
    });
  });

  after(async function () {
    await server.close();
  });

  it("listens on 127.0.0.1", function () {
    expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("reports 503 before the first tick, 200 after a good tick, 503 after a failed one", async function () {
    expect((await fetch(`${server.url}/healthz`)).status).to.equal(503);
    const stop = new AbortController();
    let n = 0;
    const exit = await runAgent({
      intervalMs: 1,
      signals: [],
      stopSignal: stop.signal,
      health,
      metrics: registry,
      tick: async () => {
        n++;
        if (n === 1) {
          const res = await fetch(`${server.url}/healthz`);
          expect(res.status).to.equal(503); // still no successful tick
          return;
        }
        const res = await fetch(`${server.url}/healthz`);
        expect(res.status).to.equal(200);
        expect(await res.json()).to.deep.equal({ status: "ok", ticks: 1 });
        stop.abort();
        throw new Error("rpc down");
      },
    });
    expect(exit).to.equal(0);
    expect((await fetch(`${server.url}/healthz`)).status).to.equal(503);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).to.contain("# TYPE healnet_agent_ticks_total counter");
    expect(metrics).to.match(/^healnet_agent_ticks_total 2$/m);
    expect(metrics).to.match(/^healnet_agent_tick_failures_total 1$/m);
    expect(metrics).to.match(/^healnet_agent_tick_duration_seconds_count 2$/m);
  });

  it("serves counters at zero before anything happened", async function () {
    const fresh = new Registry();
    fresh.counter("healnet_heartbeats_sent_total", "Heartbeats sent.");
    fresh.labelledCounter("healnet_keeper_actions_total", "Actions.", [{ action: "checkHeartbeat" }]);
    const s = await startHttpServer({ port: 0, registry: fresh, health: () => ({ ok: true }) });
    try {
      const text = await (await fetch(`${s.url}/metrics`)).text();
      expect(text).to.match(/^healnet_heartbeats_sent_total 0$/m);
      expect(text).to.match(/^healnet_keeper_actions_total\{action="checkHeartbeat"\} 0$/m);
      expect((await fetch(`${s.url}/nope`)).status).to.equal(404);
    } finally {
      await s.close();
    }
    expect(() => fresh.counter("heartbeats_total", "no prefix")).to.throw(/healnet_/);
  });
});
