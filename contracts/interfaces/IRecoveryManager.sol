// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {INodeHealth} from "./INodeHealth.sol";

/// @title IRecoveryManager
/// @notice The typed, bounded recovery actions. Only the guardian role (the GuardianCouncil, a Safe, or the DAO
///         timelock) may request them — and, for parameters, the parameter role (the DAO timelock). Actions that
///         need off-chain work (resync, reprovision) emit a request the orchestrator carries out; its operator
///         key reports the result, and an action not reported by its deadline can be escalated by anyone.
///         Every action and result is appended to the AuditLog.
interface IRecoveryManager {
    /// @notice The kinds of action.
    enum ActionKind {
        Resync,
        Reprovision,
        RotateKey,
        ForceReplace,
        Forgive,
        Pause,
        Unpause,
        UpdateParameters
    }

    /// @notice Where an action stands.
    /// @dev Requested: waiting for the orchestrator's report. Succeeded / Failed: reported. Escalated: not
    ///      reported by its deadline (guardians must look); a late report still closes it. Done: an on-chain
    ///      action that completed in its own transaction.
    enum ActionStatus {
        None,
        Requested,
        Succeeded,
        Failed,
        Escalated,
        Done
    }

    /// @notice One action.
    /// @param kind The kind.
    /// @param status Its status.
    /// @param validator The validator it concerns (zero for pause, unpause, parameters).
    /// @param ref The snapshot id (resync) or incident id (forgive), else 0.
    /// @param payloadHash keccak256 of the action's payload (e.g. the config CID, the parameter call data).
    /// @param requestedBy Who requested it (the guardian-role holder).
    /// @param requestedAt When.
    /// @param reportDeadline When an unreported off-chain action can be escalated (0 for on-chain actions).
    /// @param reportedAt When the result was reported (0 if not yet).
    /// @param detailsHash Hash of the orchestrator's report details.
    struct Action {
        ActionKind kind;
        ActionStatus status;
        address validator;
        uint256 ref;
        bytes32 payloadHash;
        address requestedBy;
        uint64 requestedAt;
        uint64 reportDeadline;
        uint64 reportedAt;
        bytes32 detailsHash;
    }

    /// @notice The orchestrator's report on a validator-set remediation incident (one per incident).
    /// @param reportedAt When it was reported (0: not reported).
    /// @param ok Whether the remediation succeeded.
    /// @param detailsHash keccak256 of what was done (the orchestrator logs the preimage).
    /// @param operator The operator key that reported.
    struct IncidentReport {
        uint64 reportedAt;
        bool ok;
        bytes32 detailsHash;
        address operator;
    }

    /// @notice A validator owner's pending signer-key rotation.
    /// @param newSigner The key to rotate to (non-zero, never used).
    /// @param requestedAt When the owner requested it.
    /// @param approvedAt When the guardian role approved it (0 before).
    /// @param executableAt When it can be executed (approvedAt + rotationDelay; 0 before approval).
    struct KeyRotation {
        address newSigner;
        uint64 requestedAt;
        uint64 approvedAt;
        uint64 executableAt;
    }

    /// @notice Bounds of the manager itself, set by the parameter role.
    /// @param reportTimeout Seconds the orchestrator has to report an off-chain action (bounds: 5 min .. 7 days;
    ///        default 1 h).
    /// @param rotationDelay Seconds between approval and execution of a key rotation (1 h .. 7 days; default 1 day).
    /// @param maxPauseDuration Longest pause (1 h .. 7 days; default 1 day).
    /// @param pauseCooldown Seconds after a pause ends before another may start, so pauses cannot be chained
    ///        (must be >= maxPauseDuration; bounds: 1 h .. 30 days; default 1 day).
    /// @param recoveryProof Consecutive NodeHealth epochs with a heartbeat, all after a successful remediation
    ///        report and after the jailing, that `restore` needs before it unjails (bounds: 1 .. 100; default 3).
    struct Parameters {
        uint32 reportTimeout;
        uint32 rotationDelay;
        uint32 maxPauseDuration;
        uint32 pauseCooldown;
        uint16 recoveryProof;
    }

    /// @notice How a jailed validator was restored to the backup pool (one per incident).
    /// @param validator The validator (zero: the incident was not restored).
    /// @param actionId The succeeded Resync / Reprovision action that proved the remediation (0: the incident's
    ///        own report, `reportIncidentRemediation`).
    /// @param faultAt When the incident's fault began (`Incident.faultAt`).
    /// @param reportedAt When the remediation was reported.
    /// @param restoredAt When the validator was released from jail.
    /// @param timeToRecover `restoredAt - faultAt`, in seconds.
    /// @param by Who called `restore`.
    struct Restoration {
        address validator;
        uint256 actionId;
        uint64 faultAt;
        uint64 reportedAt;
        uint64 restoredAt;
        uint64 timeToRecover;
        address by;
    }

    /// @notice An action needing off-chain work was requested (the orchestrator subscribes to this).
    /// @param actionId The action.
    /// @param kind Resync or Reprovision.
    /// @param validator The node's validator.
    /// @param ref The snapshot id (resync), else 0.
    /// @param payload The snapshot's CID (resync) or the config CID (reprovision).
    /// @param reportDeadline When it may be escalated if unreported.
    event RecoveryRequested(
        uint256 indexed actionId,
        ActionKind indexed kind,
        address indexed validator,
        uint256 ref,
        string payload,
        uint256 reportDeadline
    );
    /// @notice An on-chain action completed.
    event RecoveryExecuted(
        uint256 indexed actionId,
        ActionKind indexed kind,
        address indexed validator,
        uint256 ref
    );
    /// @notice The orchestrator reported a result.
    event RemediationReported(
        uint256 indexed actionId,
        bool ok,
        bytes32 detailsHash,
        address indexed operator
    );
    /// @notice The orchestrator reported the result of the validator set's own remediation request.
    event IncidentRemediationReported(
        uint256 indexed incidentId,
        bool ok,
        bytes32 detailsHash,
        address indexed operator
    );
    /// @notice An off-chain action was not reported in time: the guardians must look.
    event RemediationEscalated(uint256 indexed actionId, address indexed validator, address indexed by);
    /// @notice A validator owner requested a key rotation.
    event KeyRotationRequested(address indexed validator, address indexed newSigner);
    /// @notice The guardian role approved a key rotation.
    event KeyRotationApproved(address indexed validator, address indexed newSigner, uint256 executableAt);
    /// @notice A key rotation was cancelled by its owner.
    event KeyRotationCancelled(address indexed validator, address indexed newSigner);
    /// @notice A key rotation executed: heartbeat authority moved to the new signer.
    event KeyRotated(address indexed validator, address indexed newSigner, uint256 indexed actionId);
    /// @notice Parameters changed.
    event ParametersUpdated(Parameters parameters);
    /// @notice A jailed validator proved its remediation and was released from jail: it is back in the backup
    ///         pool (never straight in the active set) and the incident is closed.
    /// @param incidentId The incident that jailed it.
    /// @param validator The validator.
    /// @param actionId The succeeded Resync / Reprovision action used as proof (0: the incident's own report).
    /// @param timeToRecover Seconds from the incident's fault to the release.
    /// @param by Who called `restore`.
    event ValidatorRestored(
        uint256 indexed incidentId,
        address indexed validator,
        uint256 indexed actionId,
        uint256 timeToRecover,
        address by
    );

    /// @notice No such action.
    error RecoveryManagerUnknownAction(uint256 actionId);
    /// @notice The action is not awaiting a report (or cannot be escalated).
    error RecoveryManagerWrongStatus(uint256 actionId, ActionStatus status);
    /// @notice The report deadline has not passed.
    error RecoveryManagerNotOverdue(uint256 actionId, uint256 deadline);
    /// @notice The snapshot is not final.
    error RecoveryManagerSnapshotNotFinal(uint256 snapshotId);
    /// @notice The config CID is not a well-formed CIDv0 (`Qm` + 44 base58 chars) or CIDv1 (`b` + base32 lower).
    error RecoveryManagerInvalidCid(string cid);
    /// @notice The validator is unknown to the validator set.
    error RecoveryManagerUnknownValidator(address validator);
    /// @notice No pending key rotation for the validator (or not in the needed stage).
    error RecoveryManagerNoKeyRotation(address validator);
    /// @notice The key rotation is not executable yet.
    error RecoveryManagerRotationNotReady(address validator, uint256 executableAt);
    /// @notice The new signer is zero or was used before.
    error RecoveryManagerSignerUnavailable(address signer);
    /// @notice A pause is longer than `maxPauseDuration`, or starts inside the cooldown of the previous one.
    error RecoveryManagerPauseNotAllowed(uint256 duration, uint256 notBefore);
    /// @notice The parameter call's target or selector is not allowed.
    error RecoveryManagerParameterCallNotAllowed(address target, bytes4 selector);
    /// @notice The parameter call reverted (bounds are enforced by the target).
    error RecoveryManagerParameterCallFailed(address target, bytes reason);
    /// @notice A parameter is outside its hard bounds.
    error RecoveryManagerInvalidParameter(bytes32 name, uint256 value, uint256 min, uint256 max);
    /// @notice An address argument was zero.
    error RecoveryManagerZeroAddress(bytes32 what);
    /// @notice The validator set knows no incident with this id.
    error RecoveryManagerUnknownIncident(uint256 incidentId);
    /// @notice The incident's remediation was already reported (one report per incident).
    error RecoveryManagerIncidentAlreadyReported(uint256 incidentId);
    /// @notice The incident was already restored (one restore per incident).
    error RecoveryManagerAlreadyRestored(uint256 incidentId);
    /// @notice No successful remediation report backs the restore: the incident's report is missing or failed
    ///         (actionId 0), or the action is not a succeeded Resync / Reprovision of the incident's validator
    ///         reported after the incident was detected.
    error RecoveryManagerNotRemediated(uint256 incidentId, uint256 actionId);
    /// @notice The validator is not jailed (any more), or is tombstoned (jailed forever).
    error RecoveryManagerNotRestorable(address validator, bool jailed, bool tombstoned);
    /// @notice The validator's current jail is not the one this incident imposed (a later jail, a double-sign
    ///         incident, or the set's jailDuration changed since): `jailedUntil` is not the incident's jail time
    ///         plus the set's jailDuration.
    error RecoveryManagerJailNotFromIncident(uint256 incidentId, uint256 jailedUntil, uint256 expectedUntil);
    /// @notice The validator is not Live now (it must be heartbeating and not stalled).
    error RecoveryManagerNotLive(address validator, INodeHealth.Liveness liveness);
    /// @notice Too few consecutive epochs with a heartbeat after the report and the jailing (`provenEpochs` of
    ///         `recoveryProof`).
    error RecoveryManagerRecoveryNotProven(address validator, uint256 provenEpochs, uint256 recoveryProof);
    /// @notice The validator's last reported height lags NodeHealth's best height by more than `maxHeightLag`.
    error RecoveryManagerHeightLagging(address validator, uint256 height, uint256 bestHeight);

    /// @notice Asks the orchestrator to resync `validator`'s node from a final snapshot. Only the guardian role.
    function requestResync(address validator, uint256 snapshotId) external returns (uint256 actionId);

    /// @notice Asks the orchestrator to reprovision `validator`'s node from a config CID (shape checked on-chain).
    ///         Only the guardian role.
    function requestReprovision(
        address validator,
        string calldata configCid
    ) external returns (uint256 actionId);

    /// @notice Forces an active validator out and promotes the best ready backup. Only the guardian role.
    function forceReplace(address validator) external returns (uint256 actionId);

    /// @notice Forgives a wrongful downtime slash: cancels the pending slash and releases the validator from
    ///         jail (it returns to the backup pool). Only the guardian role.
    function forgive(uint256 incidentId) external returns (uint256 actionId);

    /// @notice Pauses the validator set's slashing for `duration` (≤ maxPauseDuration, and not within
    ///         `pauseCooldown` of the previous pause's end). Heartbeats are still accepted. Only the guardian role.
    function pause(uint64 duration) external returns (uint256 actionId);

    /// @notice Ends the pause early; every validator gets a fresh grace period. Only the guardian role.
    function unpause() external returns (uint256 actionId);

    /// @notice Calls `setParameters` on the StakeManager, NodeHealth, the validator set or this manager (the
    ///         only allowed targets and selector); the target enforces its bounds. Only the guardian role or the
    ///         parameter role.
    function updateParameters(address target, bytes calldata callData) external returns (uint256 actionId);

    /// @notice Requests a rotation of the caller's signer key to `newSigner`. Only a registered validator (the
    ///         caller is the validator's staking address). Replaces any earlier pending request.
    ///         Permissionless in the sense that no role is needed: it acts on the caller's own signer only.
    function requestKeyRotation(address newSigner) external;

    /// @notice Approves the validator's pending key rotation; executable after `rotationDelay`. Only the
    ///         guardian role; the new signer must match the request.
    function approveKeyRotation(address validator, address newSigner) external;

    /// @notice Cancels the caller's pending key rotation (before or after approval). Permissionless: acts on the
    ///         caller's own request only.
    function cancelKeyRotation() external;

    /// @notice Executes an approved key rotation after its delay: heartbeat authority moves to the new signer
    ///         atomically. Permissionless: anyone may call it once executable.
    function executeKeyRotation(address validator) external returns (uint256 actionId);

    /// @notice Reports the result of an off-chain action. Only the operator role (the orchestrator's key).
    function reportRemediation(uint256 actionId, bool ok, bytes32 detailsHash) external;

    /// @notice Reports the result of a validator-set remediation request (a stalled node), once per incident
    ///         (`RecoveryManagerIncidentAlreadyReported` after that, so racing orchestrators report once). The
    ///         report is a record in the audit trail: the set still judges the node by its own heartbeats.
    ///         Only the operator role.
    function reportIncidentRemediation(uint256 incidentId, bool ok, bytes32 detailsHash) external;

    /// @notice Escalates an off-chain action whose report deadline passed. Permissionless.
    function escalate(uint256 actionId) external;

    /// @notice Releases a jailed validator whose remediation is proven, so it returns to the backup pool by
    ///         itself (the set's `onStakeChanged` moves a released validator with enough bond to the backup heap,
    ///         never to the active set), and closes the incident with its time to recover. Permissionless: anyone
    ///         (the keeper) may call it; it pays nothing, and a call that finds a condition unmet reverts and
    ///         changes nothing. Once per incident.
    /// @dev Succeeds when all hold:
    ///      1. a successful remediation report for the incident: its own report (`reportIncidentRemediation`,
    ///         `actionId` 0), or a Succeeded Resync / Reprovision action for its validator (`reportRemediation`)
    ///         reported at or after the incident's detection;
    ///      2. the validator is jailed and not tombstoned, and its jail is the one this incident imposed
    ///         (`jailedUntil` = the incident's jail time + the set's `jailDuration`; the jail time is
    ///         `resolvedAt` for a Stall incident, escalated to a jail, and `detectedAt` otherwise);
    ///      3. it is Live in NodeHealth, and heartbeated in each of the `recoveryProof` epochs ending with its
    ///         last heartbeat's epoch, all of which begin after the epoch of the later of the report and the
    ///         jailing (so every heartbeat counted is after both);
    ///      4. its last reported height is within NodeHealth's `maxHeightLag` of `bestHeight`.
    ///      Appends a RECOVERY_RESTORE entry to the audit log (refId: the incident).
    /// @param incidentId The incident that jailed the validator.
    /// @param actionId 0 to rely on the incident's own report, else a succeeded Resync / Reprovision action.
    /// @return timeToRecover Seconds from the incident's fault (`faultAt`) to now.
    function restore(uint256 incidentId, uint256 actionId) external returns (uint256 timeToRecover);

    /// @notice Sets the manager's parameters. Only the parameter role, or through `updateParameters`.
    function setParameters(Parameters calldata parameters) external;

    /// @notice The action.
    function action(uint256 actionId) external view returns (Action memory);

    /// @notice The report on incident `incidentId` (all zero until reported).
    function incidentReport(uint256 incidentId) external view returns (IncidentReport memory);

    /// @notice How incident `incidentId` was restored (all zero if it was not).
    function restorationOf(uint256 incidentId) external view returns (Restoration memory);

    /// @notice Number of actions so far (ids from 1).
    function actionCount() external view returns (uint256);

    /// @notice The validator's pending key rotation (zero newSigner if none).
    function keyRotationOf(address validator) external view returns (KeyRotation memory);

    /// @notice The current parameters.
    function parameters() external view returns (Parameters memory);

    /// @notice Whether `cid` is a well-formed CIDv0 or CIDv1 (base32) string.
    function isValidCid(string calldata cid) external pure returns (bool);

    /// @notice The last pause this manager started: when it started and when it ends (or ended early by
    ///         `unpause`). Both 0 before the first pause. The next pause may start at `endsAt + pauseCooldown`.
    function lastPause() external view returns (uint64 startedAt, uint64 endsAt);

    /// @notice The validator set this manager drives.
    function validatorSet() external view returns (address);

    /// @notice The StakeManager (for `forgive`'s release from jail).
    function stakeManager() external view returns (address);

    /// @notice NodeHealth (for key rotations).
    function nodeHealth() external view returns (address);

    /// @notice The SnapshotRegistry (resyncs only from its final snapshots).
    function snapshotRegistry() external view returns (address);

    /// @notice The AuditLog every action is appended to.
    function auditLog() external view returns (address);
}
