/**
 * An ethers v6 provider over an ordered list of JSON-RPC URLs with failover.
 *
 * - An endpoint that fails at the transport level (HTTP 5xx, 429, timeout, network error, an overload
 *   JSON-RPC error such as -32005) or whose head is stale is skipped for a cool-down; the request moves on
 *   to the next endpoint in the configured order.
 * - A JSON-RPC error that is an answer (a revert, invalid params, nonce too low, any other 4xx) is returned
 *   to the caller as is: it is neither retried nor failed over.
 * - When every endpoint failed in a round, the round is repeated after a bounded exponential backoff
 *   (at most `maxRounds` rounds); endpoints in cool-down are used again only when no other one is left.
 * - `init()` checks that every endpoint reports the same chain id (and the configured one) before the
 *   provider serves any request, and refuses to start naming the offending URL otherwise.
 *
 * Contracts and signers work on top of it like on a `JsonRpcProvider`. Log filters are polled
 * (`polling: true`), never installed with `eth_newFilter`, because a filter id lives on one node only.
 */
import {
  JsonRpcApiProvider,
  type JsonRpcError,
  type JsonRpcPayload,
  type JsonRpcResult,
  Network,
} from "ethers";

import { isRetryableRpcError, type RpcFailureKind, RpcTransportError } from "./errors.js";

export interface RpcEndpointConfig {
  url: string;
  /** Name used in logs and metrics; defaults to `rpc<index>`. URLs are never logged unredacted. */
  label?: string;
}

export interface FailoverProviderOptions {
  /** Endpoints in order of preference. */
  urls: readonly (string | RpcEndpointConfig)[];
  /** Expected chain id; if unset, every endpoint must agree with the first one. */
  chainId?: bigint | number;
  /** Per-request timeout, including reading the body (default 10 s). */
  timeoutMs?: number;
  /** How long a failed endpoint is skipped (default 30 s). */
  cooldownMs?: number;
  /**
   * An endpoint whose block number was seen unchanged for longer than this is skipped until it is seen
   * to advance. 0 or unset disables the check (a dev chain that mines on demand does not advance).
   */
  staleHeadMs?: number;
  /** Probe every endpoint's head this often (0 or unset: only when `checkHeads()` is called). */
  headProbeIntervalMs?: number;
  /** Rounds over the endpoint list before giving up (default 3). */
  maxRounds?: number;
  /** Backoff between rounds: base * 2^(round-1), capped, with jitter (defaults 200 ms, 5 s). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** ethers polling interval for blocks, events and `tx.wait()` (default 4 s). */
  pollingIntervalMs?: number;
  /** Clock, injectable for tests. */
  now?: () => number;
}

export interface EndpointStats {
  label: string;
  /** The URL with any path, query or credentials replaced (API keys often live there). */
  url: string;
  requests: number;
  errors: Record<RpcFailureKind, number>;
  coolingDown: boolean;
  stale: boolean;
  head: bigint | null;
}

export type EndpointListener = (event: { endpoint: string; kind: RpcFailureKind; message: string }) => void;

/** Thrown by `init()`: an endpoint is on another chain, or did not answer `eth_chainId`. */
export class ChainIdMismatchError extends Error {
  override readonly name = "ChainIdMismatchError";
  constructor(
    message: string,
    readonly endpoint: string,
  ) {
    super(message);
  }
}

interface Endpoint {
  url: string;
  label: string;
  display: string;
  cooldownUntil: number;
  head: { number: bigint; changedAt: number; seenAt: number } | null;
  stale: boolean;
  requests: number;
  errors: Record<RpcFailureKind, number>;
}

type RpcResponse = JsonRpcResult | JsonRpcError;

const FAILURE_KINDS: readonly RpcFailureKind[] = [
  "timeout",
  "network",
  "http_5xx",
  "http_429",
  "rpc_retryable",
  "stale_head",
];

/** `https://user:pw@host:8545/v3/KEY?x=1` → `https://host:8545/***`: enough to tell endpoints apart. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const hidden = (u.pathname !== "/" && u.pathname !== "") || u.search !== "" || u.username !== "";
    return `${u.protocol}//${u.host}${hidden ? "/***" : ""}`;
  } catch {
    return "<invalid url>";
  }
}

export class FailoverProvider extends JsonRpcApiProvider {
  readonly #endpoints: Endpoint[];
  readonly #opts: Required<Omit<FailoverProviderOptions, "urls" | "chainId">>;
  readonly #listeners = new Set<EndpointListener>();
  #expectedChainId: bigint | null;
  #chainId: bigint | null = null;
  #probeTimer: NodeJS.Timeout | null = null;
  #nextId = 1;
  /** See `requireHead`: -1 = no requirement. */
  #minHead = -1n;

  constructor(options: FailoverProviderOptions) {
    const chainId = options.chainId === undefined ? null : BigInt(options.chainId);
    super(chainId === null ? undefined : Network.from(chainId), {
      batchMaxCount: 1,
      polling: true,
      pollingInterval: options.pollingIntervalMs ?? 4000,
      cacheTimeout: -1,
    });
    if (options.urls.length === 0) throw new Error("FailoverProvider: at least one RPC URL is required");
    this.#expectedChainId = chainId;
    this.#opts = {
      timeoutMs: options.timeoutMs ?? 10_000,
      cooldownMs: options.cooldownMs ?? 30_000,
      staleHeadMs: options.staleHeadMs ?? 0,
      headProbeIntervalMs: options.headProbeIntervalMs ?? 0,
      maxRounds: Math.max(1, options.maxRounds ?? 3),
      backoffBaseMs: options.backoffBaseMs ?? 200,
      backoffMaxMs: options.backoffMaxMs ?? 5000,
      pollingIntervalMs: options.pollingIntervalMs ?? 4000,
      now: options.now ?? Date.now,
    };
    this.#endpoints = options.urls.map((u, i) => {
      const cfg = typeof u === "string" ? { url: u } : u;
      const label = cfg.label ?? `rpc${i}`;
      return {
        url: cfg.url,
        label,
        display: `${label} (${redactUrl(cfg.url)})`,
        cooldownUntil: 0,
        head: null,
        stale: false,
        requests: 0,
        errors: Object.fromEntries(FAILURE_KINDS.map((k) => [k, 0])) as Record<RpcFailureKind, number>,
      };
    });
  }

  /** The chain id every endpoint agreed on at `init()`, or null before. */
  get chainId(): bigint | null {
    return this.#chainId;
  }

  /**
   * Asks every endpoint for its chain id; refuses (ChainIdMismatchError naming the endpoint) if one does
   * not answer or answers a different id than the configured one (or than the first endpoint). Only then
   * does the provider start serving requests. Idempotent.
   */
  async init(): Promise<bigint> {
    if (this.#chainId !== null) return this.#chainId;
    const answers = await Promise.all(
      this.#endpoints.map(async (ep) => {
        try {
          const [resp] = await this.#post(ep, this.#payload("eth_chainId", []));
          if (!resp || "error" in resp) throw new Error(resp ? resp.error.message : "empty response");
          return { ep, chainId: BigInt(resp.result as string) };
        } catch (error) {
          throw new ChainIdMismatchError(
            `RPC endpoint ${ep.display} did not answer eth_chainId (${(error as Error).message}); ` +
              `refusing to start`,
            ep.display,
          );
        }
      }),
    );
    const expected = this.#expectedChainId ?? answers[0]!.chainId;
    for (const { ep, chainId } of answers) {
      if (chainId !== expected) {
        const source =
          this.#expectedChainId !== null ? "the configured chain id" : `${answers[0]!.ep.display}`;
        throw new ChainIdMismatchError(
          `RPC endpoint ${ep.display} reports chain id ${chainId}, but ${source} is ${expected}; refusing to start`,
          ep.display,
        );
      }
    }
    this.#chainId = expected;
    await this.checkHeads();
    if (this.#opts.headProbeIntervalMs > 0 && this.#probeTimer === null) {
      this.#probeTimer = setInterval(() => void this.checkHeads(), this.#opts.headProbeIntervalMs);
      this.#probeTimer.unref();
    }
    this._start();
    await this._waitUntilReady();
    return expected;
  }

  override async _detectNetwork(): Promise<Network> {
    if (this.#chainId !== null) return Network.from(this.#chainId);
    return super._detectNetwork();
  }

  /** Reads every endpoint's block number (bypassing failover) and updates stale-head tracking. */
  async checkHeads(): Promise<void> {
    await Promise.all(
      this.#endpoints.map(async (ep) => {
        try {
          const [resp] = await this.#post(ep, this.#payload("eth_blockNumber", []));
          if (resp && "result" in resp) this.#observeHead(ep, BigInt(resp.result as string));
        } catch {
          // #post already counted the failure and put the endpoint in cool-down.
        }
      }),
    );
  }

  /**
   * The caller saw one of its transactions mined in `block` (the sender calls this for every receipt): an
   * endpoint whose `eth_blockNumber` is below it lags and its state does not hold that transaction. Such an
   * answer counts as a `stale_head` failure (the endpoint cools down) and the request moves on to the next
   * endpoint; only when none has reached the block is the highest lagging answer returned (the sender then
   * refuses to act on it: StaleHeadError).
   */
  requireHead(block: number | bigint): void {
    if (BigInt(block) > this.#minHead) this.#minHead = BigInt(block);
  }

  /** Per-endpoint counters and state, for metrics and status output. */
  stats(): EndpointStats[] {
    const now = this.#opts.now();
    return this.#endpoints.map((ep) => ({
      label: ep.label,
      url: redactUrl(ep.url),
      requests: ep.requests,
      errors: { ...ep.errors },
      coolingDown: ep.cooldownUntil > now,
      stale: ep.stale,
      head: ep.head?.number ?? null,
    }));
  }

  /** Called on every endpoint failure (for metrics and logs). Returns an unsubscribe function. */
  addEndpointListener(listener: EndpointListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  override async send(method: string, params: unknown[] | Record<string, unknown>): Promise<unknown> {
    if (this.#chainId === null && !this.destroyed) {
      throw new Error(`FailoverProvider: call init() before ${method} (it checks every endpoint's chain id)`);
    }
    return super.send(method, params as unknown[]);
  }

  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<RpcResponse[]> {
    let last: RpcTransportError | null = null;
    const headQuery = !Array.isArray(payload) && payload.method === "eth_blockNumber" && this.#minHead >= 0n;
    let lagging: { head: bigint; responses: RpcResponse[] } | null = null;
    for (let round = 0; round < this.#opts.maxRounds; round++) {
      if (round > 0) await sleep(this.#backoff(round));
      for (const ep of this.#order()) {
        try {
          const responses = await this.#post(ep, payload);
          const r = responses[0];
          if (!headQuery || !r || !("result" in r) || typeof r.result !== "string") return responses;
          const head = BigInt(r.result);
          if (head >= this.#minHead) return responses;
          // Behind a block holding one of our transactions: try the others first.
          last = this.#fail(ep, "stale_head", `head ${head} is behind block ${this.#minHead} (ours)`);
          if (lagging === null || head > lagging.head) lagging = { head, responses };
        } catch (error) {
          if (!(error instanceof RpcTransportError)) throw error;
          last = error;
        }
      }
      if (lagging !== null) return lagging.responses;
    }
    const method = Array.isArray(payload) ? "batch" : payload.method;
    throw new RpcTransportError(
      `${method}: every RPC endpoint failed after ${this.#opts.maxRounds} round(s); last: ${last?.message ?? "?"}`,
      last?.kind ?? "network",
      undefined,
      { cause: last },
    );
  }

  override destroy(): void {
    if (this.#probeTimer !== null) clearInterval(this.#probeTimer);
    this.#probeTimer = null;
    this.#listeners.clear();
    super.destroy();
  }

  /** Healthy endpoints in configured order; if none, all of them, the one whose cool-down ends first first. */
  #order(): Endpoint[] {
    const now = this.#opts.now();
    const healthy = this.#endpoints.filter((ep) => ep.cooldownUntil <= now && !ep.stale);
    if (healthy.length > 0) return healthy;
    return [...this.#endpoints].sort((a, b) => a.cooldownUntil - b.cooldownUntil);
  }

  #backoff(round: number): number {
    const base = Math.min(this.#opts.backoffMaxMs, this.#opts.backoffBaseMs * 2 ** (round - 1));
    return Math.round(base / 2 + (Math.random() * base) / 2);
  }

  #payload(method: string, params: unknown[]): JsonRpcPayload {
    // Own ids, far from the ones ethers assigns, for the requests this class makes itself.
    return { jsonrpc: "2.0", id: 1_000_000_000 + this.#nextId++, method, params };
  }

  /** One POST to one endpoint. Transport failures become RpcTransportError and start a cool-down. */
  async #post(ep: Endpoint, payload: JsonRpcPayload | JsonRpcPayload[]): Promise<RpcResponse[]> {
    ep.requests++;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#opts.timeoutMs);
    let status: number;
    let text: string;
    try {
      const res = await fetch(ep.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payload),
        signal: controller.signal,
      });
      status = res.status;
      text = await res.text();
    } catch (error) {
      const timedOut = controller.signal.aborted;
      throw this.#fail(
        ep,
        timedOut ? "timeout" : "network",
        timedOut
          ? `no answer within ${this.#opts.timeoutMs} ms`
          : `network error: ${(error as Error).message}`,
        error,
      );
    } finally {
      clearTimeout(timer);
    }
    if (status === 429) throw this.#fail(ep, "http_429", "HTTP 429 (rate limited)");
    if (status >= 500) throw this.#fail(ep, "http_5xx", `HTTP ${status}`);

    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      if (status >= 400) {
        // A 4xx without a JSON-RPC body is an answer about the request (auth, size): not failed over.
        throw Object.assign(new Error(`RPC endpoint ${ep.display} answered HTTP ${status}`), { status });
      }
      throw this.#fail(ep, "network", `HTTP ${status} with a body that is not JSON`);
    }
    const responses = (Array.isArray(body) ? body : [body]) as RpcResponse[];
    for (const r of responses) {
      if (r && typeof r === "object" && "error" in r && r.error && isRetryableRpcError(r.error)) {
        throw this.#fail(ep, "rpc_retryable", `JSON-RPC ${r.error.code}: ${r.error.message}`);
      }
    }
    if (!Array.isArray(payload) && payload.method === "eth_blockNumber") {
      const r = responses[0];
      if (r && "result" in r && typeof r.result === "string") this.#observeHead(ep, BigInt(r.result));
    }
    return responses;
  }

  #observeHead(ep: Endpoint, number: bigint): void {
    const now = this.#opts.now();
    if (ep.head === null || number !== ep.head.number) {
      ep.head = { number, changedAt: now, seenAt: now };
    } else {
      ep.head.seenAt = now;
    }
    const stale = this.#opts.staleHeadMs > 0 && ep.head.seenAt - ep.head.changedAt > this.#opts.staleHeadMs;
    if (stale && !ep.stale) {
      ep.errors.stale_head++;
      this.#emit(ep, "stale_head", `head ${number} has not advanced for ${now - ep.head.changedAt} ms`);
    }
    ep.stale = stale;
  }

  #fail(ep: Endpoint, kind: RpcFailureKind, message: string, cause?: unknown): RpcTransportError {
    ep.errors[kind]++;
    ep.cooldownUntil = this.#opts.now() + this.#opts.cooldownMs;
    this.#emit(ep, kind, message);
    return new RpcTransportError(`RPC endpoint ${ep.display}: ${message}`, kind, ep.display, { cause });
  }

  #emit(ep: Endpoint, kind: RpcFailureKind, message: string): void {
    for (const listener of this.#listeners) {
      try {
        listener({ endpoint: ep.label, kind, message });
      } catch {
        // A broken listener must not break the request path.
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
