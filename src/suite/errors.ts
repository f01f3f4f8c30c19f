/**
 * The one error type of healnet's command-line surface (the `heal` tasks, the address loader) and its
 * one-line formatter. A `HealError` is a problem of the caller's input or environment — an argument that is
 * not an address, an unknown validator, a network without a deployment — and its message alone says what is
 * wrong and what a good value looks like. Everything else (a revert, an RPC failure, a Hardhat error) is
 * formatted to one line as well, so no command ever prints a stack trace.
 */
import { getAddress, type Interface } from "ethers";

import { decodeRevert, describeError } from "../chain/errors.js";

export class HealError extends Error {
  override readonly name = "HealError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Collapses whitespace and newlines so that the text fits on one line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * One line describing `error`, without a stack trace: a HealError's message; a contract revert as
 * `reverted: Name(args)` (decoded with `iface` when given); a Hardhat error as its message without the
 * "For more info" tail; anything else as ethers' short message.
 */
export function formatError(error: unknown, iface?: Interface): string {
  if (error instanceof HealError) return oneLine(error.message);
  const decoded = decodeRevert(error, iface);
  if (decoded !== null) return oneLine(`reverted: ${decoded.name}(${decoded.args.map(String).join(", ")})`);
  if (error instanceof Error && error.name === "HardhatError") {
    return oneLine(error.message.split(/\n\s*For more info/)[0] ?? error.message);
  }
  return oneLine(describeError(error)) || "unknown error";
}

/** `value` as a checksummed address, or a HealError naming `what` and showing a good value. */
export function parseAddress(value: string, what: string): string {
  try {
    return getAddress(value);
  } catch {
    throw new HealError(
      `${what} "${value}" is not an address (expected 0x and 40 hex digits, e.g. 0x70997970C51812dc3A010C7d01b50e0d17dc79C8)`,
    );
  }
}
