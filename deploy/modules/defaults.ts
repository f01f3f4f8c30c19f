/**
 * Defaults of the guardian-side and governance parameters of the Ignition modules (the core's are
 * DEFAULT_PARAMETERS in src/suite/parameters.ts). Values from docs/contracts/*.md and docs/governance.md;
 * a network's parameter file overrides them.
 */
const HOUR = 3_600;
const DAY = 24 * HOUR;

export const DEFAULT_GUARDIAN_PARAMETERS = {
  /** GuardianCouncil.Delays; proposalLifetime must be at least governanceDelay + 1 day. */
  delays: { operationalDelay: HOUR, governanceDelay: DAY, proposalLifetime: 2 * DAY },
  /** RecoveryManager.Parameters. */
  recovery: { reportTimeout: HOUR, rotationDelay: DAY, maxPauseDuration: DAY, pauseCooldown: DAY },
  /** SnapshotRegistry.Parameters. */
  snapshots: { proposalBond: 100n * 10n ** 18n, challengeWindow: HOUR, maxSizeBytes: 2n ** 40n },
};

export const DEFAULT_GOVERNANCE_PARAMETERS = {
  /** TimelockController minDelay, seconds. */
  timelockDelay: 2 * DAY,
  /** Blocks (HealToken's clock is block.number); ~1 day and ~7 days at 12 s blocks. */
  votingDelay: 7_200,
  votingPeriod: 50_400,
  /** 0.1 % of a 10 M supply. */
  proposalThreshold: 10_000n * 10n ** 18n,
  quorumPercent: 4,
};
