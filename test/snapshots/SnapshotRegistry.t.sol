// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {SnapshotRegistry} from "../../contracts/snapshots/SnapshotRegistry.sol";
import {ISnapshotRegistry} from "../../contracts/interfaces/ISnapshotRegistry.sol";
import {IValidatorSet} from "../../contracts/interfaces/IValidatorSet.sol";
import {IStakeManager} from "../../contracts/interfaces/IStakeManager.sol";
import {IGuardianCouncil} from "../../contracts/interfaces/IGuardianCouncil.sol";
import {IAuditLog} from "../../contracts/interfaces/IAuditLog.sol";
import {HealToken} from "../../contracts/governance/HealToken.sol";
import {MockValidatorSet} from "../../contracts/mocks/MockValidatorSet.sol";
import {RmMockStakeManager} from "../../contracts/mocks/RmMockStakeManager.sol";
import {MockGuardianCouncil} from "../../contracts/mocks/MockGuardianCouncil.sol";
import {MockAuditLog} from "../../contracts/mocks/MockAuditLog.sol";

/// @dev Shared deployment: the registry behind an ERC1967Proxy, a HealToken, and mocks. Contracts are deployed
///      with deployCode (from their artifacts) so the test contracts stay under the contract size limit.
abstract contract SnapshotRegistryFixture is Test {
    SnapshotRegistry internal reg;
    HealToken internal token;
    MockValidatorSet internal set;
    RmMockStakeManager internal stake;
    MockGuardianCouncil internal council;
    MockAuditLog internal audit;

    address internal admin = makeAddr("admin");
    address internal treasury = makeAddr("treasury");
    address internal resolver = makeAddr("resolver"); // GUARDIAN_ROLE holder (a Safe or the timelock)
    address internal timelock = makeAddr("timelock");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal stranger = makeAddr("stranger");
    address internal constant G1 = address(0x6001);
    address internal constant G2 = address(0x6002);
    address internal constant G3 = address(0x6003);
    address[4] internal vals;

    uint256 internal constant T0 = 1_700_000_000;
    uint128 internal constant BOND = 100e18;
    string internal constant CID = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

    function _defaultParams() internal pure returns (ISnapshotRegistry.Parameters memory) {
        return
            ISnapshotRegistry.Parameters({
                proposalBond: BOND,
                challengeWindow: 1 hours,
                maxSizeBytes: 2 ** 40
            });
    }

    function _newImplementation() internal returns (SnapshotRegistry) {
        return SnapshotRegistry(deployCode("SnapshotRegistry.sol:SnapshotRegistry"));
    }

    function _initData(ISnapshotRegistry.Parameters memory p) internal view returns (bytes memory) {
        return
            abi.encodeCall(
                SnapshotRegistry.initialize,
                (
                    admin,
                    IERC20(address(token)),
                    treasury,
                    IValidatorSet(address(set)),
                    IStakeManager(address(stake)),
                    IGuardianCouncil(address(council)),
                    IAuditLog(address(audit)),
                    p
                )
            );
    }

    function setUp() public virtual {
        vm.warp(T0);
        token = HealToken(deployCode("HealToken.sol:HealToken", abi.encode(address(this), 1e27)));
        set = MockValidatorSet(deployCode("MockValidatorSet.sol:MockValidatorSet"));
        stake = RmMockStakeManager(deployCode("RmMockStakeManager.sol:RmMockStakeManager"));
        council = MockGuardianCouncil(deployCode("MockGuardianCouncil.sol:MockGuardianCouncil"));
        audit = MockAuditLog(deployCode("MockAuditLog.sol:MockAuditLog"));
        reg = SnapshotRegistry(
            address(new ERC1967Proxy(address(_newImplementation()), _initData(_defaultParams())))
        );
        vm.startPrank(admin);
        reg.grantRole(reg.GUARDIAN_ROLE(), resolver);
        reg.grantRole(reg.PARAMETER_ROLE(), timelock);
        vm.stopPrank();

        address[] memory active = new address[](4);
        for (uint256 i = 0; i < 4; ++i) {
            vals[i] = makeAddr(string.concat("val", vm.toString(i)));
            active[i] = vals[i];
            stake.setBonded(vals[i], 100e18);
        }
        set.setActiveValidators(active);
        council.setGuardian(G1, true);
        council.setGuardian(G2, true);
        council.setGuardian(G3, true);
        council.setThreshold(2);
        _fund(alice);
        _fund(bob);
    }

    function _fund(address who) internal {
        token.transfer(who, 10_000e18);
        vm.prank(who);
        token.approve(address(reg), type(uint256).max);
    }

    function _propose(address proposer, uint64 height, uint256 salt) internal returns (uint256) {
        vm.prank(proposer);
        return
            reg.propose(
                height,
                keccak256(abi.encode("block", salt)),
                keccak256(abi.encode("state", salt)),
                keccak256(abi.encode("content", salt)),
                CID,
                1_000_000
            );
    }

    function _attest(address v, uint256 id) internal {
        vm.prank(v);
        reg.attest(id);
    }

    function _attestBy(uint256 n, uint256 id) internal {
        for (uint256 i = 0; i < n; ++i) _attest(vals[i], id);
    }

    function _unauthorized(address account, bytes32 role) internal pure returns (bytes memory) {
        return
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, account, role);
    }

    function _wrongState(
        uint256 id,
        ISnapshotRegistry.SnapshotState st
    ) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(ISnapshotRegistry.SnapshotRegistryWrongState.selector, id, st);
    }

    function _assertLastAudit(bytes32 kind, address actor, address subject, uint256 refId) internal view {
        MockAuditLog.Entry memory e = audit.lastEntry();
        assertEq(e.kind, kind, "audit kind");
        assertEq(e.actor, actor, "audit actor");
        assertEq(e.subject, subject, "audit subject");
        assertEq(e.refId, refId, "audit refId");
        assertEq(e.source, address(reg), "audit source");
    }

    /// @dev Two snapshots at height 10 (alice's and bob's), both attested: the height is frozen.
    function _frozenHeight() internal returns (uint256 a, uint256 b) {
        a = _propose(alice, 10, 1);
        b = _propose(bob, 10, 2);
        _attest(vals[0], a);
        _attest(vals[1], b);
    }
}

/// @dev initialize, the constructor, parameters and the storage layout.
contract SnapshotRegistryInitializeTest is SnapshotRegistryFixture {
    function test_initialize_setsDependenciesRolesAndParameters() public view {
        assertTrue(reg.hasRole(reg.DEFAULT_ADMIN_ROLE(), admin));
        assertEq(reg.token(), address(token));
        assertEq(reg.treasury(), treasury);
        ISnapshotRegistry.Parameters memory p = reg.parameters();
        assertEq(p.proposalBond, BOND);
        assertEq(p.challengeWindow, 1 hours);
        assertEq(p.maxSizeBytes, 2 ** 40);
        assertEq(reg.snapshotCount(), 0);
        assertEq(reg.latestFinal(), 0);
    }

    function test_initialize_usesErc7201Slot() public view {
        bytes32 slot =
            keccak256(abi.encode(uint256(keccak256("healnet.storage.SnapshotRegistry")) - 1)) &
                ~bytes32(uint256(0xff));
        assertEq(address(uint160(uint256(vm.load(address(reg), slot)))), address(token));
    }

    function test_initialize_revertsIfCalledTwice() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        reg.initialize(
            admin,
            IERC20(address(token)),
            treasury,
            IValidatorSet(address(set)),
            IStakeManager(address(stake)),
            IGuardianCouncil(address(council)),
            IAuditLog(address(audit)),
            _defaultParams()
        );
    }

    function test_constructor_disablesInitializersOnImplementation() public {
        SnapshotRegistry impl = _newImplementation();
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        impl.initialize(
            admin,
            IERC20(address(token)),
            treasury,
            IValidatorSet(address(set)),
            IStakeManager(address(stake)),
            IGuardianCouncil(address(council)),
            IAuditLog(address(audit)),
            _defaultParams()
        );
    }

    function test_initialize_revertsIfZeroAddress() public {
        SnapshotRegistry impl = _newImplementation();
        address saved = treasury;
        treasury = address(0);
        bytes memory data = _initData(_defaultParams());
        treasury = saved;
        vm.expectRevert(
            abi.encodeWithSelector(
                ISnapshotRegistry.SnapshotRegistryZeroAddress.selector,
                bytes32("treasury")
            )
        );
        new ERC1967Proxy(address(impl), data);
    }

    function test_initialize_revertsIfParameterOutOfBounds() public {
        SnapshotRegistry impl = _newImplementation();
        ISnapshotRegistry.Parameters memory p = _defaultParams();
        p.challengeWindow = 59;
        vm.expectRevert(
            abi.encodeWithSelector(
                ISnapshotRegistry.SnapshotRegistryInvalidParameter.selector,
                bytes32("challengeWindow"),
                59,
                1 minutes,
                7 days
            )
        );
        new ERC1967Proxy(address(impl), _initData(p));
    }

    function test_setParameters_updatesEmitsAndAudits() public {
        ISnapshotRegistry.Parameters memory p = ISnapshotRegistry.Parameters(0, 7 days, 1);
        vm.expectEmit(address(reg));
        emit ISnapshotRegistry.ParametersUpdated(p);
        vm.prank(timelock);
        reg.setParameters(p);
        assertEq(reg.parameters().proposalBond, 0);
        assertEq(reg.parameters().challengeWindow, 7 days);
        assertEq(reg.parameters().maxSizeBytes, 1);
        _assertLastAudit(reg.SNAPSHOT_PARAMETERS(), timelock, address(reg), 0);
    }

    function test_setParameters_revertsIfNotParameterRole() public {
        ISnapshotRegistry.Parameters memory p = _defaultParams();
        vm.expectRevert(_unauthorized(resolver, reg.PARAMETER_ROLE()));
        vm.prank(resolver);
        reg.setParameters(p);
    }

    function test_setParameters_revertsIfOutOfBounds() public {
        vm.startPrank(timelock);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISnapshotRegistry.SnapshotRegistryInvalidParameter.selector,
                bytes32("proposalBond"),
                1e24 + 1,
                0,
                1e24
            )
        );
        reg.setParameters(ISnapshotRegistry.Parameters(1e24 + 1, 1 hours, 1));
        vm.expectRevert(
            abi.encodeWithSelector(
                ISnapshotRegistry.SnapshotRegistryInvalidParameter.selector,
                bytes32("challengeWindow"),
                7 days + 1,
                1 minutes,
                7 days
            )
        );
        reg.setParameters(ISnapshotRegistry.Parameters(0, 7 days + 1, 1));
        vm.expectRevert(
            abi.encodeWithSelector(
                ISnapshotRegistry.SnapshotRegistryInvalidParameter.selector,
                bytes32("maxSizeBytes"),
                0,
                1,
                2 ** 63
            )
        );
        reg.setParameters(ISnapshotRegistry.Parameters(0, 1 hours, 0));
        vm.stopPrank();
    }
}

/// @dev propose: fields, bond, per-height caps.
contract SnapshotRegistryProposeTest is SnapshotRegistryFixture {
    function test_propose_storesSnapshotPullsBondAndAudits() public {
        bytes32 stateRoot = keccak256(abi.encode("state", uint256(1)));
        vm.expectEmit(address(reg));
        emit ISnapshotRegistry.SnapshotProposed(1, 10, alice, stateRoot, CID);
        uint256 id = _propose(alice, 10, 1);
        assertEq(id, 1);
        ISnapshotRegistry.Snapshot memory s = reg.snapshot(id);
        assertEq(s.height, 10);
        assertEq(s.blockHash, keccak256(abi.encode("block", uint256(1))));
        assertEq(s.stateRoot, stateRoot);
        assertEq(s.contentHash, keccak256(abi.encode("content", uint256(1))));
        assertEq(s.cid, CID);
        assertEq(s.sizeBytes, 1_000_000);
        assertEq(s.proposer, alice);
        assertEq(s.bond, BOND);
        assertEq(s.proposedAt, T0);
        assertFalse(s.finalized);
        assertEq(token.balanceOf(address(reg)), BOND);
        assertEq(token.balanceOf(alice), 10_000e18 - BOND);
        assertEq(reg.bondsHeld(), BOND);
        assertEq(uint8(reg.stateOf(id)), uint8(ISnapshotRegistry.SnapshotState.Proposed));
        assertEq(reg.snapshotsAt(10).length, 1);
        _assertLastAudit(reg.SNAPSHOT_PROPOSED(), alice, alice, id);
    }

    function test_propose_withZeroBondTakesNoTokens() public {
        vm.prank(timelock);
        reg.setParameters(ISnapshotRegistry.Parameters(0, 1 hours, 2 ** 40));
        vm.prank(stranger); // no tokens, no allowance
        uint256 id = reg.propose(1, bytes32("b"), bytes32("s"), bytes32("c"), CID, 1);
        assertEq(reg.snapshot(id).bond, 0);
        assertEq(token.balanceOf(address(reg)), 0);
    }

    function _expectInvalid(bytes32 field) internal {
        vm.expectRevert(
            abi.encodeWithSelector(ISnapshotRegistry.SnapshotRegistryInvalidSnapshot.selector, field)
        );
    }

    function test_propose_revertsIfFieldInvalid() public {
        vm.startPrank(alice);
        _expectInvalid("blockHash");
        reg.propose(1, 0, bytes32("s"), bytes32("c"), CID, 1);
        _expectInvalid("stateRoot");
        reg.propose(1, bytes32("b"), 0, bytes32("c"), CID, 1);
        _expectInvalid("contentHash");
        reg.propose(1, bytes32("b"), bytes32("s"), 0, CID, 1);
        _expectInvalid("cid");
        reg.propose(1, bytes32("b"), bytes32("s"), bytes32("c"), "", 1);
        _expectInvalid("cid");
        reg.propose(1, bytes32("b"), bytes32("s"), bytes32("c"), string(new bytes(257)), 1);
        _expectInvalid("sizeBytes");
        reg.propose(1, bytes32("b"), bytes32("s"), bytes32("c"), CID, 0);
        _expectInvalid("sizeBytes");
        reg.propose(1, bytes32("b"), bytes32("s"), bytes32("c"), CID, 2 ** 40 + 1);
        vm.stopPrank();
        assertEq(reg.snapshotCount(), 0);
    }

    function test_propose_revertsIfHeightFull() public {
        for (uint256 i = 0; i < 16; ++i) _propose(alice, 5, i);
        vm.expectRevert(abi.encodeWithSelector(ISnapshotRegistry.SnapshotRegistryHeightFull.selector, 5, 16));
        _propose(bob, 5, 99);
        _propose(bob, 6, 99); // another height is fine
        assertEq(reg.snapshotsAt(5).length, 16);
    }

    function test_propose_revertsIfHeightFinal() public {
        uint256 id = _propose(alice, 10, 1);
        _attestBy(3, id);
        vm.warp(T0 + 1 hours);
        reg.finalize(id);
        vm.expectRevert(
            abi.encodeWithSelector(ISnapshotRegistry.SnapshotRegistryHeightFinal.selector, 10, id)
        );
        _propose(bob, 10, 2);
    }

    function test_propose_revertsWithoutAllowance() public {
        vm.prank(alice);
        token.approve(address(reg), BOND - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector,
                address(reg),
                BOND - 1,
                BOND
            )
        );
        _propose(alice, 10, 1);
    }

    function testFuzz_propose_sizeBound(uint64 maxSize, uint64 size) public {
        maxSize = uint64(bound(maxSize, 1, 2 ** 63));
        vm.prank(timelock);
        reg.setParameters(ISnapshotRegistry.Parameters(BOND, 1 hours, maxSize));
        if (size == 0 || size > maxSize) _expectInvalid("sizeBytes");
        vm.prank(alice);
        reg.propose(1, bytes32("b"), bytes32("s"), bytes32("c"), CID, size);
        if (size != 0 && size <= maxSize) assertEq(reg.snapshot(1).sizeBytes, size);
    }
}

/// @dev attest, attestAsGuardian and conflicts.
contract SnapshotRegistryAttestTest is SnapshotRegistryFixture {
    function test_attest_addsBondedStakeAndAudits() public {
        uint256 id = _propose(alice, 10, 1);
        stake.setBonded(vals[1], 250e18);
        _attest(vals[0], id);
        vm.expectEmit(address(reg));
        emit ISnapshotRegistry.SnapshotAttested(id, vals[1], 250e18, 350e18);
        _attest(vals[1], id);
        assertEq(reg.snapshot(id).attestedStake, 350e18);
        assertTrue(reg.hasAttested(id, vals[1]));
        assertFalse(reg.hasAttested(id, vals[2]));
        assertEq(uint8(reg.stateOf(id)), uint8(ISnapshotRegistry.SnapshotState.Attested));
        assertEq(reg.firstAttestedAt(10), id);
        _assertLastAudit(reg.SNAPSHOT_ATTESTED(), vals[1], alice, id);
    }

    function test_attest_revertsIfNotActiveValidator() public {
        uint256 id = _propose(alice, 10, 1);
        vm.expectRevert(
            abi.encodeWithSelector(ISnapshotRegistry.SnapshotRegistryNotActiveValidator.selector, stranger)
        );
        _attest(stranger, id);
    }

    function test_attest_revertsIfUnknownSnapshot() public {
        vm.expectRevert(
            abi.encodeWithSelector(ISnapshotRegistry.SnapshotRegistryUnknownSnapshot.selector, 3)
        );
        _attest(vals[0], 3);
    }

    function test_attest_revertsIfAttestedTwice() public {
        uint256 id = _propose(alice, 10, 1);
        _attest(vals[0], id);
        vm.expectRevert(
            abi.encodeWithSelector(ISnapshotRegistry.SnapshotRegistryAlreadyAttested.selector, id, vals[0])
        );
        _attest(vals[0], id);
    }

    function test_attest_revertsIfFinalOrRejected() public {
        (uint256 a, uint256 b) = _frozenHeight();
        vm.prank(resolver);
        reg.resolveConflict(10, a);
        vm.expectRevert(_wrongState(b, ISnapshotRegistry.SnapshotState.Rejected));
        _attest(vals[2], b);
        _attest(vals[2], a);
        _attest(vals[3], a);
        vm.warp(T0 + 1 hours);
        reg.finalize(a);
        vm.expectRevert(_wrongState(a, ISnapshotRegistry.SnapshotState.Final));
        _attest(vals[1], a);
    }

    function test_attest_conflictingSnapshotFreezesHeight() public {
        uint256 a = _propose(alice, 10, 1);
        uint256 b = _propose(bob, 10, 2);
        _attest(vals[0], a);
        _attest(vals[1], a); // same snapshot: no conflict
        assertFalse(reg.isFrozen(10));
        vm.expectEmit(address(reg));
        emit ISnapshotRegistry.HeightFrozen(10, a, b);
        _attest(vals[2], b);
        assertTrue(reg.isFrozen(10));
        assertEq(uint8(reg.stateOf(a)), uint8(ISnapshotRegistry.SnapshotState.Frozen));
        assertEq(uint8(reg.stateOf(b)), uint8(ISnapshotRegistry.SnapshotState.Frozen));
        _assertLastAudit(reg.SNAPSHOT_HEIGHT_FROZEN(), vals[2], address(0), b);
        // Attesting at a frozen height is still allowed (it informs the guardians).
        _attest(vals[3], b);
        assertEq(reg.snapshot(b).attestedStake, 200e18);
    }

    function test_attest_unattestedRivalDoesNotFreeze() public {
        uint256 a = _propose(alice, 10, 1);
        _propose(bob, 10, 2);
        _attest(vals[0], a);
        assertFalse(reg.isFrozen(10));
    }

    function test_attestAsGuardian_countsGuardiansAndAudits() public {
        uint256 id = _propose(alice, 10, 1);
        vm.prank(G1);
        reg.attestAsGuardian(id);
        vm.expectEmit(address(reg));
        emit ISnapshotRegistry.SnapshotGuardianAttested(id, G2, 2);
        vm.prank(G2);
        reg.attestAsGuardian(id);
        assertEq(reg.snapshot(id).guardianAttestations, 2);
        assertTrue(reg.hasGuardianAttested(id, G1));
        assertEq(reg.firstAttestedAt(10), id);
        _assertLastAudit(reg.SNAPSHOT_GUARDIAN_ATTESTED(), G2, alice, id);
    }

    function test_attestAsGuardian_revertsIfNotGuardian() public {
        uint256 id = _propose(alice, 10, 1);
        vm.expectRevert(
            abi.encodeWithSelector(ISnapshotRegistry.SnapshotRegistryNotGuardian.selector, vals[0])
        );
        vm.prank(vals[0]);
        reg.attestAsGuardian(id);
    }

    function test_attestAsGuardian_revertsIfAttestedTwiceInEpoch() public {
        uint256 id = _propose(alice, 10, 1);
        vm.prank(G1);
        reg.attestAsGuardian(id);
        vm.expectRevert(
            abi.encodeWithSelector(ISnapshotRegistry.SnapshotRegistryAlreadyAttested.selector, id, G1)
        );
        vm.prank(G1);
        reg.attestAsGuardian(id);
    }

    function test_attestAsGuardian_newEpochVoidsOlderAttestations() public {
        uint256 id = _propose(alice, 10, 1);
        vm.prank(G1);
        reg.attestAsGuardian(id);
        vm.prank(G2);
        reg.attestAsGuardian(id);
        council.bumpEpoch();
        assertEq(reg.snapshot(id).guardianAttestations, 0, "stale count hidden");
        assertFalse(reg.hasGuardianAttested(id, G1));
        vm.prank(G1);
        reg.attestAsGuardian(id);
        assertEq(reg.snapshot(id).guardianAttestations, 1, "counting restarts");
    }

    function test_attestAsGuardian_councilCountsAsThreshold() public {
        uint256 id = _propose(alice, 10, 1);
        council.setThreshold(3);
        vm.prank(G1);
        reg.attestAsGuardian(id);
        council.execute(address(reg), abi.encodeCall(ISnapshotRegistry.attestAsGuardian, (id)));
        assertEq(reg.snapshot(id).guardianAttestations, 3);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISnapshotRegistry.SnapshotRegistryAlreadyAttested.selector,
                id,
                address(council)
            )
        );
        council.execute(address(reg), abi.encodeCall(ISnapshotRegistry.attestAsGuardian, (id)));
    }

    function test_attestAsGuardian_conflictFreezesHeight() public {
        uint256 a = _propose(alice, 10, 1);
        uint256 b = _propose(bob, 10, 2);
        _attest(vals[0], a);
        vm.prank(G1);
        reg.attestAsGuardian(b);
        assertTrue(reg.isFrozen(10));
    }
}

/// @dev finalize: the stake and guardian thresholds, the window, frozen and final states.
contract SnapshotRegistryFinalizeTest is SnapshotRegistryFixture {
    function test_finalize_byTwoThirdsStakeReturnsBondAndAudits() public {
        uint256 id = _propose(alice, 10, 1);
        _attestBy(3, id); // 300 of 400 >= 2/3
        vm.warp(T0 + 1 hours);
        vm.expectEmit(address(reg));
        emit ISnapshotRegistry.SnapshotFinalized(id, 10);
        vm.prank(stranger);
        reg.finalize(id);
        assertTrue(reg.isFinal(id));
        assertEq(uint8(reg.stateOf(id)), uint8(ISnapshotRegistry.SnapshotState.Final));
        assertEq(reg.latestFinal(), id);
        assertEq(reg.finalAt(10), id);
        assertEq(token.balanceOf(alice), 10_000e18);
        assertEq(token.balanceOf(address(reg)), 0);
        assertEq(reg.bondsHeld(), 0);
        _assertLastAudit(reg.SNAPSHOT_FINALIZED(), stranger, alice, id);
    }

    function test_finalize_revertsBelowTwoThirds() public {
        uint256 id = _propose(alice, 10, 1);
        _attestBy(2, id); // 200 of 400 < 267
        vm.warp(T0 + 1 hours);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISnapshotRegistry.SnapshotRegistryNotFinalizable.selector,
                id,
                200e18,
                (uint256(800e18) + 2) / 3,
                T0 + 1 hours
            )
        );
        reg.finalize(id);
    }

    function test_finalize_revertsInsideChallengeWindow() public {
        uint256 id = _propose(alice, 10, 1);
        _attestBy(4, id);
        vm.warp(T0 + 1 hours - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISnapshotRegistry.SnapshotRegistryNotFinalizable.selector,
                id,
                400e18,
                (uint256(800e18) + 2) / 3,
                T0 + 1 hours
            )
        );
        reg.finalize(id);
    }

    function test_finalize_byGuardianThreshold() public {
        uint256 id = _propose(alice, 10, 1);
        vm.prank(G1);
        reg.attestAsGuardian(id);
        vm.prank(G3);
        reg.attestAsGuardian(id);
        vm.warp(T0 + 1 hours);
        reg.finalize(id);
        assertTrue(reg.isFinal(id));
    }

    function test_finalize_revertsIfGuardianAttestationsAreStale() public {
        uint256 id = _propose(alice, 10, 1);
        vm.prank(G1);
        reg.attestAsGuardian(id);
        vm.prank(G2);
        reg.attestAsGuardian(id);
        council.bumpEpoch();
        vm.warp(T0 + 1 hours);
        vm.expectPartialRevert(ISnapshotRegistry.SnapshotRegistryNotFinalizable.selector);
        reg.finalize(id);
    }

    function test_finalize_revertsIfFrozen() public {
        (uint256 a, ) = _frozenHeight();
        _attest(vals[2], a);
        _attest(vals[3], a);
        vm.warp(T0 + 1 hours);
        vm.expectRevert(_wrongState(a, ISnapshotRegistry.SnapshotState.Frozen));
        reg.finalize(a);
    }

    function test_finalize_revertsIfFinalOrRejectedOrUnknown() public {
        (uint256 a, uint256 b) = _frozenHeight();
        vm.prank(resolver);
        reg.resolveConflict(10, a);
        _attest(vals[1], a);
        _attest(vals[2], a);
        vm.warp(T0 + 1 hours);
        reg.finalize(a);
        vm.expectRevert(_wrongState(a, ISnapshotRegistry.SnapshotState.Final));
        reg.finalize(a);
        vm.expectRevert(_wrongState(b, ISnapshotRegistry.SnapshotState.Rejected));
        reg.finalize(b);
        vm.expectRevert(
            abi.encodeWithSelector(ISnapshotRegistry.SnapshotRegistryUnknownSnapshot.selector, 9)
        );
        reg.finalize(9);
    }

    function test_finalize_latestFinalOnlyMovesUp() public {
        uint256 high = _propose(alice, 20, 1);
        uint256 low = _propose(bob, 10, 2);
        _attestBy(3, high);
        _attestBy(3, low);
        vm.warp(T0 + 1 hours);
        reg.finalize(high);
        reg.finalize(low);
        assertEq(reg.latestFinal(), high);
        assertTrue(reg.isFinal(low));
    }

    function test_finalize_emptyActiveSetNeedsAttestation() public {
        set.setActiveValidators(new address[](0));
        uint256 id = _propose(alice, 10, 1);
        vm.warp(T0 + 1 hours);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISnapshotRegistry.SnapshotRegistryNotFinalizable.selector,
                id,
                0,
                1,
                T0 + 1 hours
            )
        );
        reg.finalize(id);
    }

    /// @dev Random stakes for the four validators and a random subset attesting: final iff 3 * attested >= 2 * total.
    function testFuzz_finalize_twoThirdsBoundary(uint96[4] memory stakes, uint8 mask) public {
        uint256 total;
        uint256 attested;
        for (uint256 i = 0; i < 4; ++i) {
            uint256 s = bound(stakes[i], 1, 1e27);
            stake.setBonded(vals[i], s);
            total += s;
        }
        uint256 id = _propose(alice, 10, 1);
        for (uint256 i = 0; i < 4; ++i) {
            if (mask & (1 << i) != 0) {
                _attest(vals[i], id);
                attested += stake.bondedOf(vals[i]);
            }
        }
        vm.warp(T0 + 1 hours);
        bool expected = attested > 0 && attested * 3 >= total * 2;
        if (!expected) vm.expectPartialRevert(ISnapshotRegistry.SnapshotRegistryNotFinalizable.selector);
        reg.finalize(id);
        assertEq(reg.isFinal(id), expected);
    }

    /// @dev Exactly at the boundary: attested * 3 == total * 2 finalizes; one wei less does not.
    function testFuzz_finalize_exactBoundary(uint64 unit) public {
        uint256 u = bound(unit, 1, 1e24);
        stake.setBonded(vals[0], 2 * u);
        stake.setBonded(vals[1], 1 * u);
        stake.setBonded(vals[2], 0);
        stake.setBonded(vals[3], 0);
        uint256 id = _propose(alice, 10, 1);
        _attest(vals[0], id); // 2u of 3u
        vm.warp(T0 + 1 hours);
        reg.finalize(id);
        assertTrue(reg.isFinal(id));

        stake.setBonded(vals[1], u + 1); // total 3u + 1: 2u * 3 < 2 * (3u + 1)
        uint256 id2 = _propose(alice, 11, 2);
        _attest(vals[0], id2);
        vm.warp(T0 + 3 hours);
        vm.expectPartialRevert(ISnapshotRegistry.SnapshotRegistryNotFinalizable.selector);
        reg.finalize(id2);
    }
}

/// @dev resolveConflict: rejection, forfeiture, unfreezing.
contract SnapshotRegistryResolveTest is SnapshotRegistryFixture {
    function test_resolveConflict_rejectsLosersForfeitsBondsAndUnfreezes() public {
        (uint256 a, uint256 b) = _frozenHeight();
        uint256 c = _propose(bob, 10, 3);
        vm.expectEmit(address(reg));
        emit ISnapshotRegistry.ConflictResolved(10, a);
        vm.expectEmit(address(reg));
        emit ISnapshotRegistry.BondForfeited(b, bob, BOND);
        vm.expectEmit(address(reg));
        emit ISnapshotRegistry.BondForfeited(c, bob, BOND);
        vm.prank(resolver);
        reg.resolveConflict(10, a);
        assertFalse(reg.isFrozen(10));
        assertEq(uint8(reg.stateOf(b)), uint8(ISnapshotRegistry.SnapshotState.Rejected));
        assertEq(uint8(reg.stateOf(c)), uint8(ISnapshotRegistry.SnapshotState.Rejected));
        assertEq(uint8(reg.stateOf(a)), uint8(ISnapshotRegistry.SnapshotState.Attested));
        assertEq(token.balanceOf(treasury), 2 * BOND);
        assertEq(reg.bondsHeld(), BOND);
        assertEq(token.balanceOf(address(reg)), BOND);
        _assertLastAudit(reg.SNAPSHOT_CONFLICT_RESOLVED(), resolver, alice, a);
        // The winner can now be finalized.
        _attest(vals[1], a);
        _attest(vals[2], a);
        vm.warp(T0 + 1 hours);
        reg.finalize(a);
        assertTrue(reg.isFinal(a));
    }

    function test_resolveConflict_revertsIfNotGuardianRole() public {
        (uint256 a, ) = _frozenHeight();
        vm.expectRevert(_unauthorized(G1, reg.GUARDIAN_ROLE()));
        vm.prank(G1);
        reg.resolveConflict(10, a);
    }

    function _expectNoConflict(uint64 height, uint256 id) internal {
        vm.expectRevert(
            abi.encodeWithSelector(ISnapshotRegistry.SnapshotRegistryNoConflict.selector, height, id)
        );
    }

    function test_resolveConflict_revertsIfNotFrozenOrBadWinner() public {
        uint256 lone = _propose(alice, 5, 9);
        _expectNoConflict(5, lone);
        vm.prank(resolver);
        reg.resolveConflict(5, lone);

        (uint256 a, uint256 b) = _frozenHeight();
        _expectNoConflict(10, lone); // winner at another height
        vm.prank(resolver);
        reg.resolveConflict(10, lone);
        _expectNoConflict(10, 99); // unknown winner
        vm.prank(resolver);
        reg.resolveConflict(10, 99);

        vm.prank(resolver);
        reg.resolveConflict(10, a);
        _attest(vals[2], a);
        uint256 c = _propose(bob, 10, 3);
        _attest(vals[3], c); // freezes again
        assertTrue(reg.isFrozen(10));
        _expectNoConflict(10, b); // rejected winner
        vm.prank(resolver);
        reg.resolveConflict(10, b);
    }

    function test_resolveConflict_finalSnapshotMustWin() public {
        uint256 a = _propose(alice, 10, 1);
        uint256 b = _propose(bob, 10, 2);
        _attestBy(3, a);
        vm.warp(T0 + 1 hours);
        reg.finalize(a);
        _attest(vals[3], b); // conflicting attestation after finality
        assertTrue(reg.isFrozen(10));
        assertTrue(reg.isFinal(a), "finality stands");
        _expectNoConflict(10, b);
        vm.prank(resolver);
        reg.resolveConflict(10, b);
        vm.prank(resolver);
        reg.resolveConflict(10, a);
        assertEq(uint8(reg.stateOf(b)), uint8(ISnapshotRegistry.SnapshotState.Rejected));
        assertTrue(reg.isFinal(a));
    }
}

/// @dev Drives the registry with random proposals, attestations, finalizations and resolutions, and records
///      (independently of the registry) the conditions that held whenever a finalization succeeded.
contract SnapshotHandler is CommonBase, StdUtils {
    SnapshotRegistry internal immutable reg;
    RmMockStakeManager internal immutable stake;
    MockGuardianCouncil internal immutable council;
    address internal immutable resolver;
    address[4] internal vals;
    address[3] internal guardians;
    address[2] internal proposers;

    uint256 public time;
    uint256 public finalizedWithoutThreshold;
    uint256 public finalizedInsideWindow;
    uint256 public finalizedWhileFrozen;
    mapping(uint256 id => uint256) public validatorStakeSeen;
    mapping(uint256 id => uint256) public guardianCount;
    mapping(uint256 id => uint64) public guardianEpochSeen;

    constructor(
        SnapshotRegistry reg_,
        RmMockStakeManager stake_,
        MockGuardianCouncil council_,
        address resolver_,
        address[4] memory vals_,
        address[3] memory guardians_,
        address[2] memory proposers_
    ) {
        reg = reg_;
        stake = stake_;
        council = council_;
        resolver = resolver_;
        vals = vals_;
        guardians = guardians_;
        proposers = proposers_;
        time = block.timestamp;
    }

    function _advance(uint256 by) internal {
        time += bound(by, 0, 2 hours);
        vm.warp(time);
    }

    function _id(uint256 seed) internal view returns (uint256) {
        uint256 n = reg.snapshotCount();
        return n == 0 ? 0 : bound(seed, 1, n);
    }

    function propose(uint256 who, uint64 height, uint256 salt, uint256 warpBy) external {
        _advance(warpBy);
        vm.prank(proposers[who % 2]);
        reg.propose(
            uint64(bound(height, 1, 4)),
            keccak256(abi.encode(salt, 1)),
            keccak256(abi.encode(salt, 2)),
            keccak256(abi.encode(salt, 3)),
            "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
            1
        );
    }

    function attest(uint256 who, uint256 idSeed, uint256 newStake) external {
        uint256 id = _id(idSeed);
        if (id == 0) return;
        address v = vals[who % 4];
        stake.setBonded(v, bound(newStake, 1e18, 1_000e18));
        vm.prank(v);
        try reg.attest(id) {
            validatorStakeSeen[id] += stake.bondedOf(v);
        } catch {}
    }

    function attestAsGuardian(uint256 who, uint256 idSeed) external {
        uint256 id = _id(idSeed);
        if (id == 0) return;
        vm.prank(guardians[who % 3]);
        try reg.attestAsGuardian(id) {
            uint64 epoch = council.guardianEpoch();
            if (guardianEpochSeen[id] != epoch) guardianCount[id] = 0;
            guardianEpochSeen[id] = epoch;
            ++guardianCount[id];
        } catch {}
    }

    function bumpGuardianEpoch() external {
        council.bumpEpoch();
    }

    function finalize(uint256 idSeed, uint256 warpBy) external {
        _advance(warpBy);
        uint256 id = _id(idSeed);
        if (id == 0) return;
        ISnapshotRegistry.Snapshot memory s = reg.snapshot(id);
        bool frozen = reg.isFrozen(s.height);
        uint256 total;
        for (uint256 i = 0; i < 4; ++i) total += stake.bondedOf(vals[i]);
        bool guardiansOk =
            guardianEpochSeen[id] == council.guardianEpoch() && guardianCount[id] >= council.threshold();
        bool stakeOk = validatorStakeSeen[id] > 0 && validatorStakeSeen[id] * 3 >= total * 2;
        bool windowOk = time >= s.proposedAt + reg.parameters().challengeWindow;
        try reg.finalize(id) {
            if (!stakeOk && !guardiansOk) ++finalizedWithoutThreshold;
            if (!windowOk) ++finalizedInsideWindow;
            if (frozen) ++finalizedWhileFrozen;
        } catch {}
    }

    function resolve(uint64 height, uint256 idSeed) external {
        uint256 id = _id(idSeed);
        vm.prank(resolver);
        try reg.resolveConflict(uint64(bound(height, 1, 4)), id) {} catch {}
    }
}

/// @dev Invariants: finality only with its threshold and window, token conservation, one final per height.
contract SnapshotRegistryInvariantTest is SnapshotRegistryFixture {
    SnapshotHandler internal handler;

    function setUp() public override {
        super.setUp();
        address[4] memory v = vals;
        handler = new SnapshotHandler(reg, stake, council, resolver, v, [G1, G2, G3], [alice, bob]);
        targetContract(address(handler));
    }

    /// @notice A snapshot is final only if its stake or guardian threshold and its challenge window held.
    function invariant_finalOnlyWithThresholdAndWindow() public view {
        assertEq(handler.finalizedWithoutThreshold(), 0, "threshold");
        assertEq(handler.finalizedInsideWindow(), 0, "window");
        assertEq(handler.finalizedWhileFrozen(), 0, "frozen");
    }

    /// @notice Bonds held == the token balance == the sum of the bonds of snapshots neither final nor rejected;
    ///         every token is either held, returned to its proposer or forfeited to the treasury.
    function invariant_bondConservation() public view {
        uint256 n = reg.snapshotCount();
        uint256 open;
        uint256 forfeited;
        for (uint256 id = 1; id <= n; ++id) {
            ISnapshotRegistry.Snapshot memory s = reg.snapshot(id);
            assertFalse(s.finalized && s.rejected, "final and rejected");
            if (s.rejected) forfeited += s.bond;
            else if (!s.finalized) open += s.bond;
        }
        assertEq(reg.bondsHeld(), open, "bondsHeld");
        assertEq(token.balanceOf(address(reg)), open, "balance");
        assertEq(token.balanceOf(treasury), forfeited, "treasury");
        assertEq(token.balanceOf(alice) + token.balanceOf(bob) + open + forfeited, 20_000e18, "conservation");
    }

    /// @notice A height has at most one final snapshot, and it is the one `finalAt` reports.
    function invariant_oneFinalPerHeight() public view {
        for (uint64 h = 1; h <= 4; ++h) {
            uint256[] memory ids = reg.snapshotsAt(h);
            assertLe(ids.length, 16);
            uint256 finals;
            for (uint256 i = 0; i < ids.length; ++i) {
                if (reg.isFinal(ids[i])) {
                    ++finals;
                    assertEq(reg.finalAt(h), ids[i]);
                }
            }
            assertLe(finals, 1);
        }
    }
}
