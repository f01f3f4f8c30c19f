// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {Versioned} from "../upgrades/Versioned.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IAuditLog} from "../interfaces/IAuditLog.sol";
import {INodeHealth} from "../interfaces/INodeHealth.sol";
import {IRecoveryManager} from "../interfaces/IRecoveryManager.sol";
import {ISnapshotRegistry} from "../interfaces/ISnapshotRegistry.sol";
import {IStakeManager} from "../interfaces/IStakeManager.sol";
import {IValidatorSet} from "../interfaces/IValidatorSet.sol";
import {IValidatorSetRecovery} from "../interfaces/IValidatorSetRecovery.sol";

// Time is the point here: report deadlines, pauses and rotation delays are hours to days long; a
// validator's ~15 s of timestamp leeway is negligible against them.
// solhint-disable not-rely-on-time

/// @title RecoveryManager
/// @notice The typed, bounded recovery actions of healnet (see IRecoveryManager). Every action gets an id and a
///         record, and every action, report and escalation is appended to the hash-chained AuditLog.
/// @dev Roles it needs elsewhere: the validator set's RECOVERY_ROLE (forceReplace, cancelSlash) and pauser role
///      (pauseSlashing, unpauseSlashing) and parameter role; the StakeManager's jailer role (release, for
///      forgive and restore) and parameter role; NodeHealth's rotator role (rotateSigner) and parameter role;
///      the AuditLog's appender role. The manager holds its own PARAMETER_ROLE (granted at initialize) so
///      that `updateParameters` can reach `setParameters` on itself through the same external, role-checked
///      path as the other targets.
contract RecoveryManager is IRecoveryManager, Versioned, AccessControlUpgradeable, ReentrancyGuardTransient {
    /// @notice Requests the typed actions (the GuardianCouncil, a Safe, or the DAO timelock).
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @notice Reports remediation results (the orchestrator's key).
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");
    /// @notice Sets parameters (the DAO timelock; also this contract itself, see `updateParameters`).
    bytes32 public constant PARAMETER_ROLE = keccak256("PARAMETER_ROLE");

    /// @notice Audit-log kinds.
    bytes32 public constant RECOVERY_RESYNC = keccak256("RECOVERY_RESYNC");
    bytes32 public constant RECOVERY_REPROVISION = keccak256("RECOVERY_REPROVISION");
    bytes32 public constant RECOVERY_ROTATE_KEY = keccak256("RECOVERY_ROTATE_KEY");
    bytes32 public constant RECOVERY_FORCE_REPLACE = keccak256("RECOVERY_FORCE_REPLACE");
    bytes32 public constant RECOVERY_FORGIVE = keccak256("RECOVERY_FORGIVE");
    bytes32 public constant RECOVERY_PAUSE = keccak256("RECOVERY_PAUSE");
    bytes32 public constant RECOVERY_UNPAUSE = keccak256("RECOVERY_UNPAUSE");
    bytes32 public constant RECOVERY_PARAMETERS = keccak256("RECOVERY_PARAMETERS");
    bytes32 public constant REMEDIATION_REPORTED = keccak256("REMEDIATION_REPORTED");
    bytes32 public constant INCIDENT_REMEDIATION_REPORTED = keccak256("INCIDENT_REMEDIATION_REPORTED");
    bytes32 public constant REMEDIATION_ESCALATED = keccak256("REMEDIATION_ESCALATED");
    bytes32 public constant RECOVERY_RESTORE = keccak256("RECOVERY_RESTORE");

    /// @notice Longest CID `isValidCid` accepts (a `b` prefix and 128 base32 characters), so its loop is bounded.
    uint256 public constant MAX_CID_LENGTH = 129;

    uint32 private constant MIN_REPORT_TIMEOUT = 5 minutes;
    uint32 private constant MAX_REPORT_TIMEOUT = 7 days;
    uint32 private constant MIN_ROTATION_DELAY = 1 hours;
    uint32 private constant MAX_ROTATION_DELAY = 7 days;
    uint32 private constant MIN_MAX_PAUSE = 1 hours;
    uint32 private constant MAX_MAX_PAUSE = 7 days;
    uint32 private constant MIN_PAUSE_COOLDOWN = 1 hours;
    uint32 private constant MAX_PAUSE_COOLDOWN = 30 days;
    uint16 private constant MIN_RECOVERY_PROOF = 1;
    // NodeHealth's uptime bitmap holds 101 epochs (bit 0: the last heartbeat's epoch).
    uint16 private constant MAX_RECOVERY_PROOF = 100;

    /// @custom:storage-location erc7201:healnet.storage.RecoveryManager
    /// @dev Layout: the five dependency addresses take one slot each; `params` (4 x uint32 + uint16, the last
    ///      appended in place: the struct had 16 free bytes in its slot) takes one slot and the last pause
    ///      (2 x uint64) the next; then the counter and the mappings (append only).
    struct RecoveryManagerStorage {
        IValidatorSet set;
        IStakeManager stake;
        INodeHealth health;
        ISnapshotRegistry snapshots;
        IAuditLog audit;
        // `recoveryProof` was appended to Parameters in the 16 free bytes of its slot (slot, offset and size of
        // `params` unchanged; it reads 0 in an older deployment until `setParameters`, and 0 fails every restore):
        // a safe change that upgrades-core reports as a typechange, so the reference layout was refreshed.
        Parameters params;
        uint64 lastPauseStart;
        uint64 lastPauseEnd;
        uint256 actionCount;
        mapping(uint256 actionId => Action) actions;
        mapping(address validator => KeyRotation) rotations;
        mapping(uint256 incidentId => IncidentReport) incidentReports;
        mapping(uint256 incidentId => Restoration) restorations;
    }

    // keccak256(abi.encode(uint256(keccak256("healnet.storage.RecoveryManager")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION =
        0x2293feda3c7867707132c1fec28753ab5f22c13e598b5817b54f1762bbe22d00;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy.
    /// @param admin Holds DEFAULT_ADMIN_ROLE (grants the guardian, operator and parameter roles).
    /// @param set The validator set.
    /// @param stake The StakeManager.
    /// @param health NodeHealth.
    /// @param snapshots The SnapshotRegistry.
    /// @param audit The AuditLog.
    /// @param params The initial parameters (within bounds).
    function initialize(
        address admin,
        IValidatorSet set,
        IStakeManager stake,
        INodeHealth health,
        ISnapshotRegistry snapshots,
        IAuditLog audit,
        Parameters calldata params
    ) external initializer {
        if (admin == address(0)) revert RecoveryManagerZeroAddress("admin");
        if (address(set) == address(0)) revert RecoveryManagerZeroAddress("set");
        if (address(stake) == address(0)) revert RecoveryManagerZeroAddress("stake");
        if (address(health) == address(0)) revert RecoveryManagerZeroAddress("health");
        if (address(snapshots) == address(0)) revert RecoveryManagerZeroAddress("snapshots");
        if (address(audit) == address(0)) revert RecoveryManagerZeroAddress("audit");
        __AccessControl_init();
        RecoveryManagerStorage storage $ = _storage();
        $.set = set;
        $.stake = stake;
        $.health = health;
        $.snapshots = snapshots;
        $.audit = audit;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        // Lets `updateParameters` reach `setParameters` on this contract through the role-checked external path.
        _grantRole(PARAMETER_ROLE, address(this));
        _setParameters(params);
    }

    // ------------------------------------------------------------------ off-chain actions

    /// @inheritdoc IRecoveryManager
    function requestResync(
        address validator,
        uint256 snapshotId
    ) external onlyRole(GUARDIAN_ROLE) nonReentrant returns (uint256 actionId) {
        RecoveryManagerStorage storage $ = _storage();
        _requireKnown($, validator);
        if (!$.snapshots.isFinal(snapshotId)) revert RecoveryManagerSnapshotNotFinal(snapshotId);
        string memory cid = $.snapshots.snapshot(snapshotId).cid;
        actionId = _request($, ActionKind.Resync, validator, snapshotId, cid);
        _audit($, RECOVERY_RESYNC, validator, actionId, keccak256(bytes(cid)));
    }

    /// @inheritdoc IRecoveryManager
    function requestReprovision(
        address validator,
        string calldata configCid
    ) external onlyRole(GUARDIAN_ROLE) nonReentrant returns (uint256 actionId) {
        RecoveryManagerStorage storage $ = _storage();
        _requireKnown($, validator);
        if (!isValidCid(configCid)) revert RecoveryManagerInvalidCid(configCid);
        actionId = _request($, ActionKind.Reprovision, validator, 0, configCid);
        _audit($, RECOVERY_REPROVISION, validator, actionId, keccak256(bytes(configCid)));
    }

    /// @inheritdoc IRecoveryManager
    function reportRemediation(
        uint256 actionId,
        bool ok,
        bytes32 detailsHash
    ) external onlyRole(OPERATOR_ROLE) nonReentrant {
        RecoveryManagerStorage storage $ = _storage();
        Action storage a = _existing($, actionId);
        ActionStatus status = a.status;
        if (status != ActionStatus.Requested && status != ActionStatus.Escalated) {
            revert RecoveryManagerWrongStatus(actionId, status);
        }
        a.status = ok ? ActionStatus.Succeeded : ActionStatus.Failed;
        a.reportedAt = uint64(block.timestamp);
        a.detailsHash = detailsHash;
        emit RemediationReported(actionId, ok, detailsHash, msg.sender);
        _audit($, REMEDIATION_REPORTED, a.validator, actionId, keccak256(abi.encode(ok, detailsHash)));
    }

    /// @inheritdoc IRecoveryManager
    function reportIncidentRemediation(
        uint256 incidentId,
        bool ok,
        bytes32 detailsHash
    ) external onlyRole(OPERATOR_ROLE) nonReentrant {
        RecoveryManagerStorage storage $ = _storage();
        // The incident lives in the validator set; this checks that it exists and records the (single) report.
        address validator = $.set.incident(incidentId).validator;
        if (validator == address(0)) revert RecoveryManagerUnknownIncident(incidentId);
        IncidentReport storage report = $.incidentReports[incidentId];
        if (report.reportedAt != 0) revert RecoveryManagerIncidentAlreadyReported(incidentId);
        report.reportedAt = uint64(block.timestamp);
        report.ok = ok;
        report.detailsHash = detailsHash;
        report.operator = msg.sender;
        emit IncidentRemediationReported(incidentId, ok, detailsHash, msg.sender);
        _audit(
            $,
            INCIDENT_REMEDIATION_REPORTED,
            validator,
            incidentId,
            keccak256(abi.encode(ok, detailsHash))
        );
    }

    /// @inheritdoc IRecoveryManager
    function escalate(uint256 actionId) external nonReentrant {
        RecoveryManagerStorage storage $ = _storage();
        Action storage a = _existing($, actionId);
        if (a.status != ActionStatus.Requested) revert RecoveryManagerWrongStatus(actionId, a.status);
        uint64 deadline = a.reportDeadline;
        if (block.timestamp <= deadline) revert RecoveryManagerNotOverdue(actionId, deadline);
        a.status = ActionStatus.Escalated;
        emit RemediationEscalated(actionId, a.validator, msg.sender);
        _audit($, REMEDIATION_ESCALATED, a.validator, actionId, keccak256(abi.encode(deadline)));
    }

    /// @inheritdoc IRecoveryManager
    function restore(
        uint256 incidentId,
        uint256 actionId
    ) external nonReentrant returns (uint256 timeToRecover) {
        RecoveryManagerStorage storage $ = _storage();
        if ($.restorations[incidentId].validator != address(0))
            revert RecoveryManagerAlreadyRestored(incidentId);
        IValidatorSet.Incident memory inc = $.set.incident(incidentId);
        address validator = inc.validator;
        if (validator == address(0)) revert RecoveryManagerUnknownIncident(incidentId);
        uint64 reportedAt = _remediationReportedAt($, incidentId, actionId, inc);
        uint256 jailedAt = _checkJail($, incidentId, inc);
        _checkRecovery($, validator, reportedAt > jailedAt ? reportedAt : jailedAt);
        // faultAt <= detectedAt <= now for every incident kind (a double-sign's faultAt is 0).
        timeToRecover = block.timestamp - inc.faultAt;
        $.restorations[incidentId] = Restoration({
            validator: validator,
            actionId: actionId,
            faultAt: inc.faultAt,
            reportedAt: reportedAt,
            restoredAt: uint64(block.timestamp),
            timeToRecover: uint64(timeToRecover),
            by: msg.sender
        });
        // Clears the jail; the StakeManager notifies the set, which moves the validator to the backup heap.
        $.stake.release(validator);
        emit ValidatorRestored(incidentId, validator, actionId, timeToRecover, msg.sender);
        _audit($, RECOVERY_RESTORE, validator, incidentId, keccak256(abi.encode(actionId, timeToRecover)));
    }

    // ------------------------------------------------------------------ on-chain actions

    /// @inheritdoc IRecoveryManager
    function forceReplace(
        address validator
    ) external onlyRole(GUARDIAN_ROLE) nonReentrant returns (uint256 actionId) {
        RecoveryManagerStorage storage $ = _storage();
        uint256 incidentId = IValidatorSetRecovery(address($.set)).forceReplace(validator);
        actionId = _done($, ActionKind.ForceReplace, validator, incidentId, keccak256(abi.encode(validator)));
        _audit($, RECOVERY_FORCE_REPLACE, validator, actionId, keccak256(abi.encode(incidentId)));
    }

    /// @inheritdoc IRecoveryManager
    function forgive(
        uint256 incidentId
    ) external onlyRole(GUARDIAN_ROLE) nonReentrant returns (uint256 actionId) {
        RecoveryManagerStorage storage $ = _storage();
        address validator = $.set.incident(incidentId).validator;
        if (validator == address(0)) revert RecoveryManagerUnknownIncident(incidentId);
        // The set checks that the slash is pending (and reverts otherwise).
        IValidatorSetRecovery(address($.set)).cancelSlash(incidentId);
        // A tombstoned validator is jailed forever; release only a plain jail.
        if ($.stake.isJailed(validator) && !$.stake.isTombstoned(validator)) $.stake.release(validator);
        actionId = _done($, ActionKind.Forgive, validator, incidentId, keccak256(abi.encode(incidentId)));
        _audit($, RECOVERY_FORGIVE, validator, actionId, keccak256(abi.encode(incidentId)));
    }

    /// @inheritdoc IRecoveryManager
    function pause(uint64 duration) external onlyRole(GUARDIAN_ROLE) nonReentrant returns (uint256 actionId) {
        RecoveryManagerStorage storage $ = _storage();
        uint256 notBefore = uint256($.lastPauseEnd) + $.params.pauseCooldown;
        if (duration == 0 || duration > $.params.maxPauseDuration || block.timestamp < notBefore) {
            revert RecoveryManagerPauseNotAllowed(duration, notBefore);
        }
        // duration <= maxPauseDuration (a uint32), so the sum fits easily in a uint64.
        uint64 until = uint64(block.timestamp) + duration;
        $.lastPauseStart = uint64(block.timestamp);
        $.lastPauseEnd = until;
        actionId = _done($, ActionKind.Pause, address(0), 0, keccak256(abi.encode(until)));
        $.set.pauseSlashing(until);
        _audit($, RECOVERY_PAUSE, address(0), actionId, keccak256(abi.encode(until)));
    }

    /// @inheritdoc IRecoveryManager
    function unpause() external onlyRole(GUARDIAN_ROLE) nonReentrant returns (uint256 actionId) {
        RecoveryManagerStorage storage $ = _storage();
        // The pause ended now if it was still running; an already expired pause keeps its end (the set reverts
        // `ValidatorSetNotPaused` in that case anyway).
        if (block.timestamp < $.lastPauseEnd) $.lastPauseEnd = uint64(block.timestamp);
        actionId = _done($, ActionKind.Unpause, address(0), 0, keccak256(abi.encode(block.timestamp)));
        $.set.unpauseSlashing();
        _audit($, RECOVERY_UNPAUSE, address(0), actionId, keccak256(abi.encode(block.timestamp)));
    }

    /// @inheritdoc IRecoveryManager
    /// @dev Callable by the guardian role or the parameter role; an account with neither is refused with
    ///      `AccessControlUnauthorizedAccount(account, PARAMETER_ROLE)`. The audit entry's subject is the target.
    function updateParameters(
        address target,
        bytes calldata callData
    ) external nonReentrant returns (uint256 actionId) {
        if (!hasRole(GUARDIAN_ROLE, msg.sender) && !hasRole(PARAMETER_ROLE, msg.sender)) {
            revert AccessControlUnauthorizedAccount(msg.sender, PARAMETER_ROLE);
        }
        RecoveryManagerStorage storage $ = _storage();
        bytes4 selector = callData.length >= 4 ? bytes4(callData[:4]) : bytes4(0);
        if (!_isAllowedParameterCall($, target, selector)) {
            revert RecoveryManagerParameterCallNotAllowed(target, selector);
        }
        bytes32 payloadHash = keccak256(callData);
        actionId = _done($, ActionKind.UpdateParameters, address(0), 0, payloadHash);
        // target and selector are allow-listed just above.
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory reason) = target.call(callData);
        if (!ok) revert RecoveryManagerParameterCallFailed(target, reason);
        _audit($, RECOVERY_PARAMETERS, target, actionId, payloadHash);
    }

    // ------------------------------------------------------------------ key rotation

    /// @inheritdoc IRecoveryManager
    function requestKeyRotation(address newSigner) external nonReentrant {
        RecoveryManagerStorage storage $ = _storage();
        _requireKnown($, msg.sender);
        _requireUnusedSigner($, newSigner);
        $.rotations[msg.sender] = KeyRotation({
            newSigner: newSigner,
            requestedAt: uint64(block.timestamp),
            approvedAt: 0,
            executableAt: 0
        });
        emit KeyRotationRequested(msg.sender, newSigner);
    }

    /// @inheritdoc IRecoveryManager
    /// @dev An already approved request cannot be approved again (that would restart its delay):
    ///      `RecoveryManagerNoKeyRotation`.
    function approveKeyRotation(address validator, address newSigner) external onlyRole(GUARDIAN_ROLE) {
        KeyRotation storage r = _storage().rotations[validator];
        if (r.newSigner == address(0) || r.newSigner != newSigner || r.approvedAt != 0) {
            revert RecoveryManagerNoKeyRotation(validator);
        }
        uint64 executableAt = uint64(block.timestamp) + _storage().params.rotationDelay;
        r.approvedAt = uint64(block.timestamp);
        r.executableAt = executableAt;
        emit KeyRotationApproved(validator, newSigner, executableAt);
    }

    /// @inheritdoc IRecoveryManager
    function cancelKeyRotation() external {
        RecoveryManagerStorage storage $ = _storage();
        address newSigner = $.rotations[msg.sender].newSigner;
        if (newSigner == address(0)) revert RecoveryManagerNoKeyRotation(msg.sender);
        delete $.rotations[msg.sender];
        emit KeyRotationCancelled(msg.sender, newSigner);
    }

    /// @inheritdoc IRecoveryManager
    function executeKeyRotation(address validator) external nonReentrant returns (uint256 actionId) {
        RecoveryManagerStorage storage $ = _storage();
        KeyRotation memory r = $.rotations[validator];
        if (r.newSigner == address(0) || r.executableAt == 0) revert RecoveryManagerNoKeyRotation(validator);
        if (block.timestamp < r.executableAt)
            revert RecoveryManagerRotationNotReady(validator, r.executableAt);
        // The signer may have been registered elsewhere since the request.
        _requireUnusedSigner($, r.newSigner);
        delete $.rotations[validator];
        actionId = _done($, ActionKind.RotateKey, validator, 0, keccak256(abi.encode(r.newSigner)));
        $.health.rotateSigner(validator, r.newSigner);
        emit KeyRotated(validator, r.newSigner, actionId);
        _audit($, RECOVERY_ROTATE_KEY, validator, actionId, keccak256(abi.encode(r.newSigner)));
    }

    // ------------------------------------------------------------------ parameters

    /// @inheritdoc IRecoveryManager
    /// @dev A direct call (not through `updateParameters`, which audits itself) is appended to the audit log
    ///      with refId 0.
    function setParameters(Parameters calldata params) external onlyRole(PARAMETER_ROLE) {
        _setParameters(params);
        if (msg.sender != address(this)) {
            _audit(_storage(), RECOVERY_PARAMETERS, address(this), 0, keccak256(abi.encode(params)));
        }
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IRecoveryManager
    function action(uint256 actionId) external view returns (Action memory) {
        return _existing(_storage(), actionId);
    }

    /// @inheritdoc IRecoveryManager
    function incidentReport(uint256 incidentId) external view returns (IncidentReport memory) {
        return _storage().incidentReports[incidentId];
    }

    /// @inheritdoc IRecoveryManager
    function restorationOf(uint256 incidentId) external view returns (Restoration memory) {
        return _storage().restorations[incidentId];
    }

    /// @inheritdoc IRecoveryManager
    function actionCount() external view returns (uint256) {
        return _storage().actionCount;
    }

    /// @inheritdoc IRecoveryManager
    function keyRotationOf(address validator) external view returns (KeyRotation memory) {
        return _storage().rotations[validator];
    }

    /// @inheritdoc IRecoveryManager
    function parameters() external view returns (Parameters memory) {
        return _storage().params;
    }

    /// @inheritdoc IRecoveryManager
    function lastPause() external view returns (uint64 startedAt, uint64 endsAt) {
        RecoveryManagerStorage storage $ = _storage();
        return ($.lastPauseStart, $.lastPauseEnd);
    }

    /// @inheritdoc IRecoveryManager
    function validatorSet() external view returns (address) {
        return address(_storage().set);
    }

    /// @inheritdoc IRecoveryManager
    function stakeManager() external view returns (address) {
        return address(_storage().stake);
    }

    /// @inheritdoc IRecoveryManager
    function nodeHealth() external view returns (address) {
        return address(_storage().health);
    }

    /// @inheritdoc IRecoveryManager
    function snapshotRegistry() external view returns (address) {
        return address(_storage().snapshots);
    }

    /// @inheritdoc IRecoveryManager
    function auditLog() external view returns (address) {
        return address(_storage().audit);
    }

    /// @inheritdoc IRecoveryManager
    /// @dev CIDv0: exactly 46 characters, `Qm` followed by 44 characters of the base58btc alphabet
    ///      (`1-9 A-H J-N P-Z a-k m-z`). CIDv1: the multibase prefix `b` followed by 8 to 128 characters of the
    ///      RFC 4648 base32 lower-case alphabet (`a-z 2-7`), no padding. Anything else (other multibases,
    ///      upper case, whitespace) is invalid. The length is checked first, so the loop runs at most 128 times.
    function isValidCid(string calldata cid) public pure returns (bool) {
        bytes calldata b = bytes(cid);
        uint256 len = b.length;
        if (len == 46 && b[0] == "Q" && b[1] == "m") {
            for (uint256 i = 2; i < 46; ++i) {
                if (!_isBase58(b[i])) return false;
            }
            return true;
        }
        if (len >= 9 && len <= MAX_CID_LENGTH && b[0] == "b") {
            // bounded: len <= MAX_CID_LENGTH (checked just above)
            for (uint256 i = 1; i < len; ++i) {
                if (!_isBase32Lower(b[i])) return false;
            }
            return true;
        }
        return false;
    }

    // ------------------------------------------------------------------ internals

    function _storage() private pure returns (RecoveryManagerStorage storage $) {
        // ERC-7201: point the struct at its namespaced slot.
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := STORAGE_LOCATION
        }
    }

    function _existing(
        RecoveryManagerStorage storage $,
        uint256 actionId
    ) private view returns (Action storage) {
        if (actionId == 0 || actionId > $.actionCount) revert RecoveryManagerUnknownAction(actionId);
        return $.actions[actionId];
    }

    function _requireKnown(RecoveryManagerStorage storage $, address validator) private view {
        if ($.set.statusOf(validator) == IValidatorSet.Status.None) {
            revert RecoveryManagerUnknownValidator(validator);
        }
    }

    /// @dev When the successful remediation backing a restore was reported (condition 1 of `restore`).
    function _remediationReportedAt(
        RecoveryManagerStorage storage $,
        uint256 incidentId,
        uint256 actionId,
        IValidatorSet.Incident memory inc
    ) private view returns (uint64) {
        if (actionId == 0) {
            IncidentReport storage report = $.incidentReports[incidentId];
            if (report.reportedAt == 0 || !report.ok) revert RecoveryManagerNotRemediated(incidentId, 0);
            return report.reportedAt;
        }
        Action storage a = _existing($, actionId);
        if (
            (a.kind != ActionKind.Resync && a.kind != ActionKind.Reprovision) ||
            a.status != ActionStatus.Succeeded ||
            a.validator != inc.validator ||
            a.reportedAt < inc.detectedAt
        ) revert RecoveryManagerNotRemediated(incidentId, actionId);
        return a.reportedAt;
    }

    /// @dev Checks that the validator is jailed (not tombstoned) by this incident's jail; returns when it was
    ///      jailed (condition 2 of `restore`).
    function _checkJail(
        RecoveryManagerStorage storage $,
        uint256 incidentId,
        IValidatorSet.Incident memory inc
    ) private view returns (uint256 jailedAt) {
        address v = inc.validator;
        bool jailed = $.stake.isJailed(v);
        bool tombstoned = $.stake.isTombstoned(v);
        if (!jailed || tombstoned) revert RecoveryManagerNotRestorable(v, jailed, tombstoned);
        // A stall is jailed when its remediation is escalated (which closes it: resolvedAt); the other kinds
        // are jailed in the transaction that detects them.
        jailedAt = inc.kind == IValidatorSet.IncidentKind.Stall ? inc.resolvedAt : inc.detectedAt;
        uint256 expectedUntil = jailedAt + $.set.parameters().jailDuration;
        uint256 until = $.stake.jailedUntil(v);
        if (jailedAt == 0 || until != expectedUntil) {
            revert RecoveryManagerJailNotFromIncident(incidentId, until, expectedUntil);
        }
    }

    /// @dev Checks the heartbeat proof and the height (conditions 3 and 4 of `restore`): Live now, a heartbeat
    ///      in each of the `recoveryProof` epochs ending with the last heartbeat's epoch, all after the epoch of
    ///      `from`, and a height within `maxHeightLag` of the best.
    function _checkRecovery(RecoveryManagerStorage storage $, address v, uint256 from) private view {
        INodeHealth health = $.health;
        INodeHealth.Liveness liveness = health.livenessOf(v);
        if (liveness != INodeHealth.Liveness.Live) revert RecoveryManagerNotLive(v, liveness);
        INodeHealth.HeartbeatRecord memory r = health.recordOf(v);
        uint256 needed = $.params.recoveryProof;
        uint256 lastEpoch = health.epochOf(r.timestamp);
        uint256 fromEpoch = health.epochOf(from);
        // Epochs after `from`'s epoch up to the last heartbeat's (0 if the last heartbeat is not after it).
        uint256 proven = lastEpoch > fromEpoch ? lastEpoch - fromEpoch : 0;
        if (proven > needed) proven = needed;
        // Bit i is epoch lastEpoch - i; count the consecutive set bits from bit 0.
        // bounded: proven <= recoveryProof <= MAX_RECOVERY_PROOF (100), enforced by setParameters
        for (uint256 i = 0; i < proven; ++i) {
            if ((r.uptimeBitmap >> i) & 1 == 0) {
                proven = i;
                break;
            }
        }
        // recoveryProof is 0 only in a deployment upgraded from before it existed: no restore until it is set.
        if (proven < needed || needed == 0) revert RecoveryManagerRecoveryNotProven(v, proven, needed);
        uint256 best = health.bestHeight();
        uint256 lag = health.parameters().maxHeightLag;
        if (r.blockHeight + lag < best) revert RecoveryManagerHeightLagging(v, r.blockHeight, best);
    }

    function _requireUnusedSigner(RecoveryManagerStorage storage $, address signer) private view {
        if (signer == address(0) || $.health.validatorOfSigner(signer) != address(0)) {
            revert RecoveryManagerSignerUnavailable(signer);
        }
    }

    function _isAllowedParameterCall(
        RecoveryManagerStorage storage $,
        address target,
        bytes4 selector
    ) private view returns (bool) {
        if (target == address(0)) return false;
        if (target == address($.set)) return selector == IValidatorSet.setParameters.selector;
        if (target == address($.stake)) return selector == IStakeManager.setParameters.selector;
        if (target == address($.health)) return selector == INodeHealth.setParameters.selector;
        if (target == address(this)) return selector == IRecoveryManager.setParameters.selector;
        return false;
    }

    /// @dev Records an off-chain action (status Requested) and emits the request for the orchestrator.
    function _request(
        RecoveryManagerStorage storage $,
        ActionKind kind,
        address validator,
        uint256 ref,
        string memory payload
    ) private returns (uint256 actionId) {
        uint64 deadline = uint64(block.timestamp) + $.params.reportTimeout;
        actionId = _record(
            $,
            kind,
            ActionStatus.Requested,
            validator,
            ref,
            keccak256(bytes(payload)),
            deadline
        );
        emit RecoveryRequested(actionId, kind, validator, ref, payload, deadline);
    }

    /// @dev Records an on-chain action that completes in this transaction (status Done).
    function _done(
        RecoveryManagerStorage storage $,
        ActionKind kind,
        address validator,
        uint256 ref,
        bytes32 payloadHash
    ) private returns (uint256 actionId) {
        actionId = _record($, kind, ActionStatus.Done, validator, ref, payloadHash, 0);
        emit RecoveryExecuted(actionId, kind, validator, ref);
    }

    function _record(
        RecoveryManagerStorage storage $,
        ActionKind kind,
        ActionStatus status,
        address validator,
        uint256 ref,
        bytes32 payloadHash,
        uint64 reportDeadline
    ) private returns (uint256 actionId) {
        actionId = ++$.actionCount;
        $.actions[actionId] = Action({
            kind: kind,
            status: status,
            validator: validator,
            ref: ref,
            payloadHash: payloadHash,
            requestedBy: msg.sender,
            requestedAt: uint64(block.timestamp),
            reportDeadline: reportDeadline,
            reportedAt: 0,
            detailsHash: bytes32(0)
        });
    }

    function _audit(
        RecoveryManagerStorage storage $,
        bytes32 kind,
        address subject,
        uint256 refId,
        bytes32 dataHash
    ) private {
        $.audit.append(kind, msg.sender, subject, refId, dataHash);
    }

    function _setParameters(Parameters calldata p) private {
        _checkBound("reportTimeout", p.reportTimeout, MIN_REPORT_TIMEOUT, MAX_REPORT_TIMEOUT);
        _checkBound("rotationDelay", p.rotationDelay, MIN_ROTATION_DELAY, MAX_ROTATION_DELAY);
        _checkBound("maxPauseDuration", p.maxPauseDuration, MIN_MAX_PAUSE, MAX_MAX_PAUSE);
        // The cooldown must be at least the longest pause, so that pauses cannot be chained.
        uint256 minCooldown =
            p.maxPauseDuration > MIN_PAUSE_COOLDOWN ? p.maxPauseDuration : MIN_PAUSE_COOLDOWN;
        _checkBound("pauseCooldown", p.pauseCooldown, minCooldown, MAX_PAUSE_COOLDOWN);
        _checkBound("recoveryProof", p.recoveryProof, MIN_RECOVERY_PROOF, MAX_RECOVERY_PROOF);
        _storage().params = p;
        emit ParametersUpdated(p);
    }

    function _checkBound(bytes32 name, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert RecoveryManagerInvalidParameter(name, value, min, max);
    }

    function _isBase58(bytes1 c) private pure returns (bool) {
        return
            (c >= "1" && c <= "9") ||
            (c >= "A" && c <= "H") ||
            (c >= "J" && c <= "N") ||
            (c >= "P" && c <= "Z") ||
            (c >= "a" && c <= "k") ||
            (c >= "m" && c <= "z");
    }

    function _isBase32Lower(bytes1 c) private pure returns (bool) {
        return (c >= "a" && c <= "z") || (c >= "2" && c <= "7");
    }
}
