// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {GuardianCouncil} from "../../contracts/guardians/GuardianCouncil.sol";
import {IAuditLog} from "../../contracts/interfaces/IAuditLog.sol";
import {IGuardianCouncil} from "../../contracts/interfaces/IGuardianCouncil.sol";
import {IRecoveryManager} from "../../contracts/interfaces/IRecoveryManager.sol";
import {ISnapshotRegistry} from "../../contracts/interfaces/ISnapshotRegistry.sol";
import {GuardianCouncilDeployer, GuardianCouncilMocksDeployer} from "./handlers/GuardianCouncilDeployer.sol";
import {GuardianCouncilFixture} from "./handlers/GuardianCouncilFixture.sol";

/// Helpers shared by the unit tests (split over several contracts: each must stay under 24 KiB).
abstract contract GuardianCouncilUnitBase is GuardianCouncilFixture {
    IGuardianCouncil.ActionType internal constant PAUSE = IGuardianCouncil.ActionType.Pause;
    IGuardianCouncil.ActionType internal constant FORGIVE = IGuardianCouncil.ActionType.Forgive;
    IGuardianCouncil.ActionType internal constant CHANGE = IGuardianCouncil.ActionType.ChangeGuardians;

    function _expectWrongState(uint256 id, IGuardianCouncil.ProposalState state) internal {
        vm.expectRevert(
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilWrongState.selector, id, state)
        );
    }

    // ---------------------------------------------------------------- helpers

    function recovery_() internal view returns (IRecoveryManager) {
        return IRecoveryManager(address(recovery));
    }

    function snapshots_() internal view returns (ISnapshotRegistry) {
        return ISnapshotRegistry(address(snapshots));
    }

    function audit_() internal view returns (IAuditLog) {
        return IAuditLog(address(auditLog));
    }
}

/// initialize: state, events, and every revert.
contract GuardianCouncilTest is GuardianCouncilUnitBase {
    // ---------------------------------------------------------------- initialize

    function test_initialize_setsState() public view {
        assertEq(council.guardians(), gs);
        assertEq(council.threshold(), M);
        assertEq(council.guardianEpoch(), 1);
        assertEq(council.proposalCount(), 0);
        IGuardianCouncil.Delays memory d = council.delays();
        assertEq(d.operationalDelay, OPERATIONAL);
        assertEq(d.governanceDelay, GOVERNANCE);
        assertEq(d.proposalLifetime, LIFETIME);
        for (uint256 i = 0; i < N; ++i) assertTrue(council.isGuardian(gs[i]));
        assertFalse(council.isGuardian(stranger));
        (address r, address s, address a) = _deps();
        assertEq(r, address(recovery));
        assertEq(s, address(snapshots));
        assertEq(a, address(auditLog));
    }

    function _deps() internal view returns (address, address, address) {
        (IRecoveryManager r, ISnapshotRegistry s, IAuditLog a) = council.dependencies();
        return (address(r), address(s), address(a));
    }

    function test_initialize_emitsSetAndDelays() public {
        GuardianCouncil impl = GuardianCouncilDeployer.implementation();
        vm.expectEmit(true, true, true, true);
        emit IGuardianCouncil.DelaysUpdated(_defaultDelays());
        vm.expectEmit(true, true, true, true);
        emit IGuardianCouncil.GuardianSetChanged(1, gs, M);
        GuardianCouncilMocksDeployer.proxy(address(impl), _initData(gs, M, _defaultDelays()));
    }

    function test_initialize_revertsIfCalledTwice() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        council.initialize(gs, M, _defaultDelays(), recovery_(), snapshots_(), audit_());
    }

    function test_initialize_revertsOnImplementation() public {
        GuardianCouncil impl = GuardianCouncilDeployer.implementation();
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        impl.initialize(gs, M, _defaultDelays(), recovery_(), snapshots_(), audit_());
    }

    function test_initialize_revertsIfDependencyHasNoCode() public {
        GuardianCouncil impl = GuardianCouncilDeployer.implementation();
        address original = address(recovery);
        vm.etch(original, "");
        vm.expectRevert(
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilZeroAddress.selector, bytes32("recovery"))
        );
        GuardianCouncilMocksDeployer.proxy(address(impl), _initData(gs, M, _defaultDelays()));
    }

    function test_initialize_revertsIfSnapshotsOrAuditMissing() public {
        GuardianCouncil impl = GuardianCouncilDeployer.implementation();
        vm.etch(address(snapshots), "");
        vm.expectRevert(
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilZeroAddress.selector, bytes32("snapshots"))
        );
        GuardianCouncilMocksDeployer.proxy(address(impl), _initData(gs, M, _defaultDelays()));
    }

    function test_initialize_revertsIfAuditMissing() public {
        GuardianCouncil impl = GuardianCouncilDeployer.implementation();
        vm.etch(address(auditLog), "");
        vm.expectRevert(
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilZeroAddress.selector, bytes32("audit"))
        );
        GuardianCouncilMocksDeployer.proxy(address(impl), _initData(gs, M, _defaultDelays()));
    }

    function test_initialize_revertsIfGuardianSetInvalid() public {
        address[] memory none = new address[](0);
        _expectInitRevert(none, 1, _setError(0, 1));
        _expectInitRevert(gs, 0, _setError(N, 0));
        _expectInitRevert(gs, uint16(N + 1), _setError(N, N + 1));

        address[] memory dup = new address[](3);
        dup[0] = gs[0];
        dup[1] = gs[1];
        dup[2] = gs[0];
        _expectInitRevert(dup, 1, _setError(2, 1));

        address[] memory zero = new address[](2);
        zero[0] = gs[0];
        _expectInitRevert(zero, 1, _setError(1, 1));

        address[] memory tooMany = _makeGuardians("many", 33);
        _expectInitRevert(tooMany, 1, _setError(33, 1));
    }

    function testFuzz_initialize_acceptsOnlyValidSizes(uint256 n, uint256 m) public {
        n = bound(n, 0, 40);
        m = bound(m, 0, 45);
        address[] memory list = _makeGuardians("fuzz", n);
        bool valid = n >= 1 && n <= 32 && m >= 1 && m <= n;
        if (!valid) {
            _expectInitRevert(list, uint16(m), _setError(n, m));
            return;
        }
        GuardianCouncil c = _deployCouncil(list, uint16(m), _defaultDelays());
        assertEq(c.guardians().length, n);
        assertEq(c.threshold(), m);
    }

    function test_initialize_revertsIfDelaysOutOfBounds() public {
        _expectDelaysRevert(
            IGuardianCouncil.Delays(1 hours - 1, GOVERNANCE, LIFETIME),
            "operationalDelay",
            1 hours - 1,
            1 hours,
            2 days
        );
        _expectDelaysRevert(
            IGuardianCouncil.Delays(2 days + 1, GOVERNANCE, LIFETIME),
            "operationalDelay",
            2 days + 1,
            1 hours,
            2 days
        );
        _expectDelaysRevert(
            IGuardianCouncil.Delays(OPERATIONAL, 1 days - 1, LIFETIME),
            "governanceDelay",
            1 days - 1,
            1 days,
            30 days
        );
        _expectDelaysRevert(
            IGuardianCouncil.Delays(OPERATIONAL, 30 days + 1, LIFETIME),
            "governanceDelay",
            30 days + 1,
            1 days,
            30 days
        );
        _expectDelaysRevert(
            IGuardianCouncil.Delays(OPERATIONAL, GOVERNANCE, 30 days + 1),
            "proposalLifetime",
            30 days + 1,
            3 days,
            30 days
        );
        // The lifetime must leave a day to collect approvals before a governance proposal's delay.
        _expectDelaysRevert(
            IGuardianCouncil.Delays(OPERATIONAL, GOVERNANCE, 3 days - 1),
            "proposalLifetime",
            3 days - 1,
            3 days,
            30 days
        );
    }

    function _expectDelaysRevert(
        IGuardianCouncil.Delays memory d,
        bytes32 name,
        uint256 value,
        uint256 min,
        uint256 max
    ) internal {
        GuardianCouncil impl = GuardianCouncilDeployer.implementation();
        vm.expectRevert(
            abi.encodeWithSelector(
                IGuardianCouncil.GuardianCouncilInvalidParameter.selector,
                name,
                value,
                min,
                max
            )
        );
        GuardianCouncilMocksDeployer.proxy(address(impl), _initData(gs, M, d));
    }

    function _setError(uint256 n, uint256 m) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilInvalidGuardianSet.selector, n, m);
    }

    function _expectInitRevert(address[] memory list, uint16 m, bytes memory err) internal {
        GuardianCouncil impl = GuardianCouncilDeployer.implementation();
        vm.expectRevert(err);
        GuardianCouncilMocksDeployer.proxy(address(impl), _initData(list, m, _defaultDelays()));
    }
}

/// propose: recording, events, audit entries, data validation.
contract GuardianCouncilProposeTest is GuardianCouncilUnitBase {
    // ---------------------------------------------------------------- propose

    function test_propose_recordsProposalAndProposerApproval() public {
        vm.warp(1_000_000);
        bytes memory data = abi.encode(validator, uint256(42));
        uint256 id = _propose(gs[2], IGuardianCouncil.ActionType.Resync, data);
        assertEq(id, 1);
        assertEq(council.proposalCount(), 1);
        IGuardianCouncil.Proposal memory p = council.proposal(id);
        assertEq(uint8(p.actionType), uint8(IGuardianCouncil.ActionType.Resync));
        assertEq(p.data, data);
        assertEq(p.proposer, gs[2]);
        assertEq(p.guardianEpoch, 1);
        assertEq(p.approvals, 1);
        assertEq(p.proposedAt, 1_000_000);
        assertEq(p.queuedAt, 0);
        assertEq(p.expiresAt, 1_000_000 + LIFETIME);
        assertFalse(p.executed);
        assertFalse(p.vetoed);
        assertTrue(council.hasApproved(id, gs[2]));
        assertFalse(council.hasApproved(id, gs[0]));
        assertEq(uint8(council.stateOf(id)), uint8(IGuardianCouncil.ProposalState.Collecting));
        assertEq(council.executableAt(id), 0);
        assertEq(_propose(gs[0], FORGIVE, abi.encode(uint256(7))), 2, "ids count up");
    }

    function test_propose_emitsEventsAndAppendsAudit() public {
        bytes memory data = abi.encode(validator);
        IGuardianCouncil.ActionType t = IGuardianCouncil.ActionType.ForceReplace;
        bytes32 actionHash = _actionHash(t, data);
        bytes32 head = _foldAudit(0, 0, keccak256("GUARDIAN_PROPOSED"), gs[1], validator, 1, actionHash);
        head = _foldAudit(head, 1, keccak256("GUARDIAN_APPROVED"), gs[1], validator, 1, actionHash);

        vm.expectEmit(true, true, true, true, address(council));
        emit IGuardianCouncil.ProposalCreated(1, t, gs[1], data);
        vm.expectEmit(true, true, true, true, address(council));
        emit IGuardianCouncil.ProposalApproved(1, gs[1], 1);
        _propose(gs[1], t, data);

        assertEq(auditLog.auditLength(), 2);
        assertEq(auditLog.auditHead(), head);
    }

    function test_propose_revertsIfNotGuardian() public {
        vm.expectRevert(
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilNotGuardian.selector, stranger)
        );
        vm.prank(stranger);
        council.propose(FORGIVE, abi.encode(uint256(1)));
    }

    function test_propose_revertsIfAuditRoleMissing() public {
        bytes32 role = auditLog.APPENDER_ROLE();
        vm.prank(admin);
        auditLog.revokeRole(role, address(council));
        vm.expectRevert();
        vm.prank(gs[0]);
        council.propose(FORGIVE, abi.encode(uint256(1)));
        assertEq(council.proposalCount(), 0);
    }

    function test_propose_withThresholdOneQueuesEmergencyAsReadyWithoutExecuting() public {
        address[] memory one = new address[](1);
        one[0] = gs[0];
        GuardianCouncil c = _deployCouncil(one, 1, _defaultDelays());
        bytes32 role = auditLog.APPENDER_ROLE();
        vm.prank(admin);
        auditLog.grantRole(role, address(c));
        vm.expectEmit(true, true, true, true, address(c));
        emit IGuardianCouncil.ProposalQueued(1, block.timestamp);
        vm.prank(gs[0]);
        uint256 id = c.propose(PAUSE, _pauseData(1 hours));
        assertEq(uint8(c.stateOf(id)), uint8(IGuardianCouncil.ProposalState.Ready));
        assertEq(recovery.callCount(), 0, "not auto-executed");
    }

    function test_propose_revertsIfDataInvalid() public {
        _expectInvalid(PAUSE, abi.encode(uint64(0)));
        _expectInvalid(PAUSE, abi.encode(uint256(type(uint64).max) + 1));
        _expectInvalid(PAUSE, abi.encode(uint64(1), uint64(1)));
        _expectInvalid(IGuardianCouncil.ActionType.Unpause, abi.encode(uint256(1)));
        _expectInvalid(IGuardianCouncil.ActionType.Resync, abi.encode(address(0), uint256(1)));
        _expectInvalid(IGuardianCouncil.ActionType.Resync, abi.encode(validator));
        _expectInvalid(IGuardianCouncil.ActionType.Reprovision, abi.encode(validator, "not-a-cid"));
        _expectInvalid(IGuardianCouncil.ActionType.Reprovision, abi.encode(address(0), "QmX"));
        _expectInvalid(IGuardianCouncil.ActionType.Reprovision, abi.encode(validator, ""));
        _expectInvalid(
            IGuardianCouncil.ActionType.Reprovision,
            abi.encodePacked(abi.encode(validator, "QmX"), uint256(0))
        );
        _expectInvalid(FORGIVE, "");
        _expectInvalid(IGuardianCouncil.ActionType.ForceReplace, abi.encode(uint256(type(uint160).max) + 1));
        _expectInvalid(IGuardianCouncil.ActionType.ApproveKeyRotation, abi.encode(validator, address(0)));
        _expectInvalid(IGuardianCouncil.ActionType.AttestSnapshot, abi.encode(uint256(1), uint256(2)));
        // UpdateParameters: zero target, short call data, a self-call other than setDelays
        IGuardianCouncil.ActionType up = IGuardianCouncil.ActionType.UpdateParameters;
        _expectInvalid(up, abi.encode(address(0), abi.encodeWithSelector(0x12345678)));
        _expectInvalid(up, abi.encode(validator, hex"1234"));
        _expectInvalid(up, abi.encode(address(council), abi.encodeCall(IGuardianCouncil.veto, (1))));
        _expectInvalid(
            up,
            abi.encode(address(council), abi.encodeCall(IGuardianCouncil.changeGuardians, (gs, gs, 1)))
        );
        // ChangeGuardians: zero threshold, zero address, too many, non-canonical
        address[] memory none = new address[](0);
        address[] memory zero = new address[](1);
        _expectInvalid(CHANGE, abi.encode(gs, none, uint16(0)));
        _expectInvalid(CHANGE, abi.encode(zero, none, uint16(1)));
        _expectInvalid(CHANGE, abi.encode(_makeGuardians("x", 33), none, uint16(1)));
        _expectInvalid(CHANGE, abi.encodePacked(abi.encode(gs, none, uint16(1)), uint256(0)));
        _expectInvalid(CHANGE, abi.encode(uint256(1)));
    }

    function test_propose_revertsIfDelaysInvalidForSelfUpdate() public {
        bytes memory call_ = abi.encodeCall(
            IGuardianCouncil.setDelays,
            (IGuardianCouncil.Delays(1, GOVERNANCE, LIFETIME))
        );
        vm.expectRevert(
            abi.encodeWithSelector(
                IGuardianCouncil.GuardianCouncilInvalidParameter.selector,
                bytes32("operationalDelay"),
                1,
                1 hours,
                2 days
            )
        );
        vm.prank(gs[0]);
        council.propose(IGuardianCouncil.ActionType.UpdateParameters, abi.encode(address(council), call_));
    }

    function _expectInvalid(IGuardianCouncil.ActionType t, bytes memory data) internal {
        vm.expectRevert(abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilInvalidAction.selector, t));
        vm.prank(gs[0]);
        council.propose(t, data);
    }
}

/// approve and veto.
contract GuardianCouncilApproveTest is GuardianCouncilUnitBase {
    // ---------------------------------------------------------------- approve

    function test_approve_countsAndAppendsAudit() public {
        uint256 id = _propose(gs[0], FORGIVE, abi.encode(uint256(9)));
        bytes32 head = auditLog.auditHead();
        bytes32 expected = _foldAudit(
            head,
            2,
            keccak256("GUARDIAN_APPROVED"),
            gs[3],
            address(0),
            id,
            _actionHash(FORGIVE, abi.encode(uint256(9)))
        );
        vm.expectEmit(true, true, true, true, address(council));
        emit IGuardianCouncil.ProposalApproved(id, gs[3], 2);
        vm.prank(gs[3]);
        council.approve(id);
        assertTrue(council.hasApproved(id, gs[3]));
        assertEq(council.proposal(id).approvals, 2);
        assertEq(auditLog.auditHead(), expected);
        assertEq(uint8(council.stateOf(id)), uint8(IGuardianCouncil.ProposalState.Collecting));
    }

    function test_approve_queuesAtThresholdWithTierDelay() public {
        vm.warp(5_000);
        uint256 op = _propose(gs[0], FORGIVE, abi.encode(uint256(9)));
        vm.prank(gs[1]);
        council.approve(op);
        vm.expectEmit(true, true, true, true, address(council));
        emit IGuardianCouncil.ProposalQueued(op, 5_000 + OPERATIONAL);
        vm.prank(gs[2]);
        council.approve(op);
        assertEq(council.proposal(op).queuedAt, 5_000);
        assertEq(council.executableAt(op), 5_000 + OPERATIONAL);
        assertEq(uint8(council.stateOf(op)), uint8(IGuardianCouncil.ProposalState.Queued));

        uint256 gov = _queued(CHANGE, abi.encode(new address[](0), new address[](0), uint16(2)));
        assertEq(council.executableAt(gov), 5_000 + GOVERNANCE);
        uint256 em = _queued(PAUSE, _pauseData(1 hours));
        assertEq(council.executableAt(em), 5_000);
        assertEq(uint8(council.stateOf(em)), uint8(IGuardianCouncil.ProposalState.Ready));
    }

    function test_approve_revertsIfNotGuardian() public {
        uint256 id = _propose(gs[0], FORGIVE, abi.encode(uint256(1)));
        vm.expectRevert(
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilNotGuardian.selector, stranger)
        );
        vm.prank(stranger);
        council.approve(id);
    }

    function test_approve_revertsIfUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilUnknownProposal.selector, 0));
        vm.prank(gs[0]);
        council.approve(0);
        vm.expectRevert(abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilUnknownProposal.selector, 1));
        vm.prank(gs[0]);
        council.approve(1);
    }

    function test_approve_revertsIfAlreadyApproved() public {
        uint256 id = _propose(gs[0], FORGIVE, abi.encode(uint256(1)));
        vm.expectRevert(
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilAlreadyApproved.selector, id, gs[0])
        );
        vm.prank(gs[0]);
        council.approve(id);
    }

    function test_approve_revertsIfQueued() public {
        uint256 id = _queued(FORGIVE, abi.encode(uint256(1)));
        _expectWrongState(id, IGuardianCouncil.ProposalState.Queued);
        vm.prank(gs[4]);
        council.approve(id);
    }

    function test_approve_revertsIfExpiredByTime() public {
        vm.warp(100);
        uint256 id = _propose(gs[0], FORGIVE, abi.encode(uint256(1)));
        vm.warp(100 + LIFETIME);
        vm.prank(gs[1]);
        council.approve(id);
        vm.warp(101 + LIFETIME);
        _expectWrongState(id, IGuardianCouncil.ProposalState.Expired);
        vm.prank(gs[2]);
        council.approve(id);
    }

    function test_approve_revertsIfGuardianSetChanged() public {
        uint256 id = _propose(gs[0], FORGIVE, abi.encode(uint256(1)));
        vm.prank(gs[1]);
        council.approve(id);
        _changeGuardians(new address[](0), new address[](0), 2);
        assertEq(uint8(council.stateOf(id)), uint8(IGuardianCouncil.ProposalState.Expired));
        assertFalse(
            council.hasApproved(id, gs[1]) && council.guardianEpoch() == council.proposal(id).guardianEpoch
        );
        _expectWrongState(id, IGuardianCouncil.ProposalState.Expired);
        vm.prank(gs[2]);
        council.approve(id);
    }

    // ---------------------------------------------------------------- veto

    function test_veto_vetoesQueuedProposal() public {
        bytes memory data = abi.encode(uint256(3));
        uint256 id = _queued(FORGIVE, data);
        bytes32 expected = _foldAudit(
            auditLog.auditHead(),
            auditLog.auditLength(),
            keccak256("GUARDIAN_VETOED"),
            gs[4],
            address(0),
            id,
            _actionHash(FORGIVE, data)
        );
        vm.expectEmit(true, true, true, true, address(council));
        emit IGuardianCouncil.ProposalVetoed(id, gs[4]);
        vm.prank(gs[4]);
        council.veto(id);
        assertEq(uint8(council.stateOf(id)), uint8(IGuardianCouncil.ProposalState.Vetoed));
        assertTrue(council.proposal(id).vetoed);
        assertEq(auditLog.auditHead(), expected);

        vm.warp(council.executableAt(id));
        _expectWrongState(id, IGuardianCouncil.ProposalState.Vetoed);
        council.execute(id);
    }

    function test_veto_revertsIfNotGuardian() public {
        uint256 id = _queued(FORGIVE, abi.encode(uint256(3)));
        vm.expectRevert(
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilNotGuardian.selector, stranger)
        );
        vm.prank(stranger);
        council.veto(id);
    }

    function test_veto_revertsOutsideQueued() public {
        uint256 collecting = _propose(gs[0], FORGIVE, abi.encode(uint256(3)));
        _expectWrongState(collecting, IGuardianCouncil.ProposalState.Collecting);
        vm.prank(gs[1]);
        council.veto(collecting);

        uint256 emergency = _queued(PAUSE, _pauseData(1 hours));
        _expectWrongState(emergency, IGuardianCouncil.ProposalState.Ready);
        vm.prank(gs[1]);
        council.veto(emergency);

        uint256 ready = _ready(FORGIVE, abi.encode(uint256(4)));
        _expectWrongState(ready, IGuardianCouncil.ProposalState.Ready);
        vm.prank(gs[1]);
        council.veto(ready);

        vm.expectRevert(abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilUnknownProposal.selector, 99));
        vm.prank(gs[1]);
        council.veto(99);
    }
}

/// Derived states and views.
contract GuardianCouncilViewsTest is GuardianCouncilUnitBase {
    // ---------------------------------------------------------------- states and views

    function test_stateOf_followsTheLifecycle() public {
        vm.warp(10_000);
        assertEq(uint8(council.stateOf(1)), uint8(IGuardianCouncil.ProposalState.Unknown));
        uint256 id = _queued(FORGIVE, abi.encode(uint256(3)));
        assertEq(uint8(council.stateOf(id)), uint8(IGuardianCouncil.ProposalState.Queued));
        vm.warp(10_000 + OPERATIONAL - 1);
        assertEq(uint8(council.stateOf(id)), uint8(IGuardianCouncil.ProposalState.Queued));
        vm.warp(10_000 + OPERATIONAL);
        assertEq(uint8(council.stateOf(id)), uint8(IGuardianCouncil.ProposalState.Ready));
        vm.warp(10_000 + LIFETIME);
        assertEq(uint8(council.stateOf(id)), uint8(IGuardianCouncil.ProposalState.Ready));
        vm.warp(10_000 + LIFETIME + 1);
        assertEq(uint8(council.stateOf(id)), uint8(IGuardianCouncil.ProposalState.Expired));
        _expectWrongState(id, IGuardianCouncil.ProposalState.Expired);
        council.execute(id);
    }

    function test_tierOf_mapsEveryActionType() public view {
        uint8[11] memory expected = [0, 0, 1, 1, 1, 1, 1, 2, 2, 1, 0];
        for (uint8 t = 0; t < 11; ++t) {
            assertEq(uint8(council.tierOf(IGuardianCouncil.ActionType(t))), expected[t]);
        }
    }

    function test_proposal_revertsIfUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilUnknownProposal.selector, 1));
        council.proposal(1);
        vm.expectRevert(abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilUnknownProposal.selector, 1));
        council.approvalDigest(1);
    }

    function test_approvalDigest_matchesEip712() public {
        bytes memory data = abi.encode(uint256(3));
        uint256 id = _propose(gs[0], FORGIVE, data);
        assertEq(council.approvalDigest(id), _digest(id, _actionHash(FORGIVE, data), 1));
        assertEq(council.APPROVAL_TYPEHASH(), APPROVAL_TYPEHASH);
    }
}
