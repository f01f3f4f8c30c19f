/**
 * Deploys the healnet core suite — HealToken, StakeManager, NodeHealth and SelfHealingValidatorSet, the
 * last three behind TransparentUpgradeableProxies (docs/upgrades.md) — and wires their roles (`deployCore`); `deploySuite` adds the AuditLog,
 * SnapshotRegistry, RecoveryManager, GuardianCouncil, StateCommitmentChain and SentinelRegistry (and optionally HealGovernor +
 * TimelockController)
 * and wires every role as docs/access-control.md says. Shared by tests, the bench, the simulation and the
 * tasks, so that every one of them runs the same deployment.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  ZeroAddress,
  ZeroHash,
  getAddress,
  getCreateAddress,
  id,
  type ContractTransactionResponse,
} from "ethers";

import type {
  AuditLog,
  GuardianCouncil,
  HealGovernor,
  HealToken,
  NodeHealth,
  RecoveryManager,
  SelfHealingValidatorSet,
  SentinelRegistry,
  SnapshotRegistry,
  StakeManager,
  StateCommitmentChain,
  TimelockController,
} from "../../types/ethers-contracts/index.js";
import {
  DEFAULT_FRAUD_PARAMETERS,
  DEFAULT_PARAMETERS,
  DEFAULT_SENTINEL_PARAMETERS,
  type SuiteParameters,
} from "./parameters.js";

export interface CoreSuite {
  token: HealToken;
  stake: StakeManager;
  health: NodeHealth;
  set: SelfHealingValidatorSet;
  admin: HardhatEthersSigner;
  treasury: string;
  parameters: SuiteParameters;
  /** Address of the ValidatorSetChecks library the set links. */
  checks: string;
}

export interface DeployCoreOptions {
  /** Holds every admin and parameter role, and the token supply. Defaults to the first account. */
  admin?: HardhatEthersSigner;
  /** Receives slashed stake. Defaults to the admin. */
  treasury?: string;
  parameters?: SuiteParameters;
}

/** The ERC-1967 admin slot (`bytes32(uint256(keccak256("eip1967.proxy.admin")) - 1)`): a proxy's ProxyAdmin. */
export const ERC1967_ADMIN_SLOT = "0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103";
/** The ERC-1967 implementation slot (`bytes32(uint256(keccak256("eip1967.proxy.implementation")) - 1)`). */
export const ERC1967_IMPLEMENTATION_SLOT =
  "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";

/** The ProxyAdmin of a TransparentUpgradeableProxy (the contract whose owner may upgrade it). */
export async function proxyAdminOf(ethers: HardhatEthers, proxy: string): Promise<string> {
  const word = await ethers.provider.getStorage(proxy, ERC1967_ADMIN_SLOT);
  return getAddress(`0x${word.slice(-40)}`);
}

/** The implementation a proxy delegates to. */
export async function implementationOf(ethers: HardhatEthers, proxy: string): Promise<string> {
  const word = await ethers.provider.getStorage(proxy, ERC1967_IMPLEMENTATION_SLOT);
  return getAddress(`0x${word.slice(-40)}`);
}

/**
 * Deploys `name`'s implementation and an OpenZeppelin TransparentUpgradeableProxy to it that calls
 * `initialize(initArgs)` (or `initFunction`) in its constructor; the proxy deploys its own ProxyAdmin, owned by
 * `admin` (deploySuite hands it to the timelock under governance: docs/upgrades.md).
 */
async function deployBehindProxy(
  ethers: HardhatEthers,
  admin: HardhatEthersSigner,
  name: string,
  initArgs: unknown[],
  libraries: Record<string, string> = {},
  initFunction = "initialize",
): Promise<string> {
  const implementation = await ethers.deployContract(name, [], { signer: admin, libraries });
  await implementation.waitForDeployment();
  const initData = implementation.interface.encodeFunctionData(initFunction, initArgs);
  const proxy = await ethers.deployContract(
    "TransparentUpgradeableProxy",
    [await implementation.getAddress(), admin.address, initData],
    admin,
  );
  await proxy.waitForDeployment();
  return await proxy.getAddress();
}

export async function deployCore(ethers: HardhatEthers, options: DeployCoreOptions = {}): Promise<CoreSuite> {
  const parameters = options.parameters ?? DEFAULT_PARAMETERS;
  const admin = options.admin ?? (await ethers.getSigners())[0];
  if (admin === undefined) throw new Error("deployCore: the network has no accounts");
  const treasury = options.treasury ?? admin.address;

  const token = await ethers.deployContract("HealToken", [admin.address, parameters.tokenSupply], admin);
  await token.waitForDeployment();

  const stakeAddress = await deployBehindProxy(ethers, admin, "StakeManager", [
    admin.address,
    await token.getAddress(),
    treasury,
    parameters.stake.minStake,
    parameters.stake.unbondingPeriod,
  ]);
  const healthAddress = await deployBehindProxy(ethers, admin, "NodeHealth", [
    admin.address,
    parameters.health,
    parameters.epochLength,
  ]);
  // The set links the external library ValidatorSetChecks (its evidence, appeal and parameter checks),
  // which keeps the set's bytecode under the EIP-170 limit.
  const checksContract = await ethers.deployContract("ValidatorSetChecks", [], admin);
  await checksContract.waitForDeployment();
  const checks = await checksContract.getAddress();
  const setAddress = await deployBehindProxy(
    ethers,
    admin,
    "SelfHealingValidatorSet",
    [admin.address, stakeAddress, healthAddress, parameters.set],
    { ValidatorSetChecks: checks },
  );

  const stake = await ethers.getContractAt("StakeManager", stakeAddress, admin);
  const health = await ethers.getContractAt("NodeHealth", healthAddress, admin);
  const set = await ethers.getContractAt("SelfHealingValidatorSet", setAddress, admin);

  // The validator set slashes and jails through the StakeManager, and registers, fences and tracks
  // signers in NodeHealth; the StakeManager tells the set about stake changes.
  await (await stake.grantRole(await stake.SLASHER_ROLE(), setAddress)).wait();
  await (await stake.grantRole(await stake.JAILER_ROLE(), setAddress)).wait();
  await (await stake.setStakeObserver(setAddress)).wait();
  await (await health.grantRole(await health.REGISTRAR_ROLE(), setAddress)).wait();

  return { token: token as unknown as HealToken, stake, health, set, admin, treasury, parameters, checks };
}

// ------------------------------------------------------------------------------------------ full suite

/** A guardian given to `deploySuite`: a signer (its key is available to tests and tools) or an address. */
export type GuardianInput = HardhatEthersSigner | string;

export interface DeploySuiteOptions extends DeployCoreOptions {
  /**
   * The council's first guardian set. Defaults to the five accounts after the admin (a 3-of-5 council); with
   * `guardian` set, to that address alone (1-of-1).
   */
  guardians?: readonly GuardianInput[];
  /** M. Defaults to 3 for the default set, else to a majority of `guardians` (⌊N/2⌋ + 1), 1 with `guardian`. */
  threshold?: number;
  /**
   * Gives GUARDIAN_ROLE of the RecoveryManager and of the SnapshotRegistry to this address (a Safe, the
   * timelock) instead of the council. The council is still deployed, because the SnapshotRegistry reads its
   * guardian set and threshold for guardian attestations, but then holds no GUARDIAN_ROLE.
   */
  guardian?: string;
  /** The orchestrator's operator key (RecoveryManager OPERATOR_ROLE). Defaults to the admin. */
  orchestrator?: string;
  /**
   * Deploys HealGovernor + TimelockController and hands the timelock PARAMETER_ROLE and DEFAULT_ADMIN_ROLE of
   * every healnet contract (docs/governance.md "Wiring a deployment"). Without it, the admin holds the
   * PARAMETER_ROLEs the timelock would hold.
   */
  governance?: boolean;
  /**
   * With `governance`: renounce the admin's DEFAULT_ADMIN_ROLE on every healnet contract and on the timelock
   * (step 6 of the wiring). Default true; tests that still need the admin pass false.
   */
  renounceAdmin?: boolean;
  /**
   * With `governance`: the guardian veto, CANCELLER_ROLE of the timelock (it can cancel any queued operation,
   * an upgrade among them, during the delay), granted beside the council's own (the council always holds it and
   * cancels with a CancelTimelockOperation proposal). Defaults to `guardian` (the council, or the Safe given as
   * `guardian`). docs/upgrades.md.
   */
  upgradeCanceller?: string;
}

/** The contracts behind TransparentUpgradeableProxies (docs/upgrades.md). */
export const UPGRADEABLE = [
  "StakeManager",
  "NodeHealth",
  "SelfHealingValidatorSet",
  "AuditLog",
  "SnapshotRegistry",
  "RecoveryManager",
  "GuardianCouncil",
  "StateCommitmentChain",
  "SentinelRegistry",
] as const;
export type UpgradeableName = (typeof UPGRADEABLE)[number];

/** Every deployed address, by contract name: what a deployment file records. */
export interface SuiteAddresses {
  HealToken: string;
  StakeManager: string;
  NodeHealth: string;
  SelfHealingValidatorSet: string;
  ValidatorSetChecks: string;
  AuditLog: string;
  SnapshotRegistry: string;
  RecoveryManager: string;
  GuardianCouncil: string;
  StateCommitmentChain: string;
  SentinelRegistry: string;
  HealGovernor?: string;
  TimelockController?: string;
}

export interface SuiteGovernance {
  governor: HealGovernor;
  timelock: TimelockController;
}

export interface Suite extends CoreSuite {
  audit: AuditLog;
  snapshots: SnapshotRegistry;
  council: GuardianCouncil;
  recovery: RecoveryManager;
  /** The optimistic ledger's commitments and fraud proofs (src/fraud drives it). */
  stateCommitments: StateCommitmentChain;
  /** The sentinel / bootnode pool recovering nodes resync from. */
  sentinels: SentinelRegistry;
  /** Present with `governance: true`. */
  governance?: SuiteGovernance;
  /** The holder of GUARDIAN_ROLE on the RecoveryManager and the SnapshotRegistry (the council or `guardian`). */
  guardian: string;
  /** The council's guardians, in the order given. */
  guardianAddresses: string[];
  /** The council's guardians that were given (or defaulted) as signers, in the order given. */
  guardianSigners: HardhatEthersSigner[];
  /** The council's M. */
  threshold: number;
  /** RecoveryManager OPERATOR_ROLE. */
  orchestrator: string;
  /**
   * The holder of PARAMETER_ROLE on the seven parameterised contracts and of the SentinelRegistry's CURATOR_ROLE
   * (the timelock, or the admin).
   */
  parameterAdmin: string;
  /** The owner of every proxy's ProxyAdmin, i.e. who may upgrade (the timelock, or the admin). */
  upgradeAdmin: string;
  /** Each upgradeable contract's ProxyAdmin, by contract name. */
  proxyAdmins: Record<UpgradeableName, string>;
  addresses: SuiteAddresses;
}

/** Role identifiers (OpenZeppelin AccessControl: keccak256 of the name; the admin role is zero). */
export const ROLES = {
  DEFAULT_ADMIN_ROLE: ZeroHash,
  PARAMETER_ROLE: id("PARAMETER_ROLE"),
  SLASHER_ROLE: id("SLASHER_ROLE"),
  JAILER_ROLE: id("JAILER_ROLE"),
  REGISTRAR_ROLE: id("REGISTRAR_ROLE"),
  ROTATOR_ROLE: id("ROTATOR_ROLE"),
  PAUSER_ROLE: id("PAUSER_ROLE"),
  RECOVERY_ROLE: id("RECOVERY_ROLE"),
  APPENDER_ROLE: id("APPENDER_ROLE"),
  GUARDIAN_ROLE: id("GUARDIAN_ROLE"),
  OPERATOR_ROLE: id("OPERATOR_ROLE"),
  CURATOR_ROLE: id("CURATOR_ROLE"),
  PROPOSER_ROLE: id("PROPOSER_ROLE"),
  CANCELLER_ROLE: id("CANCELLER_ROLE"),
  EXECUTOR_ROLE: id("EXECUTOR_ROLE"),
} as const;

/** The AccessControl surface every healnet contract (and the TimelockController) has. */
interface AccessControlled {
  grantRole(role: string, account: string): Promise<ContractTransactionResponse>;
  renounceRole(role: string, callerConfirmation: string): Promise<ContractTransactionResponse>;
}

function isSigner(input: GuardianInput): input is HardhatEthersSigner {
  return typeof input !== "string";
}

/**
 * Deploys the core (`deployCore`) plus AuditLog, SnapshotRegistry, RecoveryManager and GuardianCouncil behind
 * ERC-1967 proxies, optionally HealGovernor + TimelockController, and wires every role as
 * docs/access-control.md "Who holds what in a deployment" says. The council and the SnapshotRegistry refer to
 * each other, so the council's proxy address is computed from the admin's nonce before the registry is
 * deployed (and checked after).
 */
export async function deploySuite(ethers: HardhatEthers, options: DeploySuiteOptions = {}): Promise<Suite> {
  const parameters = options.parameters ?? DEFAULT_PARAMETERS;
  const signers = await ethers.getSigners();
  const admin = options.admin ?? signers[0];
  if (admin === undefined) throw new Error("deploySuite: the network has no accounts");

  let guardianInputs: readonly GuardianInput[];
  if (options.guardians !== undefined) guardianInputs = options.guardians;
  else if (options.guardian !== undefined) guardianInputs = [options.guardian];
  else {
    const adminIndex = signers.findIndex((s) => s.address === admin.address);
    guardianInputs = signers.slice(adminIndex + 1, adminIndex + 6);
    if (guardianInputs.length < 5)
      throw new Error("deploySuite: need 5 accounts after the admin for guardians");
  }
  const guardianAddresses = guardianInputs.map((g) => (isSigner(g) ? g.address : getAddress(g)));
  const guardianSigners = guardianInputs.filter(isSigner);
  const threshold =
    options.threshold ??
    (options.guardians === undefined
      ? options.guardian === undefined
        ? 3
        : 1
      : Math.floor(guardianAddresses.length / 2) + 1);

  const core = await deployCore(ethers, { ...options, admin, parameters });
  const { token, stake, health, set, treasury } = core;
  const [tokenAddress, stakeAddress, healthAddress, setAddress] = await Promise.all([
    token.getAddress(),
    stake.getAddress(),
    health.getAddress(),
    set.getAddress(),
  ]);

  const auditAddress = await deployBehindProxy(ethers, admin, "AuditLog", [admin.address]);

  // Nonces from here: council implementation (n), registry implementation (n+1) and proxy (n+2), manager
  // implementation (n+3) and proxy (n+4), council proxy (n+5).
  const councilImplementation = await ethers.deployContract("GuardianCouncil", [], admin);
  await councilImplementation.waitForDeployment();
  const nonceAfterCouncilImplementation = await ethers.provider.getTransactionCount(admin.address, "pending");
  const predictedCouncil = getCreateAddress({
    from: admin.address,
    nonce: nonceAfterCouncilImplementation + 4,
  });

  const snapshotsAddress = await deployBehindProxy(ethers, admin, "SnapshotRegistry", [
    admin.address,
    tokenAddress,
    treasury,
    setAddress,
    stakeAddress,
    predictedCouncil,
    auditAddress,
    parameters.snapshots,
  ]);
  const recoveryAddress = await deployBehindProxy(ethers, admin, "RecoveryManager", [
    admin.address,
    setAddress,
    stakeAddress,
    healthAddress,
    snapshotsAddress,
    auditAddress,
    parameters.recovery,
  ]);
  const councilInit = councilImplementation.interface.encodeFunctionData("initialize", [
    guardianAddresses,
    threshold,
    parameters.council,
    recoveryAddress,
    snapshotsAddress,
    auditAddress,
  ]);
  const councilProxy = await ethers.deployContract(
    "TransparentUpgradeableProxy",
    [await councilImplementation.getAddress(), admin.address, councilInit],
    admin,
  );
  await councilProxy.waitForDeployment();
  const councilAddress = await councilProxy.getAddress();
  if (councilAddress !== predictedCouncil) {
    throw new Error(
      `deploySuite: the council landed at ${councilAddress}, not at ${predictedCouncil} that the SnapshotRegistry ` +
        "was given (was the admin's nonce used concurrently?)",
    );
  }

  // The StateCommitmentChain after the council, so that the council's predicted address above holds.
  const fraud = parameters.fraud ?? DEFAULT_FRAUD_PARAMETERS;
  const stateCommitmentsAddress = await deployBehindProxy(ethers, admin, "StateCommitmentChain", [
    admin.address,
    tokenAddress,
    treasury,
    setAddress,
    stakeAddress,
    auditAddress,
    { genesisStateRoot: fraud.genesisStateRoot, treeDepth: fraud.treeDepth },
    {
      challengeBond: fraud.challengeBond,
      challengerRewardCap: fraud.challengerRewardCap,
      challengeWindow: fraud.challengeWindow,
      fraudSlashBps: fraud.fraudSlashBps,
      challengerRewardBps: fraud.challengerRewardBps,
      maxBatchSize: fraud.maxBatchSize,
    },
  ]);

  // The sentinel pool: its sentinels heartbeat through NodeHealth; it logs drops and degradations.
  const sentinelsAddress = await deployBehindProxy(ethers, admin, "SentinelRegistry", [
    admin.address,
    healthAddress,
    auditAddress,
    parameters.sentinels ?? DEFAULT_SENTINEL_PARAMETERS,
  ]);

  const audit = await ethers.getContractAt("AuditLog", auditAddress, admin);
  const snapshots = await ethers.getContractAt("SnapshotRegistry", snapshotsAddress, admin);
  const recovery = await ethers.getContractAt("RecoveryManager", recoveryAddress, admin);
  const council = await ethers.getContractAt("GuardianCouncil", councilAddress, admin);
  const stateCommitments = await ethers.getContractAt("StateCommitmentChain", stateCommitmentsAddress, admin);
  const sentinels = await ethers.getContractAt("SentinelRegistry", sentinelsAddress, admin);

  const grant = async (c: AccessControlled, role: string, account: string): Promise<void> => {
    await (await c.grantRole(role, account)).wait();
  };
  const renounce = async (c: AccessControlled, role: string): Promise<void> => {
    await (await c.renounceRole(role, admin.address)).wait();
  };

  // Every contract that logs holds APPENDER_ROLE before the set points at the log: a failing append reverts
  // the heal that made it.
  for (const logger of [
    setAddress,
    recoveryAddress,
    snapshotsAddress,
    councilAddress,
    stateCommitmentsAddress,
    sentinelsAddress,
  ]) {
    await grant(audit, ROLES.APPENDER_ROLE, logger);
  }
  await (await set.setAuditLog(auditAddress)).wait();

  // The RecoveryManager acts on the set, the StakeManager and NodeHealth (its own PARAMETER_ROLE is granted
  // by its initialize).
  await grant(set, ROLES.PAUSER_ROLE, recoveryAddress);
  await grant(set, ROLES.PARAMETER_ROLE, recoveryAddress);
  await grant(set, ROLES.RECOVERY_ROLE, recoveryAddress);
  await grant(stake, ROLES.JAILER_ROLE, recoveryAddress);
  await grant(stake, ROLES.PARAMETER_ROLE, recoveryAddress);
  await grant(health, ROLES.ROTATOR_ROLE, recoveryAddress);
  await grant(health, ROLES.PARAMETER_ROLE, recoveryAddress);
  // A proven fraud slashes and jails the proposer (a validator) through the StakeManager; the jail takes it out
  // of the active set (the set promotes a backup).
  await grant(stake, ROLES.SLASHER_ROLE, stateCommitmentsAddress);
  await grant(stake, ROLES.JAILER_ROLE, stateCommitmentsAddress);
  // The sentinel pool registers its sentinels' heartbeat signers in NodeHealth (and fences removed ones).
  await grant(health, ROLES.REGISTRAR_ROLE, sentinelsAddress);

  const guardian = options.guardian === undefined ? councilAddress : getAddress(options.guardian);
  await grant(recovery, ROLES.GUARDIAN_ROLE, guardian);
  await grant(snapshots, ROLES.GUARDIAN_ROLE, guardian);
  const orchestrator = getAddress(options.orchestrator ?? admin.address);
  await grant(recovery, ROLES.OPERATOR_ROLE, orchestrator);

  let governance: SuiteGovernance | undefined;
  let parameterAdmin = admin.address;
  if (options.governance === true) {
    const g = parameters.governance;
    const timelockContract = await ethers.deployContract(
      "TimelockController",
      [g.timelockDelay, [], [ZeroAddress], admin.address],
      admin,
    );
    await timelockContract.waitForDeployment();
    const timelockAddress = await timelockContract.getAddress();
    const governorContract = await ethers.deployContract(
      "HealGovernor",
      [tokenAddress, timelockAddress, g.votingDelay, g.votingPeriod, g.proposalThreshold, g.quorumPercent],
      admin,
    );
    await governorContract.waitForDeployment();
    const governorAddress = await governorContract.getAddress();
    const timelock = await ethers.getContractAt("TimelockController", timelockAddress, admin);
    const governor = await ethers.getContractAt("HealGovernor", governorAddress, admin);
    await grant(timelock, ROLES.PROPOSER_ROLE, governorAddress);
    await grant(timelock, ROLES.CANCELLER_ROLE, governorAddress);
    // The guardian veto over queued operations, upgrades among them (docs/upgrades.md): the council always
    // (its CancelTimelockOperation action, M of N), and `upgradeCanceller` (default: the guardian) beside it.
    await grant(timelock, ROLES.CANCELLER_ROLE, councilAddress);
    const canceller = getAddress(options.upgradeCanceller ?? guardian);
    if (canceller !== councilAddress) await grant(timelock, ROLES.CANCELLER_ROLE, canceller);
    governance = { governor, timelock };
    parameterAdmin = timelockAddress;
  }

  // PARAMETER_ROLE of the seven parameterised contracts: the timelock, or the admin standing in for it.
  const parameterised: AccessControlled[] = [
    stake,
    health,
    set,
    recovery,
    snapshots,
    stateCommitments,
    sentinels,
  ];
  for (const c of parameterised) await grant(c, ROLES.PARAMETER_ROLE, parameterAdmin);
  // Who may add and remove sentinels: a trust decision about where recovering nodes download state, taken with
  // governance's delay (docs/access-control.md).
  await grant(sentinels, ROLES.CURATOR_ROLE, parameterAdmin);

  if (governance !== undefined) {
    const timelock = governance.timelock;
    const timelockAddress = await timelock.getAddress();
    const administered: AccessControlled[] = [...parameterised, audit];
    for (const c of administered) await grant(c, ROLES.DEFAULT_ADMIN_ROLE, timelockAddress);
    if (options.renounceAdmin !== false) {
      for (const c of administered) await renounce(c, ROLES.DEFAULT_ADMIN_ROLE);
      await renounce(timelock, ROLES.DEFAULT_ADMIN_ROLE);
    }
  }

  const addressesByName = {
    StakeManager: stakeAddress,
    NodeHealth: healthAddress,
    SelfHealingValidatorSet: setAddress,
    AuditLog: auditAddress,
    SnapshotRegistry: snapshotsAddress,
    RecoveryManager: recoveryAddress,
    GuardianCouncil: councilAddress,
    StateCommitmentChain: stateCommitmentsAddress,
    SentinelRegistry: sentinelsAddress,
  } satisfies Record<UpgradeableName, string>;
  const proxyAdmins = {} as Record<UpgradeableName, string>;
  for (const name of UPGRADEABLE) proxyAdmins[name] = await proxyAdminOf(ethers, addressesByName[name]);
  // The upgrade right: every ProxyAdmin to the timelock under governance, else it stays with the admin.
  const upgradeAdmin = parameterAdmin;
  if (upgradeAdmin !== admin.address) {
    for (const name of UPGRADEABLE) {
      const proxyAdmin = await ethers.getContractAt("ProxyAdmin", proxyAdmins[name], admin);
      await (await proxyAdmin.transferOwnership(upgradeAdmin)).wait();
    }
  }

  const addresses: SuiteAddresses = {
    HealToken: tokenAddress,
    StakeManager: stakeAddress,
    NodeHealth: healthAddress,
    SelfHealingValidatorSet: setAddress,
    ValidatorSetChecks: core.checks,
    AuditLog: auditAddress,
    SnapshotRegistry: snapshotsAddress,
    RecoveryManager: recoveryAddress,
    GuardianCouncil: councilAddress,
    StateCommitmentChain: stateCommitmentsAddress,
    SentinelRegistry: sentinelsAddress,
  };
  if (governance !== undefined) {
    addresses.HealGovernor = await governance.governor.getAddress();
    addresses.TimelockController = await governance.timelock.getAddress();
  }

  return {
    ...core,
    audit,
    snapshots,
    council,
    recovery,
    stateCommitments,
    sentinels,
    governance,
    guardian,
    guardianAddresses,
    guardianSigners,
    threshold,
    orchestrator,
    parameterAdmin,
    upgradeAdmin,
    proxyAdmins,
    addresses,
  };
}
