/**
 * Runs the healnet Ignition modules programmatically — for `heal deploy` and the tests — with a deployment
 * directory of the caller's choice (Hardhat's own `ignition.deploy` never keeps a journal on the in-process
 * network, so a re-run could not be tested there), and validates a network's parameter file first.
 *
 * On a live network the directory is deploy/deployments/chain-<id> (what `npx hardhat ignition deploy` uses
 * too), so a second run reads the journal and sends nothing that was already done.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

import { readDeploymentParameters } from "@nomicfoundation/hardhat-ignition/helpers";
import {
  HardhatArtifactResolver,
  errorDeploymentResultToExceptionMessage,
} from "@nomicfoundation/hardhat-ignition/helpers";
import {
  deploy,
  DeploymentResultType,
  type DeploymentParameters,
  type EIP1193Provider,
  type ExecutionEventListener,
} from "@nomicfoundation/ignition-core";
import { getAddress } from "ethers";
import type { ArtifactManager } from "hardhat/types/artifacts";

import { HealError } from "../src/suite/errors.js";
import HealnetCore from "./modules/HealnetCore.js";
import HealnetGovernance from "./modules/HealnetGovernance.js";
import HealnetSuite from "./modules/HealnetSuite.js";

/** The deployable modules: the whole suite without a DAO, with the DAO, or the core alone. */
export const MODULES = { suite: HealnetSuite, governance: HealnetGovernance, core: HealnetCore } as const;
export type ModuleName = keyof typeof MODULES;

const DEPLOY_DIR = path.dirname(fileURLToPath(import.meta.url));

/** deploy/parameters/<network>.json; Hardhat 3's in-process network, "default", uses hardhat.json. */
export function parametersFile(networkName: string): string {
  const name = networkName === "default" ? "hardhat" : networkName;
  return path.join(DEPLOY_DIR, "parameters", `${name}.json`);
}

/** deploy/deployments/chain-<id>: Ignition's default deployment directory for that chain. */
export function deploymentDirOf(chainId: bigint | number): string {
  return path.join(DEPLOY_DIR, "deployments", `chain-${chainId}`);
}

function checkAddress(file: string, key: string, value: unknown): void {
  let address: string;
  try {
    address = getAddress(String(value));
  } catch {
    throw new HealError(`${file}: ${key} is not an address: ${JSON.stringify(value)}`);
  }
  if (BigInt(address) === 0n)
    throw new HealError(`${file}: ${key} is the zero address: set it before deploying`);
}

/**
 * Reads a parameter file (Ignition's format: `{ "<ModuleId>": { "<name>": value } }`, bigints as "123n") and
 * checks what would otherwise fail deep in a deployment: the guardians (present, distinct, non-zero), the
 * threshold (1 .. guardians), and the treasury and operator (non-zero) when given.
 */
export async function readParameters(file: string, module: ModuleName): Promise<DeploymentParameters> {
  let parameters: DeploymentParameters;
  try {
    parameters = (await readDeploymentParameters(file)) as DeploymentParameters;
  } catch {
    throw new HealError(`${file}: cannot be read as JSON (create it from deploy/parameters/hardhat.json)`);
  }
  const core = parameters.HealnetCore ?? {};
  if (core.treasury !== undefined) checkAddress(file, "HealnetCore.treasury", core.treasury);
  if (module === "core") return parameters;
  const g = parameters.HealnetGuardians;
  if (g === undefined) throw new HealError(`${file}: "HealnetGuardians" is missing (guardians, threshold)`);
  const guardians = g.guardians;
  if (!Array.isArray(guardians) || guardians.length === 0) {
    throw new HealError(`${file}: HealnetGuardians.guardians must be a non-empty array of addresses`);
  }
  guardians.forEach((a, i) => checkAddress(file, `HealnetGuardians.guardians[${i}]`, a));
  if (new Set(guardians.map((a) => String(a).toLowerCase())).size !== guardians.length) {
    throw new HealError(`${file}: HealnetGuardians.guardians has a duplicate`);
  }
  const threshold = Number(g.threshold);
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > guardians.length) {
    throw new HealError(
      `${file}: HealnetGuardians.threshold must be 1 .. ${guardians.length} (the number of guardians), got ${JSON.stringify(g.threshold)}`,
    );
  }
  if (g.operator !== undefined) checkAddress(file, "HealnetGuardians.operator", g.operator);
  return parameters;
}

export interface RunIgnitionOptions {
  provider: EIP1193Provider;
  artifacts: ArtifactManager;
  module: ModuleName;
  parameters: DeploymentParameters;
  /** Where the journal and deployed_addresses.json go; undefined: in memory (nothing is resumable). */
  deploymentDir?: string;
  eventListener?: ExecutionEventListener;
}

/** Deploys (or resumes, or confirms) `module`; returns every deployed address by future id (`Module#Name`). */
export async function runIgnition(options: RunIgnitionOptions): Promise<Record<string, string>> {
  const accounts = (await options.provider.request({ method: "eth_accounts" })) as string[];
  if (accounts.length === 0) {
    throw new HealError(
      "the network has no account to deploy from (set its accounts, e.g. with configVariable)",
    );
  }
  const result = await deploy({
    provider: options.provider,
    artifactResolver: new HardhatArtifactResolver(options.artifacts),
    ignitionModule: MODULES[options.module],
    deploymentParameters: options.parameters,
    deploymentDir: options.deploymentDir,
    executionEventListener: options.eventListener,
    accounts,
  });
  if (result.type !== DeploymentResultType.SUCCESSFUL_DEPLOYMENT) {
    throw new HealError(`deployment failed: ${errorDeploymentResultToExceptionMessage(result)}`);
  }
  return Object.fromEntries(Object.entries(result.contracts).map(([id, c]) => [id, c.address]));
}
