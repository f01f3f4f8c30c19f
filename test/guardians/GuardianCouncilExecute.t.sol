// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IGuardianCouncil} from "../../contracts/interfaces/IGuardianCouncil.sol";
import {IRecoveryManager} from "../../contracts/interfaces/IRecoveryManager.sol";
import {MockRecoveryManager} from "../../contracts/mocks/MockRecoveryManager.sol";
import {MockSnapshotRegistry} from "../../contracts/mocks/MockSnapshotRegistry.sol";
import {GuardianCouncilFixture} from "./handlers/GuardianCouncilFixture.sol";

/// execute: dispatch of every action type, timing, permissionless execution, failures and reentrancy.
contract GuardianCouncilExecuteTest is GuardianCouncilFixture {
    function _lastCall() internal view returns (MockRecoveryManager.Call memory) {
        return recovery.lastCall();
    }

    function test_execute_pauseRunsInTheSameBlockWithoutDelay() public {
        uint256 id = _queued(IGuardianCouncil.ActionType.Pause, _pauseData(6 hours));
        council.execute(id);
        MockRecoveryManager.Call memory c = _lastCall();
        assertEq(c.selector, IRecoveryManager.pause.selector);
        assertEq(c.value, 6 hours);
        assertEq(c.caller, address(council));
        assertEq(uint8(council.stateOf(id)), uint8(IGuardianCouncil.ProposalState.Executed));
        assertTrue(council.proposal(id).executed);
    }

    function test_execute_dispatchesRecoveryActions() public {
        _executed(IGuardianCouncil.ActionType.Unpause, "");
        assertEq(_lastCall().selector, IRecoveryManager.unpause.selector);

        _executed(IGuardianCouncil.ActionType.Resync, abi.encode(validator, uint256(77)));
        MockRecoveryManager.Call memory c = _lastCall();
        assertEq(c.selector, IRecoveryManager.requestResync.selector);
        assertEq(c.validator, validator);
        assertEq(c.value, 77);

        _executed(IGuardianCouncil.ActionType.Reprovision, abi.encode(validator, "QmConfig"));
        c = _lastCall();
        assertEq(c.selector, IRecoveryManager.requestReprovision.selector);
        assertEq(c.payload, "QmConfig");

        _executed(IGuardianCouncil.ActionType.Forgive, abi.encode(uint256(5)));
        assertEq(_lastCall().selector, IRecoveryManager.forgive.selector);
        assertEq(_lastCall().value, 5);

        _executed(IGuardianCouncil.ActionType.ForceReplace, abi.encode(validator));
        assertEq(_lastCall().selector, IRecoveryManager.forceReplace.selector);
        assertEq(_lastCall().validator, validator);

        address signer = makeAddr("signer");
        _executed(IGuardianCouncil.ActionType.ApproveKeyRotation, abi.encode(validator, signer));
        c = _lastCall();
        assertEq(c.selector, IRecoveryManager.approveKeyRotation.selector);
        assertEq(c.validator, validator);
        assertEq(c.other, signer);
        assertEq(recovery.callCount(), 6);
    }

    function test_execute_updateParametersGoesThroughRecovery() public {
        address target = makeAddr("stakeManager");
        bytes memory callData = abi.encodeWithSelector(bytes4(0xdeadbeef), uint256(1));
        _executed(IGuardianCouncil.ActionType.UpdateParameters, abi.encode(target, callData));
        MockRecoveryManager.Call memory c = _lastCall();
        assertEq(c.selector, IRecoveryManager.updateParameters.selector);
        assertEq(c.other, target);
        assertEq(c.callData, callData);
    }

    function test_execute_updateParametersOnSelfSetsDelays() public {
        IGuardianCouncil.Delays memory d = IGuardianCouncil.Delays(2 hours, 3 days, 10 days);
        bytes memory data = abi.encode(address(council), abi.encodeCall(IGuardianCouncil.setDelays, (d)));
        uint256 queuedOp = _queued(IGuardianCouncil.ActionType.Forgive, abi.encode(uint256(1)));
        uint256 before = council.executableAt(queuedOp);
        uint256 id = _ready(IGuardianCouncil.ActionType.UpdateParameters, data);
        vm.expectEmit(true, true, true, true, address(council));
        emit IGuardianCouncil.DelaysUpdated(d);
        council.execute(id);
        assertEq(council.delays().operationalDelay, 2 hours);
        assertEq(council.delays().governanceDelay, 3 days);
        assertEq(council.delays().proposalLifetime, 10 days);
        assertEq(recovery.callCount(), 0, "not sent to the recovery manager");
        assertEq(council.executableAt(queuedOp), before, "a queued proposal keeps its delay");
    }

    function test_execute_attestSnapshotCallsRegistryAsCouncil() public {
        _executed(IGuardianCouncil.ActionType.AttestSnapshot, abi.encode(uint256(12)));
        assertEq(snapshots.attestationCount(), 1);
        assertEq(snapshots.attested(0), 12);
        assertEq(snapshots.lastCaller(), address(council));
    }

    function test_execute_isPermissionlessAndAudited() public {
        bytes memory data = abi.encode(validator);
        uint256 id = _ready(IGuardianCouncil.ActionType.ForceReplace, data);
        bytes32 expected = _foldAudit(
            auditLog.auditHead(),
            auditLog.auditLength(),
            keccak256("GUARDIAN_EXECUTED"),
            stranger,
            validator,
            id,
            _actionHash(IGuardianCouncil.ActionType.ForceReplace, data)
        );
        vm.expectEmit(true, true, true, true, address(council));
        emit IGuardianCouncil.ProposalExecuted(id, stranger);
        vm.prank(stranger);
        council.execute(id);
        assertEq(auditLog.auditHead(), expected);
    }

    function test_execute_revertsBeforeDelay() public {
        vm.warp(1_000);
        uint256 id = _queued(IGuardianCouncil.ActionType.Forgive, abi.encode(uint256(1)));
        vm.warp(1_000 + OPERATIONAL - 1);
        _expectWrongState(id, IGuardianCouncil.ProposalState.Queued);
        council.execute(id);
        vm.warp(1_000 + OPERATIONAL);
        council.execute(id);
        assertEq(recovery.callCount(), 1);
    }

    function test_execute_revertsIfCollectingOrUnknown() public {
        uint256 id = _propose(gs[0], IGuardianCouncil.ActionType.Pause, _pauseData(1 hours));
        _expectWrongState(id, IGuardianCouncil.ProposalState.Collecting);
        council.execute(id);
        vm.expectRevert(abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilUnknownProposal.selector, 2));
        council.execute(2);
    }

    function test_execute_revertsIfExecutedTwice() public {
        uint256 id = _executed(IGuardianCouncil.ActionType.Forgive, abi.encode(uint256(1)));
        _expectWrongState(id, IGuardianCouncil.ProposalState.Executed);
        council.execute(id);
        assertEq(recovery.callCount(), 1);
    }

    function test_execute_revertsIfActionRevertsAndStaysReady() public {
        uint256 id = _ready(IGuardianCouncil.ActionType.Forgive, abi.encode(uint256(1)));
        recovery.setShouldRevert(true);
        bytes memory reason = abi.encodeWithSelector(
            MockRecoveryManager.MockRecoveryManagerFailed.selector,
            IRecoveryManager.forgive.selector
        );
        vm.expectRevert(
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilExecutionFailed.selector, id, reason)
        );
        council.execute(id);
        assertEq(uint8(council.stateOf(id)), uint8(IGuardianCouncil.ProposalState.Ready));
        recovery.setShouldRevert(false);
        council.execute(id);
        assertEq(recovery.callCount(), 1);
    }

    function test_execute_revertsIfSnapshotRegistryReverts() public {
        uint256 id = _ready(IGuardianCouncil.ActionType.AttestSnapshot, abi.encode(uint256(3)));
        snapshots.setShouldRevert(true);
        bytes memory reason = abi.encodeWithSelector(
            MockSnapshotRegistry.MockSnapshotRegistryFailed.selector,
            3
        );
        vm.expectRevert(
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilExecutionFailed.selector, id, reason)
        );
        council.execute(id);
    }

    function test_execute_revertsIfTargetHasNoCode() public {
        uint256 id = _ready(IGuardianCouncil.ActionType.Forgive, abi.encode(uint256(1)));
        vm.etch(address(recovery), "");
        vm.expectRevert(
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilExecutionFailed.selector, id, "")
        );
        council.execute(id);
    }

    function test_execute_blocksReentrancy() public {
        uint256 first = _queued(IGuardianCouncil.ActionType.Pause, _pauseData(1 hours));
        uint256 second = _queued(IGuardianCouncil.ActionType.Unpause, "");
        recovery.setReenter(council, second);
        council.execute(first);
        assertFalse(recovery.reentrySucceeded());
        assertEq(
            recovery.reentryError(),
            abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector)
        );
        assertEq(recovery.callCount(), 1);
        assertEq(uint8(council.stateOf(second)), uint8(IGuardianCouncil.ProposalState.Ready));
    }

    function test_execute_expiredProposalCannotRun() public {
        vm.warp(50);
        uint256 id = _queued(IGuardianCouncil.ActionType.Forgive, abi.encode(uint256(1)));
        vm.warp(51 + LIFETIME);
        _expectWrongState(id, IGuardianCouncil.ProposalState.Expired);
        council.execute(id);
    }

    function _expectWrongState(uint256 id, IGuardianCouncil.ProposalState state) internal {
        vm.expectRevert(
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilWrongState.selector, id, state)
        );
    }
}

/// changeGuardians and setDelays: self-authorization, guardian-set rules, epochs.
contract GuardianCouncilChangeGuardiansTest is GuardianCouncilFixture {
    function test_changeGuardians_revertsIfNotSelf() public {
        vm.expectRevert(abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilOnlySelf.selector, gs[0]));
        vm.prank(gs[0]);
        council.changeGuardians(new address[](0), new address[](0), 1);
    }

    function test_setDelays_revertsIfNotSelf() public {
        vm.expectRevert(abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilOnlySelf.selector, stranger));
        vm.prank(stranger);
        council.setDelays(_defaultDelays());
    }

    function test_changeGuardians_removesAddsBumpsEpochAndAudits() public {
        address newcomer = makeAddr("newcomer");
        address[] memory add = new address[](1);
        add[0] = newcomer;
        address[] memory remove = new address[](2);
        remove[0] = gs[4];
        remove[1] = gs[0];
        uint256 pending = _propose(gs[1], IGuardianCouncil.ActionType.Forgive, abi.encode(uint256(1)));
        uint256 id = _ready(IGuardianCouncil.ActionType.ChangeGuardians, abi.encode(add, remove, uint16(2)));

        address[] memory expectedSet = new address[](4);
        expectedSet[0] = gs[3];
        expectedSet[1] = gs[1];
        expectedSet[2] = gs[2];
        expectedSet[3] = newcomer;
        bytes32 head = _foldAudit(
            auditLog.auditHead(),
            auditLog.auditLength(),
            keccak256("GUARDIAN_SET_CHANGED"),
            address(council),
            address(0),
            2,
            keccak256(abi.encode(expectedSet, uint16(2)))
        );
        vm.expectEmit(true, true, true, true, address(council));
        emit IGuardianCouncil.GuardianSetChanged(2, expectedSet, 2);
        council.execute(id);

        assertEq(council.guardians(), expectedSet);
        assertEq(council.threshold(), 2);
        assertEq(council.guardianEpoch(), 2);
        assertFalse(council.isGuardian(gs[0]));
        assertFalse(council.isGuardian(gs[4]));
        assertTrue(council.isGuardian(newcomer));
        assertEq(uint8(council.stateOf(pending)), uint8(IGuardianCouncil.ProposalState.Expired));
        assertEq(uint8(council.stateOf(id)), uint8(IGuardianCouncil.ProposalState.Executed));
        // the set-change entry, then the execution entry
        head = _foldAudit(
            head,
            7,
            keccak256("GUARDIAN_EXECUTED"),
            address(this),
            address(0),
            id,
            _actionHash(IGuardianCouncil.ActionType.ChangeGuardians, abi.encode(add, remove, uint16(2)))
        );
        assertEq(auditLog.auditLength(), 8);
        assertEq(auditLog.auditHead(), head);

        vm.expectRevert(abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilNotGuardian.selector, gs[0]));
        vm.prank(gs[0]);
        council.propose(IGuardianCouncil.ActionType.Forgive, abi.encode(uint256(1)));
        vm.prank(newcomer);
        council.propose(IGuardianCouncil.ActionType.Forgive, abi.encode(uint256(1)));
    }

    function test_changeGuardians_rejectsInvalidResultsAtExecution() public {
        address[] memory none = new address[](0);
        address[] memory one = new address[](1);

        one[0] = stranger;
        _expectChangeFails(
            none,
            one,
            1,
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilNotGuardian.selector, stranger)
        );

        one[0] = gs[0];
        _expectChangeFails(
            one,
            none,
            1,
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilInvalidGuardianSet.selector, N, 1)
        );

        one[0] = address(council);
        _expectChangeFails(
            one,
            none,
            1,
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilInvalidGuardianSet.selector, N, 1)
        );

        _expectChangeFails(
            none,
            none,
            uint16(N + 1),
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilInvalidGuardianSet.selector, N, N + 1)
        );

        address[] memory dupRemove = new address[](2);
        dupRemove[0] = gs[1];
        dupRemove[1] = gs[1];
        _expectChangeFails(
            none,
            dupRemove,
            1,
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilNotGuardian.selector, gs[1])
        );

        _expectChangeFails(
            none,
            gs,
            1,
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilInvalidGuardianSet.selector, 0, 1)
        );

        _expectChangeFails(
            _makeGuardians("extra", 28),
            none,
            1,
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilInvalidGuardianSet.selector, 33, 1)
        );
        assertEq(council.guardianEpoch(), 1, "nothing changed");
        assertEq(council.guardians(), gs);
    }

    function _expectChangeFails(
        address[] memory add,
        address[] memory remove,
        uint16 m,
        bytes memory reason
    ) internal {
        uint256 id = _ready(IGuardianCouncil.ActionType.ChangeGuardians, abi.encode(add, remove, m));
        vm.expectRevert(
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilExecutionFailed.selector, id, reason)
        );
        council.execute(id);
        assertEq(uint8(council.stateOf(id)), uint8(IGuardianCouncil.ProposalState.Ready));
    }

    function testFuzz_changeGuardians_thresholdNeverExceedsCount(
        uint8 removeCount,
        uint8 addCount,
        uint16 m
    ) public {
        removeCount = uint8(bound(removeCount, 0, N));
        addCount = uint8(bound(addCount, 0, 30));
        m = uint16(bound(m, 1, 32));
        address[] memory remove = new address[](removeCount);
        for (uint256 i = 0; i < removeCount; ++i) remove[i] = gs[i];
        address[] memory add = _makeGuardians("add", addCount);
        uint256 n = N - removeCount + addCount;
        uint256 id = _ready(IGuardianCouncil.ActionType.ChangeGuardians, abi.encode(add, remove, m));
        if (n == 0 || n > 32 || m > n) {
            vm.expectRevert();
            council.execute(id);
            assertEq(council.guardianEpoch(), 1);
        } else {
            council.execute(id);
            assertEq(council.guardians().length, n);
            assertEq(council.threshold(), m);
            assertEq(council.guardianEpoch(), 2);
        }
        assertLe(council.threshold(), council.guardians().length);
        assertGe(council.guardians().length, 1);
    }
}
