// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {GuardianCouncilHarness} from "../../formal/GuardianCouncilHarness.sol";
import {IGuardianCouncil} from "../../contracts/interfaces/IGuardianCouncil.sol";
import {GuardianCouncilFixture} from "../guardians/handlers/GuardianCouncilFixture.sol";

/// @notice Ties the SMTChecker harness to the real contract: random sequences of propose, approve, execute,
///         veto, guardian-set changes and time jumps (to the queue, ready and expiry boundaries too) run on
///         GuardianCouncilHarness and on GuardianCouncil (5 guardians, M = 3, one operational-tier proposal);
///         after every step both accepted or both refused it, and the proposal's state, approvals and times, the
///         threshold, the epoch and the guardian set are the same.
contract GuardianCouncilHarnessTest is GuardianCouncilFixture {
    uint256 internal constant STEPS = 24;
    uint256 internal constant ID = 1;

    GuardianCouncilHarness internal harness;
    address[] internal actors;

    function setUp() public override {
        super.setUp();
        harness = new GuardianCouncilHarness(gs, M, OPERATIONAL, LIFETIME);
        for (uint256 i = 0; i < gs.length; ++i) actors.push(gs[i]);
        actors.push(makeAddr("newcomer-1"));
        actors.push(makeAddr("newcomer-2"));
        actors.push(stranger);
    }

    /// hardhat-config: fuzz.runs = 256
    function testFuzz_harness_matchesGuardianCouncil(uint256 seed) public {
        for (uint256 step = 0; step < STEPS; ++step) {
            seed = uint256(keccak256(abi.encode(seed, step)));
            _step(seed);
            _assertSame();
        }
    }

    function test_harness_matchesGuardianCouncil_thresholdRaisedAfterQueue() public {
        _propose(gs[0]);
        _approve(gs[1]);
        _approve(gs[2]); // queued with 3 of 5
        _change(address(0), gs[4], 4); // new epoch, M = 4: the queued proposal expires
        _assertSame();
        assertEq(uint8(harness.state()), uint8(IGuardianCouncil.ProposalState.Expired));
        vm.warp(block.timestamp + OPERATIONAL);
        _execute();
        _assertSame();
        assertEq(harness.executions(), 0);
    }

    // ------------------------------------------------------------------------------- one random step

    function _step(uint256 r) internal {
        uint256 op = r % 6;
        uint256 a = r >> 8;
        address actor = actors[a % actors.length];
        if (op == 0) {
            if (!harness.exists()) _propose(actor); // the harness models one proposal
        } else if (op == 1) {
            _approve(actor);
        } else if (op == 2) {
            _execute();
        } else if (op == 3) {
            _veto(actor);
        } else if (op == 4) {
            _warp(a >> 16);
        } else {
            address add = (a >> 16) % 3 == 0 ? address(0) : actors[(a >> 24) % actors.length];
            address remove = (a >> 32) % 3 == 0 ? address(0) : actors[(a >> 40) % actors.length];
            _change(add, remove, uint16(bound(a >> 48, 0, 7)));
        }
    }

    function _warp(uint256 r) internal {
        uint256 choice = r % 4;
        uint256 target = block.timestamp + bound(r >> 8, 0, 3 days);
        if (choice == 1) target = harness.executableAt(); // the first second it is Ready
        if (choice == 2) target = uint256(harness.expiresAt()); // the last second it is live
        if (choice == 3) target = uint256(harness.expiresAt()) + 1; // the first second it is expired
        if (target > block.timestamp) vm.warp(target);
    }

    function _propose(address actor) internal {
        vm.prank(actor);
        (bool realOk, ) = address(council).call(
            abi.encodeCall(
                IGuardianCouncil.propose,
                (IGuardianCouncil.ActionType.Forgive, abi.encode(uint256(7)))
            )
        );
        vm.prank(actor);
        (bool harnessOk, ) = address(harness).call(abi.encodeCall(GuardianCouncilHarness.propose, ()));
        _same(realOk, harnessOk);
    }

    function _approve(address actor) internal {
        vm.prank(actor);
        (bool realOk, ) = address(council).call(abi.encodeCall(IGuardianCouncil.approve, (ID)));
        vm.prank(actor);
        (bool harnessOk, ) = address(harness).call(abi.encodeCall(GuardianCouncilHarness.approve, ()));
        _same(realOk, harnessOk);
    }

    function _execute() internal {
        vm.prank(stranger);
        (bool realOk, ) = address(council).call(abi.encodeCall(IGuardianCouncil.execute, (ID)));
        vm.prank(stranger);
        (bool harnessOk, ) = address(harness).call(abi.encodeCall(GuardianCouncilHarness.execute, ()));
        _same(realOk, harnessOk);
    }

    function _veto(address actor) internal {
        vm.prank(actor);
        (bool realOk, ) = address(council).call(abi.encodeCall(IGuardianCouncil.veto, (ID)));
        vm.prank(actor);
        (bool harnessOk, ) = address(harness).call(abi.encodeCall(GuardianCouncilHarness.veto, ()));
        _same(realOk, harnessOk);
    }

    /// @dev As an executed ChangeGuardians proposal would call it (the council calling itself).
    function _change(address add, address remove, uint16 newThreshold) internal {
        address[] memory adds = new address[](add == address(0) ? 0 : 1);
        address[] memory removes = new address[](remove == address(0) ? 0 : 1);
        if (add != address(0)) adds[0] = add;
        if (remove != address(0)) removes[0] = remove;
        vm.prank(address(council));
        (bool realOk, ) = address(council).call(
            abi.encodeCall(IGuardianCouncil.changeGuardians, (adds, removes, newThreshold))
        );
        (bool harnessOk, ) = address(harness).call(
            abi.encodeCall(GuardianCouncilHarness.changeGuardians, (adds, removes, newThreshold))
        );
        _same(realOk, harnessOk);
    }

    function _same(bool realOk, bool harnessOk) internal pure {
        assertEq(harnessOk, realOk, "one accepted what the other refused");
    }

    function _assertSame() internal view {
        assertEq(uint8(harness.state()), uint8(council.stateOf(ID)), "state");
        assertEq(harness.threshold(), council.threshold(), "threshold");
        assertEq(harness.guardianEpoch(), council.guardianEpoch(), "epoch");
        assertEq(harness.guardianCount(), council.guardians().length, "guardian count");
        for (uint256 i = 0; i < actors.length; ++i) {
            assertEq(harness.isGuardian(actors[i]), council.isGuardian(actors[i]), "guardian membership");
        }
        if (!harness.exists()) return;
        IGuardianCouncil.Proposal memory p = council.proposal(ID);
        assertEq(harness.approvals(), p.approvals, "approvals");
        assertEq(harness.queuedAt(), p.queuedAt, "queuedAt");
        assertEq(harness.expiresAt(), p.expiresAt, "expiresAt");
        assertEq(harness.executableAt(), council.executableAt(ID), "executableAt");
        assertEq(harness.proposalEpoch(), p.guardianEpoch, "proposal epoch");
        assertEq(harness.executions(), p.executed ? 1 : 0, "executed");
        assertEq(uint8(harness.outcome()) == 2, p.vetoed, "vetoed");
    }
}
