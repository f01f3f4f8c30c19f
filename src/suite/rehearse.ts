/**
 * Upgrade rehearsal (docs/upgrades.md "Rehearse before the real thing"): fork the live network on a local anvil
 * (`anvil --fork-url`, npm `@foundry-rs/anvil`, 127.0.0.1 on a port the OS chooses), perform the upgrade there
 * (the new implementation deployed on the fork, `ProxyAdmin.upgradeAndCall` sent as the ProxyAdmin's owner,
 * impersonated — or, when that owner is a TimelockController (the DAO timelock), replayed through it: scheduled
 * by an impersonated PROPOSER_ROLE holder with the minimum delay, refused before the delay, executed after it by
 * an EXECUTOR_ROLE holder; the governor's vote itself is not replayed, see `upgradeThroughTimelock`), check the
 * invariants of src/suite/invariants.ts before and
 * right after the upgrade, check the new implementation's storage layout against the deployed release's
 * reference (upgrades/layouts/<Contract>.json), then run a short healing drill on the upgraded fork and the
 * invariants again, and decide GO / NO-GO with reasons.
 *
 * The drill (`healingDrill`): every active validator and every backup (paged, at most 128) heartbeats — its
 * signer (`NodeHealth.signerOf`) impersonated, a direct `NodeHealth.heartbeat` with the fork's head as the
 * report — for `rounds` intervals; then the first active validator crashes (stops heartbeating) while the others
 * heartbeat each interval until it is overdue (`overdueAt`); `checkHeartbeat(crashed)` must open an incident for
 * it, promote a ready backup when there is one (the set within bounds) and leave every healthy validator active
 * and not overdue (zero false positives). A heartbeat that is not recorded, a revert or a wrong outcome is a
 * NO-GO reason; a network without active validators skips the drill with a warning. After it the invariants
 * are checked again against the state right after the upgrade, comparing only what must be preserved
 * (incidents and their slash states, the audit log, versions): the drill's own changes are checked above.
 *
 * Nothing is sent to the live network; the anvil process is killed before returning.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import {
  Contract,
  ContractFactory,
  Interface,
  JsonRpcProvider,
  type JsonRpcSigner,
  ZeroAddress,
  ZeroHash,
  getAddress,
  id,
  toBeHex,
  type InterfaceAbi,
} from "ethers";

import { type TimelockController, TimelockController__factory } from "../../types/ethers-contracts/index.js";
import { type Anvil, launchAnvil } from "../chain/anvil.js";
import { ERC1967_ADMIN_SLOT, ERC1967_IMPLEMENTATION_SLOT } from "./deploy.js";
import { loadSuite, type SuiteAddresses, type SuiteContracts } from "./addresses.js";
import { HealError, formatError } from "./errors.js";
import { healthyReport } from "./fleet.js";
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
  /** Intervals of healthy heartbeats in the healing drill before a validator crashes (default 3, 0 .. 50). */
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
  /**
   * Whether the fork enforces EIP-170's 24,576-byte code size limit (default true, as every real network does,
   * so an oversized implementation is a NO-GO). Only coverage runs lift it: their artifacts are instrumented.
   */
  codeSizeLimit?: boolean;
  /**
   * Under governance (the ProxyAdmin's owner is a TimelockController): the PROPOSER_ROLE holder impersonated to
   * schedule the upgrade (default: the deployment's governor if it holds the role, else the latest holder found
   * in the timelock's RoleGranted events).
   */
  proposer?: string;
  /** Under governance: the EXECUTOR_ROLE holder that executes it (default: anyone if the role is open, ...). */
  executor?: string;
  /** Under governance: the largest acceptable `getMinDelay()` in seconds (a larger one is a NO-GO). */
  maxDelay?: number;
}

/** What the rehearsal did through the timelock (the ProxyAdmin's owner) under governance. */
export interface TimelockReport {
  timelock: string;
  /** `getMinDelay()`, in seconds: the fork's clock advanced by it between schedule and execute. */
  minDelay: number;
  /** The PROPOSER_ROLE holder impersonated to schedule (absent: none found). */
  proposer?: string;
  /** Who executed (absent: nobody could). */
  executor?: string;
  operationId: string;
  scheduled: boolean;
  executed: boolean;
}

export interface RehearsalResult {
  go: boolean;
  /** Why NO-GO (empty on GO). */
  reasons: string[];
  /** Checks that already failed before the upgrade (not counted against it). */
  warnings: string[];
  checks: { stage: string; check: Check }[];
  /** What the healing drill did (absent when the upgrade failed). */
  drill?: DrillReport;
  implementation?: string;
  owner?: string;
  /** Under governance: the schedule → delay → execute replay (absent when the owner is not a timelock). */
  timelock?: TimelockReport;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * A fork of `forkUrl` on a local anvil (127.0.0.1, OS-chosen port), answering within `timeoutMs`; its `stop()`
 * sends SIGTERM, then SIGKILL after 3 s.
 */
export async function startFork(forkUrl: string, timeoutMs = 60_000, codeSizeLimit = true): Promise<Anvil> {
  try {
    return await launchAnvil({ args: ["--fork-url", forkUrl, "--no-rate-limit"], timeoutMs, codeSizeLimit });
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

/** What the healing drill did (see `healingDrill`). */
export interface DrillReport {
  /** Active validators that heartbeated (the crashed one included, until it crashed). */
  active: number;
  /** Backups that heartbeated (the ready candidates for a promotion). */
  backups: number;
  /** Intervals of healthy heartbeats before the crash (`--rounds`). */
  healthyIntervals: number;
  /** The validator that stopped heartbeating (absent when the drill could not run). */
  crashed?: string;
  /** Intervals it took to become overdue. */
  intervalsToOverdue?: number;
  /** The incident `checkHeartbeat(crashed)` opened (0: none; a number, so the report serialises as JSON). */
  incidentId?: number;
  /** The backup promoted in its place (absent: none). */
  replacement?: string;
  /** Healthy active validators `checkHeartbeat` would have touched (must be empty). */
  falsePositives: string[];
}

/** At most this many backups heartbeat in a drill (`backupValidators` is paged with this limit). */
const DRILL_MAX_BACKUPS = 128n;
/** The active set is capped at 128 (IValidatorSet.Parameters.maxActive): every loop below is bounded by it. */
const DRILL_MAX_ACTIVE = 128;

/**
 * A short healing drill on the fork: every active validator and backup heartbeats (their signers impersonated,
 * a direct `NodeHealth.heartbeat` with the fork's head as the report), `healthyIntervals` intervals pass with
 * everyone heartbeating, then the first active validator "crashes" (stops heartbeating) while time advances
 * interval by interval until it is overdue; `checkHeartbeat(crashed)` must open an incident, promote a ready
 * backup when there is one (the crashed validator out, the set within bounds) and touch none of the healthy
 * validators. Every failed step is a check that fails; a network with no active validator is a warning.
 */
async function healingDrill(
  provider: JsonRpcProvider,
  contracts: SuiteContracts,
  keeper: JsonRpcSigner,
  healthyIntervals: number,
  log: (line: string) => void,
): Promise<{ checks: Check[]; warnings: string[]; report: DrillReport }> {
  const { health, set } = contracts;
  const checks: Check[] = [];
  const report: DrillReport = { active: 0, backups: 0, healthyIntervals, falsePositives: [] };
  const active = [...(await set.activeValidators())].slice(0, DRILL_MAX_ACTIVE);
  const backups = [...(await set.backupValidators(0n, DRILL_MAX_BACKUPS))];
  const signers = new Map<string, JsonRpcSigner>();
  for (const v of [...active, ...backups]) {
    const [signer] = await health.signerOf(v);
    if (signer !== ZeroAddress) signers.set(v, await impersonate(provider, signer));
  }
  const alive = active.filter((v) => signers.has(v));
  if (alive.length === 0) {
    return { checks, warnings: ["drill: skipped, no active validator with a signer"], report };
  }
  const crashed = alive[0]!;
  const healthy = alive.slice(1);
  const ready = backups.filter((v) => signers.has(v));
  report.active = alive.length;
  report.backups = ready.length;
  report.crashed = crashed;
  const { heartbeatInterval, gracePeriod } = await health.parameters();
  const interval = Number(heartbeatInterval);
  const unrecorded: string[] = [];
  // Every heartbeat is sent and mined before the next; a failure is one line (the first one).
  const beat = async (validators: readonly string[]): Promise<void> => {
    const head = await healthyReport(provider);
    const best = await health.bestHeight();
    // The fork's head, never below the best height (a lagging report would count towards a stall).
    const hr = head.blockHeight >= best ? head : { ...head, blockHeight: best };
    for (const v of validators) {
      const signer = signers.get(v)!;
      try {
        const receipt = await (await health.connect(signer).heartbeat(hr)).wait();
        const block = await provider.getBlock(receipt!.blockNumber);
        const last = await health.lastHeartbeatAt(v);
        if (block !== null && last !== BigInt(block.timestamp)) {
          unrecorded.push(`${v}'s heartbeat at ${block.timestamp} was not recorded (last ${last})`);
        }
      } catch (error) {
        throw new Error(`heartbeat of ${v}: ${formatError(error, health.interface)}`);
      }
    }
  };
  const tick = async () => {
    await provider.send("evm_increaseTime", [interval]);
    await provider.send("evm_mine", []);
  };
  const incidentsBefore = await set.incidentCount();
  try {
    await beat([...alive, ...ready]);
    for (let i = 0; i < healthyIntervals; i++) {
      await tick();
      await beat([...alive, ...ready]);
    }
  } catch (error) {
    checks.push({ name: "drill: heartbeats recorded", ok: false, detail: (error as Error).message });
    return { checks, warnings: [], report };
  }
  // The crash: `crashed` is silent from now on; the others keep heartbeating each interval until it is
  // overdue (at most (interval + grace) / interval + 2 intervals).
  const maxIntervals = Math.ceil((interval + Number(gracePeriod)) / interval) + 2;
  let intervals = 0;
  try {
    while (intervals < maxIntervals) {
      await tick();
      await beat([...healthy, ...ready]);
      intervals++;
      const now = (await provider.getBlock("latest"))!.timestamp;
      if (BigInt(now) >= (await set.overdueAt(crashed))) break;
    }
  } catch (error) {
    checks.push({ name: "drill: heartbeats recorded", ok: false, detail: (error as Error).message });
    return { checks, warnings: [], report };
  }
  report.intervalsToOverdue = intervals;
  checks.push({
    name: "drill: heartbeats recorded",
    ok: unrecorded.length === 0,
    detail:
      unrecorded.length === 0
        ? `${alive.length} active and ${ready.length} backup(s) heartbeated ${healthyIntervals + 1} interval(s) of ${interval} s, then ${crashed} crashed (${intervals} interval(s) to overdue)`
        : `${unrecorded.length} heartbeat(s) not recorded: ${unrecorded[0]}`,
  });
  if (unrecorded.length > 0) return { checks, warnings: [], report };

  log(`drill: ${crashed} crashed ${intervals} interval(s) ago; checkHeartbeat…`);
  const sent = set.connect(keeper);
  let incidentId = 0n;
  try {
    incidentId = await sent.checkHeartbeat.staticCall(crashed);
    await (await sent.checkHeartbeat(crashed)).wait();
  } catch (error) {
    checks.push({
      name: "drill: crash detected",
      ok: false,
      detail: `checkHeartbeat(${crashed}): ${formatError(error, set.interface)}`,
    });
    return { checks, warnings: [], report };
  }
  report.incidentId = Number(incidentId);
  const incidentsAfter = await set.incidentCount();
  const opened = incidentId === 0n ? undefined : await set.incident(incidentId);
  const detected = opened !== undefined && getAddress(opened.validator) === getAddress(crashed);
  checks.push({
    name: "drill: crash detected",
    ok: detected && incidentsAfter === incidentsBefore + 1n,
    detail: detected
      ? `incident ${incidentId} opened for ${crashed}`
      : incidentId === 0n
        ? `checkHeartbeat(${crashed}) opened no incident (degraded since ${await set.degradedSince()}: treated as a correlated outage?)`
        : `incident ${incidentId} is not about ${crashed}`,
  });

  const now = [...(await set.activeValidators())];
  const { minActive, maxActive } = await set.parameters();
  const inBounds = now.length <= Number(maxActive) && now.length >= Math.min(Number(minActive), alive.length);
  const replacement = opened === undefined ? ZeroAddress : getAddress(opened.replacement);
  if (replacement !== ZeroAddress) report.replacement = replacement;
  const promoted =
    replacement !== ZeroAddress &&
    ready.some((b) => getAddress(b) === replacement) &&
    (await set.isActive(replacement));
  const replaced = !(await set.isActive(crashed)) && promoted;
  checks.push({
    name: "drill: crashed validator replaced",
    ok: inBounds && (ready.length === 0 || replaced),
    detail:
      ready.length === 0
        ? `no ready backup: ${now.length} active, bounds [${minActive}, ${maxActive}]`
        : replaced
          ? `${crashed} out, backup ${replacement} promoted; ${now.length} active, bounds [${minActive}, ${maxActive}]`
          : `${ready.length} ready backup(s), but ${(await set.isActive(crashed)) ? `${crashed} is still active` : "no backup was promoted"}; ${now.length} active, bounds [${minActive}, ${maxActive}]`,
  });

  // Zero false positives: every healthy validator is still active and not overdue (checkHeartbeat refuses it).
  for (const v of healthy) {
    if (!(await set.isActive(v))) {
      report.falsePositives.push(`${v} was removed`);
      continue;
    }
    try {
      const id = await sent.checkHeartbeat.staticCall(v);
      report.falsePositives.push(`checkHeartbeat(${v}) would open incident ${id}`);
    } catch (error) {
      // ValidatorSetNotOverdue: healthy, as it should be; any other refusal is reported.
      const why = formatError(error, set.interface);
      if (!why.includes("ValidatorSetNotOverdue")) report.falsePositives.push(`checkHeartbeat(${v}): ${why}`);
    }
  }
  checks.push({
    name: "drill: no false positive",
    ok: report.falsePositives.length === 0,
    detail:
      report.falsePositives.length === 0
        ? `${healthy.length} healthy validator(s) untouched`
        : report.falsePositives.slice(0, 3).join("; "),
  });
  return { checks, warnings: [], report };
}

/** The TimelockController at `address`, or undefined when it is an EOA or another contract. */
async function asTimelock(
  provider: JsonRpcProvider,
  address: string,
): Promise<{ timelock: TimelockController; minDelay: bigint } | undefined> {
  if ((await provider.getCode(address)) === "0x") return undefined;
  const timelock = TimelockController__factory.connect(address, provider);
  try {
    const [minDelay, proposerRole] = await Promise.all([timelock.getMinDelay(), timelock.PROPOSER_ROLE()]);
    return proposerRole === id("PROPOSER_ROLE") ? { timelock, minDelay } : undefined;
  } catch {
    return undefined;
  }
}

/** RoleGranted events are read in ranges of this many blocks, newest first… */
const ROLE_SCAN_CHUNK = 10_000;
/** …at most this many ranges (the last 2,000,000 blocks; older grants need --proposer / --executor). */
const ROLE_SCAN_MAX_CHUNKS = 200;

/**
 * An account that holds `role` of `timelock` now: the first of `candidates` that does, else the most recently
 * granted current holder in the timelock's RoleGranted events, read newest first in bounded block ranges down to
 * `fromBlock` (at most ROLE_SCAN_MAX_CHUNKS ranges). `searched` says what was looked at when nobody is found.
 */
async function findRoleHolder(
  provider: JsonRpcProvider,
  timelock: TimelockController,
  role: string,
  candidates: readonly string[],
  fromBlock: number,
): Promise<{ holder?: string; searched?: string }> {
  for (const candidate of candidates) {
    if (await timelock.hasRole(role, candidate)) return { holder: getAddress(candidate) };
  }
  const head = await provider.getBlockNumber();
  const seen = new Set<string>(candidates.map((c) => getAddress(c)));
  let to = head;
  let chunks = 0;
  for (; to >= fromBlock && chunks < ROLE_SCAN_MAX_CHUNKS; chunks++) {
    const from = Math.max(fromBlock, to - ROLE_SCAN_CHUNK + 1);
    const events = await timelock.queryFilter(timelock.filters.RoleGranted(role), from, to);
    for (const event of events.reverse()) {
      const account = getAddress(event.args.account);
      if (seen.has(account)) continue;
      seen.add(account);
      if (await timelock.hasRole(role, account)) return { holder: account };
    }
    to = from - 1;
  }
  return {
    searched: `RoleGranted events of blocks ${to + 1} .. ${head}, ${seen.size} account(s) granted it`,
  };
}

/**
 * The upgrade through the timelock that owns the ProxyAdmin, as governance would do it, minus the vote: a
 * PROPOSER_ROLE holder (the governor), impersonated, schedules `ProxyAdmin.upgradeAndCall` with the timelock's
 * minimum delay; executing it before the delay must be refused (TimelockUnexpectedOperationState); the fork's
 * clock advances by the delay; an EXECUTOR_ROLE holder (anyone when the role is open, i.e. held by address 0)
 * executes it. Every step is a check; the first failed one ends the replay (no upgrade).
 */
async function upgradeThroughTimelock(
  provider: JsonRpcProvider,
  found: { timelock: TimelockController; minDelay: bigint },
  call: { to: string; data: string },
  anyone: JsonRpcSigner,
  options: { proposer?: string; executor?: string; maxDelay?: number; fromBlock: number; governor?: string },
  errors: Interface,
  log: (line: string) => void,
): Promise<{ checks: Check[]; report: TimelockReport }> {
  const { timelock, minDelay } = found;
  const address = await timelock.getAddress();
  const salt = id("healnet: heal upgrade rehearse");
  const operationId = await timelock.hashOperation(call.to, 0n, call.data, ZeroHash, salt);
  const report: TimelockReport = {
    timelock: address,
    minDelay: Number(minDelay),
    operationId,
    scheduled: false,
    executed: false,
  };
  const checks: Check[] = [];
  const fail = (name: string, detail: string) => {
    checks.push({ name, ok: false, detail });
    return { checks, report };
  };

  if (options.maxDelay !== undefined) {
    const ok = minDelay <= BigInt(options.maxDelay);
    checks.push({
      name: "delay within --max-delay",
      ok,
      detail: `getMinDelay() is ${minDelay} s, at most ${options.maxDelay} s expected`,
    });
    if (!ok) return { checks, report };
  }

  const [proposerRole, executorRole] = await Promise.all([
    timelock.PROPOSER_ROLE(),
    timelock.EXECUTOR_ROLE(),
  ]);
  const proposerCandidates = options.proposer !== undefined ? [] : options.governor ? [options.governor] : [];
  if (options.proposer !== undefined && !(await timelock.hasRole(proposerRole, options.proposer))) {
    return fail(
      "scheduled by a proposer",
      `--proposer ${options.proposer} does not hold PROPOSER_ROLE of ${address}`,
    );
  }
  const proposerFound =
    options.proposer !== undefined
      ? { holder: getAddress(options.proposer) }
      : await findRoleHolder(provider, timelock, proposerRole, proposerCandidates, options.fromBlock);
  if (proposerFound.holder === undefined) {
    return fail(
      "scheduled by a proposer",
      `nobody holds PROPOSER_ROLE of ${address} (${proposerFound.searched}): governance could not queue the upgrade`,
    );
  }
  const proposer = proposerFound.holder;
  report.proposer = proposer;
  log(
    `scheduling it on the timelock ${address} as the proposer ${proposer} (impersonated: the vote is not replayed)…`,
  );
  const proposerSigner = await impersonate(provider, proposer);
  const scheduleArgs = [call.to, 0n, call.data, ZeroHash, salt, minDelay] as const;
  try {
    await timelock.connect(proposerSigner).schedule.staticCall(...scheduleArgs);
    await (await timelock.connect(proposerSigner).schedule(...scheduleArgs, { gasLimit: 1_000_000n })).wait();
  } catch (error) {
    return fail("scheduled by a proposer", `schedule as ${proposer}: ${formatError(error, errors)}`);
  }
  report.scheduled = await timelock.isOperationPending(operationId);
  checks.push({
    name: "scheduled by a proposer",
    ok: report.scheduled,
    detail: report.scheduled
      ? `operation ${operationId} scheduled by ${proposer} (impersonated: the vote itself is not replayed), delay ${minDelay} s`
      : `schedule as ${proposer} left operation ${operationId} not pending`,
  });
  if (!report.scheduled) return { checks, report };

  // The executor: anyone when the role is open, else the given one, the proposer, or the latest holder.
  let executor: string | undefined;
  let executorSearched = "";
  if (await timelock.hasRole(executorRole, ZeroAddress)) {
    executor = getAddress(await anyone.getAddress());
  } else if (options.executor !== undefined) {
    if (await timelock.hasRole(executorRole, options.executor)) executor = getAddress(options.executor);
    else executorSearched = `--executor ${options.executor} does not hold it`;
  } else {
    const executorFound = await findRoleHolder(
      provider,
      timelock,
      executorRole,
      [proposer],
      options.fromBlock,
    );
    executor = executorFound.holder;
    executorSearched = executorFound.searched ?? "";
  }
  if (executor === undefined) {
    return fail(
      "executed after the delay",
      `nobody holds EXECUTOR_ROLE of ${address} (${executorSearched}): the queued upgrade could never run`,
    );
  }
  const executorSigner =
    executor === getAddress(await anyone.getAddress()) ? anyone : await impersonate(provider, executor);
  const executeArgs = [call.to, 0n, call.data, ZeroHash, salt] as const;

  // Before the delay: refused, so that the guardians have the delay to cancel it.
  try {
    await timelock.connect(executorSigner).execute.staticCall(...executeArgs);
    checks.push({
      name: "execute before the delay refused",
      ok: false,
      detail: `execute right after schedule succeeded (getMinDelay() is ${minDelay} s): nobody can cancel it in time`,
    });
    return { checks, report };
  } catch (error) {
    const why = formatError(error, errors);
    const ok = why.includes("TimelockUnexpectedOperationState");
    checks.push({
      name: "execute before the delay refused",
      ok,
      detail: ok
        ? `${why.replace(/^reverted: /, "")}: not Ready until ${minDelay} s have passed`
        : `expected TimelockUnexpectedOperationState, got ${why}`,
    });
    if (!ok) return { checks, report };
  }

  await provider.send("evm_increaseTime", [Number(minDelay)]);
  await provider.send("evm_mine", []);
  log(`advanced the fork by ${minDelay} s; executing as ${executor}…`);
  try {
    await timelock.connect(executorSigner).execute.staticCall(...executeArgs);
    const receipt = await (
      await timelock.connect(executorSigner).execute(...executeArgs, { gasLimit: 6_000_000n })
    ).wait();
    report.executed = receipt?.status === 1 && (await timelock.isOperationDone(operationId));
  } catch (error) {
    return fail("executed after the delay", `execute as ${executor}: ${formatError(error, errors)}`);
  }
  report.executor = executor;
  checks.push({
    name: "executed after the delay",
    ok: report.executed,
    detail: report.executed
      ? `executed by ${executor} ${minDelay} s after it was scheduled`
      : `execute as ${executor} did not complete operation ${operationId}`,
  });
  return { checks, report };
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
  const fork = await startFork(options.forkUrl, options.startTimeoutMs, options.codeSizeLimit ?? true);
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
    const upgrader = new Interface(PROXY_ADMIN_ABI);
    let upgraded = false;
    let drill: DrillReport | undefined;
    let timelockReport: TimelockReport | undefined;
    const upgradeTx = {
      to: proxyAdminAddress,
      data: upgrader.encodeFunctionData("upgradeAndCall", [proxy, implementationAddress, migrationData]),
    };
    const governed = await asTimelock(provider, owner);
    if (governed !== undefined) {
      // Under governance: schedule → minDelay → execute on the timelock, the proposer impersonated.
      log(`upgrading ${options.contract} (${proxy}) through the timelock ${owner}, the ProxyAdmin's owner…`);
      const errors = new Interface([
        ...TimelockController__factory.createInterface().fragments.filter((f) => f.type === "error"),
        ...iface.fragments.filter((f) => f.type === "error"),
      ]);
      const governor =
        suite.contracts.governor === undefined ? undefined : await suite.contracts.governor.getAddress();
      const result = await upgradeThroughTimelock(
        provider,
        governed,
        upgradeTx,
        deployer,
        {
          ...(options.proposer !== undefined && { proposer: options.proposer }),
          ...(options.executor !== undefined && { executor: options.executor }),
          ...(options.maxDelay !== undefined && { maxDelay: options.maxDelay }),
          ...(governor !== undefined && { governor }),
          fromBlock: options.auditFromBlock ?? 0,
        },
        errors,
        log,
      );
      timelockReport = result.report;
      record("timelock", result.checks);
      upgraded = result.report.executed;
    } else {
      const ownerSigner = await impersonate(provider, owner);
      log(`upgrading ${options.contract} (${proxy}) as the ProxyAdmin's owner ${owner}…`);
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
    }
    if (upgraded) {
      const now = await slotAddress(provider, proxy, ERC1967_IMPLEMENTATION_SLOT);
      if (now !== implementationAddress)
        reasons.push(`upgrade: the proxy points at ${now}, not the new implementation`);
      const after = await captureState(contracts, provider);
      record("after upgrade", await checkInvariants(contracts, after, { ...auditOptions, before }));
      record("after upgrade", compareStates(before, after, { sameTotals: true, upgraded: [key] }));

      // The healing drill, then the invariants again: the drill legitimately opens an incident and changes the
      // active set, so only what must be preserved is compared (incidents kept, audit log grown, versions).
      const stage = `after the drill (${rounds} healthy interval(s))`;
      try {
        const result = await healingDrill(provider, contracts, deployer, rounds, log);
        drill = result.report;
        for (const warning of result.warnings) {
          warnings.push(warning);
          log(`  WARN ${warning}`);
        }
        record(stage, result.checks);
        const drilled = await captureState(contracts, provider);
        record(stage, await checkInvariants(contracts, drilled, { ...auditOptions, before: after }));
        record(stage, compareStates(after, drilled));
      } catch (error) {
        // An implementation that no longer answers the drill's calls (e.g. a broken layout or ABI).
        record(stage, [{ name: "drill ran", ok: false, detail: formatError(error, iface) }]);
      }
    }
    return {
      go: reasons.length === 0,
      reasons,
      warnings,
      checks,
      ...(drill !== undefined && { drill }),
      implementation: implementationAddress,
      owner,
      ...(timelockReport !== undefined && { timelock: timelockReport }),
    };
  } finally {
    provider.destroy();
    await fork.stop();
  }
}
