// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test, Vm} from "forge-std/Test.sol";

import {GuardianCouncil} from "../../../contracts/guardians/GuardianCouncil.sol";
import {IAuditLog} from "../../../contracts/interfaces/IAuditLog.sol";
import {IGuardianCouncil} from "../../../contracts/interfaces/IGuardianCouncil.sol";
import {AuditLog} from "../../../contracts/recovery/AuditLog.sol";

/// @notice Drives the council like its users: guardians propose, approve (on-chain and by signature, replaying
///         and duplicating signatures), veto and execute; a guardian-set changer proposes set changes (some
///         invalid); a time-warper moves the clock. Keeps ghost state for the invariants.
contract GuardianCouncilHandler is Test {
    GuardianCouncil internal immutable council;
    AuditLog internal immutable auditLog;
    address[] internal actors;
    mapping(address => uint256) internal keyOf;

    // ghosts
    bytes32 public head;
    uint256 public entries;
    uint256 public executions;
    bool public executedWithoutQuorum;
    bool public executedTwice;
    bool public executedEarly;
    mapping(uint256 => uint256) public executedCount;
    mapping(uint256 => uint256) internal readyAt;
    mapping(uint256 => address[]) internal approvers;
    mapping(bytes4 => uint256) public calls;

    constructor(
        GuardianCouncil council_,
        AuditLog auditLog_,
        address[] memory actors_,
        uint256[] memory keys
    ) {
        council = council_;
        auditLog = auditLog_;
        actors = actors_;
        for (uint256 i = 0; i < actors_.length; ++i) keyOf[actors_[i]] = keys[i];
    }

    // ------------------------------------------------------------------------------------ actions

    function propose(uint256 actorSeed, uint256 typeSeed, uint256 arg) external {
        address actor = _guardianOrActor(actorSeed);
        (IGuardianCouncil.ActionType t, bytes memory data) = _action(typeSeed, arg);
        uint256 delay = _delayNow(t);
        vm.recordLogs();
        vm.prank(actor);
        try council.propose(t, data) returns (uint256 id) {
            approvers[id].push(actor);
            _noteQueued(id, delay);
            _fold(true);
            ++calls[this.propose.selector];
        } catch {
            _fold(false);
        }
    }

    function approve(uint256 actorSeed, uint256 idSeed) external {
        uint256 id = _id(idSeed);
        address actor = _guardianOrActor(actorSeed);
        uint256 delay = _delayFor(id);
        vm.recordLogs();
        vm.prank(actor);
        try council.approve(id) {
            approvers[id].push(actor);
            _noteQueued(id, delay);
            _fold(true);
            ++calls[this.approve.selector];
        } catch {
            _fold(false);
        }
    }

    /// Signatures of the guardians selected by `mask`, sorted; optionally with a duplicate, a replayed
    /// (already counted) signature, or shuffled.
    function approveBySig(uint256 idSeed, uint256 mask, uint8 mode) external {
        uint256 id = _id(idSeed);
        if (id == 0) return;
        address[] memory current = council.guardians();
        _sort(current);
        bytes32 digest = council.approvalDigest(id);
        IGuardianCouncil.GuardianSignature[] memory list = new IGuardianCouncil.GuardianSignature[](
            current.length + 1
        );
        uint256 n;
        for (uint256 i = 0; i < current.length; ++i) {
            bool pick = (mask >> i) & 1 == 1;
            bool replay = mode % 4 == 1 && council.hasApproved(id, current[i]);
            if (pick || replay) {
                list[n++] = _signed(current[i], digest);
            }
        }
        if (n == 0) return;
        if (mode % 4 == 2) {
            list[n] = list[n - 1]; // duplicate
            ++n;
        }
        if (mode % 4 == 3 && n > 1) (list[0], list[n - 1]) = (list[n - 1], list[0]); // unsorted
        assembly {
            mstore(list, n)
        }
        uint256 delay = _delayFor(id);
        vm.recordLogs();
        try council.approveBySig(id, list) {
            for (uint256 i = 0; i < n; ++i) approvers[id].push(list[i].guardian);
            _noteQueued(id, delay);
            _fold(true);
            ++calls[this.approveBySig.selector];
        } catch {
            _fold(false);
        }
    }

    function veto(uint256 actorSeed, uint256 idSeed) external {
        uint256 id = _id(idSeed);
        address actor = _guardianOrActor(actorSeed);
        vm.recordLogs();
        vm.prank(actor);
        try council.veto(id) {
            _fold(true);
            ++calls[this.veto.selector];
        } catch {
            _fold(false);
        }
    }

    function execute(uint256 idSeed) external {
        uint256 id = _id(idSeed);
        if (id == 0) return;
        // What must hold for the execution, read before it (it may change the guardian set).
        uint256 distinctCurrent = _distinctCurrentApprovers(id);
        uint256 threshold_ = council.threshold();
        bool sameEpoch = council.proposal(id).guardianEpoch == council.guardianEpoch();
        vm.recordLogs();
        try council.execute(id) {
            _fold(true);
            ++executions;
            ++calls[this.execute.selector];
            if (++executedCount[id] > 1) executedTwice = true;
            if (!sameEpoch || distinctCurrent < threshold_) executedWithoutQuorum = true;
            if (readyAt[id] == 0 || block.timestamp < readyAt[id]) executedEarly = true;
        } catch {
            _fold(false);
        }
    }

    function warp(uint256 secondsAhead) external {
        vm.warp(block.timestamp + bound(secondsAhead, 0, 3 days));
    }

    // ------------------------------------------------------------------------------------ helpers

    function _action(
        uint256 typeSeed,
        uint256 arg
    ) internal view returns (IGuardianCouncil.ActionType, bytes memory) {
        uint256 k = typeSeed % 6;
        if (k == 0) return (IGuardianCouncil.ActionType.Pause, abi.encode(uint64(bound(arg, 1, 1 days))));
        if (k == 1) return (IGuardianCouncil.ActionType.Forgive, abi.encode(arg));
        if (k == 2) return (IGuardianCouncil.ActionType.AttestSnapshot, abi.encode(arg % 10));
        if (k == 3)
            return (IGuardianCouncil.ActionType.ForceReplace, abi.encode(actors[arg % actors.length]));
        if (k == 4) {
            IGuardianCouncil.Delays memory d = IGuardianCouncil.Delays(
                uint32(bound(arg, 1 hours, 2 days)),
                uint32(bound(arg >> 32, 1 days, 3 days)),
                uint32(bound(arg >> 64, 4 days, 10 days))
            );
            return (
                IGuardianCouncil.ActionType.UpdateParameters,
                abi.encode(address(council), abi.encodeCall(IGuardianCouncil.setDelays, (d)))
            );
        }
        // The guardian-set changer: add one actor, remove one, any threshold 1..6 (some results invalid).
        address[] memory add = new address[](arg % 2);
        if (add.length == 1) add[0] = actors[(arg >> 8) % actors.length];
        address[] memory remove = new address[]((arg >> 1) % 2);
        if (remove.length == 1) remove[0] = actors[(arg >> 16) % actors.length];
        return (
            IGuardianCouncil.ActionType.ChangeGuardians,
            abi.encode(add, remove, uint16(1 + ((arg >> 24) % 6)))
        );
    }

    function _id(uint256 seed) internal view returns (uint256) {
        uint256 count = council.proposalCount();
        return count == 0 ? 0 : 1 + (seed % count);
    }

    function _guardianOrActor(uint256 seed) internal view returns (address) {
        if (seed % 8 == 0) return actors[(seed >> 3) % actors.length];
        address[] memory current = council.guardians();
        return current[(seed >> 3) % current.length];
    }

    function _signed(
        address g,
        bytes32 digest
    ) internal view returns (IGuardianCouncil.GuardianSignature memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(keyOf[g], digest);
        return IGuardianCouncil.GuardianSignature(g, abi.encodePacked(r, s, v));
    }

    function _delayNow(IGuardianCouncil.ActionType t) internal view returns (uint256) {
        IGuardianCouncil.Tier tier = council.tierOf(t);
        if (tier == IGuardianCouncil.Tier.Emergency) return 0;
        IGuardianCouncil.Delays memory d = council.delays();
        return tier == IGuardianCouncil.Tier.Operational ? d.operationalDelay : d.governanceDelay;
    }

    function _delayFor(uint256 id) internal view returns (uint256) {
        if (id == 0) return 0;
        return _delayNow(council.proposal(id).actionType);
    }

    /// Records when the proposal may run, from the delays in force when it was queued.
    function _noteQueued(uint256 id, uint256 delay) internal {
        if (readyAt[id] != 0) return;
        uint256 queuedAt = council.proposal(id).queuedAt;
        if (queuedAt != 0) readyAt[id] = queuedAt + delay;
    }

    function _distinctCurrentApprovers(uint256 id) internal view returns (uint256 n) {
        address[] storage list = approvers[id];
        for (uint256 i = 0; i < list.length; ++i) {
            if (!council.isGuardian(list[i])) continue;
            bool seen;
            for (uint256 j = 0; j < i; ++j) {
                if (list[j] == list[i]) seen = true;
            }
            if (!seen) ++n;
        }
    }

    function _fold(bool succeeded) internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        if (!succeeded) return;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (
                logs[i].emitter != address(auditLog) ||
                logs[i].topics[0] != IAuditLog.AuditEntryAppended.selector
            ) {
                continue;
            }
            (address subject, uint256 refId, bytes32 dataHash, uint64 timestamp, address source, , ) = abi
                .decode(logs[i].data, (address, uint256, bytes32, uint64, address, bytes32, bytes32));
            bytes32 entryHash = keccak256(
                abi.encode(
                    entries,
                    logs[i].topics[2],
                    address(uint160(uint256(logs[i].topics[3]))),
                    subject,
                    refId,
                    dataHash,
                    timestamp,
                    source
                )
            );
            head = keccak256(abi.encode(head, entryHash));
            ++entries;
        }
    }

    function _sort(address[] memory list) internal pure {
        for (uint256 i = 1; i < list.length; ++i) {
            address x = list[i];
            uint256 j = i;
            while (j > 0 && list[j - 1] > x) {
                list[j] = list[j - 1];
                --j;
            }
            list[j] = x;
        }
    }
}

/// @notice Deploys the handler from a linked library, keeping its creation code out of the invariant test contract.
library GuardianCouncilHandlerDeployer {
    function deploy(
        GuardianCouncil council_,
        AuditLog auditLog_,
        address[] memory actors_,
        uint256[] memory keys
    ) external returns (GuardianCouncilHandler) {
        return new GuardianCouncilHandler(council_, auditLog_, actors_, keys);
    }
}
