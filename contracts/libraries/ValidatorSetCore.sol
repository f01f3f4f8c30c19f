// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";

import {IAuditLog} from "../interfaces/IAuditLog.sol";
import {INodeHealth} from "../interfaces/INodeHealth.sol";
import {IValidatorSet} from "../interfaces/IValidatorSet.sol";
import {SelfHealingValidatorSet} from "../validators/SelfHealingValidatorSet.sol";
import {ValidatorHeap} from "./ValidatorHeap.sol";

// Activation, detection and degradation times are the point: they are what time-to-heal is measured from.
// solhint-disable not-rely-on-time

/// @title ValidatorSetCore
/// @notice The set-change primitives of SelfHealingValidatorSet (promotion of the best ready backup, activation,
///         removal, incidents, slashes, audit entries, degradation), shared by the set and by the flows of the
///         linked library ValidatorSetChecks that run in the set's context.
/// @dev Internal functions only: the library is never deployed, its code is inlined where it is used (once in
///      the set, once in ValidatorSetChecks), so there is one source for every set change wherever it runs.
///      Every function works on the set's ERC-7201 storage (`SelfHealingValidatorSet.SetStorage`) and emits the
///      set's own events (IValidatorSet).
library ValidatorSetCore {
    using ValidatorHeap for ValidatorHeap.Heap;

    /// @dev SelfHealingValidatorSet.MAX_PARK_PER_PROMOTION.
    uint256 internal constant MAX_PARK_PER_PROMOTION = 8;

    /// @dev The backup heap's key of `v`: its bonded stake plus the votes delegated to it in the stake token
    ///      (`IVotes(stakeToken).getVotes(v)`; none when the token has no code or does not implement IVotes).
    ///      A view of the current votes: the heap keeps the key computed when the set last touched `v`.
    function rankKey(
        SelfHealingValidatorSet.SetStorage storage $,
        address v,
        uint256 bonded
    ) internal view returns (uint256) {
        address token = $.stake.stakeToken();
        if (token.code.length == 0) return bonded;
        try IVotes(token).getVotes(v) returns (uint256 votes) {
            // Both are token amounts, far below 2^255: no overflow.
            return bonded + votes;
        } catch {
            return bonded;
        }
    }

    /// @dev Pops the best ready backup, parking at most MAX_PARK_PER_PROMOTION unready ones on the way.
    ///      Returns zero if none. Bounded: at most MAX_PARK_PER_PROMOTION + 1 iterations of O(log n).
    function popReady(
        SelfHealingValidatorSet.SetStorage storage $,
        uint256 maxHeightLag
    ) internal returns (address) {
        uint256 best = $.health.bestHeight();
        // bounded: breaks after MAX_PARK_PER_PROMOTION (8) parks, so at most 9 iterations of O(log n)
        for (uint256 parked = 0; $.backups.size() != 0; ++parked) {
            (address b, ) = $.backups.top();
            if (isReady($, b, maxHeightLag, best)) {
                $.backups.pop();
                return b;
            }
            if (parked == MAX_PARK_PER_PROMOTION) break;
            $.backups.pop();
            $.validators[b].status = IValidatorSet.Status.Parked;
            emit IValidatorSet.BackupParked(b);
        }
        return address(0);
    }

    /// @dev Live and within `maxHeightLag` of the best height.
    function isReady(
        SelfHealingValidatorSet.SetStorage storage $,
        address b,
        uint256 maxHeightLag,
        uint256 best
    ) internal view returns (bool) {
        if ($.health.livenessOf(b) != INodeHealth.Liveness.Live) return false;
        return $.health.recordOf(b).blockHeight + maxHeightLag >= best;
    }

    /// @dev Removes `v` (already jailed or tombstoned by the caller if needed), promotes `replacement` (if
    ///      any) and records both on the incident.
    function replace(
        SelfHealingValidatorSet.SetStorage storage $,
        address v,
        address replacement,
        uint256 id,
        IValidatorSet.Status newStatus
    ) internal {
        removeActive($, v, newStatus);
        IValidatorSet.Incident storage inc = $.incidents[id];
        if (replacement != address(0)) {
            inc.replacement = replacement;
            inc.replacedAt = uint64(block.timestamp);
            activate($, replacement, id, msg.sender);
            recoverFromFloor($);
        }
        emit IValidatorSet.ValidatorReplaced(v, replacement, msg.sender, inc.kind, id);
    }

    function activate(
        SelfHealingValidatorSet.SetStorage storage $,
        address b,
        uint256 id,
        address caller
    ) internal {
        $.active.push(b);
        $.activePosition[b] = $.active.length;
        SelfHealingValidatorSet.ValidatorState storage st = $.validators[b];
        st.status = IValidatorSet.Status.Active;
        st.activatedAt = uint64(block.timestamp);
        $.health.setBestHeightTracking(b, true);
        emit IValidatorSet.ValidatorActivated(b, id, caller);
    }

    /// @dev Swap-and-pop out of the active set; closes an open remediation; stops best-height tracking and
    ///      fences the signer (bumps its epoch) so nothing it signed before counts any more.
    function removeActive(
        SelfHealingValidatorSet.SetStorage storage $,
        address v,
        IValidatorSet.Status newStatus
    ) internal {
        uint256 position = $.activePosition[v];
        uint256 last = $.active.length;
        if (position != last) {
            address moved = $.active[last - 1];
            $.active[position - 1] = moved;
            $.activePosition[moved] = position;
        }
        $.active.pop();
        delete $.activePosition[v];
        SelfHealingValidatorSet.ValidatorState storage st = $.validators[v];
        st.status = newStatus;
        uint256 open = st.openRemediation;
        if (open != 0) {
            st.openRemediation = 0;
            IValidatorSet.Incident storage remediation = $.incidents[open];
            if (remediation.resolvedAt == 0) remediation.resolvedAt = uint64(block.timestamp);
        }
        $.health.setBestHeightTracking(v, false);
        $.health.fence(v);
    }

    /// @dev Opens an incident reported by msg.sender; reads the signer epoch before any fencing.
    function openIncident(
        SelfHealingValidatorSet.SetStorage storage $,
        address v,
        IValidatorSet.IncidentKind kind,
        uint256 faultAt
    ) internal returns (uint256 id) {
        id = ++$.incidentCount;
        (, uint64 epoch) = $.health.signerOf(v);
        IValidatorSet.Incident storage inc = $.incidents[id];
        inc.validator = v;
        inc.kind = kind;
        inc.reporter = msg.sender;
        inc.faultAt = uint64(faultAt);
        inc.detectedAt = uint64(block.timestamp);
        inc.detectedBlock = uint64(block.number);
        inc.signerEpoch = epoch;
        emit IValidatorSet.IncidentOpened(id, v, kind, msg.sender, faultAt, block.timestamp);
    }

    /// @dev Marks the set degraded at the floor (no-op if already degraded).
    function degrade(SelfHealingValidatorSet.SetStorage storage $, uint256 silent, uint256 count) internal {
        if ($.degradedSince != 0) return;
        $.degradedSince = uint64(block.timestamp);
        emit IValidatorSet.SetDegraded(silent, count, false);
    }

    /// @dev Clears a degradation at the floor (not a correlated one) once a backup was promoted.
    function recoverFromFloor(SelfHealingValidatorSet.SetStorage storage $) internal {
        if ($.degradedSince != 0 && !$.degradedByCorrelation) recover($);
    }

    function recover(SelfHealingValidatorSet.SetStorage storage $) internal {
        uint256 degradedFor = block.timestamp - $.degradedSince;
        $.degradedSince = 0;
        $.degradedByCorrelation = false;
        emit IValidatorSet.SetRecovered(degradedFor);
    }

    /// @dev Jails `v` in the StakeManager until `now + jailDuration` (the set is the caller, so the StakeManager
    ///      does not call back).
    function jail(SelfHealingValidatorSet.SetStorage storage $, address v) internal {
        $.stake.jail(v, uint64(block.timestamp + $.params.jailDuration));
    }

    /// @dev Appends an entry to the audit log, if one is set: actor = msg.sender, subject = `v`, refId = `id`,
    ///      dataHash = keccak256(abi.encode(replacement, slashBps)). The log is a trusted contract set by the
    ///      admin; the call comes after every state change and event of the operation.
    function audit(
        SelfHealingValidatorSet.SetStorage storage $,
        bytes32 kind,
        address v,
        uint256 id,
        address replacement,
        uint256 slashBps
    ) internal {
        IAuditLog log = $.auditLog;
        if (address(log) != address(0)) {
            log.append(kind, msg.sender, v, id, keccak256(abi.encode(replacement, slashBps)));
        }
    }

    /// @dev Calls StakeManager.slash for the incident and emits SlashExecuted. State is already final.
    ///      No reward when the reporter is the validator itself or any of its (current or past) signers.
    function slash(
        SelfHealingValidatorSet.SetStorage storage $,
        IValidatorSet.Incident storage inc,
        uint256 id
    ) internal returns (uint256 slashed) {
        address v = inc.validator;
        address reporter = inc.reporter;
        if (reporter == v || $.health.validatorOfSigner(reporter) == v) reporter = address(0);
        uint256 reward;
        (slashed, reward) = $.stake.slash(
            v,
            inc.slashBps,
            inc.faultAt,
            reporter,
            $.params.keeperRewardBps,
            $.params.keeperRewardCap,
            id
        );
        emit IValidatorSet.SlashExecuted(id, v, slashed, reward);
    }

    /// @dev When `v` becomes overdue: its last heartbeat, activation or the last unpause, whichever is latest,
    ///      plus heartbeatInterval + gracePeriod.
    function overdueAt(
        SelfHealingValidatorSet.SetStorage storage $,
        address v,
        uint256 last,
        INodeHealth.Parameters memory hp
    ) internal view returns (uint256) {
        uint256 ref = last;
        uint256 activated = $.validators[v].activatedAt;
        if (activated > ref) ref = activated;
        if ($.pausedUntil > ref) ref = $.pausedUntil;
        return ref + hp.heartbeatInterval + hp.gracePeriod;
    }
}
