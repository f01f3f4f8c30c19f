/**
 * Error classification shared by the RPC layer, the sender and the agents.
 *
 * The rule (GUIDELINES.md, Agents): retry only what can succeed on retry — HTTP 5xx, 429, timeouts and
 * network failures. A revert is an answer, not a failure: it is decoded and handed to the caller.
 */
import { AbiCoder, type Interface, isError } from "ethers";

/** Why a transport attempt against one RPC endpoint failed. */
export type RpcFailureKind = "timeout" | "network" | "http_5xx" | "http_429" | "rpc_retryable" | "stale_head";

/**
 * A request could not be answered by any endpoint (every attempt failed with a retryable error), or a
 * single endpoint failed at the transport level. `retryable` is true for everything the failover layer
 * produces: the caller may try again later.
 */
export class RpcTransportError extends Error {
  override readonly name = "RpcTransportError";
  readonly retryable = true;
  constructor(
    message: string,
    readonly kind: RpcFailureKind,
    readonly endpoint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The RPC's head is behind a block in which this sender has already seen one of its own transactions
 * mined (a lagging node, e.g. one backend of a load balancer). Its state does not hold that transaction
 * yet, so nothing is simulated or signed on it; the caller retries later (retryable).
 */
export class StaleHeadError extends Error {
  override readonly name = "StaleHeadError";
  readonly retryable = true;
  constructor(
    readonly head: number,
    readonly expected: number,
  ) {
    super(
      `the RPC's head ${head} is behind block ${expected}, where one of our transactions was mined; ` +
        `not acting on its stale state`,
    );
  }
}

/** A decoded revert: the custom error (or `Error(string)` / `Panic(uint256)`) and its arguments. */
export interface DecodedRevert {
  /** Error name, e.g. `"ERC20InsufficientBalance"`, `"Error"` or `"Panic"`. */
  name: string;
  /** Full signature, e.g. `"ERC20InsufficientBalance(address,uint256,uint256)"`. */
  signature: string;
  selector: string;
  args: unknown[];
  /** The raw revert data. */
  data: string;
}

/** JSON-RPC error codes that mean "the server is overloaded, ask again later" rather than an answer. */
const RETRYABLE_RPC_CODES = new Set([-32005, 429]);
const RETRYABLE_RPC_MESSAGE = /rate.?limit|too many requests|request timed out|header not found|upstream/i;
const RETRYABLE_ETHERS_CODES = new Set(["TIMEOUT", "NETWORK_ERROR", "SERVER_ERROR"]);

/** True if a JSON-RPC error object returned by a node means "try again (elsewhere)", not an answer. */
export function isRetryableRpcError(error: { code?: unknown; message?: unknown }): boolean {
  if (typeof error.code === "number" && RETRYABLE_RPC_CODES.has(error.code)) return true;
  return (
    typeof error.message === "string" &&
    RETRYABLE_RPC_MESSAGE.test(error.message) &&
    !/revert/i.test(error.message)
  );
}

/**
 * True if the same request may succeed if repeated: a transport failure (timeout, network, 5xx, 429)
 * or an overload answer. Reverts, invalid params, nonce errors and everything unknown are not retryable.
 */
export function isRetryable(error: unknown): boolean {
  for (const e of causeChain(error)) {
    if (e instanceof RpcTransportError || e instanceof StaleHeadError) return true;
    if (isRevert(e)) return false;
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && RETRYABLE_ETHERS_CODES.has(code)) return true;
    if (typeof code === "number" && isRetryableRpcError(e as { code: number; message?: unknown }))
      return true;
    if (e instanceof Error && e.name === "AbortError") return true;
  }
  return false;
}

/** True if the error is a contract revert (an answer from the chain). */
export function isRevert(error: unknown): boolean {
  for (const e of causeChain(error)) {
    if (isError(e, "CALL_EXCEPTION")) return true;
    if (revertDataOf(e) !== null) return true;
    const msg = (e as { message?: unknown }).message;
    if (typeof msg === "string" && /execution reverted|reverted with|VM Exception/i.test(msg)) return true;
  }
  return false;
}

/** The revert data carried by an error (ethers CALL_EXCEPTION, a JSON-RPC error, or nested), or null. */
export function revertDataOf(error: unknown): string | null {
  for (const e of causeChain(error)) {
    const data = (e as { data?: unknown }).data;
    if (typeof data === "string" && /^0x[0-9a-fA-F]*$/.test(data) && data.length >= 10) return data;
    if (data && typeof data === "object") {
      const inner = (data as { data?: unknown }).data;
      if (typeof inner === "string" && /^0x[0-9a-fA-F]*$/.test(inner) && inner.length >= 10) return inner;
    }
  }
  return null;
}

const ERROR_STRING_SELECTOR = "0x08c379a0";
const PANIC_SELECTOR = "0x4e487b71";

/**
 * Decodes the revert carried by `error` with the contract's interface (custom errors) and the built-in
 * `Error(string)` / `Panic(uint256)`. Returns null if there is no revert data or it matches no known error.
 */
export function decodeRevert(error: unknown, iface?: Interface): DecodedRevert | null {
  const data = revertDataOf(error);
  if (data === null) return null;
  const selector = data.slice(0, 10).toLowerCase();
  const coder = AbiCoder.defaultAbiCoder();
  try {
    if (selector === ERROR_STRING_SELECTOR) {
      const [reason] = coder.decode(["string"], "0x" + data.slice(10));
      return { name: "Error", signature: "Error(string)", selector, args: [reason], data };
    }
    if (selector === PANIC_SELECTOR) {
      const [code] = coder.decode(["uint256"], "0x" + data.slice(10));
      return { name: "Panic", signature: "Panic(uint256)", selector, args: [code], data };
    }
    const parsed = iface?.parseError(data);
    if (!parsed) return null;
    return { name: parsed.name, signature: parsed.signature, selector, args: [...parsed.args], data };
  } catch {
    return null;
  }
}

/**
 * If `error` is a revert whose custom error name is in `names` ("already handled": another keeper got
 * there first, the validator is already jailed...), returns the decoded revert; otherwise null.
 */
export function alreadyHandled(
  error: unknown,
  iface: Interface | undefined,
  names: readonly string[],
): DecodedRevert | null {
  if (names.length === 0) return null;
  const decoded = decodeRevert(error, iface);
  return decoded !== null && names.includes(decoded.name) ? decoded : null;
}

/** "nonce too low" / "nonce has already been used" (ethers NONCE_EXPIRED). */
export function isNonceTooLow(error: unknown): boolean {
  return causeChain(error).some(
    (e) => isError(e, "NONCE_EXPIRED") || /nonce too low|nonce has already been used/i.test(messageOf(e)),
  );
}

/** "replacement transaction underpriced" (ethers REPLACEMENT_UNDERPRICED). */
export function isReplacementUnderpriced(error: unknown): boolean {
  return causeChain(error).some(
    (e) =>
      isError(e, "REPLACEMENT_UNDERPRICED") ||
      /replacement (transaction|fee) (is )?(underpriced|too low)/i.test(messageOf(e)),
  );
}

/** The node already has this exact transaction ("already known", "known transaction"). */
export function isAlreadyKnown(error: unknown): boolean {
  return causeChain(error).some((e) =>
    /already known|known transaction|already imported/i.test(messageOf(e)),
  );
}

/** Short, single-line description for logs (never includes request bodies, which may hold signed txs). */
export function describeError(error: unknown): string {
  const decoded = decodeRevert(error);
  if (decoded) return `revert ${decoded.name}(${decoded.args.map(String).join(", ")})`;
  const e = error as { code?: unknown; shortMessage?: unknown; message?: unknown };
  const msg = typeof e.shortMessage === "string" ? e.shortMessage : messageOf(error);
  return e.code !== undefined ? `${String(e.code)}: ${msg}` : msg;
}

function messageOf(e: unknown): string {
  if (e && typeof e === "object") {
    const m = (e as { message?: unknown }).message;
    if (typeof m === "string") return m;
  }
  return typeof e === "string" ? e : "";
}

/**
 * The error and everything it wraps: `cause`, ethers' `error` / `info.error`. Bounded depth, so a
 * cyclic structure cannot loop.
 */
function causeChain(error: unknown): object[] {
  const out: object[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && out.length < 16) {
    const e = queue.shift();
    if (!e || typeof e !== "object" || out.includes(e)) continue;
    out.push(e);
    const anyE = e as { cause?: unknown; error?: unknown; info?: { error?: unknown } };
    queue.push(anyE.cause, anyE.error, anyE.info?.error);
  }
  return out;
}
