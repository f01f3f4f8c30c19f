/**
 * Upgrade rehearsal (docs/upgrades.md "Rehearse before the real thing"): fork the live network on a local anvil
 * (`anvil --fork-url`, npm `@foundry-rs/anvil`, 127.0.0.1 on a port the OS chooses), perform the upgrade there
 * (the new implementation deployed on the fork, `ProxyAdmin.upgradeAndCall` sent as the ProxyAdmin's owner —
 * the deployer or the DAO timelock — impersonated), check the invariants of src/suite/invariants.ts before,
 * right after the upgrade, and after a few heal rounds on the fork, check the new implementation's storage
 * layout against the deployed release's reference (upgrades/layouts/<Contract>.json), and decide GO / NO-GO
 * with reasons. Nothing is sent to the live network; the anvil process is killed before returning.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import {
  Contract,
  ContractFactory,
  Interface,
  JsonRpcProvider,
  type JsonRpcSigner,
  getAddress,
  toBeHex,
  type InterfaceAbi,
} from "ethers";

import { resolveAnvilBinary } from "../agents/orchestrator/drivers/process.js";
import { ERC1967_ADMIN_SLOT, ERC1967_IMPLEMENTATION_SLOT } from "./deploy.js";
import { loadSuite, type SuiteAddresses, type SuiteContracts } from "./addresses.js";
import { HealError, formatError } from "./errors.js";
import { type Check, captureState, checkInvariants, compareStates } from "./invariants.js";

/** The upgradeable contracts a rehearsal can upgrade, with their key in a deployment's addresses. */
export const REHEARSABLE = {
  StakeManager: "stake",
  NodeHealth: "health",
  SelfHealingValidatorSet: "set",
  AuditLog: "audit",
  SnapshotRegistry: "snapshots",
  RecoveryManager: "recovery",
  GuardianCouncil: "council",
  StateCommitmentChain: "stateCommitments",
} as const satisfies Record<string, keyof SuiteAddresses>;
export type RehearsableName = keyof typeof REHEARSABLE;

const PROXY_ADMIN_ABI = [
  "function owner() view returns (address)",
  "function upgradeAndCall(address proxy, address implementation, bytes data) payable",
];

/** What the rehearsal needs of a compiled contract (a Hardhat artifact). */
export interface RehearsalArtifact {
  contractName: string;
  sourceName: string;
  abi: InterfaceAbi;
  bytecode: string;
  linkReferences: Record<string, Record<string, { start: number; length: number }[]>>;
}

export interface RehearsalOptions {
  /** The live network's JSON-RPC URL, forked by anvil. */
  forkUrl: string;
  /** The deployment's addresses file (default: the Ignition deployment of the fork's chain id). */
  addresses?: string;
  contract: RehearsableName;
  /** The new implementation's artifact name (default: `contract`, i.e. the current source). */
  implementation?: string;
  /** A no-argument function of the new implementation called by `upgradeAndCall` (e.g. migrateToV2). */
  migration?: string;
  /** Heal rounds on the fork after the upgrade (default 3). */
  rounds?: number;
  /** Reads an artifact by contract name (hre.artifacts.readArtifact). */
  readArtifact: (name: string) => Promise<RehearsalArtifact>;
  /** The repository root (for the reference layouts and the build info); default: this repository. */
  root?: string;
  /** Skip the storage-layout check (it recompiles the build with solc-js for layouts: ~1 min). */
  skipLayout?: boolean;
  /** First block of the audit trail (default 0). */
  auditFromBlock?: number;
  /** Progress lines. */
  log?: (line: string) => void;
  /** How long anvil may take to fork and answer (default 60 s). */
  startTimeoutMs?: number;
}

export interface RehearsalResult {
  go: boolean;
  /** Why NO-GO (empty on GO). */
  reasons: string[];
  /** Checks that already failed before the upgrade (not counted against it). */
  warnings: string[];
  checks: { stage: string; check: Check }[];
  implementation?: string;
  owner?: string;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** A running anvil on 127.0.0.1: its URL, and `stop`, which kills it (SIGTERM, then SIGKILL after 3 s). */
export interface Anvil {
  url: string;
  stop: () => Promise<void>;
  child: ChildProcess;
}

/** An anvil on 127.0.0.1 (OS-chosen port) with `extraArgs`, answering within `timeoutMs`. */
export async function startAnvil(extraArgs: readonly string[], timeoutMs = 60_000): Promise<Anvil> {
  const args = ["--host", "127.0.0.1", "--port", "0", ...extraArgs];
  const child = spawn(resolveAnvilBinary(), args, { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
      await exited;
      clearTimeout(timer);
    }
  };
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`anvil did not listen within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const finish = (r: number | Error) => {
      clearTimeout(timer);
      if (typeof r === "number") resolve(r);
      else reject(r);
    };
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-4096);
      const m = /Listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (m) finish(Number(m[1]));
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("error", (e) => finish(new Error(`cannot start anvil: ${e.message}`)));
    child.once("exit", (code) => finish(new Error(`anvil exited (${code}): ${output.trim().slice(-300)}`)));
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { url: `http://127.0.0.1:${port}`, stop, child };
}

/** A fork of `forkUrl` on a local anvil. */
export async function startFork(forkUrl: string, timeoutMs = 60_000): Promise<Anvil> {
  try {
    return await startAnvil(["--fork-url", forkUrl, "--no-rate-limit"], timeoutMs);
  } catch (error) {
    throw new HealError(`cannot fork ${forkUrl}: ${(error as Error).message}`);
  }
}

async function slotAddress(provider: JsonRpcProvider, proxy: string, slot: string): Promise<string> {
  const word = await provider.getStorage(proxy, slot);
  return getAddress(`0x${word.slice(-40)}`);
}

/** The signer `address` on an anvil fork: impersonated and funded. */
async function impersonate(provider: JsonRpcProvider, address: string): Promise<JsonRpcSigner> {
  await provider.send("anvil_impersonateAccount", [address]);
  await provider.send("anvil_setBalance", [address, toBeHex(10n ** 21n)]);
  return await provider.getSigner(address);
}

/** Links `bytecode`'s library placeholders to `libraries` (by library name). */
function link(artifact: RehearsalArtifact, libraries: Record<string, string>): string {
  let code = artifact.bytecode.slice(2);
  for (const [, libs] of Object.entries(artifact.linkReferences)) {
    for (const [name, refs] of Object.entries(libs)) {
      const address = libraries[name];
      if (address === undefined) throw new Error(`no address for library ${name}`);
      for (const { start, length } of refs) {
        code = code.slice(0, start * 2) + address.slice(2).toLowerCase() + code.slice((start + length) * 2);
      }
    }
  }
  return `0x${code}`;
}

/** Storage-layout problems of `artifact` against the deployed release of `contract` (empty: compatible). */
async function layoutProblems(
  root: string,
  contract: RehearsableName,
  artifact: RehearsalArtifact,
): Promise<string[]> {
  const { layoutErrors, layoutOf, qualifiedName, safetyErrors, validationFor } =
    await import("../../tools/upgrades/check.js");
  const reference = JSON.parse(
    readFileSync(path.join(root, "upgrades", "layouts", `${contract}.json`), "utf8"),
  ) as Parameters<typeof layoutErrors>[0];
  const run = validationFor(root, artifact.sourceName);
  const name = qualifiedName(artifact.sourceName, artifact.contractName);
  return [
    ...safetyErrors(run, name).map((e: string) => `unsafe: ${e}`),
    ...layoutErrors(reference, layoutOf(run, name)).map((e: string) => `layout: ${e}`),
  ];
}

/** A heal round on the fork: time passes by one heartbeat interval, then the keeper's evaluateAndRotate. */
async function healRound(
  provider: JsonRpcProvider,
  contracts: SuiteContracts,
  keeper: JsonRpcSigner,
): Promise<string> {
  const interval = Number((await contracts.health.parameters()).heartbeatInterval);
  await provider.send("evm_increaseTime", [interval]);
  await provider.send("evm_mine", []);
  const set = contracts.set.connect(keeper);
  const [checked, rotated] = await set.evaluateAndRotate.staticCall(32n);
  await (await set.evaluateAndRotate(32n)).wait();
  return `checked ${checked}, rotated ${rotated}`;
}

/** Runs the rehearsal. Throws a HealError for bad input (an unknown contract, a missing artifact, no fork). */
export async function rehearseUpgrade(options: RehearsalOptions): Promise<RehearsalResult> {
  const log = options.log ?? (() => {});
  const root = options.root ?? ROOT;
  if (!(options.contract in REHEARSABLE)) {
    throw new HealError(
      `--contract "${options.contract}" is not one of ${Object.keys(REHEARSABLE).join(", ")}`,
    );
  }
  const rounds = options.rounds ?? 3;
  if (!Number.isInteger(rounds) || rounds < 0 || rounds > 50) {
    throw new HealError(`--rounds must be an integer in 0 .. 50, got ${rounds}`);
  }
  const implementationName = options.implementation ?? options.contract;
  let artifact: RehearsalArtifact;
  try {
    artifact = await options.readArtifact(implementationName);
  } catch {
    throw new HealError(
      `--implementation "${implementationName}" is not a compiled contract (npx hardhat build?)`,
    );
  }
  const iface = new Interface(artifact.abi);
  let migrationData = "0x";
  if (options.migration !== undefined && options.migration !== "") {
    const fn = iface.getFunction(options.migration);
    if (fn === null || fn.inputs.length !== 0) {
      throw new HealError(
        `--migration "${options.migration}" is not a no-argument function of ${implementationName}`,
      );
    }
    migrationData = iface.encodeFunctionData(fn, []);
  }

  const checks: { stage: string; check: Check }[] = [];
  const reasons: string[] = [];
  const warnings: string[] = [];
  // A check that already fails before the upgrade is a warning (the upgrade did not cause it); the same
  // invariant after the upgrade is held to the state before it (e.g. an active set already below minActive
  // must not shrink).
  const record = (stage: string, list: Check[], preexisting = false) => {
    for (const check of list) {
      checks.push({ stage, check });
      if (!check.ok) (preexisting ? warnings : reasons).push(`${stage}: ${check.name}: ${check.detail}`);
      log(`  ${check.ok ? "ok  " : preexisting ? "WARN" : "FAIL"} ${stage}: ${check.name} — ${check.detail}`);
    }
  };

  if (options.skipLayout !== true) {
    log(`checking ${implementationName}'s storage layout against upgrades/layouts/${options.contract}.json…`);
    const problems = await layoutProblems(root, options.contract, artifact);
    record("layout", [
      {
        name: "storage layout compatible",
        ok: problems.length === 0,
        detail:
          problems.length === 0 ? "compatible with the deployed release" : problems.slice(0, 4).join("; "),
      },
    ]);
  }

  log(`forking ${options.forkUrl} on a local anvil…`);
  const fork = await startFork(options.forkUrl, options.startTimeoutMs);
  const provider = new JsonRpcProvider(fork.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    const suite = await loadSuite(provider, options.addresses ? { file: options.addresses } : {});
    const key = REHEARSABLE[options.contract];
    const proxy = suite.addresses[key];
    if (proxy === undefined) throw new HealError(`${suite.source} has no ${options.contract}`);
    const contracts = suite.contracts;
    const before = await captureState(contracts, provider);
    const auditOptions =
      options.auditFromBlock === undefined ? {} : { auditFromBlock: options.auditFromBlock };
    record("before", await checkInvariants(contracts, before, auditOptions), true);

    const [funded] = (await provider.send("eth_accounts", [])) as string[];
    const deployer =
      funded !== undefined ? await provider.getSigner(funded) : await impersonate(provider, proxy);
    const libraries: Record<string, string> = {};
    for (const libs of Object.values(artifact.linkReferences)) {
      for (const name of Object.keys(libs)) {
        const lib = await options.readArtifact(name);
        const deployed = await new ContractFactory(lib.abi, lib.bytecode, deployer).deploy();
        await deployed.waitForDeployment();
        libraries[name] = await deployed.getAddress();
      }
    }
    const factory = new ContractFactory(artifact.abi, link(artifact, libraries), deployer);
    const implementation = await factory.deploy();
    await implementation.waitForDeployment();
    const implementationAddress = await implementation.getAddress();
    log(`deployed ${implementationName} on the fork at ${implementationAddress}`);

    const proxyAdminAddress = await slotAddress(provider, proxy, ERC1967_ADMIN_SLOT);
    const proxyAdmin = new Contract(proxyAdminAddress, PROXY_ADMIN_ABI, provider);
    const owner = getAddress(String(await proxyAdmin.getFunction("owner")()));
    const ownerSigner = await impersonate(provider, owner);
    const upgrader = new Interface(PROXY_ADMIN_ABI);
    log(`upgrading ${options.contract} (${proxy}) as the ProxyAdmin's owner ${owner}…`);
    let upgraded = false;
    const upgradeTx = {
      to: proxyAdminAddress,
      data: upgrader.encodeFunctionData("upgradeAndCall", [proxy, implementationAddress, migrationData]),
    };
    try {
      // eth_call first: a refused upgrade reverts there with its reason (UpgradeMigrationSkipped, ...).
      await ownerSigner.call(upgradeTx);
      const tx = await ownerSigner.sendTransaction({ ...upgradeTx, gasLimit: 5_000_000n });
      const receipt = await tx.wait();
      upgraded = receipt?.status === 1;
      if (!upgraded) reasons.push("upgrade: upgradeAndCall failed");
    } catch (error) {
      reasons.push(`upgrade: upgradeAndCall reverted: ${formatError(error, iface)}`);
    }
    if (upgraded) {
      const now = await slotAddress(provider, proxy, ERC1967_IMPLEMENTATION_SLOT);
      if (now !== implementationAddress)
        reasons.push(`upgrade: the proxy points at ${now}, not the new implementation`);
      const after = await captureState(contracts, provider);
      record("after upgrade", await checkInvariants(contracts, after, { ...auditOptions, before }));
      record("after upgrade", compareStates(before, after, { sameTotals: true, upgraded: [key] }));

      if (rounds > 0) {
        const keeper = deployer;
        const roundErrors: string[] = [];
        for (let r = 1; r <= rounds; r++) {
          try {
            log(`heal round ${r}: ${await healRound(provider, contracts, keeper)}`);
          } catch (error) {
            roundErrors.push(`round ${r}: ${formatError(error, iface)}`);
            break;
          }
        }
        record(`after ${rounds} heal round(s)`, [
          {
            name: "heal rounds run",
            ok: roundErrors.length === 0,
            detail: roundErrors.length === 0 ? "evaluateAndRotate succeeded every round" : roundErrors[0]!,
          },
        ]);
        const healed = await captureState(contracts, provider);
        record(
          `after ${rounds} heal round(s)`,
          await checkInvariants(contracts, healed, { ...auditOptions, before }),
        );
        record(`after ${rounds} heal round(s)`, compareStates(after, healed));
      }
    }
    return {
      go: reasons.length === 0,
      reasons,
      warnings,
      checks,
      implementation: implementationAddress,
      owner,
    };
  } finally {
    provider.destroy();
    await fork.stop();
  }
}
