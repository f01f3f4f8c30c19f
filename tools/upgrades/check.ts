/**
 * Storage-layout and upgrade-safety checks of the upgradeable contracts with `@openzeppelin/upgrades-core`
 * (docs/upgrades.md), on Hardhat 3's build info: `artifacts/build-info/<id>.json` holds the solc input and
 * `<id>.output.json` the output. Hardhat does not ask solc for storage layouts, so the input is compiled again
 * through solc-js (the same npm `solc` Hardhat builds with) for `storageLayout` only (no code generation), and a
 * second time as upgrades-core's "namespaced" input, which turns every ERC-7201 namespace struct into a state
 * variable so that its layout can be read.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

import {
  getContractVersion,
  getErrors,
  getStorageLayout,
  getStorageUpgradeErrors,
  makeNamespacedInput,
  solcInputOutputDecoder,
  validate,
  type SolcInput,
  type SolcOutput,
  type StorageLayout,
  type ValidationOptions,
  type ValidationRunData,
} from "@openzeppelin/upgrades-core";

const require = createRequire(import.meta.url);

/** The contracts behind proxies (src/suite/deploy.ts UPGRADEABLE), by name: their sources. */
export const UPGRADEABLE_SOURCES = {
  StakeManager: "contracts/staking/StakeManager.sol",
  NodeHealth: "contracts/health/NodeHealth.sol",
  SelfHealingValidatorSet: "contracts/validators/SelfHealingValidatorSet.sol",
  AuditLog: "contracts/recovery/AuditLog.sol",
  SnapshotRegistry: "contracts/snapshots/SnapshotRegistry.sol",
  RecoveryManager: "contracts/recovery/RecoveryManager.sol",
  GuardianCouncil: "contracts/guardians/GuardianCouncil.sol",
  StateCommitmentChain: "contracts/fraud/StateCommitmentChain.sol",
  SentinelRegistry: "contracts/sentinels/SentinelRegistry.sol",
} as const;

/**
 * What upgrades-core is told to accept, and why (docs/upgrades.md "What the validator accepts"):
 * - `constructor`: every implementation's constructor only calls `_disableInitializers()` (GUIDELINES.md), which
 *   writes the implementation's own storage, never the proxy's; a constructor that set state would still be
 *   caught by the rule of the guidelines and by `state-variable-assignment` / `state-variable-immutable` below,
 *   which stay errors.
 * - `external-library-linking`: SelfHealingValidatorSet links ValidatorSetChecks (EIP-170). Its functions are
 *   `external` pure/view checks called with DELEGATECALL; the library has no state and no selfdestruct, and
 *   upgrades-core validates its source like any other (its own delegatecall/selfdestruct would be reported).
 */
export const VALIDATION_OPTIONS: ValidationOptions = {
  kind: "transparent",
  unsafeAllow: ["constructor", "external-library-linking"],
};

/** Hardhat's source name of a project file in the solc input. */
const projectSource = (file: string): string => `project/${file}`;

export interface Build {
  /** The build info's file name (one per Hardhat compilation job). */
  id: string;
  input: SolcInput;
  output: SolcOutput;
  solcVersion: string;
}

/**
 * The build info (input + output) that compiled `file` (a project path such as contracts/x/Y.sol) in the
 * latest build: the one its artifact names (`buildInfoId`). artifacts/build-info keeps older build infos
 * too, which may hold an older version of the same file.
 */
export function loadBuild(root: string, file: string = UPGRADEABLE_SOURCES.StakeManager): Build {
  const dir = path.join(root, "artifacts", "build-info");
  const contract = path.basename(file, ".sol");
  const artifactFile = path.join(root, "artifacts", file, `${contract}.json`);
  let buildInfoId: string | undefined;
  try {
    ({ buildInfoId } = JSON.parse(readFileSync(artifactFile, "utf8")) as { buildInfoId?: string });
  } catch {
    throw new Error(`no artifact ${artifactFile}: run \`npx hardhat build\``);
  }
  if (buildInfoId === undefined)
    throw new Error(`${artifactFile} names no build info: run \`npx hardhat build\``);
  const name = `${buildInfoId}.json`;
  let info: { solcVersion: string; input: SolcInput };
  let output: SolcOutput;
  try {
    info = JSON.parse(readFileSync(path.join(dir, name), "utf8")) as {
      solcVersion: string;
      input: SolcInput;
    };
    ({ output } = JSON.parse(readFileSync(path.join(dir, `${buildInfoId}.output.json`), "utf8")) as {
      output: SolcOutput;
    });
  } catch {
    throw new Error(`the build info ${name} of ${file} is missing in ${dir}: run \`npx hardhat build\``);
  }
  if (info.input.sources[projectSource(file)] === undefined) {
    throw new Error(`the build info ${name} does not compile ${file}: run \`npx hardhat build\``);
  }
  return { id: name, input: info.input, output, solcVersion: info.solcVersion };
}

interface Solc {
  compile(input: string): string;
  version(): string;
}

function compile(input: SolcInput): SolcOutput {
  const solc = require("solc") as Solc;
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput & {
    errors?: { severity: string; formattedMessage: string }[];
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  return output;
}

const runs = new Map<string, ValidationRunData>();

/** upgrades-core's validation of the build that compiled `file` (each build validated once per process). */
export function validationFor(root: string, file: string): ValidationRunData {
  const build = loadBuild(root, file);
  let run = runs.get(build.id);
  if (run === undefined) {
    run = runValidation(build);
    runs.set(build.id, run);
  }
  return run;
}

/** Runs upgrades-core's validation over a build (two solc-js compiles without code generation). */
export function runValidation(build: Build): ValidationRunData {
  const layoutOnly = { "*": { "*": ["storageLayout"], "": ["ast"] } };
  const input: SolcInput = {
    ...build.input,
    settings: { ...build.input.settings, outputSelection: layoutOnly },
  };
  const layouts = compile(input);
  // upgrades-core reads the bytecode (the contract's version id) from Hardhat's output and the AST and storage
  // layouts from this compile of the same input (same AST ids).
  for (const [source, contracts] of Object.entries(layouts.contracts)) {
    for (const [name, contract] of Object.entries(contracts)) {
      const built = build.output.contracts[source]?.[name];
      if (built === undefined) throw new Error(`${source}:${name} is not in Hardhat's output (stale build?)`);
      (contract as { evm: unknown }).evm = built.evm;
    }
  }
  const namespacedInput = makeNamespacedInput(input, layouts, build.solcVersion);
  namespacedInput.settings = { ...namespacedInput.settings, outputSelection: layoutOnly };
  const namespaced = compile(namespacedInput);
  return validate(layouts, solcInputOutputDecoder(input, layouts), build.solcVersion, input, namespaced);
}

/** The fully qualified name upgrades-core knows a project contract by. */
export function qualifiedName(file: string, contract: string): string {
  return `${projectSource(file)}:${contract}`;
}

/** Upgrade-safety errors of a contract (after VALIDATION_OPTIONS), as readable lines. */
export function safetyErrors(run: ValidationRunData, name: string): string[] {
  const version = getContractVersion(run, name);
  return getErrors(run, version, VALIDATION_OPTIONS).map(
    (e) => `${e.kind} at ${e.src}${"name" in e && e.name !== undefined ? ` (${String(e.name)})` : ""}`,
  );
}

/** A contract's storage layout, with its ERC-7201 namespaces. */
export function layoutOf(run: ValidationRunData, name: string): StorageLayout {
  return getStorageLayout(run, getContractVersion(run, name));
}

/** What makes `updated` an unsafe upgrade of `original` (empty when it is compatible). */
export function layoutErrors(original: StorageLayout, updated: StorageLayout): string[] {
  return getStorageUpgradeErrors(original, updated, VALIDATION_OPTIONS).map((op) => {
    const o = op as { kind: string; original?: { label?: string }; updated?: { label?: string } };
    return `${o.kind}: ${o.original?.label ?? "-"} -> ${o.updated?.label ?? "-"}`;
  });
}
