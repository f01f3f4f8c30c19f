/**
 * The contract addresses an agent talks to, from a JSON file given with `--addresses`:
 *
 *   { "chainId": "31337", "token": "0x…", "stake": "0x…", "health": "0x…", "set": "0x…",
 *     "recovery": "0x…", "snapshots": "0x…", "guardians": "0x…", "audit": "0x…" }
 *
 * Contract names are accepted as keys too (`HealToken`, `StakeManager`, `NodeHealth`,
 * `SelfHealingValidatorSet`, `RecoveryManager`, `SnapshotRegistry`, `GuardianCouncil`, `AuditLog`), so a map
 * written by the deployment can be used as is. Every problem is a ConfigError naming `addresses`.
 *
 * TODO(deploy): once src/suite/addresses.ts lands (Ignition deployment files), load through it.
 */
import { readFileSync } from "node:fs";

import { getAddress, isAddress } from "ethers";

import { ConfigError } from "./config.js";

export interface SuiteAddresses {
  chainId?: bigint;
  token?: string;
  stake: string;
  health: string;
  set: string;
  recovery?: string;
  snapshots?: string;
  guardians?: string;
  audit?: string;
}

const ALIASES: Record<string, keyof SuiteAddresses> = {
  token: "token",
  HealToken: "token",
  stake: "stake",
  StakeManager: "stake",
  health: "health",
  NodeHealth: "health",
  set: "set",
  SelfHealingValidatorSet: "set",
  recovery: "recovery",
  RecoveryManager: "recovery",
  snapshots: "snapshots",
  SnapshotRegistry: "snapshots",
  guardians: "guardians",
  GuardianCouncil: "guardians",
  audit: "audit",
  AuditLog: "audit",
};

const EXAMPLE = `{"stake": "0x…", "health": "0x…", "set": "0x…"}`;

export function parseAddresses(raw: unknown, source: string): SuiteAddresses {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(`--addresses ${source} is not a JSON object; example: ${EXAMPLE}`, "addresses");
  }
  const out: Partial<Record<keyof SuiteAddresses, unknown>> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (key === "chainId") {
      if (!/^\d+$/.test(String(value)))
        throw new ConfigError(
          `--addresses ${source}: chainId ${JSON.stringify(value)} is not an integer`,
          "addresses",
        );
      out.chainId = BigInt(String(value));
      continue;
    }
    const name = ALIASES[key];
    if (name === undefined) continue; // other deployment entries (libraries, implementations) are ignored
    if (typeof value !== "string" || !isAddress(value)) {
      throw new ConfigError(
        `--addresses ${source}: "${key}" is ${JSON.stringify(value)}, not an address (0x followed by 40 hex digits)`,
        "addresses",
      );
    }
    out[name] = getAddress(value);
  }
  for (const required of ["stake", "health", "set"] as const) {
    if (out[required] === undefined) {
      throw new ConfigError(
        `--addresses ${source} has no "${required}" address; example: ${EXAMPLE}`,
        "addresses",
      );
    }
  }
  return out as SuiteAddresses;
}

export function loadAddresses(path: string): SuiteAddresses {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(
      `cannot read --addresses ${path}: ${(error as NodeJS.ErrnoException).code ?? "error"}; example content: ${EXAMPLE}`,
      "addresses",
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError(`--addresses ${path} is not JSON; example content: ${EXAMPLE}`, "addresses");
  }
  return parseAddresses(raw, path);
}
