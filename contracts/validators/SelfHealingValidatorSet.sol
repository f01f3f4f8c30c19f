// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {Versioned} from "../upgrades/Versioned.sol";
import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IAuditLog} from "../interfaces/IAuditLog.sol";
import {IAutomationCompatible} from "../interfaces/IAutomationCompatible.sol";
import {INodeHealth} from "../interfaces/INodeHealth.sol";
import {IStakeManager} from "../interfaces/IStakeManager.sol";
import {IStakeObserver} from "../interfaces/IStakeObserver.sol";
import {IValidatorSet} from "../interfaces/IValidatorSet.sol";
import {IValidatorSetRecovery} from "../interfaces/IValidatorSetRecovery.sol";
import {ValidatorHeap} from "../libraries/ValidatorHeap.sol";
import {ValidatorSetChecks} from "../libraries/ValidatorSetChecks.sol";
import {ValidatorSetCore} from "../libraries/ValidatorSetCore.sol";

// Time is the point here: liveness is measured in seconds; a validator's ~15 s of timestamp leeway is well
// inside the grace period, and jail, appeal and pause windows are hours to days.
// solhint-disable not-rely-on-time

/// @title SelfHealingValidatorSet
/// @notice The active validator set and the backup pool, healed permissionlessly: overdue validators are
///         jailed, charged a pending (appealable) slash and replaced by the best ready backup in one
///         transaction; stalled ones get a remediation request first; equivocators are slashed and tombstoned.
/// @dev Loops: every loop over the active set is bounded by `MAX_ACTIVE_CAP` (128), since `maxActive <= 128`
///      and the set never exceeds `maxActive`; loops over backups are O(log n) heap operations, at most
///      `MAX_PARK_PER_PROMOTION + 1` per promotion, times a caller-given limit.
///      Upgrade-ready: ERC-7201 storage, initializer, stateless transient reentrancy guard.
///      Links the external library ValidatorSetChecks (evidence, appeal and parameter checks, correlated-outage
///      bookkeeping, and the bodies of the flows off the heartbeat path: double-sign, rotation, forced
///      replacement, upkeep search, stake changes), which keeps the bytecode well under EIP-170. The set
///      changes themselves live in the internal library ValidatorSetCore, inlined here and in
///      ValidatorSetChecks.
///      Audit: when an audit log is set, every automatic heal, slash execution or cancellation and forced
///      replacement is appended to it with actor = msg.sender, subject = the validator, refId = the incident
///      and dataHash = keccak256(abi.encode(replacement, slashBps)) (zero replacement / 0 bps when none).
contract SelfHealingValidatorSet is
    Versioned,
    AccessControlUpgradeable,
    EIP712Upgradeable,
    ReentrancyGuardTransient,
    IValidatorSet,
    IValidatorSetRecovery,
    IStakeObserver,
    IAutomationCompatible
{
    using ValidatorHeap for ValidatorHeap.Heap;

    /// @notice May change the parameters (the DAO timelock).
    bytes32 public constant PARAMETER_ROLE = keccak256("PARAMETER_ROLE");
    /// @notice May pause and unpause slashing (the recovery manager).
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice May force a replacement and cancel a pending slash (the recovery manager).
    bytes32 public constant RECOVERY_ROLE = keccak256("RECOVERY_ROLE");
    /// @notice Hard cap of `maxActive`: bounds every loop over the active set.
    uint256 public constant MAX_ACTIVE_CAP = 128;
    /// @notice Most unready backups parked while looking for one promotion.
    uint256 public constant MAX_PARK_PER_PROMOTION = ValidatorSetCore.MAX_PARK_PER_PROMOTION;
    /// @notice Longest pause.
    uint256 public constant MAX_PAUSE_DURATION = 7 days;

    // Audit entry kinds.
    bytes32 private constant HEAL_DOWNTIME = keccak256("HEAL_DOWNTIME");
    bytes32 private constant HEAL_STALL_REQUESTED = keccak256("HEAL_STALL_REQUESTED");
    bytes32 private constant HEAL_STALL_REPLACED = keccak256("HEAL_STALL_REPLACED");
    bytes32 private constant HEAL_SLASH_EXECUTED = keccak256("HEAL_SLASH_EXECUTED");
    bytes32 private constant HEAL_SLASH_CANCELLED = keccak256("HEAL_SLASH_CANCELLED");

    /// @dev Per-validator state, one slot:
    ///      | bits 0..7: status | bits 8..71: activatedAt | bits 72..135: openRemediation (incident id) |
    struct ValidatorState {
        Status status;
        uint64 activatedAt;
        uint64 openRemediation;
    }

    /// @custom:storage-location erc7201:healnet.storage.SelfHealingValidatorSet
    struct SetStorage {
        IStakeManager stake;
        INodeHealth health;
        Parameters params;
        address[] active;
        mapping(address validator => uint256 position) activePosition; // 1-based, 0 = not active
        ValidatorHeap.Heap backups;
        mapping(address validator => ValidatorState) validators;
        mapping(uint256 incidentId => Incident) incidents;
        uint256 incidentCount;
        // | pausedUntil (uint64) | degradedSince (uint64) | degradedByCorrelation (bool) |
        uint64 pausedUntil;
        uint64 degradedSince;
        bool degradedByCorrelation;
        uint256 rotationCursor;
        IAuditLog auditLog; // zero = no audit entries; set once
        ValidatorSetChecks.Correlation corr; // correlated-outage bookkeeping (layout in the library)
    }

    // keccak256(abi.encode(uint256(keccak256("healnet.storage.SelfHealingValidatorSet")) - 1))
    //     & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT =
        0xbc7fb0eea084fbc4796feb0df42c80bbd7dcfe9a35c244a8097e4fe69455c100;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy.
    /// @param admin Gets `DEFAULT_ADMIN_ROLE` (and only it: it grants PARAMETER_ROLE and PAUSER_ROLE).
    /// @param stake The StakeManager (must grant this contract its slasher and jailer roles).
    /// @param health NodeHealth (must grant this contract its registrar role).
    /// @param params The initial parameters, within their bounds.
    function initialize(
        address admin,
        IStakeManager stake,
        INodeHealth health,
        Parameters calldata params
    ) external initializer {
        if (admin == address(0)) revert ValidatorSetZeroAddress("admin");
        if (address(stake) == address(0)) revert ValidatorSetZeroAddress("stake");
        if (address(health) == address(0)) revert ValidatorSetZeroAddress("health");
        __AccessControl_init();
        __EIP712_init("healnet SelfHealingValidatorSet", "1");
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        SetStorage storage $ = _s();
        $.stake = stake;
        $.health = health;
        _setParameters($, params);
    }

    // ------------------------------------------------------------------------------------------------
    // Candidates
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IValidatorSet
    function registerCandidate(address signer) external nonReentrant {
        SetStorage storage $ = _s();
        address v = msg.sender;
        ValidatorState storage st = $.validators[v];
        Status status = st.status;
        if (status != Status.None && status != Status.Exited) revert ValidatorSetCannotRegister(v, status);
        if (_isJailed($, v)) revert ValidatorSetCannotRegister(v, status);
        uint256 bonded = _requireMinStake($, v);
        st.status = Status.Backup;
        $.backups.insert(v, ValidatorSetCore.rankKey($, v, bonded));
        if (status == Status.None) {
            // First registration: only the set registers signers, so a None validator has none yet.
            $.health.registerSigner(v, signer);
        } else {
            // An Exited validator keeps its signer; rotation is the recovery manager's job.
            (signer, ) = _signerOf($, v);
        }
        emit CandidateRegistered(v, signer, bonded);
    }

    /// @inheritdoc IValidatorSet
    function refreshBackup(address validator) external nonReentrant {
        ValidatorSetChecks.refreshBackup(_s(), validator);
    }

    /// @inheritdoc IValidatorSet
    function rerank(address validator) external nonReentrant returns (uint256 key) {
        return ValidatorSetChecks.rerank(_s(), validator);
    }

    /// @inheritdoc IValidatorSet
    function exit() external nonReentrant {
        SetStorage storage $ = _s();
        address v = msg.sender;
        ValidatorState storage st = $.validators[v];
        Status status = st.status;
        if (status == Status.Active) {
            INodeHealth.Parameters memory hp = _healthParams($);
            address replacement = ValidatorSetCore.popReady($, hp.maxHeightLag);
            uint256 count = $.active.length;
            if (replacement == address(0) && count <= $.params.minActive) {
                revert ValidatorSetAtFloor(count, $.params.minActive);
            }
            ValidatorSetCore.removeActive($, v, Status.Exited);
            if (replacement != address(0)) ValidatorSetCore.activate($, replacement, 0, v);
        } else if (status == Status.Backup) {
            $.backups.remove(v);
            st.status = Status.Exited;
        } else if (status == Status.Parked || status == Status.Jailed) {
            st.status = Status.Exited;
        } else {
            revert ValidatorSetCannotExit(v, status);
        }
        emit ValidatorExited(v);
    }

    /// @inheritdoc IStakeObserver
    /// @dev Never reverts for the change itself (only `ValidatorSetOnlyStakeManager`): a slash or a jail cannot be
    ///      blocked by the set. Backup: re-keyed, or Exited below `minStake`, or Jailed if another jailer jailed
    ///      it. Active and jailed by another jailer, or slashed below `minStake`: removed (Jailed, else Exited;
    ///      `ValidatorEjected`) and replaced by the best ready backup in the same transaction; with no ready
    ///      backup at `minActive` it stays active (`ValidatorRetainedAtFloor`). Jailed, released and at least
    ///      `minStake`: back in the heap (`CandidateRegistered`).
    function onStakeChanged(address validator) external nonReentrant {
        SetStorage storage $ = _s();
        if (msg.sender != address($.stake)) revert ValidatorSetOnlyStakeManager(msg.sender);
        ValidatorSetChecks.onStakeChanged($, validator, false);
    }

    /// @inheritdoc IStakeObserver
    /// @dev As `onStakeChanged`, except that an active validator left below `minStake` is refused:
    ///      `ValidatorSetActiveValidatorMustExit` (it must `exit` first), which reverts the unbond.
    function onUnbondRequested(address validator) external nonReentrant {
        SetStorage storage $ = _s();
        if (msg.sender != address($.stake)) revert ValidatorSetOnlyStakeManager(msg.sender);
        ValidatorSetChecks.onStakeChanged($, validator, true);
    }

    // ------------------------------------------------------------------------------------------------
    // Healing
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IValidatorSet
    function checkHeartbeat(address validator) external nonReentrant returns (uint256 incidentId) {
        return _checkHeartbeat(validator);
    }

    /// @inheritdoc IAutomationCompatible
    function performUpkeep(bytes calldata performData) external nonReentrant {
        _checkHeartbeat(abi.decode(performData, (address)));
    }

    /// @inheritdoc IAutomationCompatible
    /// @dev View-like (no state change). Bounded by `MAX_ACTIVE_CAP` active validators, two or three calls each.
    function checkUpkeep(bytes calldata) external view returns (bool upkeepNeeded, bytes memory performData) {
        return ValidatorSetChecks.checkUpkeep(_s());
    }

    /// @inheritdoc IValidatorSet
    function refreshHealth() external nonReentrant returns (bool degraded) {
        SetStorage storage $ = _s();
        if ($.degradedByCorrelation) {
            INodeHealth.Parameters memory hp = _healthParams($);
            _assess($, uint256(hp.heartbeatInterval) + hp.gracePeriod, block.timestamp);
        }
        return $.degradedSince != 0;
    }

    /// @inheritdoc IValidatorSet
    function executeSlash(uint256 incidentId) external nonReentrant returns (uint256 slashed) {
        SetStorage storage $ = _s();
        (Incident storage inc, uint256 closesAt) = _pendingIncident($, incidentId);
        if (block.timestamp < closesAt) revert ValidatorSetAppealWindowOpen(incidentId, closesAt);
        _requireNotPaused($);
        inc.slashState = SlashState.Executed;
        inc.resolvedAt = uint64(block.timestamp);
        slashed = ValidatorSetCore.slash($, inc, incidentId);
        ValidatorSetCore.audit($, HEAL_SLASH_EXECUTED, inc.validator, incidentId, address(0), inc.slashBps);
    }

    /// @inheritdoc IValidatorSet
    function appealSlash(
        uint256 incidentId,
        INodeHealth.SignedHeartbeat calldata proof
    ) external nonReentrant {
        SetStorage storage $ = _s();
        (Incident storage inc, uint256 closesAt) = _pendingIncident($, incidentId);
        if (block.timestamp >= closesAt) revert ValidatorSetAppealWindowClosed(incidentId, closesAt);
        bytes32 why = ValidatorSetChecks.appealFlaw($.health, inc, proof);
        if (why != bytes32(0)) revert ValidatorSetInvalidAppeal(incidentId, why);
        _cancelSlash(inc, incidentId);
    }

    /// @inheritdoc IValidatorSet
    /// @dev At the floor with no ready backup the equivocator is still removed (the set drops below
    ///      `minActive` and is marked degraded): a proven Byzantine key must not keep voting, and a smaller
    ///      set of honest validators is safer than a larger one containing it. `fillVacancies` refills.
    ///      Refused while slashing is paused (the evidence does not expire, so it can be reported after).
    function reportDoubleSign(
        DoubleSignEvidence calldata evidence
    ) external nonReentrant returns (uint256 incidentId) {
        SetStorage storage $ = _s();
        _requireNotPaused($);
        return ValidatorSetChecks.reportDoubleSign($, evidence, _domainSeparatorV4());
    }

    /// @inheritdoc IValidatorSet
    /// @dev A validator activated less than one uptime window ago is skipped: its low uptime may predate it.
    function evaluateAndRotate(
        uint256 maxChecks
    ) external nonReentrant returns (uint256 checked, uint256 rotated) {
        if (maxChecks == 0) revert ValidatorSetZeroLimit();
        SetStorage storage $ = _s();
        _requireNotPaused($);
        return ValidatorSetChecks.evaluateAndRotate($, maxChecks);
    }

    /// @inheritdoc IValidatorSet
    function fillVacancies(uint256 maxPromotions) external nonReentrant returns (uint256 promoted) {
        if (maxPromotions == 0) revert ValidatorSetZeroLimit();
        SetStorage storage $ = _s();
        INodeHealth.Parameters memory hp = _healthParams($);
        uint256 maxActive = $.params.maxActive;
        // Bounded by maxPromotions and by maxActive <= MAX_ACTIVE_CAP.
        while (promoted < maxPromotions && $.active.length < maxActive) {
            address b = ValidatorSetCore.popReady($, hp.maxHeightLag);
            if (b == address(0)) break;
            ValidatorSetCore.activate($, b, 0, msg.sender);
            ++promoted;
        }
        if (promoted != 0) ValidatorSetCore.recoverFromFloor($);
    }

    // ------------------------------------------------------------------------------------------------
    // Recovery (the recovery manager)
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IValidatorSetRecovery
    /// @dev Opens a Downtime incident with slashState None (faultAt = detectedAt = now) and jails the
    ///      validator for `jailDuration`. Works while slashing is paused (nothing is slashed).
    function forceReplace(
        address validator
    ) external onlyRole(RECOVERY_ROLE) nonReentrant returns (uint256 incidentId) {
        return ValidatorSetChecks.forceReplace(_s(), validator);
    }

    /// @inheritdoc IValidatorSetRecovery
    /// @dev The slash must be Pending (else `ValidatorSetSlashNotPending`); the appeal window does not matter.
    function cancelSlash(uint256 incidentId) external onlyRole(RECOVERY_ROLE) nonReentrant {
        (Incident storage inc, ) = _pendingIncident(_s(), incidentId);
        _cancelSlash(inc, incidentId);
    }

    // ------------------------------------------------------------------------------------------------
    // Administration
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IValidatorSet
    function setAuditLog(IAuditLog newAuditLog) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(newAuditLog) == address(0)) revert ValidatorSetZeroAddress("auditLog");
        SetStorage storage $ = _s();
        address current = address($.auditLog);
        if (current != address(0)) revert ValidatorSetAuditLogAlreadySet(current);
        $.auditLog = newAuditLog;
        emit AuditLogSet(address(newAuditLog), msg.sender);
    }

    /// @inheritdoc IValidatorSet
    /// @dev `maxActive` may not be set below the current active count (the set never exceeds it).
    function setParameters(Parameters calldata parameters_) external onlyRole(PARAMETER_ROLE) {
        _setParameters(_s(), parameters_);
    }

    /// @inheritdoc IValidatorSet
    function pauseSlashing(uint64 until) external onlyRole(PAUSER_ROLE) {
        uint256 maxUntil = block.timestamp + MAX_PAUSE_DURATION;
        if (until <= block.timestamp || until > maxUntil) revert ValidatorSetInvalidPause(until, maxUntil);
        _s().pausedUntil = until;
        emit SlashingPaused(until, msg.sender);
    }

    /// @inheritdoc IValidatorSet
    function unpauseSlashing() external onlyRole(PAUSER_ROLE) {
        SetStorage storage $ = _s();
        if (block.timestamp >= $.pausedUntil) revert ValidatorSetNotPaused();
        $.pausedUntil = uint64(block.timestamp);
        emit SlashingUnpaused(block.timestamp, msg.sender);
    }

    // ------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------

    /// @notice The StakeManager.
    function stakeManager() external view returns (IStakeManager) {
        return _s().stake;
    }

    /// @notice NodeHealth.
    function nodeHealth() external view returns (INodeHealth) {
        return _s().health;
    }

    /// @inheritdoc IValidatorSet
    function auditLog() external view returns (IAuditLog) {
        return _s().auditLog;
    }

    /// @inheritdoc IValidatorSet
    function slashingPausedUntil() external view returns (uint64) {
        return _s().pausedUntil;
    }

    /// @inheritdoc IValidatorSet
    function activeValidators() external view returns (address[] memory) {
        return _s().active;
    }

    /// @inheritdoc IValidatorSet
    function backupValidators(uint256 offset, uint256 limit) external view returns (address[] memory) {
        return ValidatorSetChecks.backupPage(_s().backups, offset, limit);
    }

    /// @inheritdoc IValidatorSet
    function backupKeyOf(address validator) external view returns (uint256) {
        return _s().backups.keyOf(validator);
    }

    /// @inheritdoc IValidatorSet
    function activeCount() external view returns (uint256) {
        return _s().active.length;
    }

    /// @inheritdoc IValidatorSet
    function backupCount() external view returns (uint256) {
        return _s().backups.size();
    }

    /// @inheritdoc IValidatorSet
    function isActive(address validator) external view returns (bool) {
        return _s().activePosition[validator] != 0;
    }

    /// @inheritdoc IValidatorSet
    function statusOf(address validator) external view returns (Status) {
        return _s().validators[validator].status;
    }

    /// @inheritdoc IValidatorSet
    function incident(uint256 incidentId) external view returns (Incident memory) {
        return _incident(_s(), incidentId);
    }

    /// @inheritdoc IValidatorSet
    function incidentCount() external view returns (uint256) {
        return _s().incidentCount;
    }

    /// @inheritdoc IValidatorSet
    function openRemediationOf(address validator) external view returns (uint256) {
        return _s().validators[validator].openRemediation;
    }

    /// @inheritdoc IValidatorSet
    function degradedSince() external view returns (uint64) {
        return _s().degradedSince;
    }

    /// @inheritdoc IValidatorSet
    function parameters() external view returns (Parameters memory) {
        return _s().params;
    }

    /// @inheritdoc IValidatorSet
    function overdueAt(address validator) external view returns (uint256) {
        SetStorage storage $ = _s();
        INodeHealth.Parameters memory hp = _healthParams($);
        return ValidatorSetCore.overdueAt($, validator, _lastHeartbeatAt($, validator), hp);
    }

    /// @inheritdoc IValidatorSet
    function voteDigest(Vote calldata vote) public view returns (bytes32) {
        return ValidatorSetChecks.voteDigest(vote, _domainSeparatorV4());
    }

    // ------------------------------------------------------------------------------------------------
    // Internals: heartbeat handling
    // ------------------------------------------------------------------------------------------------

    function _checkHeartbeat(address v) private returns (uint256) {
        SetStorage storage $ = _s();
        ValidatorState storage st = $.validators[v];
        if (st.status != Status.Active) revert ValidatorSetNotActive(v, st.status);
        _requireNotPaused($);
        INodeHealth.Parameters memory hp = _healthParams($);
        uint256 last = _lastHeartbeatAt($, v);
        uint256 due = ValidatorSetCore.overdueAt($, v, last, hp);
        if (block.timestamp > due) return _handleOverdue($, v, due - hp.gracePeriod, hp);
        INodeHealth.Liveness liveness = _livenessOf($, v);
        if (liveness == INodeHealth.Liveness.Stalled) return _handleStall($, v, hp);
        uint256 open = st.openRemediation;
        if (open != 0 && liveness == INodeHealth.Liveness.Live) {
            st.openRemediation = 0;
            $.incidents[open].resolvedAt = uint64(block.timestamp);
            emit RemediationResolved(open, v);
            return open;
        }
        revert ValidatorSetNotOverdue(v, last, due);
    }

    /// @dev `faultAt` = overdue reference + heartbeatInterval. A fault inside the last correlated episode's
    ///      excused fault times (a victim still down after the episode ended) is jailed and replaced without a
    ///      slash (slash state None). Every removal is recorded in the ring of recent downtime removals.
    function _handleOverdue(
        SetStorage storage $,
        address v,
        uint256 faultAt,
        INodeHealth.Parameters memory hp
    ) private returns (uint256 id) {
        (bool correlated, uint256 silent) = _assess(
            $,
            uint256(hp.heartbeatInterval) + hp.gracePeriod,
            faultAt
        );
        if (correlated) return 0;
        uint256 count = $.active.length;
        address replacement = ValidatorSetCore.popReady($, hp.maxHeightLag);
        if (replacement == address(0) && count <= $.params.minActive) {
            ValidatorSetCore.degrade($, silent, count);
            return 0;
        }
        id = ValidatorSetCore.openIncident($, v, IncidentKind.Downtime, faultAt);
        Incident storage inc = $.incidents[id];
        inc.lastReportedHeight = uint64(_reportedHeight($, v));
        ValidatorSetCore.jail($, v);
        ValidatorSetCore.replace($, v, replacement, id, Status.Jailed);
        if (!ValidatorSetChecks.recordRemoval($.corr, v, id, faultAt, replacement == address(0))) {
            inc.slashState = SlashState.Pending;
            inc.slashBps = $.params.downtimeSlashBps;
        }
        ValidatorSetCore.audit($, HEAL_DOWNTIME, v, id, replacement, inc.slashBps);
    }

    /// @dev Whether the outage is correlated now (the silent share over `correlatedFaultBps`), and the silent
    ///      count. Entering a correlated episode marks the set degraded and cancels the recent victims' pending
    ///      slashes; leaving it (share back at or under the threshold) recovers the set.
    function _assess(SetStorage storage $, uint256 window, uint256 faultAt) private returns (bool, uint256) {
        (uint256 silent, uint256 state) = ValidatorSetChecks.assess(
            $.corr,
            $.active,
            $.incidents,
            $.health,
            $.auditLog,
            window |
                (faultAt << 64) |
                (uint256($.params.correlatedFaultBps) << 128) |
                ($.degradedByCorrelation ? uint256(1) << 144 : 0)
        );
        if (state == 2) {
            $.degradedByCorrelation = true;
            if ($.degradedSince == 0) $.degradedSince = uint64(block.timestamp);
        } else if (state == 0 && $.degradedByCorrelation) {
            $.corr.excuseTo = uint64(block.timestamp);
            ValidatorSetCore.recover($);
        }
        return (state != 0, silent);
    }

    function _handleStall(
        SetStorage storage $,
        address v,
        INodeHealth.Parameters memory hp
    ) private returns (uint256 id) {
        ValidatorState storage st = $.validators[v];
        id = st.openRemediation;
        if (id == 0) {
            id = ValidatorSetCore.openIncident($, v, IncidentKind.Stall, block.timestamp);
            st.openRemediation = uint64(id);
            emit RemediationRequested(
                id,
                v,
                IncidentKind.Stall,
                block.timestamp + $.params.stallEscalationDelay
            );
            ValidatorSetCore.audit($, HEAL_STALL_REQUESTED, v, id, address(0), 0);
            return id;
        }
        uint256 escalateAt = uint256($.incidents[id].detectedAt) + $.params.stallEscalationDelay;
        if (block.timestamp < escalateAt) revert ValidatorSetRemediationPending(v, id, escalateAt);
        address replacement = ValidatorSetCore.popReady($, hp.maxHeightLag);
        uint256 count = $.active.length;
        if (replacement == address(0) && count <= $.params.minActive) {
            ValidatorSetCore.degrade($, 0, count);
            return 0;
        }
        ValidatorSetCore.jail($, v);
        ValidatorSetCore.replace($, v, replacement, id, Status.Jailed);
        ValidatorSetCore.audit($, HEAL_STALL_REPLACED, v, id, replacement, 0);
    }

    // ------------------------------------------------------------------------------------------------
    // Internals: checks
    // ------------------------------------------------------------------------------------------------

    /// @dev Cancels the incident's pending slash (state checked by the caller) and records it.
    function _cancelSlash(Incident storage inc, uint256 id) private {
        inc.slashState = SlashState.Cancelled;
        inc.resolvedAt = uint64(block.timestamp);
        address v = inc.validator;
        emit SlashCancelled(id, v, msg.sender);
        ValidatorSetCore.audit(_s(), HEAL_SLASH_CANCELLED, v, id, address(0), inc.slashBps);
    }

    function _requireMinStake(SetStorage storage $, address v) private view returns (uint256 bonded) {
        bonded = _bondedOf($, v);
        uint256 minStake = _minStake($);
        if (bonded < minStake) revert ValidatorSetBelowMinStake(v, bonded, minStake);
    }

    function _requireNotPaused(SetStorage storage $) private view {
        if (block.timestamp < $.pausedUntil) revert ValidatorSetSlashingPaused($.pausedUntil);
    }

    /// @dev The incident, which must have a pending slash, and when its appeal window closes.
    function _pendingIncident(
        SetStorage storage $,
        uint256 id
    ) private view returns (Incident storage inc, uint256 closesAt) {
        inc = _incident($, id);
        if (inc.slashState != SlashState.Pending) revert ValidatorSetSlashNotPending(id, inc.slashState);
        closesAt = uint256(inc.detectedAt) + $.params.appealWindow;
    }

    function _incident(SetStorage storage $, uint256 id) private view returns (Incident storage) {
        if (id == 0 || id > $.incidentCount) revert ValidatorSetUnknownIncident(id);
        return $.incidents[id];
    }

    function _setParameters(SetStorage storage $, Parameters calldata p) private {
        ValidatorSetChecks.checkParameters(p, $.active.length);
        $.params = p;
        emit ParametersUpdated(p);
    }

    // ------------------------------------------------------------------------------------------------
    // Internals: external reads, each decoded in one place (keeps the bytecode under EIP-170)
    // ------------------------------------------------------------------------------------------------

    function _healthParams(SetStorage storage $) private view returns (INodeHealth.Parameters memory) {
        return $.health.parameters();
    }

    function _lastHeartbeatAt(SetStorage storage $, address v) private view returns (uint256) {
        return $.health.lastHeartbeatAt(v);
    }

    function _livenessOf(SetStorage storage $, address v) private view returns (INodeHealth.Liveness) {
        return $.health.livenessOf(v);
    }

    function _signerOf(SetStorage storage $, address v) private view returns (address, uint64) {
        return $.health.signerOf(v);
    }

    function _reportedHeight(SetStorage storage $, address v) private view returns (uint256) {
        return $.health.recordOf(v).blockHeight;
    }

    function _bondedOf(SetStorage storage $, address v) private view returns (uint256) {
        return $.stake.bondedOf(v);
    }

    function _isJailed(SetStorage storage $, address v) private view returns (bool) {
        return $.stake.isJailed(v);
    }

    function _minStake(SetStorage storage $) private view returns (uint256) {
        return $.stake.minStake();
    }

    function _s() private pure returns (SetStorage storage $) {
        // ERC-7201 namespaced storage.
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
