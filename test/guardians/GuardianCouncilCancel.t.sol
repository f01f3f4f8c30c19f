// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

import {IGuardianCouncil} from "../../contracts/interfaces/IGuardianCouncil.sol";
import {GuardianCouncilFixture} from "./handlers/GuardianCouncilFixture.sol";

/// @notice What the timelock's queued operation would change: stands in for a ProxyAdmin upgrade.
contract CancelTarget {
    uint256 public value;

    function set(uint256 v) external {
        value = v;
    }
}

/// CancelTimelockOperation: the council (M of N) cancels a queued TimelockController operation during its delay.
contract GuardianCouncilCancelTest is GuardianCouncilFixture {
    uint256 internal constant TIMELOCK_DELAY = 2 days;

    TimelockController internal timelock;
    CancelTarget internal target;
    address internal dao = makeAddr("dao");
    bytes internal call_;

    function setUp() public override {
        super.setUp();
        address[] memory proposers = new address[](1);
        proposers[0] = dao;
        address[] memory executors = new address[](1);
        executors[0] = address(0);
        timelock = new TimelockController(TIMELOCK_DELAY, proposers, executors, address(this));
        timelock.grantRole(timelock.CANCELLER_ROLE(), address(council));
        target = new CancelTarget();
        call_ = abi.encodeCall(CancelTarget.set, (42));
    }

    function _schedule(bytes32 salt) internal returns (bytes32 id) {
        id = timelock.hashOperation(address(target), 0, call_, bytes32(0), salt);
        vm.prank(dao);
        timelock.schedule(address(target), 0, call_, bytes32(0), salt, TIMELOCK_DELAY);
    }

    function _cancelData(bytes32 id) internal view returns (bytes memory) {
        return abi.encode(address(timelock), id);
    }

    function test_tierOf_cancelIsEmergency() public view {
        assertEq(
            uint8(council.tierOf(IGuardianCouncil.ActionType.CancelTimelockOperation)),
            uint8(IGuardianCouncil.Tier.Emergency)
        );
    }

    function test_execute_cancelRemovesTheOperation() public {
        bytes32 id = _schedule("upgrade");
        assertTrue(timelock.isOperationPending(id));
        uint256 proposalId = _queued(IGuardianCouncil.ActionType.CancelTimelockOperation, _cancelData(id));
        assertEq(uint8(council.stateOf(proposalId)), uint8(IGuardianCouncil.ProposalState.Ready));

        vm.expectEmit(true, true, true, true, address(timelock));
        emit TimelockController.Cancelled(id);
        council.execute(proposalId);

        assertFalse(timelock.isOperation(id));
        assertEq(timelock.getTimestamp(id), 0);
        assertEq(uint8(council.stateOf(proposalId)), uint8(IGuardianCouncil.ProposalState.Executed));
        // The delay passes: the cancelled operation can no longer run.
        vm.warp(block.timestamp + TIMELOCK_DELAY + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                TimelockController.TimelockUnexpectedOperationState.selector,
                id,
                bytes32(1 << uint8(TimelockController.OperationState.Ready))
            )
        );
        timelock.execute(address(target), 0, call_, bytes32(0), "upgrade");
        assertEq(target.value(), 0);
    }

    function test_execute_revertsIfBelowThreshold() public {
        bytes32 id = _schedule("upgrade");
        uint256 proposalId = _propose(
            gs[0],
            IGuardianCouncil.ActionType.CancelTimelockOperation,
            _cancelData(id)
        );
        for (uint256 i = 1; i < M - 1; ++i) {
            vm.prank(gs[i]);
            council.approve(proposalId);
        }
        vm.expectRevert(
            abi.encodeWithSelector(
                IGuardianCouncil.GuardianCouncilWrongState.selector,
                proposalId,
                IGuardianCouncil.ProposalState.Collecting
            )
        );
        council.execute(proposalId);
        assertTrue(timelock.isOperationPending(id));
    }

    function test_execute_revertsIfExpired() public {
        bytes32 id = _schedule("upgrade");
        uint256 proposalId = _propose(
            gs[0],
            IGuardianCouncil.ActionType.CancelTimelockOperation,
            _cancelData(id)
        );
        vm.warp(block.timestamp + LIFETIME + 1);
        vm.prank(gs[1]);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGuardianCouncil.GuardianCouncilWrongState.selector,
                proposalId,
                IGuardianCouncil.ProposalState.Expired
            )
        );
        council.approve(proposalId);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGuardianCouncil.GuardianCouncilWrongState.selector,
                proposalId,
                IGuardianCouncil.ProposalState.Expired
            )
        );
        council.execute(proposalId);
    }

    function test_propose_revertsIfOperationNotPending() public {
        bytes32 unknown = keccak256("nothing queued");
        vm.prank(gs[0]);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGuardianCouncil.GuardianCouncilOperationNotPending.selector,
                address(timelock),
                unknown
            )
        );
        council.propose(IGuardianCouncil.ActionType.CancelTimelockOperation, _cancelData(unknown));

        bytes32 done = _schedule("done");
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        timelock.execute(address(target), 0, call_, bytes32(0), "done");
        assertTrue(timelock.isOperationDone(done));
        vm.prank(gs[0]);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGuardianCouncil.GuardianCouncilOperationNotPending.selector,
                address(timelock),
                done
            )
        );
        council.propose(IGuardianCouncil.ActionType.CancelTimelockOperation, _cancelData(done));
    }

    function test_execute_revertsIfOperationRanMeanwhile() public {
        bytes32 id = _schedule("upgrade");
        uint256 proposalId = _propose(
            gs[0],
            IGuardianCouncil.ActionType.CancelTimelockOperation,
            _cancelData(id)
        );
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        timelock.execute(address(target), 0, call_, bytes32(0), "upgrade");
        for (uint256 i = 1; i < M; ++i) {
            vm.prank(gs[i]);
            council.approve(proposalId);
        }
        vm.expectRevert(
            abi.encodeWithSelector(
                IGuardianCouncil.GuardianCouncilOperationNotPending.selector,
                address(timelock),
                id
            )
        );
        council.execute(proposalId);
        assertEq(uint8(council.stateOf(proposalId)), uint8(IGuardianCouncil.ProposalState.Ready));
    }

    function test_propose_revertsIfCouncilIsNotCanceller() public {
        bytes32 id = _schedule("upgrade");
        timelock.revokeRole(timelock.CANCELLER_ROLE(), address(council));
        vm.prank(gs[0]);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGuardianCouncil.GuardianCouncilInvalidAction.selector,
                IGuardianCouncil.ActionType.CancelTimelockOperation
            )
        );
        council.propose(IGuardianCouncil.ActionType.CancelTimelockOperation, _cancelData(id));
    }

    function test_propose_revertsIfTargetIsNotATimelock() public {
        bytes32 id = _schedule("upgrade");
        address[3] memory targets = [address(0), stranger, address(target)];
        for (uint256 i = 0; i < targets.length; ++i) {
            vm.prank(gs[0]);
            vm.expectRevert(
                abi.encodeWithSelector(
                    IGuardianCouncil.GuardianCouncilInvalidAction.selector,
                    IGuardianCouncil.ActionType.CancelTimelockOperation
                )
            );
            council.propose(IGuardianCouncil.ActionType.CancelTimelockOperation, abi.encode(targets[i], id));
        }
        vm.prank(gs[0]);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGuardianCouncil.GuardianCouncilInvalidAction.selector,
                IGuardianCouncil.ActionType.CancelTimelockOperation
            )
        );
        council.propose(IGuardianCouncil.ActionType.CancelTimelockOperation, abi.encode(address(timelock)));
        assertEq(council.proposalCount(), 0);
    }
}
