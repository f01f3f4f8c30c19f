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

export interface SuiteParameters {
  health: NodeHealthParameters;
  /** Seconds per uptime epoch; fixed at deployment. */
  epochLength: number;
  set: ValidatorSetParameters;
  stake: StakeParameters;
  /** Total supply of the stake token, minted to the deployer. */
  tokenSupply: bigint;
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
};

/** A deep copy of the defaults with the given sections partially overridden. */
export function withParameters(overrides: {
  health?: Partial<NodeHealthParameters>;
  set?: Partial<ValidatorSetParameters>;
  stake?: Partial<StakeParameters>;
  epochLength?: number;
  tokenSupply?: bigint;
}): SuiteParameters {
  return {
    health: { ...DEFAULT_PARAMETERS.health, ...overrides.health },
    epochLength: overrides.epochLength ?? DEFAULT_PARAMETERS.epochLength,
    set: { ...DEFAULT_PARAMETERS.set, ...overrides.set },
    stake: { ...DEFAULT_PARAMETERS.stake, ...overrides.stake },
    tokenSupply: overrides.tokenSupply ?? DEFAULT_PARAMETERS.tokenSupply,
  };
}
