/**
 * The addresses of a deployed healnet suite, and typed contracts over them. Free of `hre`: agents, the
 * simulation and the tasks pass an ethers provider or signer.
 *
 * Sources:
 * - the Ignition deployment of a chain, `deploy/deployments/chain-<id>/deployed_addresses.json` (keys
 *   `HealnetCore#StakeManager`, ...), written by `npx hardhat heal deploy` / `ignition deploy`;
 * - an explicit JSON file: either such a deployed_addresses.json, or a flat `{ "token": "0x…", "stake": … }`.
 *
 * The core (token, stake, health, set) is required; the guardian side (audit, snapshots, recovery, council) is
 * all-or-nothing; the StateCommitmentChain and the SentinelRegistry are optional each on its own; the DAO
 * (timelock, governor) is all-or-nothing. Every problem is a HealError naming the file and key.
 *
 *   const suite = await loadSuite(provider);                       // this chain's Ignition deployment
 *   const suite = await loadSuite(wallet, { file: "addresses.json" });
 *   await suite.contracts.set.statusOf(validator);
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { type ContractRunner, getAddress, type Provider } from "ethers";

import {
  AuditLog__factory,
  GuardianCouncil__factory,
  HealGovernor__factory,
  HealToken__factory,
  NodeHealth__factory,
  RecoveryManager__factory,
  SelfHealingValidatorSet__factory,
  SentinelRegistry__factory,
  SnapshotRegistry__factory,
  StakeManager__factory,
  StateCommitmentChain__factory,
  TimelockController__factory,
  type AuditLog,
  type GuardianCouncil,
  type HealGovernor,
  type HealToken,
  type NodeHealth,
  type RecoveryManager,
  type SelfHealingValidatorSet,
  type SentinelRegistry,
  type SnapshotRegistry,
  type StakeManager,
  type StateCommitmentChain,
  type TimelockController,
} from "../../types/ethers-contracts/index.js";
import { HealError } from "./errors.js";

/** Each suite key and its Ignition future id (`<module>#<future>`), grouped as they are deployed. */
export const CORE_KEYS = {
  token: "HealnetCore#HealToken",
  stake: "HealnetCore#StakeManager",
  health: "HealnetCore#NodeHealth",
  set: "HealnetCore#SelfHealingValidatorSet",
} as const;
export const GUARDIAN_KEYS = {
  audit: "HealnetGuardians#AuditLog",
  snapshots: "HealnetGuardians#SnapshotRegistry",
  recovery: "HealnetGuardians#RecoveryManager",
  council: "HealnetGuardians#GuardianCouncil",
} as const;
/** Optional on its own: deployments made before the StateCommitmentChain existed load without it. */
export const FRAUD_KEYS = {
  stateCommitments: "HealnetGuardians#StateCommitmentChain",
} as const;
/** Optional on its own: deployments made before the SentinelRegistry existed load without it. */
export const SENTINEL_KEYS = {
  sentinels: "HealnetGuardians#SentinelRegistry",
} as const;
export const GOVERNANCE_KEYS = {
  timelock: "HealnetGovernance#TimelockController",
  governor: "HealnetGovernance#HealGovernor",
} as const;

type Keys<T> = { [K in keyof T]: string };
export type CoreAddresses = Keys<typeof CORE_KEYS>;
export type GuardianAddresses = Keys<typeof GUARDIAN_KEYS>;
export type GovernanceAddresses = Keys<typeof GOVERNANCE_KEYS>;
export type FraudAddresses = Keys<typeof FRAUD_KEYS>;
export type SentinelAddresses = Keys<typeof SENTINEL_KEYS>;
/** Checksummed addresses; the guardian side and the DAO are present only if they were deployed. */
export type SuiteAddresses = CoreAddresses &
  Partial<GuardianAddresses> &
  Partial<FraudAddresses> &
  Partial<SentinelAddresses> &
  Partial<GovernanceAddresses>;

export interface SuiteContracts {
  token: HealToken;
  stake: StakeManager;
  health: NodeHealth;
  set: SelfHealingValidatorSet;
  audit?: AuditLog;
  snapshots?: SnapshotRegistry;
  recovery?: RecoveryManager;
  council?: GuardianCouncil;
  stateCommitments?: StateCommitmentChain;
  sentinels?: SentinelRegistry;
  timelock?: TimelockController;
  governor?: HealGovernor;
}

export interface LoadedSuite {
  chainId: bigint;
  /** Where the addresses came from (a file path). */
  source: string;
  addresses: SuiteAddresses;
  contracts: SuiteContracts;
}

export interface LoadSuiteOptions {
  /** An explicit addresses file (Ignition's deployed_addresses.json or the flat format). */
  file?: string;
  /** The Ignition deployments directory (default: this repository's deploy/deployments). */
  deploymentsDir?: string;
  /** Check that every address has code on the chain (default true): catches a wrong network. */
  checkCode?: boolean;
}

/** This repository's deploy/deployments (Hardhat's `paths.ignition` is `deploy`). */
export const DEFAULT_DEPLOYMENTS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../deploy/deployments",
);

/** The deployed_addresses.json that Ignition writes for `chainId` (deployment id `chain-<id>`). */
export function deploymentAddressesFile(
  chainId: bigint | number,
  deploymentsDir: string = DEFAULT_DEPLOYMENTS_DIR,
): string {
  return path.join(deploymentsDir, `chain-${chainId}`, "deployed_addresses.json");
}

/**
 * Validates a parsed addresses JSON (either format) and returns checksummed addresses. `origin` names the
 * file in error messages.
 */
export function parseSuiteAddresses(json: unknown, origin: string): SuiteAddresses {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new HealError(`${origin}: expected a JSON object of contract addresses`);
  }
  const record = json as Record<string, unknown>;
  const ignitionFormat = Object.keys(record).some((k) => k.includes("#"));
  const pick = (group: Record<string, string>, required: boolean): Record<string, string> | undefined => {
    const present = Object.entries(group).filter(([key, id]) => (ignitionFormat ? id : key) in record);
    if (present.length === 0 && !required) return undefined;
    const out: Record<string, string> = {};
    for (const [key, id] of Object.entries(group)) {
      const name = ignitionFormat ? id : key;
      const value = record[name];
      if (value === undefined) {
        const why = required
          ? "is missing"
          : `is missing (the file has ${present[0]?.[ignitionFormat ? 1 : 0]})`;
        throw new HealError(`${origin}: "${name}" ${why}`);
      }
      if (typeof value !== "string") throw new HealError(`${origin}: "${name}" is not a string`);
      try {
        out[key] = getAddress(value);
      } catch {
        throw new HealError(`${origin}: "${name}" is not an address: "${value}"`);
      }
      if (BigInt(out[key]) === 0n) throw new HealError(`${origin}: "${name}" is the zero address`);
    }
    return out;
  };
  return {
    ...(pick(CORE_KEYS, true) as CoreAddresses),
    ...(pick(GUARDIAN_KEYS, false) as GuardianAddresses | undefined),
    ...(pick(FRAUD_KEYS, false) as FraudAddresses | undefined),
    ...(pick(SENTINEL_KEYS, false) as SentinelAddresses | undefined),
    ...(pick(GOVERNANCE_KEYS, false) as GovernanceAddresses | undefined),
  };
}

/** Reads and validates an addresses file. */
export async function readSuiteAddresses(file: string): Promise<SuiteAddresses> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new HealError(`${file}: cannot be read (no deployment there? deploy with npx hardhat heal deploy)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new HealError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return parseSuiteAddresses(json, file);
}

/** Typed contracts for `addresses`, connected to `runner` (a provider for reads, a signer to send). */
export function connectSuite(addresses: SuiteAddresses, runner: ContractRunner): SuiteContracts {
  const a = addresses;
  return {
    token: HealToken__factory.connect(a.token, runner),
    stake: StakeManager__factory.connect(a.stake, runner),
    health: NodeHealth__factory.connect(a.health, runner),
    set: SelfHealingValidatorSet__factory.connect(a.set, runner),
    ...(a.audit && { audit: AuditLog__factory.connect(a.audit, runner) }),
    ...(a.snapshots && { snapshots: SnapshotRegistry__factory.connect(a.snapshots, runner) }),
    ...(a.recovery && { recovery: RecoveryManager__factory.connect(a.recovery, runner) }),
    ...(a.council && { council: GuardianCouncil__factory.connect(a.council, runner) }),
    ...(a.stateCommitments && {
      stateCommitments: StateCommitmentChain__factory.connect(a.stateCommitments, runner),
    }),
    ...(a.sentinels && { sentinels: SentinelRegistry__factory.connect(a.sentinels, runner) }),
    ...(a.timelock && { timelock: TimelockController__factory.connect(a.timelock, runner) }),
    ...(a.governor && { governor: HealGovernor__factory.connect(a.governor, runner) }),
  };
}

function providerOf(runner: ContractRunner): Provider {
  if ("getNetwork" in runner && typeof runner.getNetwork === "function") return runner as Provider;
  if (runner.provider) return runner.provider;
  throw new HealError("the signer has no provider: connect it to one");
}

/**
 * The suite deployed on `runner`'s chain: the addresses from `options.file`, or else from the Ignition
 * deployment of that chain id; validated, checked for code (unless `checkCode: false`), and connected.
 */
export async function loadSuite(
  runner: ContractRunner,
  options: LoadSuiteOptions = {},
): Promise<LoadedSuite> {
  const provider = providerOf(runner);
  const { chainId } = await provider.getNetwork();
  const source = options.file ?? deploymentAddressesFile(chainId, options.deploymentsDir);
  let addresses: SuiteAddresses;
  try {
    addresses = await readSuiteAddresses(source);
  } catch (e) {
    if (options.file === undefined && e instanceof HealError && /cannot be read/.test(e.message)) {
      throw new HealError(
        `no healnet deployment for chain ${chainId} (${source} not found): deploy with npx hardhat heal deploy --network <name>, or pass an addresses file`,
      );
    }
    throw e;
  }
  if (options.checkCode !== false) {
    for (const [key, address] of Object.entries(addresses)) {
      if ((await provider.getCode(address)) === "0x") {
        throw new HealError(
          `${source}: no contract at ${key} ${address} on chain ${chainId} (wrong network, or the node was restarted since the deployment)`,
        );
      }
    }
  }
  return { chainId, source, addresses, contracts: connectSuite(addresses, runner) };
}
