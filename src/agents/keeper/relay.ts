/**
 * Heartbeat relaying over HTTP, both ends.
 *
 * Keeper side: `POST /heartbeats` on the keeper's HTTP server (127.0.0.1 by default). The body is one
 * signed heartbeat as JSON, integers as decimal strings (`encodeHeartbeat`). Each post is checked before it
 * is queued:
 *   - size: at most `maxBodyBytes` (default 2 KiB) → else 413;
 *   - shape: every field present, integers in their Solidity ranges, hashes 32 bytes, addresses valid → else 400;
 *   - signature: the EIP-712 heartbeat signature must RECOVER TO THE VALIDATOR'S REGISTERED SIGNER for the
 *     given signer epoch (`INodeHealth.signerOf`, cached for `signerCacheMs`) → else 403. So a post that the
 *     contract would skip for its signer never takes queue room.
 * Accepted posts answer 202. The queue (`HeartbeatQueue`, the keeper's HeartbeatSource) holds at most one
 * item per validator — a newer heartbeat replaces the queued one — and at most `capacity` validators. When
 * it is full, a post for a new validator is REJECTED WITH 429 (not drop-oldest): what was accepted is
 * relayed, the sidecar sees the refusal and retries at its next tick, and a flood cannot evict honest
 * items.
 *
 * Sidecar side: `httpHeartbeatRelay` implements the sidecar's HeartbeatRelay. It posts to every configured
 * keeper URL at once (several keepers may relay; the contract records an item once), each post bounded by
 * `timeoutMs`, and succeeds when at least one keeper accepted. It does not retry within a tick: a failure
 * is thrown, the Sidecar counts it, and the next tick signs and posts a fresh heartbeat.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

import { getAddress, isHexString, Signature, type TypedDataDomain, verifyTypedData } from "ethers";

import { HEARTBEAT_TYPES, type SignedHeartbeatInput } from "../../suite/signing.js";
import type { Logger } from "../common/log.js";
import type { Counter, Gauge, Registry } from "../common/metrics.js";
import type { HeartbeatRelay } from "../sidecar/sidecar.js";
import type { HeartbeatSource, SignedHeartbeat } from "./keeper.js";

/** A signed heartbeat on the wire: integers as decimal strings. */
export interface HeartbeatWire {
  validator: string;
  signerEpoch: string;
  timestamp: string;
  report: {
    blockHeight: string;
    blockHash: string;
    peerCount: string;
    latencyMs: string;
    diskUsedBps: string;
    clientVersionHash: string;
  };
  r: string;
  vs: string;
}

export function encodeHeartbeat(item: SignedHeartbeatInput): HeartbeatWire {
  const { report } = item;
  return {
    validator: item.validator,
    signerEpoch: item.signerEpoch.toString(),
    timestamp: item.timestamp.toString(),
    report: {
      blockHeight: report.blockHeight.toString(),
      blockHash: report.blockHash,
      peerCount: String(report.peerCount),
      latencyMs: String(report.latencyMs),
      diskUsedBps: String(report.diskUsedBps),
      clientVersionHash: report.clientVersionHash,
    },
    r: item.r,
    vs: item.vs,
  };
}

/** A post that is not a well-formed heartbeat (the message names the field). */
export class RelayValidationError extends Error {
  override readonly name = "RelayValidationError";
}

const UINT = (bits: number) => (1n << BigInt(bits)) - 1n;

function uint(raw: unknown, field: string, bits: number): bigint {
  if (typeof raw !== "string" || !/^(0|[1-9]\d{0,77})$/.test(raw)) {
    throw new RelayValidationError(`${field} must be a decimal string`);
  }
  const n = BigInt(raw);
  if (n > UINT(bits)) throw new RelayValidationError(`${field} does not fit in uint${bits}`);
  return n;
}

function bytes32(raw: unknown, field: string): string {
  if (typeof raw !== "string" || !isHexString(raw, 32))
    throw new RelayValidationError(`${field} must be 0x followed by 64 hex digits`);
  return raw.toLowerCase();
}

function object(raw: unknown, field: string): Record<string, unknown> {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new RelayValidationError(`${field} must be an object`);
  return raw as Record<string, unknown>;
}

/** Parses and range-checks a wire heartbeat. Throws RelayValidationError naming the bad field. */
export function decodeHeartbeat(raw: unknown): SignedHeartbeatInput {
  const o = object(raw, "body");
  const report = object(o.report, "report");
  let validator: string;
  try {
    if (typeof o.validator !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(o.validator)) throw new Error();
    validator = getAddress(o.validator);
  } catch {
    throw new RelayValidationError("validator must be an address");
  }
  return {
    validator,
    signerEpoch: uint(o.signerEpoch, "signerEpoch", 64),
    timestamp: uint(o.timestamp, "timestamp", 64),
    report: {
      blockHeight: uint(report.blockHeight, "report.blockHeight", 64),
      blockHash: bytes32(report.blockHash, "report.blockHash"),
      peerCount: Number(uint(report.peerCount, "report.peerCount", 16)),
      latencyMs: Number(uint(report.latencyMs, "report.latencyMs", 32)),
      diskUsedBps: Number(uint(report.diskUsedBps, "report.diskUsedBps", 16)),
      clientVersionHash: bytes32(report.clientVersionHash, "report.clientVersionHash"),
    },
    r: bytes32(o.r, "r"),
    vs: bytes32(o.vs, "vs"),
  };
}

/** The address that signed `item` under `domain` (EIP-712, compact r/vs signature). Throws if malformed. */
export function recoverHeartbeatSigner(domain: TypedDataDomain, item: SignedHeartbeatInput): string {
  let signature: Signature;
  try {
    signature = Signature.from({ r: item.r, yParityAndS: item.vs });
  } catch {
    throw new RelayValidationError("r/vs is not a valid signature");
  }
  const { report } = item;
  return verifyTypedData(
    domain,
    HEARTBEAT_TYPES,
    {
      validator: item.validator,
      signerEpoch: item.signerEpoch,
      timestamp: item.timestamp,
      blockHeight: report.blockHeight,
      blockHash: report.blockHash,
      peerCount: report.peerCount,
      latencyMs: report.latencyMs,
      diskUsedBps: report.diskUsedBps,
      clientVersionHash: report.clientVersionHash,
    },
    signature,
  );
}

export type OfferResult = "queued" | "replaced" | "full";

/**
 * Bounded queue of signed heartbeats, one per validator (a newer one replaces the queued one in place),
 * oldest first. Full → `offer` returns "full" and the caller rejects the post (429).
 */
export class HeartbeatQueue implements HeartbeatSource {
  readonly #items = new Map<string, SignedHeartbeatInput>();
  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new Error("queue capacity must be ≥ 1");
  }

  get size(): number {
    return this.#items.size;
  }

  offer(item: SignedHeartbeatInput): OfferResult {
    const key = item.validator.toLowerCase();
    const queued = this.#items.get(key);
    if (queued !== undefined) {
      // Keep the newer one; an older or equal timestamp changes nothing but is not an error.
      if (item.timestamp > queued.timestamp) this.#items.set(key, item);
      return "replaced";
    }
    if (this.#items.size >= this.capacity) return "full";
    this.#items.set(key, item);
    return "queued";
  }

  take(max: number): SignedHeartbeat[] {
    const out: SignedHeartbeat[] = [];
    for (const [key, item] of this.#items) {
      if (out.length >= max) break;
      out.push(item);
      this.#items.delete(key);
    }
    return out;
  }
}

export interface RelayMetrics {
  requests: Counter;
  queueDepth: Gauge;
}

const RELAY_RESULTS = [
  "accepted",
  "bad_request",
  "too_large",
  "bad_signature",
  "queue_full",
  "error",
] as const;
export type RelayResult = (typeof RELAY_RESULTS)[number];

export function registerRelayMetrics(registry: Registry, queue: HeartbeatQueue): RelayMetrics {
  const requests = registry.labelledCounter(
    "healnet_keeper_relay_requests_total",
    "POST /heartbeats requests by result",
    RELAY_RESULTS.map((result) => ({ result })),
  );
  const queueDepth = registry.gauge(
    "healnet_keeper_relay_queue_depth",
    "Signed heartbeats waiting to be relayed",
  );
  queueDepth.set(0);
  registry.onRender(() => queueDepth.set(queue.size));
  return { requests, queueDepth };
}

export interface RelayRouteOptions {
  queue: HeartbeatQueue;
  /** NodeHealth's EIP-712 domain (read once at start). */
  domain: TypedDataDomain;
  /** `INodeHealth.signerOf(validator)`: the registered signer and its epoch. */
  signerOf(validator: string): Promise<{ signer: string; epoch: bigint }>;
  /** How long a signerOf answer is trusted (default 15 s). */
  signerCacheMs?: number;
  /** Largest body accepted (default 2048 bytes). */
  maxBodyBytes?: number;
  log?: Logger;
  metrics?: RelayMetrics;
  now?: () => number;
}

/** The `POST /heartbeats` handler (mount it with startHttpServer's `postRoutes`). */
export function heartbeatRoute(
  options: RelayRouteOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const maxBody = options.maxBodyBytes ?? 2048;
  const cacheMs = options.signerCacheMs ?? 15_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; value: Promise<{ signer: string; epoch: bigint }> }>();

  const signerOf = (validator: string) => {
    const hit = cache.get(validator);
    if (hit !== undefined && now() - hit.at < cacheMs) return hit.value;
    if (cache.size >= 10_000) cache.clear(); // bounded: at most one entry per validator that posted
    const value = options.signerOf(validator);
    cache.set(validator, { at: now(), value });
    value.catch(() => cache.delete(validator));
    return value;
  };

  const reply = (res: ServerResponse, status: number, result: RelayResult, body: Record<string, unknown>) => {
    options.metrics?.requests.inc({ result });
    if (!res.headersSent) res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body) + "\n");
  };

  return (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > maxBody) {
      reply(res, 413, "too_large", { error: `body larger than ${maxBody} bytes` });
      req.resume();
      return;
    }
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBody) {
        tooLarge = true;
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("error", () => {
      if (tooLarge) reply(res, 413, "too_large", { error: `body larger than ${maxBody} bytes` });
    });
    req.on("end", () => {
      void (async () => {
        let item: SignedHeartbeatInput;
        try {
          item = decodeHeartbeat(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        } catch (error) {
          const message = error instanceof RelayValidationError ? error.message : "body is not JSON";
          reply(res, 400, "bad_request", { error: message });
          return;
        }
        try {
          const recovered = recoverHeartbeatSigner(options.domain, item);
          const registered = await signerOf(item.validator);
          if (recovered.toLowerCase() !== registered.signer.toLowerCase()) {
            reply(res, 403, "bad_signature", {
              error: "signature is not from the validator's registered signer",
            });
            return;
          }
          if (item.signerEpoch !== registered.epoch) {
            reply(res, 403, "bad_signature", {
              error: `signerEpoch ${item.signerEpoch} is not the current epoch ${registered.epoch}`,
            });
            return;
          }
        } catch (error) {
          if (error instanceof RelayValidationError) {
            reply(res, 400, "bad_request", { error: error.message });
          } else {
            options.log?.warn("relay: signer lookup failed", { error });
            reply(res, 503, "error", { error: "cannot check the signer right now; retry" });
          }
          return;
        }
        const result = options.queue.offer(item);
        if (result === "full") {
          reply(res, 429, "queue_full", { error: "relay queue is full; retry at the next tick" });
          return;
        }
        options.log?.debug("relay: heartbeat queued", { validator: item.validator, result });
        reply(res, 202, "accepted", { status: result });
      })();
    });
  };
}

export interface HttpRelayOptions {
  /** Keeper base URLs (`http://127.0.0.1:9464`); the path `/heartbeats` is appended. */
  urls: readonly string[];
  /** Bound on each POST (default 5 s). */
  timeoutMs?: number;
}

/** The sidecar's HeartbeatRelay over HTTP: posts to every keeper, succeeds if one accepted. */
export function httpHeartbeatRelay(options: HttpRelayOptions): HeartbeatRelay {
  if (options.urls.length === 0) throw new Error("httpHeartbeatRelay: no keeper URL");
  const timeoutMs = options.timeoutMs ?? 5_000;
  const targets = options.urls.map((u) => new URL("/heartbeats", u).toString());
  return {
    async post(item) {
      const body = JSON.stringify(encodeHeartbeat(item));
      const results = await Promise.allSettled(
        targets.map(async (url) => {
          const response = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body,
            signal: AbortSignal.timeout(timeoutMs),
          });
          const text = await response.text().catch(() => "");
          if (response.status !== 202) throw new Error(`${url} answered ${response.status} ${text.trim()}`);
        }),
      );
      if (results.some((r) => r.status === "fulfilled")) return;
      const reasons = results.map((r) =>
        r.status === "rejected" ? String((r.reason as Error).message) : "",
      );
      throw new Error(`no keeper accepted the heartbeat: ${reasons.join("; ")}`);
    },
  };
}
