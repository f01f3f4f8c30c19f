/**
 * A minimal Prometheus registry (text exposition format 0.0.4): counters, gauges and histograms, every
 * name prefixed `healnet_`. Counters and histograms exist at zero from the moment they are declared
 * (for labelled ones, declare the label sets up front with `init`), so a rate() never starts from a gap.
 *
 * It is injected into the HTTP server (http.ts), so `prom-client` could replace it behind the same
 * `render()` without touching the agents.
 */
import type { FailoverProvider } from "../../chain/rpc.js";

export type Labels = Record<string, string>;

interface Metric {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  render(): string[];
}

export class Counter {
  readonly #values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  /** Creates the series at zero (no-op if it exists). */
  init(labels: Labels = {}): this {
    const k = labelKey(labels);
    if (!this.#values.has(k)) this.#values.set(k, { labels, value: 0 });
    return this;
  }

  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new Error(`${this.name}: a counter only goes up`);
    this.init(labels);
    this.#values.get(labelKey(labels))!.value += by;
  }

  get(labels: Labels = {}): number {
    return this.#values.get(labelKey(labels))?.value ?? 0;
  }

  render(): string[] {
    return [...this.#values.values()].map((s) => `${this.name}${fmtLabels(s.labels)} ${fmtNum(s.value)}`);
  }
}

export class Gauge {
  readonly #values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  set(value: number, labels: Labels = {}): void {
    this.#values.set(labelKey(labels), { labels, value });
  }

  get(labels: Labels = {}): number | undefined {
    return this.#values.get(labelKey(labels))?.value;
  }

  render(): string[] {
    return [...this.#values.values()].map((s) => `${this.name}${fmtLabels(s.labels)} ${fmtNum(s.value)}`);
  }
}

export class Histogram {
  readonly #series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  readonly buckets: readonly number[];
  constructor(
    readonly name: string,
    readonly help: string,
    buckets: readonly number[],
  ) {
    this.buckets = [...buckets].sort((x, y) => x - y);
  }

  init(labels: Labels = {}): this {
    const k = labelKey(labels);
    if (!this.#series.has(k))
      this.#series.set(k, { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 });
    return this;
  }

  observe(value: number, labels: Labels = {}): void {
    this.init(labels);
    const s = this.#series.get(labelKey(labels))!;
    this.buckets.forEach((b, i) => {
      if (value <= b) s.counts[i]!++;
    });
    s.sum += value;
    s.count++;
  }

  render(): string[] {
    const out: string[] = [];
    for (const s of this.#series.values()) {
      this.buckets.forEach((b, i) => {
        out.push(`${this.name}_bucket${fmtLabels({ ...s.labels, le: fmtNum(b) })} ${s.counts[i]}`);
      });
      out.push(`${this.name}_bucket${fmtLabels({ ...s.labels, le: "+Inf" })} ${s.count}`);
      out.push(`${this.name}_sum${fmtLabels(s.labels)} ${fmtNum(s.sum)}`);
      out.push(`${this.name}_count${fmtLabels(s.labels)} ${s.count}`);
    }
    return out;
  }
}

const NAME = /^healnet_[a-zA-Z0-9_]+$/;

export class Registry {
  readonly #metrics = new Map<string, Metric>();
  readonly #collectors: (() => void)[] = [];

  /** `fn` runs at the start of every render, to refresh gauges that mirror another component's state. */
  onRender(fn: () => void): void {
    this.#collectors.push(fn);
  }

  counter(name: string, help: string): Counter {
    const c = new Counter(name, help);
    this.#add(name, help, "counter", c);
    return c.init();
  }

  /** A labelled counter: pass the label sets to create at zero. */
  labelledCounter(name: string, help: string, initial: readonly Labels[]): Counter {
    const c = new Counter(name, help);
    this.#add(name, help, "counter", c);
    for (const labels of initial) c.init(labels);
    return c;
  }

  gauge(name: string, help: string): Gauge {
    const g = new Gauge(name, help);
    this.#add(name, help, "gauge", g);
    return g;
  }

  histogram(
    name: string,
    help: string,
    buckets: readonly number[],
    initial: readonly Labels[] = [{}],
  ): Histogram {
    const h = new Histogram(name, help, buckets);
    this.#add(name, help, "histogram", h);
    for (const labels of initial) h.init(labels);
    return h;
  }

  /** The whole registry in Prometheus text format. */
  render(): string {
    for (const collect of this.#collectors) collect();
    const lines: string[] = [];
    for (const m of this.#metrics.values()) {
      lines.push(`# HELP ${m.name} ${m.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`);
      lines.push(`# TYPE ${m.name} ${m.type}`);
      lines.push(...m.render());
    }
    return lines.join("\n") + "\n";
  }

  #add(name: string, help: string, type: Metric["type"], impl: { render(): string[] }): void {
    if (!NAME.test(name)) throw new Error(`metric name ${name} must match ${NAME} (healnet_ prefix)`);
    if (this.#metrics.has(name)) throw new Error(`metric ${name} is already registered`);
    this.#metrics.set(name, { name, help, type, render: () => impl.render() });
  }
}

/**
 * Exposes a FailoverProvider's per-endpoint counters: `healnet_rpc_errors_total{endpoint,kind}` (every
 * kind at zero from the start), and gauges `healnet_rpc_requests{endpoint}` and
 * `healnet_rpc_endpoint_up{endpoint}` refreshed at each render.
 */
export function registerRpcMetrics(registry: Registry, provider: FailoverProvider): void {
  const stats = provider.stats();
  const kinds = ["timeout", "network", "http_5xx", "http_429", "rpc_retryable", "stale_head"] as const;
  const errors = registry.labelledCounter(
    "healnet_rpc_errors_total",
    "RPC endpoint failures by kind (each one puts the endpoint in cool-down).",
    stats.flatMap((s) => kinds.map((kind) => ({ endpoint: s.label, kind }))),
  );
  provider.addEndpointListener(({ endpoint, kind }) => errors.inc({ endpoint, kind }));
  const requests = registry.gauge("healnet_rpc_requests", "Requests sent to each RPC endpoint since start.");
  const healthy = registry.gauge(
    "healnet_rpc_endpoint_up",
    "1 if the endpoint is neither cooling down nor stale.",
  );
  const refresh = (): void => {
    for (const s of provider.stats()) {
      requests.set(s.requests, { endpoint: s.label });
      healthy.set(s.coolingDown || s.stale ? 0 : 1, { endpoint: s.label });
    }
  };
  registry.onRender(refresh);
}

function labelKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([x], [y]) => (x < y ? -1 : 1)));
}

function fmtLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
  return `{${entries.map(([k, v]) => `${k}="${esc(v)}"`).join(",")}}`;
}

function fmtNum(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}
