// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {HealGovernor} from "../../contracts/governance/HealGovernor.sol";
import {HealToken} from "../../contracts/governance/HealToken.sol";
import {IHealGovernor} from "../../contracts/interfaces/IHealGovernor.sol";
import {MockParameterized} from "../../contracts/mocks/MockParameterized.sol";

/// @dev Shared fixture: token, timelock (the Governor its only proposer and canceller, execution open),
///      Governor, and a target whose PARAMETER_ROLE only the timelock holds. The tests are split over three
///      contracts so that none exceeds the contract size limit.
abstract contract HealGovernorTestBase is Test {
    uint256 internal constant SUPPLY = 10_000_000 ether;
    uint48 internal constant VOTING_DELAY = 7_200; // ~1 day of 12 s blocks
    uint32 internal constant VOTING_PERIOD = 50_400; // ~7 days
    uint256 internal constant PROPOSAL_THRESHOLD = 10_000 ether; // 0.1 % of the supply
    uint256 internal constant QUORUM_NUMERATOR = 4; // 4 % => 400,000 HEAL
    uint256 internal constant TIMELOCK_DELAY = 2 days;

    uint8 internal constant AGAINST = 0;
    uint8 internal constant FOR = 1;
    uint8 internal constant ABSTAIN = 2;

    HealToken internal token;
    TimelockController internal timelock;
    HealGovernor internal governor;
    MockParameterized internal target;

    address internal treasury = makeAddr("treasury");
    address internal alice = makeAddr("alice"); // 600,000: above quorum alone
    address internal bob = makeAddr("bob"); // 300,000
    address internal carol = makeAddr("carol"); // 50,000: above the threshold, below quorum
    address internal dave = makeAddr("dave"); // 1,000: below the threshold
    address internal erin = makeAddr("erin"); // holds nothing at first

    function setUp() public {
        token = HealToken(deployCode("HealToken.sol:HealToken", abi.encode(treasury, SUPPLY)));
        address[] memory proposers = new address[](0);
        address[] memory executors = new address[](1); // address(0): anyone may execute a ready operation
        timelock = TimelockController(
            payable(
                deployCode(
                    "TimelockController.sol:TimelockController",
                    abi.encode(TIMELOCK_DELAY, proposers, executors, address(this))
                )
            )
        );
        governor = _deployGovernor(VOTING_DELAY, VOTING_PERIOD, PROPOSAL_THRESHOLD, QUORUM_NUMERATOR);
        timelock.grantRole(timelock.PROPOSER_ROLE(), address(governor));
        timelock.grantRole(timelock.CANCELLER_ROLE(), address(governor));
        timelock.renounceRole(timelock.DEFAULT_ADMIN_ROLE(), address(this));

        target = MockParameterized(
            deployCode("MockParameterized.sol:MockParameterized", abi.encode(address(this), uint256(10)))
        );
        target.grantRole(target.PARAMETER_ROLE(), address(timelock));
        target.renounceRole(target.DEFAULT_ADMIN_ROLE(), address(this));

        _fundAndDelegate(alice, 600_000 ether);
        _fundAndDelegate(bob, 300_000 ether);
        _fundAndDelegate(carol, 50_000 ether);
        _fundAndDelegate(dave, 1_000 ether);
        vm.roll(block.number + 1); // checkpoints are read at past blocks only
        vm.warp(block.timestamp + 12);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev Deployed from its artifact (not `new`), so this test contract does not embed the Governor's
    ///      ~21 kB creation code and stays under the contract size limit.
    function _deployGovernor(
        uint48 votingDelay,
        uint32 votingPeriod,
        uint256 proposalThreshold,
        uint256 quorumNumerator
    ) internal returns (HealGovernor) {
        bytes memory args = abi.encode(
            token,
            timelock,
            votingDelay,
            votingPeriod,
            proposalThreshold,
            quorumNumerator
        );
        return HealGovernor(payable(deployCode("HealGovernor.sol:HealGovernor", args)));
    }

    function _fundAndDelegate(address holder, uint256 amount) internal {
        vm.prank(treasury);
        token.transfer(holder, amount);
        vm.prank(holder);
        token.delegate(holder);
    }

    function _single(
        address to,
        bytes memory data
    ) internal pure returns (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) {
        targets = new address[](1);
        values = new uint256[](1);
        calldatas = new bytes[](1);
        targets[0] = to;
        calldatas[0] = data;
    }

    function _setParametersCall(
        uint256 newValue
    ) internal view returns (address[] memory, uint256[] memory, bytes[] memory) {
        return _single(address(target), abi.encodeCall(target.setParameters, (newValue)));
    }

    /// @dev alice (above quorum) proposes and votes for; returns after queueing.
    function _passAndQueue(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description
    ) internal returns (bytes32 descriptionHash) {
        vm.prank(alice);
        uint256 id = governor.propose(targets, values, calldatas, description);
        vm.roll(block.number + VOTING_DELAY + 1);
        vm.prank(alice);
        governor.castVote(id, FOR);
        vm.roll(block.number + VOTING_PERIOD);
        descriptionHash = keccak256(bytes(description));
        governor.queue(targets, values, calldatas, descriptionHash);
    }

    function _passAndExecute(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description
    ) internal {
        bytes32 descriptionHash = _passAndQueue(targets, values, calldatas, description);
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        governor.execute(targets, values, calldatas, descriptionHash);
    }

    /// @dev GovernorTimelockControl's salt: the Governor's address xor the description hash.
    function _salt(bytes32 descriptionHash) internal view returns (bytes32) {
        return bytes20(address(governor)) ^ descriptionHash;
    }

    function _bitmap(IGovernor.ProposalState s) internal pure returns (bytes32) {
        return bytes32(1 << uint8(s));
    }
}

/// @dev Settings, their bounds, and who may change parameters (only the timelock).
contract HealGovernorTest is HealGovernorTestBase {
    function test_constructor_setsSettings() public view {
        assertEq(governor.name(), "healnet governor");
        assertEq(governor.votingDelay(), VOTING_DELAY);
        assertEq(governor.votingPeriod(), VOTING_PERIOD);
        assertEq(governor.proposalThreshold(), PROPOSAL_THRESHOLD);
        assertEq(governor.quorumNumerator(), QUORUM_NUMERATOR);
        assertEq(governor.quorumDenominator(), 100);
        assertEq(address(governor.token()), address(token));
        assertEq(governor.timelock(), address(timelock));
        assertEq(governor.CLOCK_MODE(), "mode=blocknumber&from=default");
        assertEq(governor.clock(), block.number);
    }

    function test_constructor_wiresTimelockRoles() public view {
        assertTrue(timelock.hasRole(timelock.PROPOSER_ROLE(), address(governor)));
        assertTrue(timelock.hasRole(timelock.CANCELLER_ROLE(), address(governor)));
        assertTrue(timelock.hasRole(timelock.EXECUTOR_ROLE(), address(0)), "execution is open");
        assertFalse(timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), address(this)), "deployer renounced");
        assertTrue(timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), address(timelock)), "self-administered");
        assertEq(timelock.getMinDelay(), TIMELOCK_DELAY);
    }

    function test_constructor_revertsIfVotingDelayTooShort() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IHealGovernor.HealGovernorVotingDelayOutOfBounds.selector,
                0,
                governor.MIN_VOTING_DELAY(),
                governor.MAX_VOTING_DELAY()
            )
        );
        _deployGovernor(0, VOTING_PERIOD, PROPOSAL_THRESHOLD, QUORUM_NUMERATOR);
    }

    function test_constructor_revertsIfVotingPeriodTooShort() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IHealGovernor.HealGovernorVotingPeriodOutOfBounds.selector,
                7_199,
                governor.MIN_VOTING_PERIOD(),
                governor.MAX_VOTING_PERIOD()
            )
        );
        _deployGovernor(VOTING_DELAY, 7_199, PROPOSAL_THRESHOLD, QUORUM_NUMERATOR);
    }

    function test_constructor_revertsIfQuorumZero() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IHealGovernor.HealGovernorQuorumOutOfBounds.selector,
                0,
                governor.MIN_QUORUM_NUMERATOR(),
                governor.MAX_QUORUM_NUMERATOR()
            )
        );
        _deployGovernor(VOTING_DELAY, VOTING_PERIOD, PROPOSAL_THRESHOLD, 0);
    }

    function testFuzz_constructor_acceptsExactlyTheBoundedSettings(
        uint48 votingDelay,
        uint32 votingPeriod,
        uint256 quorumNumerator
    ) public {
        votingDelay = uint48(bound(votingDelay, 0, 60_000));
        votingPeriod = uint32(bound(votingPeriod, 0, 250_000));
        quorumNumerator = bound(quorumNumerator, 0, 100);
        bool delayOk =
            votingDelay >= governor.MIN_VOTING_DELAY() && votingDelay <= governor.MAX_VOTING_DELAY();
        bool periodOk =
            votingPeriod >= governor.MIN_VOTING_PERIOD() && votingPeriod <= governor.MAX_VOTING_PERIOD();
        bool quorumOk =
            quorumNumerator >= governor.MIN_QUORUM_NUMERATOR() &&
                quorumNumerator <= governor.MAX_QUORUM_NUMERATOR();
        // The constructor sets the delay, then the period, then the quorum: the first bad one reverts.
        if (!delayOk) {
            vm.expectPartialRevert(IHealGovernor.HealGovernorVotingDelayOutOfBounds.selector);
        } else if (!periodOk) {
            vm.expectPartialRevert(IHealGovernor.HealGovernorVotingPeriodOutOfBounds.selector);
        } else if (!quorumOk) {
            vm.expectPartialRevert(IHealGovernor.HealGovernorQuorumOutOfBounds.selector);
        }
        HealGovernor g = _deployGovernor(votingDelay, votingPeriod, 0, quorumNumerator);
        if (delayOk && periodOk && quorumOk) {
            assertEq(g.votingDelay(), votingDelay);
            assertEq(g.votingPeriod(), votingPeriod);
            assertEq(g.quorumNumerator(), quorumNumerator);
        }
    }

    function test_setVotingPeriod_revertsIfNotThroughGovernance() public {
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorOnlyExecutor.selector, alice));
        vm.prank(alice);
        governor.setVotingPeriod(VOTING_PERIOD * 2);
    }

    function test_setVotingPeriod_byProposal_updatesSetting() public {
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _single(
            address(governor),
            abi.encodeCall(governor.setVotingPeriod, (VOTING_PERIOD * 2))
        );
        _passAndExecute(targets, values, calldatas, "double the voting period");
        assertEq(governor.votingPeriod(), VOTING_PERIOD * 2);
    }

    function test_updateQuorumNumerator_byProposal_revertsIfOutOfBounds() public {
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _single(
            address(governor),
            abi.encodeCall(governor.updateQuorumNumerator, (0))
        );
        bytes32 descriptionHash = _passAndQueue(targets, values, calldatas, "drop the quorum");
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        // The timelock bubbles the Governor's revert up.
        vm.expectRevert(
            abi.encodeWithSelector(IHealGovernor.HealGovernorQuorumOutOfBounds.selector, 0, 1, 50)
        );
        governor.execute(targets, values, calldatas, descriptionHash);
        assertEq(governor.quorumNumerator(), QUORUM_NUMERATOR);
    }

    // ------------------------------------------------------ only the timelock

    function test_setParameters_revertsIfCalledDirectly() public {
        bytes32 role = target.PARAMETER_ROLE();
        // Not a token holder, not the Governor: only the timelock holds the role.
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, role)
        );
        vm.prank(alice);
        target.setParameters(42);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                address(governor),
                role
            )
        );
        vm.prank(address(governor));
        target.setParameters(42);
        assertEq(target.value(), 10);
    }

    function test_schedule_revertsIfNotGovernor() public {
        bytes32 role = timelock.PROPOSER_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, role)
        );
        vm.prank(alice);
        timelock.schedule(
            address(target),
            0,
            abi.encodeCall(target.setParameters, (42)),
            bytes32(0),
            bytes32(0),
            TIMELOCK_DELAY
        );
    }

    function test_relay_revertsIfNotThroughGovernance() public {
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorOnlyExecutor.selector, alice));
        vm.prank(alice);
        governor.relay(address(target), 0, abi.encodeCall(target.setParameters, (42)));
    }
}

/// @dev Quorum and the proposal lifecycle.
contract HealGovernorLifecycleTest is HealGovernorTestBase {
    // ------------------------------------------------------------------ quorum

    function test_quorum_isFractionOfSupplyAtTimepoint() public view {
        assertEq(governor.quorum(block.number - 1), (SUPPLY * QUORUM_NUMERATOR) / 100);
        assertEq(governor.quorum(block.number - 1), 400_000 ether);
    }

    function test_state_defeatedIfQuorumNotReached() public {
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _setParametersCall(
            42
        );
        vm.prank(carol);
        uint256 id = governor.propose(targets, values, calldatas, "carol alone");
        vm.roll(block.number + VOTING_DELAY + 1);
        vm.prank(carol);
        governor.castVote(id, FOR); // 50,000 for, 0 against: a majority, but under the 400,000 quorum
        vm.roll(block.number + VOTING_PERIOD);

        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Defeated));
        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorUnexpectedProposalState.selector,
                id,
                IGovernor.ProposalState.Defeated,
                _bitmap(IGovernor.ProposalState.Succeeded)
            )
        );
        governor.queue(targets, values, calldatas, keccak256("carol alone"));
        assertEq(target.value(), 10);
    }

    function test_state_abstainCountsTowardQuorumButNotMajority() public {
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _setParametersCall(
            42
        );
        vm.prank(carol);
        uint256 id = governor.propose(targets, values, calldatas, "abstain");
        vm.roll(block.number + VOTING_DELAY + 1);
        vm.prank(alice);
        governor.castVote(id, ABSTAIN); // reaches quorum
        vm.prank(carol);
        governor.castVote(id, FOR);
        vm.prank(dave);
        governor.castVote(id, AGAINST);
        vm.roll(block.number + VOTING_PERIOD);

        (uint256 against, uint256 inFavour, uint256 abstain) = governor.proposalVotes(id);
        assertEq(against, 1_000 ether);
        assertEq(inFavour, 50_000 ether);
        assertEq(abstain, 600_000 ether);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Succeeded));
    }

    function test_state_defeatedIfAgainstWins() public {
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _setParametersCall(
            42
        );
        vm.prank(bob);
        uint256 id = governor.propose(targets, values, calldatas, "contested");
        vm.roll(block.number + VOTING_DELAY + 1);
        vm.prank(alice);
        governor.castVote(id, AGAINST);
        vm.prank(bob);
        governor.castVote(id, FOR);
        vm.roll(block.number + VOTING_PERIOD);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Defeated));
    }

    // --------------------------------------------------------------- lifecycle

    function test_propose_lifecycle_executesThroughTimelock() public {
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _setParametersCall(
            42
        );
        string memory description = "set the parameter to 42";
        bytes32 descriptionHash = keccak256(bytes(description));

        vm.prank(bob);
        uint256 id = governor.propose(targets, values, calldatas, description);
        assertEq(id, governor.hashProposal(targets, values, calldatas, descriptionHash));
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Pending));
        assertEq(governor.proposalSnapshot(id), block.number + VOTING_DELAY);
        assertEq(governor.proposalDeadline(id), block.number + VOTING_DELAY + VOTING_PERIOD);
        assertEq(governor.proposalProposer(id), bob);
        assertTrue(governor.proposalNeedsQueuing(id));

        vm.roll(block.number + VOTING_DELAY + 1);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Active));
        vm.prank(alice);
        governor.castVote(id, FOR);
        vm.prank(bob);
        governor.castVote(id, FOR);
        assertTrue(governor.hasVoted(id, alice));
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorAlreadyCastVote.selector, alice));
        vm.prank(alice);
        governor.castVote(id, AGAINST);

        vm.roll(block.number + VOTING_PERIOD);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Succeeded));

        governor.queue(targets, values, calldatas, descriptionHash);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Queued));
        assertEq(governor.proposalEta(id), block.timestamp + TIMELOCK_DELAY);

        // Not before the timelock's delay.
        bytes32 operationId = timelock.hashOperationBatch(
            targets,
            values,
            calldatas,
            0,
            _salt(descriptionHash)
        );
        assertTrue(timelock.isOperationPending(operationId));
        vm.warp(block.timestamp + TIMELOCK_DELAY - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                TimelockController.TimelockUnexpectedOperationState.selector,
                operationId,
                bytes32(1 << uint8(TimelockController.OperationState.Ready))
            )
        );
        governor.execute(targets, values, calldatas, descriptionHash);

        vm.warp(block.timestamp + 1);
        vm.expectEmit(address(target));
        emit MockParameterized.ParametersUpdated(10, 42, address(timelock));
        governor.execute(targets, values, calldatas, descriptionHash);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Executed));
        assertEq(target.value(), 42);
        assertTrue(timelock.isOperationDone(operationId));
    }

    function test_propose_revertsIfBelowThreshold() public {
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _setParametersCall(
            42
        );
        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorInsufficientProposerVotes.selector,
                dave,
                1_000 ether,
                PROPOSAL_THRESHOLD
            )
        );
        vm.prank(dave);
        governor.propose(targets, values, calldatas, "dave");
    }

    function test_cancel_byProposerWhilePending() public {
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _setParametersCall(
            42
        );
        vm.prank(bob);
        uint256 id = governor.propose(targets, values, calldatas, "withdrawn");
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorUnableToCancel.selector, id, alice));
        vm.prank(alice);
        governor.cancel(targets, values, calldatas, keccak256("withdrawn"));
        vm.prank(bob);
        governor.cancel(targets, values, calldatas, keccak256("withdrawn"));
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Canceled));
    }
}

/// @dev Voting power comes from delegated HealToken checkpoints at the snapshot.
contract HealGovernorVotingPowerTest is HealGovernorTestBase {
    // ---------------------------------------------------------- voting power

    function test_getVotes_isZeroWithoutDelegation() public {
        vm.prank(treasury);
        token.transfer(erin, 500_000 ether);
        vm.roll(block.number + 1);
        assertEq(token.balanceOf(erin), 500_000 ether);
        assertEq(governor.getVotes(erin, block.number - 1), 0, "balance alone is no voting power");

        vm.prank(erin);
        token.delegate(erin);
        vm.roll(block.number + 1);
        assertEq(governor.getVotes(erin, block.number - 1), 500_000 ether);
    }

    function test_castVote_weightIsCheckpointAtSnapshot() public {
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _setParametersCall(
            42
        );
        vm.prank(bob);
        uint256 id = governor.propose(targets, values, calldatas, "snapshot");
        vm.roll(block.number + VOTING_DELAY + 1); // past the snapshot

        // alice moves all her tokens to erin after the snapshot: erin gets no say, alice keeps hers.
        vm.prank(alice);
        token.transfer(erin, 600_000 ether);
        vm.prank(erin);
        token.delegate(erin);
        vm.roll(block.number + 1);

        uint256 snapshot = governor.proposalSnapshot(id);
        assertEq(governor.getVotes(alice, snapshot), 600_000 ether);
        assertEq(governor.getVotes(erin, snapshot), 0);
        assertEq(token.getVotes(erin), 600_000 ether, "erin's current votes do not count for this proposal");

        vm.prank(erin);
        governor.castVote(id, AGAINST);
        vm.prank(alice);
        governor.castVote(id, FOR);
        (uint256 against, uint256 inFavour, ) = governor.proposalVotes(id);
        assertEq(against, 0);
        assertEq(inFavour, 600_000 ether);
    }

    function test_castVote_delegateVotesForDelegators() public {
        // carol delegates to bob: bob votes with both balances, carol's own vote weighs nothing.
        vm.prank(carol);
        token.delegate(bob);
        vm.roll(block.number + 1);
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _setParametersCall(
            42
        );
        vm.prank(bob);
        uint256 id = governor.propose(targets, values, calldatas, "delegated");
        vm.roll(block.number + VOTING_DELAY + 1);
        vm.prank(bob);
        governor.castVote(id, FOR);
        vm.prank(carol);
        governor.castVote(id, AGAINST);
        (uint256 against, uint256 inFavour, ) = governor.proposalVotes(id);
        assertEq(inFavour, 350_000 ether);
        assertEq(against, 0);
    }

    function testFuzz_quorum_reachedExactlyAtFraction(uint256 votes) public {
        uint256 quorum = governor.quorum(block.number - 1);
        votes = bound(votes, PROPOSAL_THRESHOLD, 2 * quorum);
        _fundAndDelegate(erin, votes);
        vm.roll(block.number + 1);
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _setParametersCall(
            42
        );
        vm.prank(erin);
        uint256 id = governor.propose(targets, values, calldatas, "fuzz");
        vm.roll(block.number + VOTING_DELAY + 1);
        vm.prank(erin);
        governor.castVote(id, FOR);
        vm.roll(block.number + VOTING_PERIOD);
        IGovernor.ProposalState expected =
            votes >= quorum ? IGovernor.ProposalState.Succeeded : IGovernor.ProposalState.Defeated;
        assertEq(uint8(governor.state(id)), uint8(expected));
    }
}
