/**
 * Default parameters of the healnet suite, mirroring the on-chain defaults and hard bounds documented in
 * contracts/interfaces (defaults from Cosmos x/slashing and the seed document). Deployments override them
 * from deploy/parameters/<network>.json; tests and the simulation tune the time-related ones.
 */

const TOKEN = 10n ** 18n;

export interface NodeHealthParameters {
  heartbeatInterval: number;
  gracePeriod: number;
  maxHeartbeatAge: number;
  uptimeWindow: number;
  maxHeightLag: number;
  stallReports: number;
}

export interface ValidatorSetParameters {
  maxActive: number;
  minActive: number;
  minUptimeBps: number;
  downtimeSlashBps: number;
  doubleSignSlashBps: number;
  correlatedFaultBps: number;
  keeperRewardBps: number;
  jailDuration: number;
  appealWindow: number;
  stallEscalationDelay: number;
  keeperRewardCap: bigint;
}

export interface StakeParameters {
  minStake: bigint;
  unbondingPeriod: number;
}

/** RecoveryManager.Parameters (bounds in docs/contracts/RecoveryManager.md), in seconds. */
export interface RecoveryParameters {
  reportTimeout: number;
  rotationDelay: number;
  maxPauseDuration: number;
  pauseCooldown: number;
  /** Consecutive NodeHealth epochs of heartbeats after a successful remediation before `restore` unjails (1..100). */
  recoveryProof: number;
}

/** SnapshotRegistry.Parameters (bounds in docs/contracts/SnapshotRegistry.md). */
export interface SnapshotParameters {
  proposalBond: bigint;
  challengeWindow: number;
  maxSizeBytes: bigint;
}

/** GuardianCouncil.Delays (bounds in docs/contracts/GuardianCouncil.md), in seconds. */
export interface CouncilDelays {
  operationalDelay: number;
  governanceDelay: number;
  proposalLifetime: number;
}

/**
 * StateCommitmentChain: its Parameters (bounds in docs/contracts/StateCommitmentChain.md) and the ledger's fixed
 * configuration (genesis root, tree depth).
 */
export interface FraudParameters {
  challengeBond: bigint;
  challengerRewardCap: bigint;
  /** Seconds. */
  challengeWindow: number;
  fraudSlashBps: number;
  challengerRewardBps: number;
  maxBatchSize: number;
  /** Depth of the ledger's sparse Merkle tree (1 .. 160), fixed at deployment. */
  treeDepth: number;
  /** The ledger's genesis state root (zero: the empty ledger; src/fraud's `Ledger.genesisRoot(depth, balances)` otherwise). */
  genesisStateRoot: string;
}

export const DEFAULT_FRAUD_PARAMETERS: FraudParameters = {
  challengeBond: 100n * TOKEN,
  challengerRewardCap: 1_000n * TOKEN,
  challengeWindow: 3_600,
  fraudSlashBps: 1_000,
  challengerRewardBps: 5_000,
  maxBatchSize: 256,
  treeDepth: 32,
  genesisStateRoot: "0x" + "00".repeat(32),
};

/** SentinelRegistry.Parameters (bounds in docs/contracts/SentinelRegistry.md). */
export interface SentinelParameters {
  /** Most sentinels registered at once (1 .. 64). */
  maxSentinels: number;
  /** Fewest served sentinels before the pool is degraded and the guardians are told (1 .. maxSentinels). */
  minSentinels: number;
}

export const DEFAULT_SENTINEL_PARAMETERS: SentinelParameters = {
  maxSentinels: 16,
  minSentinels: 2,
};

/** HealGovernor's constructor arguments and the TimelockController's minDelay (docs/governance.md). */
export interface GovernanceParameters {
  /** Blocks. */
  votingDelay: number;
  /** Blocks. */
  votingPeriod: number;
  proposalThreshold: bigint;
  quorumPercent: number;
  /** Seconds. */
  timelockDelay: number;
}

export interface SuiteParameters {
  health: NodeHealthParameters;
  /** Seconds per uptime epoch; fixed at deployment. */
  epochLength: number;
  set: ValidatorSetParameters;
  stake: StakeParameters;
  /** Total supply of the stake token, minted to the deployer. */
  tokenSupply: bigint;
  recovery: RecoveryParameters;
  snapshots: SnapshotParameters;
  council: CouncilDelays;
  governance: GovernanceParameters;
  /** StateCommitmentChain; DEFAULT_FRAUD_PARAMETERS when absent (optional so that older literals still type-check). */
  fraud?: FraudParameters;
  /** SentinelRegistry; DEFAULT_SENTINEL_PARAMETERS when absent (optional so that older literals still type-check). */
  sentinels?: SentinelParameters;
}

export const DEFAULT_PARAMETERS: SuiteParameters = {
  health: {
    heartbeatInterval: 30,
    gracePeriod: 30,
    maxHeartbeatAge: 60,
    uptimeWindow: 100,
    maxHeightLag: 50,
    stallReports: 3,
  },
  epochLength: 30,
  set: {
    maxActive: 21,
    minActive: 4,
    minUptimeBps: 5_000,
    downtimeSlashBps: 100,
    doubleSignSlashBps: 500,
    correlatedFaultBps: 3_300,
    keeperRewardBps: 1_000,
    jailDuration: 600,
    appealWindow: 86_400,
    stallEscalationDelay: 600,
    keeperRewardCap: 100n * TOKEN,
  },
  stake: {
    minStake: 1_000n * TOKEN,
    unbondingPeriod: 7 * 86_400,
  },
  tokenSupply: 1_000_000_000n * TOKEN,
  recovery: {
    reportTimeout: 3_600,
    rotationDelay: 86_400,
    maxPauseDuration: 86_400,
    pauseCooldown: 86_400,
    recoveryProof: 3,
  },
  snapshots: {
    proposalBond: 100n * TOKEN,
    challengeWindow: 3_600,
    maxSizeBytes: 1n << 40n,
  },
  council: {
    // Resync / reprovision / forgive after hours; parameter and guardian-set changes after days.
    operationalDelay: 4 * 3_600,
    governanceDelay: 2 * 86_400,
    proposalLifetime: 7 * 86_400,
  },
  governance: {
    votingDelay: 7_200,
    votingPeriod: 50_400,
    // 0.1 % of the default supply.
    proposalThreshold: 1_000_000n * TOKEN,
    quorumPercent: 4,
    timelockDelay: 2 * 86_400,
  },
  fraud: DEFAULT_FRAUD_PARAMETERS,
  sentinels: DEFAULT_SENTINEL_PARAMETERS,
};

/** A deep copy of the defaults with the given sections partially overridden. */
export function withParameters(overrides: {
  health?: Partial<NodeHealthParameters>;
  set?: Partial<ValidatorSetParameters>;
  stake?: Partial<StakeParameters>;
  epochLength?: number;
  tokenSupply?: bigint;
  recovery?: Partial<RecoveryParameters>;
  snapshots?: Partial<SnapshotParameters>;
  council?: Partial<CouncilDelays>;
  governance?: Partial<GovernanceParameters>;
  fraud?: Partial<FraudParameters>;
  sentinels?: Partial<SentinelParameters>;
}): SuiteParameters {
  return {
    health: { ...DEFAULT_PARAMETERS.health, ...overrides.health },
    epochLength: overrides.epochLength ?? DEFAULT_PARAMETERS.epochLength,
    set: { ...DEFAULT_PARAMETERS.set, ...overrides.set },
    stake: { ...DEFAULT_PARAMETERS.stake, ...overrides.stake },
    tokenSupply: overrides.tokenSupply ?? DEFAULT_PARAMETERS.tokenSupply,
    recovery: { ...DEFAULT_PARAMETERS.recovery, ...overrides.recovery },
    snapshots: { ...DEFAULT_PARAMETERS.snapshots, ...overrides.snapshots },
    council: { ...DEFAULT_PARAMETERS.council, ...overrides.council },
    governance: { ...DEFAULT_PARAMETERS.governance, ...overrides.governance },
    fraud: { ...DEFAULT_FRAUD_PARAMETERS, ...overrides.fraud },
    sentinels: { ...DEFAULT_SENTINEL_PARAMETERS, ...overrides.sentinels },
  };
}
