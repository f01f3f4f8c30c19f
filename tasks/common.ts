/**
 * What every `heal` task shares: the error wrapper (one line on stderr, exit code 1, never a stack trace),
 * loading the deployed suite on the selected network (src/suite/addresses.ts), choosing the sending account,
 * and printing tables.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { Interface, type InterfaceAbi } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { loadSuite, type LoadedSuite } from "../src/suite/addresses.js";
import { formatError, HealError, parseAddress } from "../src/suite/errors.js";
import {
  AuditLog__factory,
  GuardianCouncil__factory,
  HealToken__factory,
  NodeHealth__factory,
  RecoveryManager__factory,
  SelfHealingValidatorSet__factory,
  SentinelRegistry__factory,
  SnapshotRegistry__factory,
  StakeManager__factory,
} from "../types/ethers-contracts/index.js";

export { HealError, parseAddress };

/** Every custom error of the suite, to decode a revert whichever contract raised it. */
const SUITE_ERRORS = new Interface(
  [
    AuditLog__factory.abi,
    GuardianCouncil__factory.abi,
    HealToken__factory.abi,
    NodeHealth__factory.abi,
    RecoveryManager__factory.abi,
    SelfHealingValidatorSet__factory.abi,
    SentinelRegistry__factory.abi,
    SnapshotRegistry__factory.abi,
    StakeManager__factory.abi,
  ]
    .flatMap((abi) =>
      (abi as unknown as Array<{ type: string; name?: string }>).filter((f) => f.type === "error"),
    )
    .filter((f, i, all) => all.findIndex((g) => g.name === f.name) === i) as unknown as InterfaceAbi,
);

/** A task result as Hardhat's CLI understands it: a failed one sets the exit code to 1. */
export type HealResult<T> = { success: true; value: T } | { success: false; error: string };

/**
 * Wraps a task action: its errors become one line on stderr (`heal <task>: <message>`) and a failed result
 * (exit code 1), whatever they are — a HealError from bad input, a revert, an RPC or Hardhat error.
 */
export function healAction<A, T>(
  name: string,
  action: (args: A, hre: HardhatRuntimeEnvironment) => Promise<T>,
): (args: A, hre: HardhatRuntimeEnvironment) => Promise<HealResult<T>> {
  return async (args, hre) => {
    try {
      return { success: true, value: await action(args, hre) };
    } catch (error) {
      const line = `heal ${name}: ${formatError(error, SUITE_ERRORS)}`;
      process.stderr.write(`${line}\n`);
      return { success: false, error: line };
    }
  };
}

export interface Connected {
  hre: HardhatRuntimeEnvironment;
  ethers: Awaited<ReturnType<HardhatRuntimeEnvironment["network"]["getOrCreate"]>>["ethers"];
  networkName: string;
  suite: LoadedSuite;
}

/** The selected network's connection and its suite (from `addresses`, or the chain's Ignition deployment). */
export async function connectSuite(hre: HardhatRuntimeEnvironment, addresses: string): Promise<Connected> {
  const connection = await hre.network.getOrCreate();
  const suite = await loadSuite(connection.ethers.provider, addresses === "" ? {} : { file: addresses });
  return { hre, ethers: connection.ethers, networkName: connection.networkName, suite };
}

/** The account `from` (an address among the network's accounts), or the first account when empty. */
export async function signerOf(c: Connected, from: string): Promise<HardhatEthersSigner> {
  const signers = await c.ethers.getSigners();
  if (signers.length === 0) {
    throw new HealError(`network ${c.networkName} has no accounts (configure its keys with configVariable)`);
  }
  if (from === "") return signers[0]!;
  const address = parseAddress(from, "--from");
  const signer = signers.find((s) => s.address === address);
  if (signer === undefined) {
    throw new HealError(`--from ${address} is not one of network ${c.networkName}'s accounts`);
  }
  return signer;
}

/** A non-negative integer argument, or a HealError naming it. */
export function parseUint(value: string, what: string): bigint {
  if (!/^\d+$/.test(value.trim()))
    throw new HealError(`${what} must be a non-negative integer, got "${value}"`);
  return BigInt(value.trim());
}

/** A 32-byte hex value, or a HealError naming it. */
export function parseBytes32(value: string, what: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) {
    throw new HealError(`${what} must be 0x and 64 hex digits, got "${value}"`);
  }
  return value.toLowerCase();
}

/** Prints rows as an aligned text table (columns from the first row's keys). */
export function printTable(rows: ReadonlyArray<Record<string, string>>, empty = "(none)"): void {
  if (rows.length === 0) {
    console.log(empty);
    return;
  }
  const columns = Object.keys(rows[0]!);
  const width = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(width[i]!))
      .join("  ")
      .trimEnd();
  console.log(line(columns));
  console.log(line(width.map((w) => "-".repeat(w))));
  for (const row of rows) console.log(line(columns.map((c) => row[c] ?? "")));
}

/** Requires the guardian side of the suite (a core-only deployment has none). */
export function guardianSide(c: Connected) {
  const { audit, snapshots, recovery, council } = c.suite.contracts;
  if (audit === undefined || snapshots === undefined || recovery === undefined || council === undefined) {
    throw new HealError(
      `${c.suite.source}: this deployment has no guardian side (deploy the HealnetSuite module)`,
    );
  }
  return { audit, snapshots, recovery, council };
}

/** The deployment's SentinelRegistry, or a HealError for a deployment made before it existed. */
export function sentinelRegistry(c: Connected) {
  const { sentinels } = c.suite.contracts;
  if (sentinels === undefined) {
    throw new HealError(
      `${c.suite.source}: this deployment has no SentinelRegistry (redeploy the HealnetSuite module)`,
    );
  }
  return sentinels;
}
