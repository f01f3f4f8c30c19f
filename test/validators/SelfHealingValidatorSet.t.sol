// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {IValidatorSet} from "../../contracts/interfaces/IValidatorSet.sol";
import {INodeHealth} from "../../contracts/interfaces/INodeHealth.sol";
import {IStakeManager} from "../../contracts/interfaces/IStakeManager.sol";
import {MockStakeManager} from "../../contracts/mocks/MockStakeManager.sol";
import {SelfHealingValidatorSet} from "../../contracts/validators/SelfHealingValidatorSet.sol";
import {SetFixture} from "./handlers/SetFixture.sol";

contract SelfHealingValidatorSetTest is SetFixture {
    address[] internal v; // v0..v4 active (stakes 1000..996), v5, v6 backups (995, 994)

    function setUp() public {
        IValidatorSet.Parameters memory p = _defaultParams();
        p.maxActive = 5;
        p.minActive = 3;
        _deploy(p);
        v = _fill(7);
    }

    /// @dev Warps past v0's overdue point, keeping everyone else live.
    function _makeOverdue(address who) internal {
        vm.warp(block.timestamp + 61);
        vm.roll(block.number + 5);
        _beatAll();
        health.setHeartbeat(who, uint64(T0), HEIGHT);
    }

    // ---------------------------------------------------------------- initialize

    function test_initialize_setsState() public view {
        assertTrue(set.hasRole(set.DEFAULT_ADMIN_ROLE(), admin));
        assertEq(address(set.stakeManager()), address(stake));
        assertEq(address(set.nodeHealth()), address(health));
        assertEq(set.parameters().maxActive, 5);
        assertEq(set.MAX_ACTIVE_CAP(), 128);
        assertEq(set.MAX_PARK_PER_PROMOTION(), 8);
        assertEq(set.MAX_PAUSE_DURATION(), 7 days);
    }

    function test_initialize_revertsIfCalledTwice() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        set.initialize(admin, IStakeManager(address(stake)), INodeHealth(address(health)), _defaultParams());
    }

    function test_initialize_revertsOnImplementation() public {
        SelfHealingValidatorSet impl = new SelfHealingValidatorSet();
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        impl.initialize(admin, IStakeManager(address(stake)), INodeHealth(address(health)), _defaultParams());
    }

    function test_initialize_revertsIfZeroAddress() public {
        SelfHealingValidatorSet impl = new SelfHealingValidatorSet();
        // The implementation refuses any initialization; check the zero-address path through a fresh proxy.
        vm.expectRevert(
            abi.encodeWithSelector(IValidatorSet.ValidatorSetZeroAddress.selector, bytes32("admin"))
        );
        _proxy(address(impl), address(0), _defaultParams());
    }

    function test_initialize_revertsIfInvalidParameter() public {
        SelfHealingValidatorSet impl = new SelfHealingValidatorSet();
        IValidatorSet.Parameters memory p = _defaultParams();
        p.maxActive = 129;
        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorSet.ValidatorSetInvalidParameter.selector,
                bytes32("maxActive"),
                129,
                4,
                128
            )
        );
        _proxy(address(impl), admin, p);
    }

    function _proxy(address impl, address admin_, IValidatorSet.Parameters memory p) internal {
        bytes memory init = abi.encodeCall(
            SelfHealingValidatorSet.initialize,
            (admin_, IStakeManager(address(stake)), INodeHealth(address(health)), p)
        );
        new ERC1967Proxy(impl, init);
    }

    // ---------------------------------------------------------------- registerCandidate

    function test_registerCandidate_entersHeapAndRegistersSigner() public {
        address c = makeAddr("c");
        address signer = makeAddr("c-signer");
        stake.setBondedSilently(c, 2_000 ether);
        vm.expectEmit(address(set));
        emit IValidatorSet.CandidateRegistered(c, signer, 2_000 ether);
        vm.prank(c);
        set.registerCandidate(signer);
        assertEq(uint8(set.statusOf(c)), uint8(IValidatorSet.Status.Backup));
        assertEq(set.backupValidators(0, 1)[0], c, "highest stake on top");
        assertEq(health.validatorOfSigner(signer), c);
    }

    function test_registerCandidate_revertsIfBelowMinStake() public {
        address c = makeAddr("c");
        stake.setBondedSilently(c, 99 ether);
        vm.expectRevert(
            abi.encodeWithSelector(IValidatorSet.ValidatorSetBelowMinStake.selector, c, 99 ether, 100 ether)
        );
        vm.prank(c);
        set.registerCandidate(makeAddr("s"));
    }

    function test_registerCandidate_revertsIfAlreadyRegistered() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorSet.ValidatorSetCannotRegister.selector,
                v[5],
                IValidatorSet.Status.Backup
            )
        );
        vm.prank(v[5]);
        set.registerCandidate(makeAddr("s"));
    }

    function test_registerCandidate_revertsIfJailed() public {
        address c = makeAddr("c");
        stake.setBondedSilently(c, 200 ether);
        stake.jail(c, uint64(block.timestamp + 100));
        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorSet.ValidatorSetCannotRegister.selector,
                c,
                IValidatorSet.Status.None
            )
        );
        vm.prank(c);
        set.registerCandidate(makeAddr("s"));
    }

    function test_registerCandidate_exitedKeepsSigner() public {
        (address signer, ) = health.signerOf(v[6]);
        vm.prank(v[6]);
        set.exit();
        vm.expectEmit(address(set));
        emit IValidatorSet.CandidateRegistered(v[6], signer, 994 ether);
        vm.prank(v[6]);
        set.registerCandidate(makeAddr("ignored"));
        assertEq(uint8(set.statusOf(v[6])), uint8(IValidatorSet.Status.Backup));
        (address after_, ) = health.signerOf(v[6]);
        assertEq(after_, signer);
    }

    // ---------------------------------------------------------------- fillVacancies

    function test_fillVacancies_promotesByStakeUpToMaxActive() public view {
        assertEq(set.activeCount(), 5);
        assertEq(set.backupCount(), 2);
        for (uint256 i = 0; i < 5; ++i) {
            assertTrue(set.isActive(v[i]));
            assertTrue(health.isTracked(v[i]));
            assertEq(set.overdueAt(v[i]), T0 + 60);
        }
        assertFalse(set.isActive(v[5]));
    }

    function test_fillVacancies_parksUnreadyBackups() public {
        vm.prank(v[0]);
        set.exit(); // v5 promoted
        vm.prank(v[1]);
        set.exit(); // v6 promoted
        address a = _candidate("a", 500 ether);
        address b = _candidate("b", 400 ether);
        health.setBestHeight(HEIGHT + 100); // a and b lag by 100 > maxHeightLag
        health.beat(b, HEIGHT + 60); // b within the lag
        vm.prank(v[2]);
        set.exit(); // a parked, b promoted
        assertEq(uint8(set.statusOf(a)), uint8(IValidatorSet.Status.Parked));
        assertTrue(set.isActive(b));
    }

    function test_fillVacancies_revertsIfZeroLimit() public {
        vm.expectRevert(IValidatorSet.ValidatorSetZeroLimit.selector);
        set.fillVacancies(0);
    }

    function test_fillVacancies_stopsWhenNoReadyBackup() public {
        IValidatorSet.Parameters memory p = set.parameters();
        p.maxActive = 10;
        vm.prank(admin);
        set.setParameters(p);
        health.setLivenessOverride(v[5], INodeHealth.Liveness.Late);
        assertEq(set.fillVacancies(10), 1, "only v6 is ready");
        assertEq(uint8(set.statusOf(v[5])), uint8(IValidatorSet.Status.Parked));
    }

    // ---------------------------------------------------------------- checkHeartbeat

    function test_checkHeartbeat_jailsSlashesAndPromotesBestBackup() public {
        _makeOverdue(v[0]);
        vm.expectEmit(address(set));
        emit IValidatorSet.IncidentOpened(
            1,
            v[0],
            IValidatorSet.IncidentKind.Downtime,
            keeper,
            T0 + 30,
            block.timestamp
        );
        vm.expectEmit(address(set));
        emit IValidatorSet.ValidatorReplaced(v[0], v[5], keeper, IValidatorSet.IncidentKind.Downtime, 1);
        vm.prank(keeper);
        uint256 id = set.checkHeartbeat(v[0]);
        assertEq(id, 1);
        IValidatorSet.Incident memory inc = set.incident(1);
        assertEq(uint8(inc.slashState), uint8(IValidatorSet.SlashState.Pending));
        assertEq(inc.slashBps, 100);
        assertEq(inc.replacement, v[5]);
        assertEq(inc.detectedBlock, block.number);
        assertEq(inc.lastReportedHeight, HEIGHT);
        assertEq(inc.signerEpoch, 1, "epoch read before fencing");
        assertEq(uint8(set.statusOf(v[0])), uint8(IValidatorSet.Status.Jailed));
        assertTrue(stake.isJailed(v[0]));
        assertEq(stake.jailedUntil(v[0]), block.timestamp + 600);
        assertEq(health.fenceCount(v[0]), 1);
        assertFalse(health.isTracked(v[0]));
        assertTrue(set.isActive(v[5]) && health.isTracked(v[5]));
        assertEq(set.activeCount(), 5);
        assertEq(stake.slashCount(), 0, "slash is pending, not executed");
    }

    function test_checkHeartbeat_revertsIfCalledTwice() public {
        _makeOverdue(v[0]);
        set.checkHeartbeat(v[0]);
        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorSet.ValidatorSetNotActive.selector,
                v[0],
                IValidatorSet.Status.Jailed
            )
        );
        set.checkHeartbeat(v[0]);
    }

    function test_checkHeartbeat_revertsIfNotOverdue() public {
        vm.warp(block.timestamp + 60);
        vm.expectRevert(
            abi.encodeWithSelector(IValidatorSet.ValidatorSetNotOverdue.selector, v[0], T0, T0 + 60)
        );
        set.checkHeartbeat(v[0]);
    }

    function test_checkHeartbeat_revertsIfPaused() public {
        vm.prank(admin);
        set.pauseSlashing(uint64(block.timestamp + 1 hours));
        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorSet.ValidatorSetSlashingPaused.selector,
                block.timestamp + 1 hours
            )
        );
        set.checkHeartbeat(v[0]);
    }

    function test_checkHeartbeat_correlatedOutageTouchesNobody() public {
        vm.warp(block.timestamp + 61);
        health.beat(v[2], HEIGHT);
        health.beat(v[3], HEIGHT);
        health.beat(v[4], HEIGHT); // v0, v1 silent: 2/5 = 40% > 33%
        vm.expectEmit(address(set));
        emit IValidatorSet.SetDegraded(2, 5, true);
        assertEq(set.checkHeartbeat(v[0]), 0);
        assertEq(set.degradedSince(), block.timestamp);
        assertTrue(set.isActive(v[0]));
        assertEq(set.incidentCount(), 0);
        // Second call: no second SetDegraded, still nothing touched.
        vm.recordLogs();
        assertEq(set.checkHeartbeat(v[1]), 0);
        assertEq(vm.getRecordedLogs().length, 0);
    }

    function test_checkHeartbeat_recoversWhenOutageUncorrelated() public {
        vm.warp(block.timestamp + 61);
        health.beat(v[2], HEIGHT);
        health.beat(v[3], HEIGHT);
        health.beat(v[4], HEIGHT);
        set.checkHeartbeat(v[0]);
        uint256 since = block.timestamp;
        vm.warp(block.timestamp + 10);
        _beatAll();
        health.setHeartbeat(v[0], uint64(T0), HEIGHT);
        vm.expectEmit(address(set));
        emit IValidatorSet.SetRecovered(block.timestamp - since);
        assertEq(set.checkHeartbeat(v[0]), 1);
        assertEq(set.degradedSince(), 0);
    }

    function test_checkHeartbeat_degradesAtFloorWithoutReadyBackup() public {
        IValidatorSet.Parameters memory p = set.parameters();
        p.minActive = 5;
        vm.prank(admin);
        set.setParameters(p);
        _makeOverdue(v[0]);
        health.setLivenessOverride(v[5], INodeHealth.Liveness.Late);
        health.setLivenessOverride(v[6], INodeHealth.Liveness.Late);
        vm.expectEmit(address(set));
        emit IValidatorSet.SetDegraded(1, 5, false);
        assertEq(set.checkHeartbeat(v[0]), 0);
        assertTrue(set.isActive(v[0]));
        assertEq(set.activeCount(), 5);
    }

    function test_checkHeartbeat_shrinksAboveFloorWithoutBackup() public {
        _makeOverdue(v[0]);
        health.setLivenessOverride(v[5], INodeHealth.Liveness.Late);
        health.setLivenessOverride(v[6], INodeHealth.Liveness.Late);
        assertEq(set.checkHeartbeat(v[0]), 1);
        assertEq(set.activeCount(), 4);
        assertEq(set.incident(1).replacement, address(0));
    }

    function test_checkHeartbeat_stallRequestsRemediationThenEscalates() public {
        vm.warp(block.timestamp + 10);
        _beatAll();
        health.setStalled(v[1], true);
        vm.expectEmit(address(set));
        emit IValidatorSet.RemediationRequested(
            1,
            v[1],
            IValidatorSet.IncidentKind.Stall,
            block.timestamp + 600
        );
        assertEq(set.checkHeartbeat(v[1]), 1);
        assertEq(set.openRemediationOf(v[1]), 1);
        assertEq(uint8(set.incident(1).slashState), uint8(IValidatorSet.SlashState.None));

        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorSet.ValidatorSetRemediationPending.selector,
                v[1],
                1,
                block.timestamp + 600
            )
        );
        set.checkHeartbeat(v[1]);

        for (uint256 i = 0; i < 20; ++i) {
            vm.warp(block.timestamp + 30);
            _beatAll();
        }
        assertEq(set.checkHeartbeat(v[1]), 1);
        assertEq(uint8(set.statusOf(v[1])), uint8(IValidatorSet.Status.Jailed));
        assertEq(set.incident(1).replacement, v[5]);
        assertEq(set.openRemediationOf(v[1]), 0);
        assertEq(stake.slashCount(), 0);
    }

    function test_checkHeartbeat_resolvesHealedRemediation() public {
        health.setStalled(v[1], true);
        set.checkHeartbeat(v[1]);
        health.setStalled(v[1], false);
        vm.expectEmit(address(set));
        emit IValidatorSet.RemediationResolved(1, v[1]);
        assertEq(set.checkHeartbeat(v[1]), 1);
        assertEq(set.openRemediationOf(v[1]), 0);
        assertEq(set.incident(1).resolvedAt, block.timestamp);
    }

    function test_checkHeartbeat_revertsIfNotActive() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorSet.ValidatorSetNotActive.selector,
                v[5],
                IValidatorSet.Status.Backup
            )
        );
        set.checkHeartbeat(v[5]);
    }

    // ---------------------------------------------------------------- executeSlash

    function _downtime() internal returns (uint256 id) {
        _makeOverdue(v[0]);
        vm.prank(keeper);
        id = set.checkHeartbeat(v[0]);
    }

    function test_executeSlash_slashesAfterWindowAndRewardsReporter() public {
        uint256 id = _downtime();
        vm.warp(block.timestamp + 1 days);
        vm.expectEmit(address(set));
        emit IValidatorSet.SlashExecuted(id, v[0], 10 ether, 1 ether);
        assertEq(set.executeSlash(id), 10 ether);
        MockStakeManager.SlashCall memory c = stake.slashAt(0);
        assertEq(c.validator, v[0]);
        assertEq(c.bps, 100);
        assertEq(c.faultAt, T0 + 30);
        assertEq(c.rewardRecipient, keeper);
        assertEq(c.rewardBps, 1_000);
        assertEq(c.rewardCap, 100e18);
        assertEq(c.incidentId, id);
        assertEq(uint8(set.incident(id).slashState), uint8(IValidatorSet.SlashState.Executed));
        assertEq(set.incident(id).resolvedAt, block.timestamp);
    }

    function test_executeSlash_revertsIfWindowOpen() public {
        uint256 id = _downtime();
        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorSet.ValidatorSetAppealWindowOpen.selector,
                id,
                block.timestamp + 1 days
            )
        );
        set.executeSlash(id);
    }

    function test_executeSlash_revertsIfTwice() public {
        uint256 id = _downtime();
        vm.warp(block.timestamp + 1 days);
        set.executeSlash(id);
        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorSet.ValidatorSetSlashNotPending.selector,
                id,
                IValidatorSet.SlashState.Executed
            )
        );
        set.executeSlash(id);
        assertEq(stake.slashCountOf(id), 1);
    }

    function test_executeSlash_revertsIfPaused() public {
        uint256 id = _downtime();
        vm.warp(block.timestamp + 1 days);
        vm.prank(admin);
        set.pauseSlashing(uint64(block.timestamp + 1));
        vm.expectRevert(
            abi.encodeWithSelector(IValidatorSet.ValidatorSetSlashingPaused.selector, block.timestamp + 1)
        );
        set.executeSlash(id);
    }

    function test_executeSlash_revertsIfUnknownIncident() public {
        vm.expectRevert(abi.encodeWithSelector(IValidatorSet.ValidatorSetUnknownIncident.selector, 7));
        set.executeSlash(7);
        vm.expectRevert(abi.encodeWithSelector(IValidatorSet.ValidatorSetUnknownIncident.selector, 0));
        set.incident(0);
    }

    function test_executeSlash_noRewardWhenReporterIsValidatorOrSigner() public {
        _makeOverdue(v[0]);
        (address signer, ) = health.signerOf(v[0]);
        vm.prank(signer);
        uint256 id = set.checkHeartbeat(v[0]);
        vm.warp(block.timestamp + 1 days);
        set.executeSlash(id);
        assertEq(stake.slashAt(0).rewardRecipient, address(0));
    }

    function test_executeSlash_revertsIfStallIncident() public {
        health.setStalled(v[1], true);
        uint256 id = set.checkHeartbeat(v[1]);
        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorSet.ValidatorSetSlashNotPending.selector,
                id,
                IValidatorSet.SlashState.None
            )
        );
        set.executeSlash(id);
    }

    // ---------------------------------------------------------------- appealSlash

    function _proof(uint256 id) internal returns (INodeHealth.SignedHeartbeat memory p) {
        IValidatorSet.Incident memory inc = set.incident(id);
        p.validator = inc.validator;
        p.signerEpoch = inc.signerEpoch;
        p.timestamp = inc.faultAt + 1;
        p.report.blockHeight = inc.detectedBlock - 1;
        p.report.blockHash = keccak256("block");
        vm.setBlockhash(p.report.blockHeight, p.report.blockHash);
        (address signer, ) = health.signerOf(inc.validator);
        health.setRecoveredSigner(p, signer);
    }

    function test_appealSlash_cancelsWithValidProof() public {
        uint256 id = _downtime();
        INodeHealth.SignedHeartbeat memory p = _proof(id);
        vm.expectEmit(address(set));
        emit IValidatorSet.SlashCancelled(id, v[0], keeper);
        vm.prank(keeper);
        set.appealSlash(id, p);
        assertEq(uint8(set.incident(id).slashState), uint8(IValidatorSet.SlashState.Cancelled));
        vm.warp(block.timestamp + 1 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorSet.ValidatorSetSlashNotPending.selector,
                id,
                IValidatorSet.SlashState.Cancelled
            )
        );
        set.executeSlash(id);
    }

    function _expectInvalid(
        uint256 id,
        INodeHealth.SignedHeartbeat memory p,
        bytes32 why,
        bool resign
    ) internal {
        if (resign) {
            (address signer, ) = health.signerOf(v[0]);
            health.setRecoveredSigner(p, signer);
        }
        vm.expectRevert(abi.encodeWithSelector(IValidatorSet.ValidatorSetInvalidAppeal.selector, id, why));
        set.appealSlash(id, p);
    }

    function test_appealSlash_revertsIfProofInvalid() public {
        _makeOverdue(v[0]);
        health.setHeartbeat(v[0], uint64(T0), uint64(B0)); // last reported height: block 1000
        uint256 id = set.checkHeartbeat(v[0]);
        INodeHealth.SignedHeartbeat memory p = _proof(id);
        INodeHealth.SignedHeartbeat memory q = p;

        q.report.peerCount = 1; // a different item: nobody signed it
        _expectInvalid(id, q, "bad-signer", false);
        q = _proof(id);
        health.setRecoveredSigner(q, makeAddr("stranger"));
        _expectInvalid(id, q, "bad-signer", false);

        q = _proof(id);
        q.validator = v[1];
        _expectInvalid(id, q, "wrong-validator", true);
        q = _proof(id);
        q.signerEpoch = 2;
        _expectInvalid(id, q, "wrong-epoch", true);
        q = _proof(id);
        q.timestamp = uint64(T0 + 29);
        _expectInvalid(id, q, "outside-window", true);
        q = _proof(id);
        q.timestamp = uint64(block.timestamp + 1);
        _expectInvalid(id, q, "outside-window", true);
        q = _proof(id);
        q.report.blockHash = keccak256("other");
        _expectInvalid(id, q, "unknown-block", true);
        q = _proof(id);
        q.report.blockHash = 0;
        _expectInvalid(id, q, "unknown-block", true);
        q = _proof(id);
        q.report.blockHeight = uint64(B0); // == lastReportedHeight
        vm.setBlockhash(B0, q.report.blockHash);
        _expectInvalid(id, q, "height-out-of-range", true);
    }

    function test_appealSlash_revertsIfWindowClosed() public {
        uint256 id = _downtime();
        INodeHealth.SignedHeartbeat memory p = _proof(id);
        uint256 closesAt = block.timestamp + 1 days;
        vm.warp(closesAt);
        vm.expectRevert(
            abi.encodeWithSelector(IValidatorSet.ValidatorSetAppealWindowClosed.selector, id, closesAt)
        );
        set.appealSlash(id, p);
    }

    // ---------------------------------------------------------------- reportDoubleSign

    function test_reportDoubleSign_slashesTombstonesAndReplaces() public {
        IValidatorSet.DoubleSignEvidence memory e = _doubleSign(v[2]);
        vm.prank(keeper);
        uint256 id = set.reportDoubleSign(e);
        IValidatorSet.Incident memory inc = set.incident(id);
        assertEq(uint8(inc.kind), uint8(IValidatorSet.IncidentKind.DoubleSign));
        assertEq(uint8(inc.slashState), uint8(IValidatorSet.SlashState.Executed));
        assertEq(inc.faultAt, 0);
        assertEq(inc.replacement, v[5]);
        MockStakeManager.SlashCall memory c = stake.slashAt(0);
        assertEq(c.bps, 500);
        assertEq(c.faultAt, 0);
        assertEq(c.rewardRecipient, keeper);
        assertTrue(stake.isTombstoned(v[2]));
        assertEq(uint8(set.statusOf(v[2])), uint8(IValidatorSet.Status.Tombstoned));
        assertFalse(set.isActive(v[2]));

        vm.expectRevert(abi.encodeWithSelector(IValidatorSet.ValidatorSetAlreadyTombstoned.selector, v[2]));
        set.reportDoubleSign(e);
    }

    function test_reportDoubleSign_backupLeavesHeap() public {
        set.reportDoubleSign(_doubleSign(v[5]));
        assertEq(set.backupCount(), 1);
        assertEq(uint8(set.statusOf(v[5])), uint8(IValidatorSet.Status.Tombstoned));
    }

    function test_reportDoubleSign_removesEvenAtFloor() public {
        IValidatorSet.Parameters memory p = set.parameters();
        p.minActive = 5;
        vm.prank(admin);
        set.setParameters(p);
        health.setLivenessOverride(v[5], INodeHealth.Liveness.Late);
        health.setLivenessOverride(v[6], INodeHealth.Liveness.Late);
        vm.expectEmit(address(set));
        emit IValidatorSet.SetDegraded(0, 5, false);
        set.reportDoubleSign(_doubleSign(v[0]));
        assertEq(set.activeCount(), 4);
        assertFalse(set.isActive(v[0]));
    }

    function test_reportDoubleSign_noRewardForValidator() public {
        IValidatorSet.DoubleSignEvidence memory e = _doubleSign(v[2]);
        vm.prank(v[2]);
        set.reportDoubleSign(e);
        assertEq(stake.slashAt(0).rewardRecipient, address(0));
    }

    function test_reportDoubleSign_revertsIfEvidenceInvalid() public {
        IValidatorSet.DoubleSignEvidence memory e = _doubleSign(v[0]);
        IValidatorSet.DoubleSignEvidence memory bad = e;
        bad.second.vs = bytes32(uint256(bad.second.vs) | (1 << 254)); // s too high
        bad.second.r = 0;
        _expectEvidence(bad, "malformed");

        bad = _doubleSign(v[0]);
        bad.second = _signVote(v[1], IValidatorSet.Vote(10, 0, keccak256("b"), 0, 0));
        _expectEvidence(bad, "different-signers");

        bad = _doubleSign(v[0]);
        bad.second = _signVote(v[0], IValidatorSet.Vote(11, 0, keccak256("b"), 0, 0));
        _expectEvidence(bad, "different-height-round");

        bad = _doubleSign(v[0]);
        bad.second = _signVote(v[0], IValidatorSet.Vote(10, 1, keccak256("b"), 0, 0));
        _expectEvidence(bad, "different-height-round");

        bad = _doubleSign(v[0]);
        bad.second = _signVote(v[0], IValidatorSet.Vote(10, 0, keccak256("a"), 0, 0));
        _expectEvidence(bad, "same-block-hash");

        (, uint256 strangerKey) = makeAddrAndKey("stranger");
        address stranger = makeAddr("stranger-validator");
        signerKeyOf[stranger] = strangerKey;
        _expectEvidence(_doubleSign(stranger), "unknown-signer");
    }

    function _expectEvidence(IValidatorSet.DoubleSignEvidence memory e, bytes32 why) internal {
        vm.expectRevert(abi.encodeWithSelector(IValidatorSet.ValidatorSetInvalidEvidence.selector, why));
        set.reportDoubleSign(e);
    }

    function test_reportDoubleSign_revertsIfPaused() public {
        vm.prank(admin);
        set.pauseSlashing(uint64(block.timestamp + 10));
        IValidatorSet.DoubleSignEvidence memory e = _doubleSign(v[0]);
        vm.expectRevert(
            abi.encodeWithSelector(IValidatorSet.ValidatorSetSlashingPaused.selector, block.timestamp + 10)
        );
        set.reportDoubleSign(e);
    }

    // ---------------------------------------------------------------- evaluateAndRotate

    function test_evaluateAndRotate_rotatesLowUptimeWhenBackupReady() public {
        vm.warp(block.timestamp + 100 * 60); // past the settling window
        _beatAll();
        health.setUptime(v[3], 4_999);
        (uint256 checked, uint256 rotated) = set.evaluateAndRotate(5);
        assertEq(checked, 5);
        assertEq(rotated, 1);
        assertEq(uint8(set.statusOf(v[3])), uint8(IValidatorSet.Status.Jailed));
        assertEq(uint8(set.incident(1).kind), uint8(IValidatorSet.IncidentKind.LowUptime));
        assertEq(uint8(set.incident(1).slashState), uint8(IValidatorSet.SlashState.None));
        assertTrue(set.isActive(v[5]));
    }

    function test_evaluateAndRotate_keepsValidatorWithoutReadyBackup() public {
        vm.warp(block.timestamp + 100 * 60);
        _beatAll();
        health.setUptime(v[3], 0);
        health.setLivenessOverride(v[5], INodeHealth.Liveness.Late);
        health.setLivenessOverride(v[6], INodeHealth.Liveness.Late);
        (, uint256 rotated) = set.evaluateAndRotate(5);
        assertEq(rotated, 0);
        assertTrue(set.isActive(v[3]));
    }

    function test_evaluateAndRotate_skipsRecentlyActivated() public {
        health.setUptime(v[3], 0);
        (, uint256 rotated) = set.evaluateAndRotate(5);
        assertEq(rotated, 0);
    }

    function test_evaluateAndRotate_revertsIfZeroLimit() public {
        vm.expectRevert(IValidatorSet.ValidatorSetZeroLimit.selector);
        set.evaluateAndRotate(0);
    }

    // ---------------------------------------------------------------- refreshBackup

    function test_refreshBackup_returnsParkedBackup() public {
        health.setLivenessOverride(v[5], INodeHealth.Liveness.Late);
        vm.prank(v[0]);
        set.exit(); // v5 parked, v6 promoted
        assertEq(uint8(set.statusOf(v[5])), uint8(IValidatorSet.Status.Parked));
        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorSet.ValidatorSetNotRefreshable.selector,
                v[5],
                IValidatorSet.Status.Parked
            )
        );
        set.refreshBackup(v[5]);
        health.clearLivenessOverride(v[5]);
        vm.expectEmit(address(set));
        emit IValidatorSet.BackupRefreshed(v[5], 995 ether);
        set.refreshBackup(v[5]);
        assertEq(uint8(set.statusOf(v[5])), uint8(IValidatorSet.Status.Backup));
        assertEq(set.backupCount(), 1);
    }

    function test_refreshBackup_revertsIfNotParked() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorSet.ValidatorSetNotRefreshable.selector,
                v[5],
                IValidatorSet.Status.Backup
            )
        );
        set.refreshBackup(v[5]);
    }

    // ---------------------------------------------------------------- exit

    function test_exit_activeIsReplaced() public {
        vm.expectEmit(address(set));
        emit IValidatorSet.ValidatorExited(v[1]);
        vm.prank(v[1]);
        set.exit();
        assertEq(uint8(set.statusOf(v[1])), uint8(IValidatorSet.Status.Exited));
        assertTrue(set.isActive(v[5]));
        assertEq(health.fenceCount(v[1]), 1);
    }

    function test_exit_backupLeavesHeap() public {
        vm.prank(v[6]);
        set.exit();
        assertEq(set.backupCount(), 1);
        assertEq(uint8(set.statusOf(v[6])), uint8(IValidatorSet.Status.Exited));
    }

    function test_exit_revertsAtFloor() public {
        vm.prank(v[5]);
        set.exit();
        vm.prank(v[6]);
        set.exit();
        vm.prank(v[0]);
        set.exit();
        vm.prank(v[1]);
        set.exit();
        vm.expectRevert(abi.encodeWithSelector(IValidatorSet.ValidatorSetAtFloor.selector, 3, 3));
        vm.prank(v[2]);
        set.exit();
    }

    function test_exit_revertsIfNoStatus() public {
        address nobody = makeAddr("nobody");
        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorSet.ValidatorSetCannotExit.selector,
                nobody,
                IValidatorSet.Status.None
            )
        );
        vm.prank(nobody);
        set.exit();
    }

    // ---------------------------------------------------------------- onStakeChanged

    function test_onStakeChanged_revertsIfNotStakeManager() public {
        vm.expectRevert(
            abi.encodeWithSelector(IValidatorSet.ValidatorSetOnlyStakeManager.selector, address(this))
        );
        set.onStakeChanged(v[0]);
    }

    function test_onStakeChanged_reranksBackup() public {
        stake.setBonded(v[6], 5_000 ether);
        assertEq(set.backupValidators(0, 1)[0], v[6]);
    }

    function test_onStakeChanged_backupBelowMinStakeExits() public {
        vm.expectEmit(address(set));
        emit IValidatorSet.ValidatorExited(v[6]);
        stake.setBonded(v[6], 1 ether);
        assertEq(uint8(set.statusOf(v[6])), uint8(IValidatorSet.Status.Exited));
        assertEq(set.backupCount(), 1);
    }

    function test_onStakeChanged_activeJailedElsewhereIsReplaced() public {
        vm.expectEmit(address(set));
        emit IValidatorSet.ValidatorEjected(v[1], v[5], IValidatorSet.Status.Jailed);
        stake.jail(v[1], uint64(block.timestamp + 100)); // a third-party jailer (the state commitment chain)
        assertEq(uint8(set.statusOf(v[1])), uint8(IValidatorSet.Status.Jailed));
        assertFalse(set.isActive(v[1]));
        assertTrue(set.isActive(v[5]));
        assertEq(set.activeCount(), 5);
        assertEq(set.backupCount(), 1);
    }

    function test_onStakeChanged_activeSlashedBelowMinStakeIsReplaced() public {
        stake.setBondedSilently(v[0], 100 ether); // exactly minStake
        vm.expectEmit(address(set));
        emit IValidatorSet.ValidatorEjected(v[0], v[5], IValidatorSet.Status.Exited);
        (uint256 slashed, ) = stake.slash(v[0], 100, 0, address(0), 0, 0, 7); // a third-party slasher
        assertEq(slashed, 1 ether);
        assertEq(uint8(set.statusOf(v[0])), uint8(IValidatorSet.Status.Exited));
        assertFalse(set.isActive(v[0]));
        assertTrue(set.isActive(v[5]));
        assertEq(set.activeCount(), 5);
    }

    function test_onStakeChanged_activeJailedWithoutBackupLeavesAboveFloor() public {
        vm.prank(v[5]);
        set.exit();
        vm.prank(v[6]);
        set.exit();
        vm.expectEmit(address(set));
        emit IValidatorSet.ValidatorEjected(v[1], address(0), IValidatorSet.Status.Jailed);
        stake.jail(v[1], uint64(block.timestamp + 100));
        assertFalse(set.isActive(v[1]));
        assertEq(set.activeCount(), 4);
    }

    function test_onStakeChanged_activeAtFloorWithoutReadyBackupStays() public {
        IValidatorSet.Parameters memory p = set.parameters();
        p.minActive = 5;
        vm.prank(admin);
        set.setParameters(p);
        // The backups are not ready (silent): the floor wins over the jail and the slash.
        vm.warp(block.timestamp + 1 days);
        vm.expectEmit(address(set));
        emit IValidatorSet.ValidatorRetainedAtFloor(v[1], IValidatorSet.Status.Jailed);
        stake.jail(v[1], uint64(block.timestamp + 100));
        assertTrue(set.isActive(v[1]));
        assertEq(uint8(set.statusOf(v[1])), uint8(IValidatorSet.Status.Active));

        stake.setBondedSilently(v[2], 100 ether);
        vm.expectEmit(address(set));
        emit IValidatorSet.ValidatorRetainedAtFloor(v[2], IValidatorSet.Status.Exited);
        stake.slash(v[2], 100, 0, address(0), 0, 0, 7);
        assertTrue(set.isActive(v[2]));
        assertEq(set.activeCount(), 5);
        assertEq(stake.bondedOf(v[2]), 99 ether); // the slash went through
    }

    function test_onUnbondRequested_revertsIfActiveBelowMinStake() public {
        stake.setBondedSilently(v[0], 100 ether);
        vm.expectRevert(
            abi.encodeWithSelector(IValidatorSet.ValidatorSetActiveValidatorMustExit.selector, v[0])
        );
        vm.prank(v[0]);
        stake.requestUnbond(1 ether);
        assertTrue(set.isActive(v[0]));
    }

    function test_onUnbondRequested_activeAboveMinStakeStays() public {
        vm.prank(v[0]);
        stake.requestUnbond(1 ether);
        assertTrue(set.isActive(v[0]));
        assertEq(stake.bondedOf(v[0]), 999 ether);
    }

    function test_onUnbondRequested_backupBelowMinStakeExits() public {
        vm.expectEmit(address(set));
        emit IValidatorSet.ValidatorExited(v[6]);
        vm.prank(v[6]);
        stake.requestUnbond(900 ether);
        assertEq(uint8(set.statusOf(v[6])), uint8(IValidatorSet.Status.Exited));
    }

    function test_onUnbondRequested_revertsIfNotStakeManager() public {
        vm.expectRevert(
            abi.encodeWithSelector(IValidatorSet.ValidatorSetOnlyStakeManager.selector, address(this))
        );
        set.onUnbondRequested(v[0]);
    }

    function test_onStakeChanged_jailedReturnsAfterUnjail() public {
        _downtime();
        vm.warp(block.timestamp + 601);
        vm.prank(v[0]);
        stake.unjail();
        assertEq(uint8(set.statusOf(v[0])), uint8(IValidatorSet.Status.Backup));
        assertEq(set.backupCount(), 2);
    }

    function test_onStakeChanged_backupJailedElsewhereLeavesHeap() public {
        stake.jail(v[6], uint64(block.timestamp + 100)); // called by a third party (the recovery manager)
        assertEq(uint8(set.statusOf(v[6])), uint8(IValidatorSet.Status.Jailed));
        assertEq(set.backupCount(), 1);
    }

    // ---------------------------------------------------------------- upkeep

    function test_checkUpkeep_findsOverdueAndPerformHeals() public {
        (bool needed, ) = set.checkUpkeep("");
        assertFalse(needed);
        _makeOverdue(v[3]);
        bytes memory data;
        (needed, data) = set.checkUpkeep("");
        assertTrue(needed);
        assertEq(abi.decode(data, (address)), v[3]);
        set.performUpkeep(data);
        assertFalse(set.isActive(v[3]));
        (needed, ) = set.checkUpkeep("");
        assertFalse(needed);
    }

    function test_checkUpkeep_findsStalledAndSkipsPendingRemediation() public {
        health.setStalled(v[2], true);
        (bool needed, bytes memory data) = set.checkUpkeep("");
        assertTrue(needed);
        set.performUpkeep(data);
        (needed, ) = set.checkUpkeep("");
        assertFalse(needed, "remediation pending");
    }

    function test_checkUpkeep_falseWhilePaused() public {
        _makeOverdue(v[3]);
        vm.prank(admin);
        set.pauseSlashing(uint64(block.timestamp + 10));
        (bool needed, ) = set.checkUpkeep("");
        assertFalse(needed);
    }

    // ---------------------------------------------------------------- pause

    function test_pauseSlashing_restartsOverdueClock() public {
        vm.prank(admin);
        set.pauseSlashing(uint64(block.timestamp + 1 hours));
        uint256 end = block.timestamp + 1 hours;
        assertEq(set.slashingPausedUntil(), end);
        assertEq(set.overdueAt(v[0]), end + 60);
        vm.warp(end + 60);
        vm.expectRevert(
            abi.encodeWithSelector(IValidatorSet.ValidatorSetNotOverdue.selector, v[0], T0, end + 60)
        );
        set.checkHeartbeat(v[0]);
    }

    function test_pauseSlashing_revertsIfOutOfBounds() public {
        vm.startPrank(admin);
        uint256 maxUntil = block.timestamp + 7 days;
        vm.expectRevert(
            abi.encodeWithSelector(IValidatorSet.ValidatorSetInvalidPause.selector, block.timestamp, maxUntil)
        );
        set.pauseSlashing(uint64(block.timestamp));
        vm.expectRevert(
            abi.encodeWithSelector(IValidatorSet.ValidatorSetInvalidPause.selector, maxUntil + 1, maxUntil)
        );
        set.pauseSlashing(uint64(maxUntil + 1));
        vm.stopPrank();
    }

    function test_pauseSlashing_revertsIfNotPauser() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                keeper,
                set.PAUSER_ROLE()
            )
        );
        vm.prank(keeper);
        set.pauseSlashing(uint64(block.timestamp + 1));
    }

    function test_unpauseSlashing_endsPauseNow() public {
        vm.startPrank(admin);
        set.pauseSlashing(uint64(block.timestamp + 1 hours));
        vm.warp(block.timestamp + 10);
        vm.expectEmit(address(set));
        emit IValidatorSet.SlashingUnpaused(block.timestamp, admin);
        set.unpauseSlashing();
        assertEq(set.slashingPausedUntil(), block.timestamp);
        assertEq(set.overdueAt(v[0]), block.timestamp + 60);
        vm.expectRevert(IValidatorSet.ValidatorSetNotPaused.selector);
        set.unpauseSlashing();
        vm.stopPrank();
    }

    // ---------------------------------------------------------------- setParameters

    function test_setParameters_revertsIfNotParameterRole() public {
        IValidatorSet.Parameters memory p = _defaultParams();
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                keeper,
                set.PARAMETER_ROLE()
            )
        );
        vm.prank(keeper);
        set.setParameters(p);
    }

    function test_setParameters_revertsIfOutOfBounds() public {
        _expectParam("minActive", 0, 1, 128, _with(0, 0));
        _expectParam("maxActive", 4, 5, 128, _with(1, 4)); // below the active count
        _expectParam("minUptimeBps", 10_001, 0, 10_000, _with(2, 10_001));
        _expectParam("downtimeSlashBps", 1_001, 0, 1_000, _with(3, 1_001));
        _expectParam("doubleSignSlashBps", 99, 100, 10_000, _with(4, 99));
        _expectParam("correlatedFaultBps", 999, 1_000, 10_000, _with(5, 999));
        _expectParam("keeperRewardBps", 5_001, 0, 5_000, _with(6, 5_001));
        _expectParam("jailDuration", 59, 60, 30 days, _with(7, 59));
        _expectParam("appealWindow", 3 days + 1, 1 hours, 3 days, _with(8, 3 days + 1));
        _expectParam("stallEscalationDelay", 1 days + 1, 60, 1 days, _with(9, 1 days + 1));
        _expectParam("keeperRewardCap", 1e24 + 1, 0, 1e24, _with(10, 1e24 + 1));
    }

    function test_setParameters_storesAndEmits() public {
        IValidatorSet.Parameters memory p = _defaultParams();
        vm.expectEmit(address(set));
        emit IValidatorSet.ParametersUpdated(p);
        vm.prank(admin);
        set.setParameters(p);
        assertEq(set.parameters().maxActive, 21);
        assertEq(set.parameters().keeperRewardCap, 100e18);
    }

    function _with(uint256 field, uint256 value) internal pure returns (IValidatorSet.Parameters memory p) {
        p = _defaultParams();
        if (field == 0) p.minActive = uint16(value);
        if (field == 1) p.maxActive = uint16(value);
        if (field == 2) p.minUptimeBps = uint16(value);
        if (field == 3) p.downtimeSlashBps = uint16(value);
        if (field == 4) p.doubleSignSlashBps = uint16(value);
        if (field == 5) p.correlatedFaultBps = uint16(value);
        if (field == 6) p.keeperRewardBps = uint16(value);
        if (field == 7) p.jailDuration = uint32(value);
        if (field == 8) p.appealWindow = uint32(value);
        if (field == 9) p.stallEscalationDelay = uint32(value);
        if (field == 10) p.keeperRewardCap = uint128(value);
    }

    function _expectParam(
        bytes32 name,
        uint256 value,
        uint256 min,
        uint256 max,
        IValidatorSet.Parameters memory p
    ) internal {
        vm.expectRevert(
            abi.encodeWithSelector(IValidatorSet.ValidatorSetInvalidParameter.selector, name, value, min, max)
        );
        vm.prank(admin);
        set.setParameters(p);
    }

    // ---------------------------------------------------------------- views

    function test_backupValidators_pages() public view {
        address[] memory page = set.backupValidators(0, 10);
        assertEq(page.length, 2);
        assertEq(page[0], v[5]);
        assertEq(set.backupValidators(1, 10)[0], v[6]);
        assertEq(set.backupValidators(2, 10).length, 0);
    }

    // ---------------------------------------------------------------- fuzz

    /// @dev Random stakes and readiness: the promoted backup is the first ready one in stake order among the
    ///      first MAX_PARK_PER_PROMOTION + 1, and the unready ones before it are parked.
    function testFuzz_checkHeartbeat_promotesBestReadyBackup(uint256 seed, uint8 count) public {
        count = uint8(bound(count, 1, 14));
        address[] memory cs = new address[](count);
        bool[] memory ready = new bool[](count);
        uint256[] memory stakes = new uint256[](count);
        vm.warp(block.timestamp + 61);
        vm.roll(block.number + 5);
        for (uint256 i = 0; i < count; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            stakes[i] = 100 ether + (r % 1_000) * 1 ether;
            ready[i] = (r >> 64) % 3 != 0;
            cs[i] = _candidate(string.concat("c", vm.toString(i)), stakes[i]);
            if (!ready[i]) health.setLivenessOverride(cs[i], INodeHealth.Liveness.Late);
        }
        _beatAll();
        health.setHeartbeat(v[0], uint64(T0), HEIGHT);
        health.setLivenessOverride(v[5], INodeHealth.Liveness.Late);
        health.setLivenessOverride(v[6], INodeHealth.Liveness.Late);

        // Expected: pop order is (stake, address) descending over all backups.
        address[] memory order = set.backupValidators(0, set.backupCount());
        order = _sorted(order);
        address expected;
        for (uint256 i = 0; i < order.length && i <= 8; ++i) {
            if (health.livenessOf(order[i]) == INodeHealth.Liveness.Live) {
                expected = order[i];
                break;
            }
        }
        set.checkHeartbeat(v[0]);
        assertEq(set.incident(1).replacement, expected);
        if (expected != address(0)) assertTrue(set.isActive(expected));
    }

    function _sorted(address[] memory a) internal view returns (address[] memory) {
        // Insertion sort on (bonded, address) descending; test-only, small n.
        for (uint256 i = 1; i < a.length; ++i) {
            address x = a[i];
            uint256 j = i;
            while (j > 0 && _before(x, a[j - 1])) {
                a[j] = a[j - 1];
                --j;
            }
            a[j] = x;
        }
        return a;
    }

    function _before(address x, address y) internal view returns (bool) {
        uint256 sx = stake.bondedOf(x);
        uint256 sy = stake.bondedOf(y);
        return sx > sy || (sx == sy && x > y);
    }

    /// @dev The correlated check is strict: silent * 10,000 > correlatedFaultBps * active.
    function testFuzz_checkHeartbeat_correlatedThresholdBoundary(uint16 bps, uint8 silent) public {
        bps = uint16(bound(bps, 1_000, 10_000));
        silent = uint8(bound(silent, 1, 5));
        IValidatorSet.Parameters memory p = set.parameters();
        p.correlatedFaultBps = bps;
        vm.prank(admin);
        set.setParameters(p);
        vm.warp(block.timestamp + 61);
        _beatAll();
        for (uint256 i = 0; i < silent; ++i) health.setHeartbeat(v[i], uint64(T0), HEIGHT);
        uint256 id = set.checkHeartbeat(v[0]);
        bool correlated = uint256(silent) * 10_000 > uint256(bps) * 5;
        assertEq(id == 0, correlated);
        assertEq(set.isActive(v[0]), correlated);
        assertEq(set.degradedSince() != 0, correlated);
    }
}
