// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

import {IAuditLog} from "../interfaces/IAuditLog.sol";
import {INodeHealth} from "../interfaces/INodeHealth.sol";
import {IValidatorSet} from "../interfaces/IValidatorSet.sol";
import {IValidatorSetRecovery} from "../interfaces/IValidatorSetRecovery.sol";
import {SelfHealingValidatorSet} from "../validators/SelfHealingValidatorSet.sol";
import {ValidatorHeap} from "./ValidatorHeap.sol";
import {ValidatorSetCore} from "./ValidatorSetCore.sol";

// Time is the point of the correlated-outage bookkeeping: liveness windows and detection times are seconds, and
// a validator's ~15 s of timestamp leeway is inside the grace period.
// solhint-disable not-rely-on-time

/// @title ValidatorSetChecks
/// @notice The self-contained checks of SelfHealingValidatorSet (double-sign evidence, appeal proofs, parameter
///         bounds), its correlated-outage bookkeeping (silent share over the active set and the ring of
///         recent downtime removals, episode opening) and the bodies of its flows that are off the heartbeat
///         path (`reportDoubleSign`, `evaluateAndRotate`, `forceReplace`, `checkUpkeep`, the StakeManager's
///         notifications, `rerank`, `refreshBackup`, `backupValidators`), in an external library
///         linked at deployment so that their code does not count against the set's EIP-170 size limit.
///         `assess` and `recordRemoval` are on the overdue path of `checkHeartbeat` (two DELEGATECALLs per
///         replacement).
/// @dev Public functions run in the set's context by DELEGATECALL: `address(this)`, `msg.sender` and storage
///      are the set's (the flows take the set's ERC-7201 storage struct); the set keeps the access control and
///      the reentrancy guard. They revert with the set's own errors (IValidatorSet), so callers see the same
///      errors as before. The set changes themselves are ValidatorSetCore's (one source for the set and this
///      library).
library ValidatorSetChecks {
    using ValidatorHeap for ValidatorHeap.Heap;

    /// @dev EIP-712 type hash of a consensus vote.
    bytes32 private constant VOTE_TYPEHASH = keccak256("Vote(uint64 height,uint32 round,bytes32 blockHash)");

    uint256 private constant BPS = 10_000;
    /// @dev The set's hard cap of `maxActive` (SelfHealingValidatorSet.MAX_ACTIVE_CAP).
    uint256 private constant MAX_ACTIVE_CAP = 128;
    /// @notice Capacity of the ring of recent downtime removals (hard cap of every loop over it).
    uint256 internal constant RING = 32;
    bytes32 private constant HEAL_SLASH_CANCELLED = keccak256("HEAL_SLASH_CANCELLED");
    bytes32 private constant HEAL_DOUBLE_SIGN = keccak256("HEAL_DOUBLE_SIGN");
    bytes32 private constant HEAL_LOW_UPTIME = keccak256("HEAL_LOW_UPTIME");
    bytes32 private constant HEAL_FORCE_REPLACED = keccak256("HEAL_FORCE_REPLACED");

    /// @notice The set's correlated-outage bookkeeping (appended to its ERC-7201 storage).
    /// @dev Slot 0: | seq (uint64) | outageFrom (uint64) | excuseFrom (uint64) | excuseTo (uint64) |
    ///      `seq`: downtime removals so far (the ring's next index is `seq % RING`).
    ///      `outageFrom`: detection time of the first removal counted in the current correlated episode.
    ///      `[excuseFrom, excuseTo]`: fault times of the last correlated episode (`excuseTo` = max while it
    ///      lasts): a downtime incident whose `faultAt` falls inside opens without a slash.
    ///      `ring[i]`, one slot per downtime removal (`checkHeartbeat` only), the last RING of them:
    ///      | validator (bits 0..159) | detectedAt (uint40, 160..199) | incidentId (uint48, 200..247) |
    ///      | unreplaced (bit 248) |
    struct Correlation {
        uint64 seq;
        uint64 outageFrom;
        uint64 excuseFrom;
        uint64 excuseTo;
        uint256[32] ring; // RING entries (a literal: the set and this library import each other)
    }

    /// @notice The EIP-712 digest of `vote` under `domainSeparator` (the set's domain).
    function voteDigest(
        IValidatorSet.Vote calldata vote,
        bytes32 domainSeparator
    ) public pure returns (bytes32) {
        return
            MessageHashUtils.toTypedDataHash(
                domainSeparator,
                keccak256(abi.encode(VOTE_TYPEHASH, vote.height, vote.round, vote.blockHash))
            );
    }

    /// @notice The signer that equivocated, or a revert `ValidatorSetInvalidEvidence(why)` ("malformed",
    ///         "different-signers", "different-height-round", "same-block-hash").
    function recoverEquivocator(
        IValidatorSet.DoubleSignEvidence calldata e,
        bytes32 domainSeparator
    ) public pure returns (address) {
        (address s1, ECDSA.RecoverError err1, ) = ECDSA.tryRecover(
            voteDigest(e.first, domainSeparator),
            e.first.r,
            e.first.vs
        );
        (address s2, ECDSA.RecoverError err2, ) = ECDSA.tryRecover(
            voteDigest(e.second, domainSeparator),
            e.second.r,
            e.second.vs
        );
        if (err1 != ECDSA.RecoverError.NoError || err2 != ECDSA.RecoverError.NoError) {
            revert IValidatorSet.ValidatorSetInvalidEvidence("malformed");
        }
        if (s1 != s2) revert IValidatorSet.ValidatorSetInvalidEvidence("different-signers");
        if (e.first.height != e.second.height || e.first.round != e.second.round) {
            revert IValidatorSet.ValidatorSetInvalidEvidence("different-height-round");
        }
        if (e.first.blockHash == e.second.blockHash) {
            revert IValidatorSet.ValidatorSetInvalidEvidence("same-block-hash");
        }
        return s1;
    }

    /// @notice Why `proof` does not disprove the downtime incident `inc` (zero if it does): the rules of
    ///         `IValidatorSet.appealSlash`.
    function appealFlaw(
        INodeHealth health,
        IValidatorSet.Incident storage inc,
        INodeHealth.SignedHeartbeat calldata proof
    ) external view returns (bytes32) {
        address v = inc.validator;
        address signer = health.recoverHeartbeatSigner(proof);
        if (signer == address(0) || health.validatorOfSigner(signer) != v) return "bad-signer";
        if (proof.validator != v) return "wrong-validator";
        if (proof.signerEpoch != inc.signerEpoch) return "wrong-epoch";
        if (proof.timestamp < inc.faultAt || proof.timestamp > inc.detectedAt) return "outside-window";
        bytes32 hash = proof.report.blockHash;
        // The point of the proof: the node saw a real block of this chain.
        // solhint-disable-next-line not-rely-on-block-hash
        if (hash == bytes32(0) || blockhash(proof.report.blockHeight) != hash) return "unknown-block";
        uint256 height = proof.report.blockHeight;
        if (height <= inc.lastReportedHeight || height > inc.detectedBlock) return "height-out-of-range";
        return bytes32(0);
    }

    /// @notice Reverts `ValidatorSetInvalidParameter` unless every parameter is within its bounds
    ///         (`maxActive` may not be below the current active count).
    function checkParameters(IValidatorSet.Parameters calldata p, uint256 activeCount) external pure {
        uint256 floor = p.minActive > activeCount ? p.minActive : activeCount;
        _bound("minActive", p.minActive, 1, MAX_ACTIVE_CAP);
        _bound("maxActive", p.maxActive, floor, MAX_ACTIVE_CAP);
        _bound("minUptimeBps", p.minUptimeBps, 0, BPS);
        _bound("downtimeSlashBps", p.downtimeSlashBps, 0, 1_000);
        _bound("doubleSignSlashBps", p.doubleSignSlashBps, 100, BPS);
        _bound("correlatedFaultBps", p.correlatedFaultBps, 1_000, BPS);
        _bound("keeperRewardBps", p.keeperRewardBps, 0, 5_000);
        _bound("jailDuration", p.jailDuration, 60, 30 days);
        _bound("appealWindow", p.appealWindow, 1 hours, 3 days);
        _bound("stallEscalationDelay", p.stallEscalationDelay, 60, 1 days);
        _bound("keeperRewardCap", p.keeperRewardCap, 0, 1e24);
    }

    /// @notice Assesses the outage for `checkHeartbeat` and `refreshHealth`: computes the silent share and,
    ///         when it crosses `correlatedFaultBps` outside an episode, opens a correlated episode (cancels the
    ///         recent victims' pending slashes, records the excused fault times, emits `SetDegraded(.., true)`).
    /// @param args Packed: | window (uint64: interval + grace) | faultAt (uint64) << 64 |
    ///        correlatedFaultBps (uint16) << 128 | degradedByCorrelation (bit 144) |.
    /// @return silent The silent validators counted.
    /// @return state 0: not correlated; 1: correlated, episode already open; 2: correlated, episode opened now
    ///         (the caller marks the set degraded).
    function assess(
        Correlation storage c,
        address[] storage active,
        mapping(uint256 => IValidatorSet.Incident) storage incidents,
        INodeHealth health,
        IAuditLog log,
        uint256 args
    ) external returns (uint256 silent, uint256 state) {
        uint256 window = uint64(args);
        bool degraded = (args >> 144) & 1 != 0;
        uint256 members;
        uint256 recent;
        (silent, members, recent) = _share(c, active, health, window, degraded);
        if (silent * BPS <= uint16(args >> 128) * members) return (silent, 0);
        if (degraded) return (silent, 1);
        _openEpisode(c, incidents, recent, window, uint64(args >> 64), log);
        emit IValidatorSet.SetDegraded(silent, members, true);
        return (silent, 2);
    }

    /// @dev The share of the set silent in the correlation window: `silent` of `members`.
    ///      Silent: an active validator without a heartbeat in the last `window` (interval + grace), plus a
    ///      validator removed for downtime (ring) since `from` that is still without one. `from` is `outageFrom`
    ///      while a correlated episode lasts (its victims keep counting until they heartbeat again), else
    ///      `now - 2 * window`: the victims of one outage stopped within one interval of each other, so they
    ///      become overdue within one interval, and keepers detect each within one more window.
    ///      Members: the active set plus the counted removals that nobody replaced (the set before the outage).
    ///      Bounded: one `countSilentSince` over the active set (<= 128) and at most RING ring entries, newest
    ///      first, stopping at the first older than `from` (none in the common case: one slot read).
    ///      `recent`: the ring entries counted (the newest `recent` ones).
    function _share(
        Correlation storage c,
        address[] storage active,
        INodeHealth health,
        uint256 window,
        bool degraded
    ) private view returns (uint256 silent, uint256 members, uint256 recent) {
        uint256 cutoff = block.timestamp > window ? block.timestamp - window : 0;
        silent = health.countSilentSince(active, cutoff);
        members = active.length;
        uint256 from =
            degraded ? c.outageFrom : (block.timestamp > 2 * window ? block.timestamp - 2 * window : 0);
        uint256 seq = c.seq;
        // Bounded by RING (32) iterations, one slot read and one external view call each.
        for (; recent < RING && recent < seq; ++recent) {
            uint256 e = c.ring[(seq - 1 - recent) % RING];
            if (uint40(e >> 160) < from) break;
            if (health.lastHeartbeatAt(address(uint160(e))) < cutoff) ++silent;
            if (e >> 248 != 0) ++members;
        }
    }

    /// @dev Opens a correlated episode: cancels the pending downtime slashes of the `recent` newest ring
    ///      entries (the outage's victims detected one by one before the share crossed the threshold), and
    ///      records the episode's start and the fault times it excuses (from `min(first victim's detection,
    ///      faultAt) - 2 * window`; open until the episode ends). Bounded by `recent <= RING`. Emits
    ///      `SlashCancelled` (by = the caller) and appends HEAL_SLASH_CANCELLED to `log` (if set) for each
    ///      cancelled slash, as `cancelSlash` does.
    function _openEpisode(
        Correlation storage c,
        mapping(uint256 => IValidatorSet.Incident) storage incidents,
        uint256 recent,
        uint256 window,
        uint256 faultAt,
        IAuditLog log
    ) private {
        uint256 seq = c.seq;
        uint256 from = block.timestamp;
        // Bounded by recent <= RING (32).
        for (uint256 k = 0; k < recent; ++k) {
            uint256 e = c.ring[(seq - 1 - k) % RING];
            from = uint40(e >> 160);
            uint256 id = uint48(e >> 200);
            IValidatorSet.Incident storage inc = incidents[id];
            if (inc.slashState != IValidatorSet.SlashState.Pending) continue;
            inc.slashState = IValidatorSet.SlashState.Cancelled;
            inc.resolvedAt = uint64(block.timestamp);
            address v = inc.validator;
            emit IValidatorSet.SlashCancelled(id, v, msg.sender);
            if (address(log) != address(0)) {
                log.append(
                    HEAL_SLASH_CANCELLED,
                    msg.sender,
                    v,
                    id,
                    keccak256(abi.encode(address(0), inc.slashBps))
                );
            }
        }
        c.outageFrom = uint64(from);
        uint256 excuse = faultAt < from ? faultAt : from;
        c.excuseFrom = uint64(excuse > 2 * window ? excuse - 2 * window : 0);
        c.excuseTo = type(uint64).max;
    }

    /// @notice Records a downtime removal in the ring (overwriting the oldest of RING) and tells whether its
    ///         fault time lies inside the last correlated episode's excused fault times (then no slash).
    function recordRemoval(
        Correlation storage c,
        address v,
        uint256 id,
        uint256 faultAt,
        bool unreplaced
    ) external returns (bool excused) {
        uint256 seq = c.seq;
        // Timestamps fit 40 bits and incident ids 48 bits for far longer than the chain will run.
        c.ring[seq % RING] =
            uint256(uint160(v)) |
            (block.timestamp << 160) |
            (id << 200) |
            (unreplaced ? uint256(1) << 248 : 0);
        c.seq = uint64(seq + 1);
        return faultAt >= c.excuseFrom && faultAt <= c.excuseTo;
    }

    // ------------------------------------------------------------------------------------------------
    // Flows of the set (DELEGATECALL from SelfHealingValidatorSet, which checks roles, pause and reentrancy)
    // ------------------------------------------------------------------------------------------------

    /// @notice The body of `SelfHealingValidatorSet.reportDoubleSign` (slashing not paused: checked by the set).
    function reportDoubleSign(
        SelfHealingValidatorSet.SetStorage storage $,
        IValidatorSet.DoubleSignEvidence calldata evidence,
        bytes32 domainSeparator
    ) external returns (uint256 incidentId) {
        address v = $.health.validatorOfSigner(recoverEquivocator(evidence, domainSeparator));
        if (v == address(0)) revert IValidatorSet.ValidatorSetInvalidEvidence("unknown-signer");
        SelfHealingValidatorSet.ValidatorState storage st = $.validators[v];
        IValidatorSet.Status status = st.status;
        if (status == IValidatorSet.Status.Tombstoned || $.stake.isTombstoned(v))
            revert IValidatorSet.ValidatorSetAlreadyTombstoned(v);

        incidentId = ValidatorSetCore.openIncident($, v, IValidatorSet.IncidentKind.DoubleSign, 0);
        IValidatorSet.Incident storage inc = $.incidents[incidentId];
        inc.slashState = IValidatorSet.SlashState.Executed;
        inc.slashBps = $.params.doubleSignSlashBps;
        inc.resolvedAt = uint64(block.timestamp);
        if (status == IValidatorSet.Status.Backup) $.backups.remove(v);
        if (status != IValidatorSet.Status.Active) st.status = IValidatorSet.Status.Tombstoned;

        // faultAt = 0 (set by openIncident): every unbonding request is still slashable for equivocation.
        ValidatorSetCore.slash($, inc, incidentId);
        $.stake.tombstone(v);

        if (status == IValidatorSet.Status.Active) {
            address replacement = ValidatorSetCore.popReady($, $.health.parameters().maxHeightLag);
            if (replacement == address(0) && $.active.length <= $.params.minActive) {
                ValidatorSetCore.degrade($, 0, $.active.length);
            }
            ValidatorSetCore.replace($, v, replacement, incidentId, IValidatorSet.Status.Tombstoned);
        }
        ValidatorSetCore.audit($, HEAL_DOUBLE_SIGN, v, incidentId, inc.replacement, inc.slashBps);
    }

    /// @notice The body of `SelfHealingValidatorSet.evaluateAndRotate` (`maxChecks` != 0 and slashing not paused:
    ///         checked by the set).
    function evaluateAndRotate(
        SelfHealingValidatorSet.SetStorage storage $,
        uint256 maxChecks
    ) external returns (uint256 checked, uint256 rotated) {
        uint256 count = $.active.length;
        if (count == 0) return (0, 0);
        INodeHealth.Parameters memory hp = $.health.parameters();
        uint256 settle = uint256(hp.uptimeWindow) * $.health.epochLength();
        uint256 cursor = $.rotationCursor;
        if (maxChecks > count) maxChecks = count;
        // Bounded by maxChecks <= |active| <= MAX_ACTIVE_CAP. A rotation replaces one for one, so `count`
        // does not change; the cursor stays put because the last validator moved into its place.
        for (; checked < maxChecks; ++checked) {
            if (cursor >= count) cursor = 0;
            address v = $.active[cursor];
            if (
                block.timestamp >= $.validators[v].activatedAt + settle &&
                $.health.uptimeBps(v) < $.params.minUptimeBps
            ) {
                address replacement = ValidatorSetCore.popReady($, hp.maxHeightLag);
                if (replacement != address(0)) {
                    uint256 id = ValidatorSetCore.openIncident(
                        $,
                        v,
                        IValidatorSet.IncidentKind.LowUptime,
                        block.timestamp
                    );
                    ValidatorSetCore.jail($, v);
                    ValidatorSetCore.replace($, v, replacement, id, IValidatorSet.Status.Jailed);
                    ValidatorSetCore.audit($, HEAL_LOW_UPTIME, v, id, replacement, 0);
                    ++rotated;
                    continue;
                }
            }
            ++cursor;
        }
        $.rotationCursor = cursor;
    }

    /// @notice The body of `SelfHealingValidatorSet.forceReplace` (the recovery role: checked by the set).
    function forceReplace(
        SelfHealingValidatorSet.SetStorage storage $,
        address validator
    ) external returns (uint256 incidentId) {
        IValidatorSet.Status status = $.validators[validator].status;
        if (status != IValidatorSet.Status.Active)
            revert IValidatorSet.ValidatorSetNotActive(validator, status);
        address replacement = ValidatorSetCore.popReady($, $.health.parameters().maxHeightLag);
        uint256 count = $.active.length;
        if (replacement == address(0) && count <= $.params.minActive) {
            revert IValidatorSet.ValidatorSetAtFloor(count, $.params.minActive);
        }
        incidentId = ValidatorSetCore.openIncident(
            $,
            validator,
            IValidatorSet.IncidentKind.Downtime,
            block.timestamp
        );
        ValidatorSetCore.jail($, validator);
        ValidatorSetCore.replace($, validator, replacement, incidentId, IValidatorSet.Status.Jailed);
        emit IValidatorSetRecovery.ValidatorForceReplaced(validator, replacement, incidentId);
        ValidatorSetCore.audit($, HEAL_FORCE_REPLACED, validator, incidentId, replacement, 0);
    }

    /// @notice The body of `SelfHealingValidatorSet.checkUpkeep`: the first active validator `checkHeartbeat`
    ///         would act on. Bounded by `MAX_ACTIVE_CAP` active validators, two or three calls each.
    function checkUpkeep(
        SelfHealingValidatorSet.SetStorage storage $
    ) external view returns (bool upkeepNeeded, bytes memory performData) {
        if (block.timestamp < $.pausedUntil) return (false, "");
        INodeHealth.Parameters memory hp = $.health.parameters();
        uint256 count = $.active.length;
        // bounded: |active| <= MAX_ACTIVE_CAP (128): the set never exceeds maxActive.
        for (uint256 i = 0; i < count; ++i) {
            address v = $.active[i];
            if (_isUpkeepNeeded($, v, hp)) return (true, abi.encode(v));
        }
        return (false, "");
    }

    function _isUpkeepNeeded(
        SelfHealingValidatorSet.SetStorage storage $,
        address v,
        INodeHealth.Parameters memory hp
    ) private view returns (bool) {
        if (block.timestamp > ValidatorSetCore.overdueAt($, v, $.health.lastHeartbeatAt(v), hp)) return true;
        INodeHealth.Liveness liveness = $.health.livenessOf(v);
        uint256 open = $.validators[v].openRemediation;
        if (liveness == INodeHealth.Liveness.Stalled) {
            return
                open == 0 || block.timestamp >= $.incidents[open].detectedAt + $.params.stallEscalationDelay;
        }
        return open != 0 && liveness == INodeHealth.Liveness.Live;
    }

    /// @notice The body of `SelfHealingValidatorSet.onStakeChanged` (`unbond` false) and `onUnbondRequested`
    ///         (`unbond` true); the set checks that the caller is the StakeManager. Reverts only for a voluntary
    ///         unbond that leaves an active validator below `minStake` (`ValidatorSetActiveValidatorMustExit`).
    function onStakeChanged(
        SelfHealingValidatorSet.SetStorage storage $,
        address validator,
        bool unbond
    ) external {
        SelfHealingValidatorSet.ValidatorState storage st = $.validators[validator];
        IValidatorSet.Status status = st.status;
        if (status == IValidatorSet.Status.Backup) {
            uint256 bonded = $.stake.bondedOf(validator);
            if ($.stake.isJailed(validator)) {
                // Jailed by another jailer (the recovery manager): never promote a jailed backup.
                $.backups.remove(validator);
                st.status = IValidatorSet.Status.Jailed;
            } else if (bonded < $.stake.minStake()) {
                $.backups.remove(validator);
                st.status = IValidatorSet.Status.Exited;
                emit IValidatorSet.ValidatorExited(validator);
            } else {
                $.backups.update(validator, ValidatorSetCore.rankKey($, validator, bonded));
            }
        } else if (status == IValidatorSet.Status.Active) {
            bool jailed = $.stake.isJailed(validator);
            bool below = $.stake.bondedOf(validator) < $.stake.minStake();
            if (below && unbond) revert IValidatorSet.ValidatorSetActiveValidatorMustExit(validator);
            if (jailed || below) {
                _eject($, validator, jailed ? IValidatorSet.Status.Jailed : IValidatorSet.Status.Exited);
            }
        } else if (status == IValidatorSet.Status.Jailed && !$.stake.isJailed(validator)) {
            uint256 bonded = $.stake.bondedOf(validator);
            if (bonded >= $.stake.minStake()) {
                st.status = IValidatorSet.Status.Backup;
                $.backups.insert(validator, ValidatorSetCore.rankKey($, validator, bonded));
                (address signer, ) = $.health.signerOf(validator);
                emit IValidatorSet.CandidateRegistered(validator, signer, bonded);
            }
        }
    }

    /// @notice The body of `SelfHealingValidatorSet.refreshBackup`: a parked candidate that is ready, not jailed
    ///         and at least `minStake` goes back into the heap, keyed by bonded stake plus delegated votes.
    function refreshBackup(SelfHealingValidatorSet.SetStorage storage $, address validator) external {
        SelfHealingValidatorSet.ValidatorState storage st = $.validators[validator];
        if (st.status != IValidatorSet.Status.Parked) {
            revert IValidatorSet.ValidatorSetNotRefreshable(validator, st.status);
        }
        INodeHealth.Parameters memory hp = $.health.parameters();
        if (
            !ValidatorSetCore.isReady($, validator, hp.maxHeightLag, $.health.bestHeight()) ||
            $.stake.isJailed(validator)
        ) {
            revert IValidatorSet.ValidatorSetNotRefreshable(validator, IValidatorSet.Status.Parked);
        }
        uint256 bonded = $.stake.bondedOf(validator);
        uint256 minStake = $.stake.minStake();
        if (bonded < minStake) revert IValidatorSet.ValidatorSetBelowMinStake(validator, bonded, minStake);
        st.status = IValidatorSet.Status.Backup;
        $.backups.insert(validator, ValidatorSetCore.rankKey($, validator, bonded));
        emit IValidatorSet.BackupRefreshed(validator, bonded);
    }

    /// @notice The body of `SelfHealingValidatorSet.backupValidators`: a page of the heap in heap order.
    function backupPage(
        ValidatorHeap.Heap storage heap,
        uint256 offset,
        uint256 limit
    ) external view returns (address[] memory page) {
        uint256 size = heap.size();
        if (offset >= size) return page;
        uint256 n = size - offset < limit ? size - offset : limit;
        page = new address[](n);
        // bounded: n <= the caller's limit.
        for (uint256 i = 0; i < n; ++i) {
            (page[i], ) = heap.at(offset + i);
        }
    }

    /// @notice The body of `SelfHealingValidatorSet.rerank`: recomputes a backup's heap key (bonded stake plus
    ///         delegated votes) and moves it in the heap (O(log n)).
    function rerank(
        SelfHealingValidatorSet.SetStorage storage $,
        address validator
    ) external returns (uint256 key) {
        IValidatorSet.Status status = $.validators[validator].status;
        if (status != IValidatorSet.Status.Backup)
            revert IValidatorSet.ValidatorSetNotBackup(validator, status);
        key = ValidatorSetCore.rankKey($, validator, $.stake.bondedOf(validator));
        $.backups.update(validator, key);
        emit IValidatorSet.BackupReranked(validator, key);
    }

    /// @dev Removes an active validator jailed or slashed below `minStake` elsewhere and promotes the best ready
    ///      backup; at the floor with no ready backup it stays (the floor wins over the penalty's side effect).
    function _eject(
        SelfHealingValidatorSet.SetStorage storage $,
        address v,
        IValidatorSet.Status newStatus
    ) private {
        address replacement = ValidatorSetCore.popReady($, $.health.parameters().maxHeightLag);
        if (replacement == address(0) && $.active.length <= $.params.minActive) {
            emit IValidatorSet.ValidatorRetainedAtFloor(v, newStatus);
            return;
        }
        ValidatorSetCore.removeActive($, v, newStatus);
        if (replacement != address(0)) {
            ValidatorSetCore.activate($, replacement, 0, msg.sender);
            ValidatorSetCore.recoverFromFloor($);
        }
        emit IValidatorSet.ValidatorEjected(v, replacement, newStatus);
    }

    function _bound(bytes32 name, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max)
            revert IValidatorSet.ValidatorSetInvalidParameter(name, value, min, max);
    }
}
