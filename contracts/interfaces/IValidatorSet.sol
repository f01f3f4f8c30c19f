// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAuditLog} from "./IAuditLog.sol";
import {INodeHealth} from "./INodeHealth.sol";

/// @title IValidatorSet
/// @notice The active validator set (bounded by `maxActive`, never below `minActive`) and the backup pool
///         (candidates ranked in a heap by bonded stake plus the votes delegated to them in the stake token).
///         Healing is permissionless: anyone may call `checkHeartbeat(v)`; an overdue active validator is
///         jailed, charged a pending downtime slash (executed after `appealWindow` unless appealed) and replaced
///         by the best *ready* backup in the same transaction. Equivocation (`reportDoubleSign`) is final:
///         heavy slash, tombstone, replace.
/// @dev Correlation-aware: when more than `correlatedFaultBps` of the set is silent in the same window, nobody
///      is slashed or removed; the set is marked degraded and the guardians are alerted. Victims of one outage
///      become overdue one by one (heartbeats are spread over the interval), so the ones already removed for
///      downtime in the last `2 * (heartbeatInterval + gracePeriod)` (up to the last 32) count as silent while
///      they stay silent, and when the share crosses the threshold their pending downtime slashes are cancelled.
///      Ranking: a backup's heap key is `StakeManager.bondedOf(v) + IVotes(stakeToken).getVotes(v)` (the
///      HealToken is ERC20Votes; a token without IVotes counts no votes), saturated at 2^96 - 1, ties broken by
///      the higher address. Keys are recomputed lazily, each in O(log n): whenever the set touches the candidate
///      (`registerCandidate`, `refreshBackup`, a return from jail, every StakeManager notification of a
///      backup) and by the permissionless `rerank(v)` after a delegation change. Between those, a key may be
///      stale; `backupKeyOf` shows the key the heap holds. Eligibility (`minStake`) counts bonded stake only.
///      Each incident has an id and timestamps in events, so time-to-detect and time-to-heal can be read
///      from the chain alone.
interface IValidatorSet {
    /// @notice Where a validator stands.
    /// @dev None: never registered. Backup: in the backup heap. Active: in the active set. Parked: a backup
    ///      that was found not ready when a promotion was due; `refreshBackup` puts it back in the heap.
    ///      Jailed: removed for a fault (or jailed by another jailer, e.g. the state commitment chain for fraud);
    ///      returns to the pool after `StakeManager.unjail`. Tombstoned: forever out.
    ///      Exited: left voluntarily (or fell below the minimum stake, e.g. slashed elsewhere);
    ///      `registerCandidate` brings it back.
    enum Status {
        None,
        Backup,
        Active,
        Parked,
        Jailed,
        Tombstoned,
        Exited
    }

    /// @notice What an incident is about.
    enum IncidentKind {
        Downtime,
        DoubleSign,
        LowUptime,
        Stall
    }

    /// @notice The slash attached to an incident.
    enum SlashState {
        None,
        Pending,
        Executed,
        Cancelled
    }

    /// @notice One fault and its handling. Times are unix seconds.
    /// @param validator The validator at fault.
    /// @param kind What happened.
    /// @param slashState The slash's state.
    /// @param reporter Who triggered the handling (earns the reward when the slash executes).
    /// @param replacement The backup promoted in its place (zero if none).
    /// @param slashBps The slash charged, in bps of slashable stake.
    /// @param faultAt When the fault began (for downtime: last heartbeat + interval).
    /// @param detectedAt When it was detected (the handling transaction).
    /// @param replacedAt When the replacement became active (0 if none).
    /// @param resolvedAt When the slash executed or was cancelled, or the remediation closed (0 if open).
    /// @param detectedBlock The block number of the handling transaction.
    /// @param lastReportedHeight The validator's last reported height at detection (bounds appeals).
    /// @param signerEpoch The validator's signer epoch at detection (appeals must be signed under it).
    struct Incident {
        address validator;
        IncidentKind kind;
        SlashState slashState;
        address reporter;
        address replacement;
        uint16 slashBps;
        uint64 faultAt;
        uint64 detectedAt;
        uint64 replacedAt;
        uint64 resolvedAt;
        uint64 detectedBlock;
        uint64 lastReportedHeight;
        uint64 signerEpoch;
    }

    /// @notice A consensus vote signed by a validator's signer: EIP-712 `Vote(uint64 height,uint32 round,
    ///         bytes32 blockHash)` under the domain `("healnet SelfHealingValidatorSet", "1", chainid, this)`,
    ///         with an EIP-2098 compact signature.
    struct Vote {
        uint64 height;
        uint32 round;
        bytes32 blockHash;
        bytes32 r;
        bytes32 vs;
    }

    /// @notice Two votes by one signer for the same height and round with different block hashes.
    struct DoubleSignEvidence {
        Vote first;
        Vote second;
    }

    /// @notice Parameters of the set, set by the parameter role within hard bounds.
    /// @param maxActive Size of the active set (bounds: minActive .. 128; default 21).
    /// @param minActive Floor of the active set (bounds: 1 .. maxActive; default 4).
    /// @param minUptimeBps Uptime below which `evaluateAndRotate` rotates a validator out (0 .. 10,000; 5,000).
    /// @param downtimeSlashBps Slash for downtime (0 .. 1,000; default 100 = 1%).
    /// @param doubleSignSlashBps Slash for equivocation (100 .. 10,000; default 500 = 5%).
    /// @param correlatedFaultBps Share of the active set silent at once above which nobody is slashed
    ///        (1,000 .. 10,000; default 3,300).
    /// @param keeperRewardBps Share of an executed slash paid to its reporter (0 .. 5,000; default 1,000).
    /// @param jailDuration Seconds in jail after a fault (60 s .. 30 days; default 600 s).
    /// @param appealWindow Seconds during which a downtime slash can be appealed (1 h .. 3 days; default 1 day).
    /// @param stallEscalationDelay Seconds a stalled node has to heal after a remediation request before it
    ///        is replaced (60 s .. 1 day; default 600 s).
    /// @param keeperRewardCap Maximum reward per executed slash, in token units (0 .. 10^24; default 100e18).
    struct Parameters {
        uint16 maxActive;
        uint16 minActive;
        uint16 minUptimeBps;
        uint16 downtimeSlashBps;
        uint16 doubleSignSlashBps;
        uint16 correlatedFaultBps;
        uint16 keeperRewardBps;
        uint32 jailDuration;
        uint32 appealWindow;
        uint32 stallEscalationDelay;
        uint128 keeperRewardCap;
    }

    /// @notice A candidate registered (or re-registered) and entered the backup pool.
    event CandidateRegistered(address indexed validator, address indexed signer, uint256 stake);
    /// @notice A backup joined the active set.
    event ValidatorActivated(address indexed validator, uint256 indexed incidentId, address indexed caller);
    /// @notice A validator left the active set; `promoted` replaced it (zero if nobody did).
    event ValidatorReplaced(
        address indexed removed,
        address indexed promoted,
        address indexed caller,
        IncidentKind reason,
        uint256 incidentId
    );
    /// @notice A fault was detected and an incident opened.
    event IncidentOpened(
        uint256 indexed incidentId,
        address indexed validator,
        IncidentKind kind,
        address indexed reporter,
        uint256 faultAt,
        uint256 detectedAt
    );
    /// @notice A pending slash executed.
    event SlashExecuted(
        uint256 indexed incidentId,
        address indexed validator,
        uint256 amount,
        uint256 reward
    );
    /// @notice A pending slash was cancelled by an appeal (or by the recovery role).
    event SlashCancelled(uint256 indexed incidentId, address indexed validator, address indexed by);
    /// @notice A stalled node was asked to heal itself (the orchestrator acts on this).
    event RemediationRequested(
        uint256 indexed incidentId,
        address indexed validator,
        IncidentKind kind,
        uint256 escalateAt
    );
    /// @notice A remediation incident closed because the node healed.
    event RemediationResolved(uint256 indexed incidentId, address indexed validator);
    /// @notice The set is degraded (a correlated outage, or no ready backup at the floor): guardians must look.
    event SetDegraded(uint256 silentCount, uint256 activeCount, bool correlated);
    /// @notice The set is healthy again (a correlated degradation: on the first `checkHeartbeat` or
    ///         `refreshHealth` that finds the silent share back at or under `correlatedFaultBps`).
    event SetRecovered(uint256 degradedFor);
    /// @notice A backup that was not ready when a promotion was due was moved out of the heap.
    event BackupParked(address indexed validator);
    /// @notice A parked backup was ready again and went back into the heap (`refreshBackup`).
    event BackupRefreshed(address indexed validator, uint256 stake);
    /// @notice A backup's heap key was recomputed by `rerank`: bonded stake plus delegated votes.
    event BackupReranked(address indexed validator, uint256 key);
    /// @notice A validator left the pool or the set of its own will (or fell below the minimum stake).
    event ValidatorExited(address indexed validator);
    /// @notice An active validator was jailed by another jailer (`status` Jailed) or slashed below `minStake`
    ///         by another slasher (`status` Exited) and left the active set; `replacement` is the ready backup
    ///         promoted in the same transaction (zero if none, when the set stays above `minActive`).
    event ValidatorEjected(address indexed validator, address indexed replacement, Status status);
    /// @notice An active validator was jailed or slashed below `minStake` elsewhere but stays active: no ready
    ///         backup could replace it and the set is at `minActive` (the floor wins). `status` is what it would
    ///         have become. A later stake or jail change, or a heal (`checkHeartbeat`, rotation), removes it.
    event ValidatorRetainedAtFloor(address indexed validator, Status status);
    /// @notice Slashing and removals were paused until `until` by the pauser role (the recovery manager).
    event SlashingPaused(uint256 until, address indexed by);
    /// @notice Slashing resumed; every validator's overdue clock restarts from `at` (a fresh grace period).
    event SlashingUnpaused(uint256 at, address indexed by);
    /// @notice Parameters changed.
    event ParametersUpdated(Parameters parameters);
    /// @notice The audit log was set (once) by the admin.
    event AuditLogSet(address indexed auditLog, address indexed by);

    /// @notice The validator is not in the active set.
    error ValidatorSetNotActive(address validator, Status status);
    /// @notice The validator is not overdue (and not stalled): nothing to do.
    error ValidatorSetNotOverdue(address validator, uint256 lastHeartbeatAt, uint256 overdueAt);
    /// @notice A remediation request for this stalled validator is open and not yet due for escalation.
    error ValidatorSetRemediationPending(address validator, uint256 incidentId, uint256 escalateAt);
    /// @notice Slashing is paused by the guardians.
    error ValidatorSetSlashingPaused(uint256 until);
    /// @notice The caller cannot register: wrong status, jailed, tombstoned or below the minimum stake.
    error ValidatorSetCannotRegister(address validator, Status status);
    /// @notice The validator's stake is below the minimum.
    error ValidatorSetBelowMinStake(address validator, uint256 bonded, uint256 minStake);
    /// @notice An active validator may not voluntarily unbond below the minimum stake: it must `exit` first
    ///         (raised from `onUnbondRequested`, so `StakeManager.requestUnbond` reverts; never for a slash).
    error ValidatorSetActiveValidatorMustExit(address validator);
    /// @notice No such incident.
    error ValidatorSetUnknownIncident(uint256 incidentId);
    /// @notice The incident's slash is not pending.
    error ValidatorSetSlashNotPending(uint256 incidentId, SlashState state);
    /// @notice The appeal window is still open.
    error ValidatorSetAppealWindowOpen(uint256 incidentId, uint256 closesAt);
    /// @notice The appeal window has closed.
    error ValidatorSetAppealWindowClosed(uint256 incidentId, uint256 closedAt);
    /// @notice The appeal's heartbeat does not prove liveness for the incident.
    error ValidatorSetInvalidAppeal(uint256 incidentId, bytes32 why);
    /// @notice The double-sign evidence is invalid.
    error ValidatorSetInvalidEvidence(bytes32 why);
    /// @notice The validator was already tombstoned for equivocation.
    error ValidatorSetAlreadyTombstoned(address validator);
    /// @notice A parameter is outside its hard bounds.
    error ValidatorSetInvalidParameter(bytes32 name, uint256 value, uint256 min, uint256 max);
    /// @notice The backup is not parked, or not ready to return.
    error ValidatorSetNotRefreshable(address validator, Status status);
    /// @notice The validator is not in the backup heap (status Backup), so it has no key to recompute.
    error ValidatorSetNotBackup(address validator, Status status);
    /// @notice `exit` would take the active set below `minActive` with no ready backup to replace the caller.
    error ValidatorSetAtFloor(uint256 activeCount, uint256 minActive);
    /// @notice Only the StakeManager may call this.
    error ValidatorSetOnlyStakeManager(address caller);
    /// @notice A limit argument was zero.
    error ValidatorSetZeroLimit();
    /// @notice A pause must end in the future and last at most `MAX_PAUSE_DURATION`.
    error ValidatorSetInvalidPause(uint256 until, uint256 maxUntil);
    /// @notice Slashing is not paused.
    error ValidatorSetNotPaused();
    /// @notice The caller cannot exit from its status (None, Tombstoned or already Exited).
    error ValidatorSetCannotExit(address validator, Status status);
    /// @notice An address argument was zero.
    error ValidatorSetZeroAddress(bytes32 what);
    /// @notice The audit log is already set (it can be set only once).
    error ValidatorSetAuditLogAlreadySet(address auditLog);

    /// @notice Registers the caller as a candidate with `signer` as its heartbeat and consensus key, and puts
    ///         it in the backup pool ranked by its bonded stake (which must be at least `minStake`) plus the
    ///         votes delegated to it.
    ///         Permissionless: anyone with enough bonded stake may call it, for itself.
    /// @dev Also the way back for an Exited validator, which keeps the signer it already has (`signer` is then
    ///      ignored; a new key goes through the recovery manager's rotation). Requires status None or Exited,
    ///      not jailed or tombstoned in the StakeManager, and bonded stake >= `minStake`. Pays nothing.
    /// @param signer The heartbeat and consensus key to register (first registration only).
    function registerCandidate(address signer) external;

    /// @notice Handles an overdue or stalled active validator. Permissionless: anyone may call it.
    /// @dev Overdue past `heartbeatInterval + gracePeriod` (measured from the last heartbeat, its activation,
    ///      or the last unpause, whichever is latest): unless the outage is correlated, jails it, opens a
    ///      pending downtime slash and promotes the best ready backup in the same transaction (never taking the
    ///      set below `minActive`). Correlated: the silent share is `silent * 10,000 > correlatedFaultBps *
    ///      members`, where silent = active validators without a heartbeat in the last `heartbeatInterval +
    ///      gracePeriod` plus validators removed for downtime recently (last `2 * (interval + grace)`, or since
    ///      the episode began, at most the last 32) still without one, and members = the active set plus those
    ///      removed that nobody replaced. The first correlated check opens an episode: the pending slashes of the
    ///      counted removed victims are cancelled (`SlashCancelled`; they stay jailed and out of the active set),
    ///      then `SetDegraded(silent, members, true)`. A later fault whose `faultAt` lies between
    ///      `min(episode start, faultAt of the check that opened it) - 2 * (interval + grace)` and the episode's
    ///      end is jailed and replaced without a slash (slash state None). The first uncorrelated evaluation
    ///      (here or in `refreshHealth`) ends the episode (`SetRecovered`).
    ///      Stalled: opens a remediation request; after `stallEscalationDelay`
    ///      replaces it (jail, no slash). Not overdue or stalled: reverts `ValidatorSetNotOverdue`.
    ///      A second call for the same fault reverts (`ValidatorSetNotActive`) and pays nothing. The caller
    ///      earns `keeperRewardBps` of the slash (capped) when it executes, unless it is the validator.
    /// @param validator The validator to check.
    /// @return incidentId The incident opened (0 when the outage is correlated and nobody was touched).
    function checkHeartbeat(address validator) external returns (uint256 incidentId);

    /// @notice Re-evaluates a correlated outage: if the set is degraded by one and the silent share is back at
    ///         or under `correlatedFaultBps`, the degradation clears (`SetRecovered`). Permissionless; a call
    ///         that finds nothing to clear changes nothing and pays nothing.
    /// @dev The share is computed as in `checkHeartbeat`, with the episode's removed victims counted while they
    ///      have no heartbeat in the last `heartbeatInterval + gracePeriod`. Does nothing for a degradation at
    ///      the floor (that one clears when a backup is promoted). Bounded: one pass over the active set
    ///      (<= 128) and at most 32 recent removals.
    /// @return degraded Whether the set is still degraded after the call (`degradedSince() != 0`).
    function refreshHealth() external returns (bool degraded);

    /// @notice Executes a pending downtime slash once its appeal window has closed. Permissionless.
    /// @dev Credits the incident's reporter with the capped reward (pulled from the StakeManager).
    function executeSlash(uint256 incidentId) external returns (uint256 slashed);

    /// @notice Cancels a pending downtime slash with proof the validator was live. Permissionless (the
    ///         signature is the proof). The validator stays jailed; it returns through `unjail` as usual.
    /// @dev The slash must be Pending and the appeal window open (`block.timestamp < detectedAt +
    ///      appealWindow`). The proof is valid iff all of these hold (else `ValidatorSetInvalidAppeal(id, why)`):
    ///      - `NodeHealth.recoverHeartbeatSigner(proof)` is non-zero and `validatorOfSigner` of it is the
    ///        incident's validator ("bad-signer");
    ///      - `proof.validator` is the incident's validator ("wrong-validator");
    ///      - `proof.signerEpoch` is the incident's `signerEpoch` ("wrong-epoch");
    ///      - `faultAt <= proof.timestamp <= detectedAt` ("outside-window");
    ///      - `proof.report.blockHash != 0` and `blockhash(proof.report.blockHeight) == proof.report.blockHash`
    ///        ("unknown-block": only the last 256 blocks are visible, so appeal promptly);
    ///      - `lastReportedHeight < proof.report.blockHeight <= detectedBlock` ("height-out-of-range").
    ///      The proof only shows the node had seen a block of this chain inside the window, not that it
    ///      heartbeated on time.
    /// @param incidentId The downtime incident.
    /// @param proof A heartbeat signed by the validator's signer.
    function appealSlash(uint256 incidentId, INodeHealth.SignedHeartbeat calldata proof) external;

    /// @notice Proves equivocation: two votes by one signer for the same height and round with different
    ///         block hashes. Permissionless. Slashes `doubleSignSlashBps` at once (final), tombstones the
    ///         validator and, if active, replaces it. The caller earns the capped reward.
    function reportDoubleSign(DoubleSignEvidence calldata evidence) external returns (uint256 incidentId);

    /// @notice Checks up to `maxChecks` active validators from an on-chain cursor and rotates out (jail, no
    ///         slash) those whose uptime is below `minUptimeBps`, when a ready backup can take their place.
    ///         Permissionless.
    /// @return checked How many were checked.
    /// @return rotated How many were rotated out.
    function evaluateAndRotate(uint256 maxChecks) external returns (uint256 checked, uint256 rotated);

    /// @notice Promotes up to `maxPromotions` ready backups while the active set is below `maxActive`.
    ///         Permissionless (how the set is first filled, and refilled after a removal without replacement).
    /// @return promoted How many were promoted.
    function fillVacancies(uint256 maxPromotions) external returns (uint256 promoted);

    /// @notice Puts a parked backup back in the heap once it is ready again (keyed by bonded stake plus
    ///         delegated votes). Permissionless.
    function refreshBackup(address validator) external;

    /// @notice Recomputes a backup's heap key from its bonded stake and its current delegated votes
    ///         (`IVotes(stakeToken).getVotes`) and moves it in the heap. Permissionless: anyone may call it after
    ///         a delegation change (votes are not pushed to the set, so they count from the next rerank or the
    ///         next time the set touches the candidate).
    /// @dev O(log n): one heap update. Reverts `ValidatorSetNotBackup` unless the status is Backup (a parked
    ///      candidate is re-keyed by `refreshBackup`, an active one is not ranked). Emits `BackupReranked`.
    /// @param validator The backup.
    /// @return key The new key.
    function rerank(address validator) external returns (uint256 key);

    /// @notice Leaves the pool or the active set. Permissionless: acts on the caller only. An active
    ///         validator is replaced by the best ready backup, or leaves without replacement if the set stays
    ///         at least `minActive`.
    function exit() external;

    /// @notice Sets the parameters. Only the parameter role (the DAO timelock).
    function setParameters(Parameters calldata parameters) external;

    /// @notice Pauses slashing and removals until `until` (at most `MAX_PAUSE_DURATION` from now). Only the
    ///         pauser role. Heartbeats are still recorded; `checkHeartbeat` reverts `ValidatorSetSlashingPaused`.
    ///         The pause ends by itself at `until`; overdue clocks restart from its end (a fresh grace period).
    function pauseSlashing(uint64 until) external;

    /// @notice Sets the audit log the set appends its heals to. Only `DEFAULT_ADMIN_ROLE`, once; it cannot be
    ///         changed or cleared afterwards. Until it is set (zero), nothing is appended.
    /// @dev The log must grant this contract its APPENDER_ROLE, or every audited heal reverts. Entries:
    ///      kind = keccak256 of "HEAL_DOWNTIME" (downtime incident opened), "HEAL_STALL_REQUESTED" (stall
    ///      remediation requested), "HEAL_STALL_REPLACED" (stall escalated: replaced), "HEAL_DOUBLE_SIGN",
    ///      "HEAL_LOW_UPTIME" (rotation), "HEAL_SLASH_EXECUTED", "HEAL_SLASH_CANCELLED" (appeal or recovery),
    ///      "HEAL_FORCE_REPLACED"; actor = the caller, subject = the validator, refId = the incident id,
    ///      dataHash = keccak256(abi.encode(address replacement, uint256 slashBps)) (zero address when no
    ///      replacement, 0 bps when no slash).
    ///      Reverts `ValidatorSetZeroAddress("auditLog")` for zero and `ValidatorSetAuditLogAlreadySet` when set.
    /// @param newAuditLog The audit log.
    function setAuditLog(IAuditLog newAuditLog) external;

    /// @notice The audit log (zero when none is set).
    function auditLog() external view returns (IAuditLog);

    /// @notice Ends a pause early. Only the pauser role. Overdue clocks restart from now.
    function unpauseSlashing() external;

    /// @notice When the current pause ends (0 if never paused; in the past if not paused now).
    function slashingPausedUntil() external view returns (uint64);

    /// @notice The active validators (at most `maxActive`, so the copy is bounded).
    function activeValidators() external view returns (address[] memory);

    /// @notice A page of the backup heap, in heap order (index 0 has the highest key: bonded stake plus votes).
    function backupValidators(uint256 offset, uint256 limit) external view returns (address[] memory);

    /// @notice Number of active validators.
    function activeCount() external view returns (uint256);

    /// @notice Number of backups in the heap (parked ones excluded).
    function backupCount() external view returns (uint256);

    /// @notice The heap key the set holds for a backup (bonded stake plus delegated votes when last computed;
    ///         0 if not in the heap).
    function backupKeyOf(address validator) external view returns (uint256);

    /// @notice Whether the validator is active.
    function isActive(address validator) external view returns (bool);

    /// @notice The validator's status.
    function statusOf(address validator) external view returns (Status);

    /// @notice The incident with this id.
    function incident(uint256 incidentId) external view returns (Incident memory);

    /// @notice Number of incidents opened so far (ids run from 1).
    function incidentCount() external view returns (uint256);

    /// @notice The open remediation incident of a stalled validator (0 if none).
    function openRemediationOf(address validator) external view returns (uint256);

    /// @notice Whether the set is degraded, and since when (0 if not).
    function degradedSince() external view returns (uint64);

    /// @notice The current parameters.
    function parameters() external view returns (Parameters memory);

    /// @notice When the validator becomes overdue (from its last heartbeat, activation or the last unpause).
    function overdueAt(address validator) external view returns (uint256);

    /// @notice The EIP-712 digest of a vote, as signed by a validator's signer.
    function voteDigest(Vote calldata vote) external view returns (bytes32);
}
