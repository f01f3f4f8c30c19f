// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test, Vm} from "forge-std/Test.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {HealToken} from "../../contracts/governance/HealToken.sol";
import {IStakeManager} from "../../contracts/interfaces/IStakeManager.sol";
import {IStakeObserver} from "../../contracts/interfaces/IStakeObserver.sol";
import {StakeManager} from "../../contracts/staking/StakeManager.sol";

/// @dev Records every notification with the state the StakeManager had at that moment; can refuse, can try to
///      re-enter, and can act as slasher/jailer itself (to check it is never called back).
contract MockStakeObserver is IStakeObserver {
    error MockObserverRefused(address validator);

    StakeManager internal immutable sm;
    address[] internal seen;
    uint256 public bondedAtLastCall;
    bool public jailedAtLastCall;
    bool public refuse;
    bool public reenter;

    constructor(StakeManager sm_) {
        sm = sm_;
    }

    function setRefuse(bool on) external {
        refuse = on;
    }

    function setReenter(bool on) external {
        reenter = on;
    }

    function onStakeChanged(address validator) external {
        _record(validator);
    }

    function onUnbondRequested(address validator) external {
        _record(validator);
    }

    function _record(address validator) internal {
        if (refuse) revert MockObserverRefused(validator);
        seen.push(validator);
        bondedAtLastCall = sm.bondedOf(validator);
        jailedAtLastCall = sm.isJailed(validator);
        if (reenter) sm.withdraw();
    }

    function callCount() external view returns (uint256) {
        return seen.length;
    }

    function lastCall() external view returns (address) {
        return seen[seen.length - 1];
    }

    function doSlash(address v, uint256 bps) external returns (uint256 slashed, uint256 reward) {
        return sm.slash(v, bps, 0, address(0), 0, 0, 1);
    }

    function doJail(address v, uint64 until) external {
        sm.jail(v, until);
    }

    function doRelease(address v) external {
        sm.release(v);
    }

    function doTombstone(address v) external {
        sm.tombstone(v);
    }
}

/// @dev Shared fixture. The tests are split over several contracts only because a test contract's bytecode
///      must stay under the 24,576-byte limit (the build treats the size warning as an error).
abstract contract StakeManagerFixture is Test {
    uint256 internal constant MIN_STAKE = 1_000 ether;
    uint64 internal constant PERIOD = 14 days;
    uint256 internal constant SUPPLY = 1e30;
    uint256 internal constant START = 1_700_000_000;

    HealToken internal token;
    StakeManager internal sm;

    address internal admin = makeAddr("admin");
    address internal treasury = makeAddr("treasury");
    address internal governor = makeAddr("governor");
    address internal slasher = makeAddr("slasher");
    address internal jailer = makeAddr("jailer");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal reporter = makeAddr("reporter");
    address internal stranger = makeAddr("stranger");

    function setUp() public {
        vm.warp(START);
        // deployCode (from the build's artifacts) keeps the contracts' creation code out of each test's bytecode.
        token = HealToken(deployCode("HealToken.sol:HealToken", abi.encode(address(this), SUPPLY)));
        sm = _deploy(admin, IERC20(address(token)), treasury, MIN_STAKE, PERIOD);
        vm.startPrank(admin);
        sm.grantRole(sm.PARAMETER_ROLE(), governor);
        sm.grantRole(sm.SLASHER_ROLE(), slasher);
        sm.grantRole(sm.JAILER_ROLE(), jailer);
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ helpers

    function _deploy(
        address admin_,
        IERC20 token_,
        address treasury_,
        uint256 minStake_,
        uint64 period_
    ) internal returns (StakeManager) {
        StakeManager impl = _impl();
        bytes memory init = abi.encodeCall(
            StakeManager.initialize,
            (admin_, token_, treasury_, minStake_, period_)
        );
        return StakeManager(address(new ERC1967Proxy(address(impl), init)));
    }

    function _impl() internal returns (StakeManager) {
        return StakeManager(deployCode("StakeManager.sol:StakeManager"));
    }

    function _fund(address who, uint256 amount) internal {
        token.transfer(who, amount);
        vm.prank(who);
        token.approve(address(sm), type(uint256).max);
    }

    function _bond(address who, uint256 amount) internal {
        _fund(who, amount);
        vm.prank(who);
        sm.bond(amount);
    }

    function _unbond(address who, uint256 amount) internal {
        vm.prank(who);
        sm.requestUnbond(amount);
    }

    function _slash(
        address v,
        uint256 bps,
        uint256 faultAt
    ) internal returns (uint256 slashed, uint256 reward) {
        vm.prank(slasher);
        return sm.slash(v, bps, faultAt, address(0), 0, 0, 1);
    }

    function _observer() internal returns (MockStakeObserver obs) {
        obs = new MockStakeObserver(sm);
        vm.prank(admin);
        sm.setStakeObserver(address(obs));
    }

    function _assertConserved() internal view {
        IStakeManager.Totals memory t = sm.totals();
        assertEq(t.deposited, t.bonded + t.unbonding + t.withdrawn + t.slashed, "deposited");
        assertEq(token.balanceOf(address(sm)), t.bonded + t.unbonding + t.rewardsOwed, "balance");
    }

    function _unauthorized(address who, bytes32 role) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, who, role);
    }
}

contract StakeManagerTest is StakeManagerFixture {
    // ------------------------------------------------------------------ initialize

    function test_initialize_setsState() public view {
        assertEq(sm.stakeToken(), address(token));
        assertEq(sm.treasury(), treasury);
        assertEq(sm.minStake(), MIN_STAKE);
        assertEq(sm.unbondingPeriod(), PERIOD);
        assertEq(sm.stakeObserver(), address(0));
        assertTrue(sm.hasRole(sm.DEFAULT_ADMIN_ROLE(), admin));
        assertFalse(sm.hasRole(sm.SLASHER_ROLE(), admin), "admin gets no operational role");
        assertEq(sm.MAX_UNBONDING_REQUESTS(), 8);
        IStakeManager.Totals memory t = sm.totals();
        assertEq(t.deposited + t.bonded + t.unbonding + t.withdrawn + t.slashed + t.rewardsOwed, 0);
    }

    function test_initialize_usesNamespacedStorage() public view {
        bytes32 slot =
            keccak256(abi.encode(uint256(keccak256("healnet.storage.StakeManager")) - 1)) &
                ~bytes32(uint256(0xff));
        assertEq(address(uint160(uint256(vm.load(address(sm), slot)))), address(token), "token at slot 0");
    }

    function test_initialize_revertsIfCalledTwice() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        sm.initialize(admin, IERC20(address(token)), treasury, MIN_STAKE, PERIOD);
    }

    function test_initialize_revertsOnImplementation() public {
        StakeManager impl = _impl();
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        impl.initialize(admin, IERC20(address(token)), treasury, MIN_STAKE, PERIOD);
    }

    function test_initialize_revertsIfZeroAdmin() public {
        StakeManager impl = _impl();
        bytes memory init = abi.encodeCall(
            StakeManager.initialize,
            (address(0), IERC20(address(token)), treasury, MIN_STAKE, PERIOD)
        );
        vm.expectRevert(
            abi.encodeWithSelector(IStakeManager.StakeManagerZeroAddress.selector, bytes32("admin"))
        );
        new ERC1967Proxy(address(impl), init);
    }

    function test_initialize_revertsIfZeroToken() public {
        StakeManager impl = _impl();
        bytes memory init = abi.encodeCall(
            StakeManager.initialize,
            (admin, IERC20(address(0)), treasury, MIN_STAKE, PERIOD)
        );
        vm.expectRevert(
            abi.encodeWithSelector(IStakeManager.StakeManagerZeroAddress.selector, bytes32("token"))
        );
        new ERC1967Proxy(address(impl), init);
    }

    function test_initialize_revertsIfZeroTreasury() public {
        StakeManager impl = _impl();
        bytes memory init = abi.encodeCall(
            StakeManager.initialize,
            (admin, IERC20(address(token)), address(0), MIN_STAKE, PERIOD)
        );
        vm.expectRevert(
            abi.encodeWithSelector(IStakeManager.StakeManagerZeroAddress.selector, bytes32("treasury"))
        );
        new ERC1967Proxy(address(impl), init);
    }

    function test_initialize_revertsIfParameterOutOfBounds() public {
        StakeManager impl = _impl();
        bytes memory init = abi.encodeCall(
            StakeManager.initialize,
            (admin, IERC20(address(token)), treasury, MIN_STAKE, 1 days)
        );
        vm.expectRevert(
            abi.encodeWithSelector(
                IStakeManager.StakeManagerInvalidParameter.selector,
                bytes32("unbondingPeriod"),
                1 days,
                7 days,
                90 days
            )
        );
        new ERC1967Proxy(address(impl), init);
    }

    // ------------------------------------------------------------------ bond

    function test_bond_pullsTokensAndUpdatesTotals() public {
        _fund(alice, 5_000 ether);
        vm.expectEmit(address(sm));
        emit IStakeManager.Bonded(alice, 3_000 ether, 3_000 ether);
        vm.prank(alice);
        sm.bond(3_000 ether);
        vm.expectEmit(address(sm));
        emit IStakeManager.Bonded(alice, 2_000 ether, 5_000 ether);
        vm.prank(alice);
        sm.bond(2_000 ether);

        assertEq(sm.bondedOf(alice), 5_000 ether);
        assertEq(token.balanceOf(alice), 0);
        assertEq(token.balanceOf(address(sm)), 5_000 ether);
        IStakeManager.Totals memory t = sm.totals();
        assertEq(t.deposited, 5_000 ether);
        assertEq(t.bonded, 5_000 ether);
        _assertConserved();
    }

    function test_bond_revertsIfZeroAmount() public {
        vm.expectRevert(IStakeManager.StakeManagerZeroAmount.selector);
        vm.prank(alice);
        sm.bond(0);
    }

    function test_bond_revertsIfTombstoned() public {
        _bond(alice, MIN_STAKE);
        vm.prank(jailer);
        sm.tombstone(alice);
        _fund(alice, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.StakeManagerTombstoned.selector, alice));
        vm.prank(alice);
        sm.bond(1 ether);
    }

    function test_bond_revertsIfAmountTooLarge() public {
        uint256 tooMuch = uint256(type(uint128).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.StakeManagerAmountTooLarge.selector, tooMuch));
        vm.prank(alice);
        sm.bond(tooMuch);
    }

    function test_bond_revertsIfSumOverflows128Bits() public {
        _bond(alice, 1);
        uint256 amount = type(uint128).max;
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.StakeManagerAmountTooLarge.selector, amount));
        vm.prank(alice);
        sm.bond(amount);
    }

    function test_bond_revertsWithoutAllowance() public {
        token.transfer(alice, 10 ether);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(sm), 0, 10 ether)
        );
        vm.prank(alice);
        sm.bond(10 ether);
    }

    function test_bond_allowedWhileJailed() public {
        _bond(alice, MIN_STAKE);
        vm.prank(jailer);
        sm.jail(alice, uint64(block.timestamp + 1 days));
        _bond(alice, 1 ether);
        assertEq(sm.bondedOf(alice), MIN_STAKE + 1 ether);
    }

    // ------------------------------------------------------------------ requestUnbond

    function test_requestUnbond_opensRequest() public {
        _bond(alice, 3_000 ether);
        vm.expectEmit(address(sm));
        emit IStakeManager.UnbondRequested(alice, 1_000 ether, block.timestamp + PERIOD);
        _unbond(alice, 1_000 ether);

        assertEq(sm.bondedOf(alice), 2_000 ether);
        assertEq(sm.unbondingOf(alice), 1_000 ether);
        IStakeManager.UnbondingRequest[] memory r = sm.unbondingRequestsOf(alice);
        assertEq(r.length, 1);
        assertEq(r[0].amount, 1_000 ether);
        assertEq(r[0].requestedAt, block.timestamp);
        assertEq(r[0].releaseAt, block.timestamp + PERIOD);
        IStakeManager.Totals memory t = sm.totals();
        assertEq(t.bonded, 2_000 ether);
        assertEq(t.unbonding, 1_000 ether);
        _assertConserved();
    }

    function test_requestUnbond_revertsIfZeroAmount() public {
        _bond(alice, MIN_STAKE);
        vm.expectRevert(IStakeManager.StakeManagerZeroAmount.selector);
        _unbond(alice, 0);
    }

    function test_requestUnbond_revertsIfInsufficientBonded() public {
        _bond(alice, MIN_STAKE);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStakeManager.StakeManagerInsufficientBonded.selector,
                alice,
                MIN_STAKE + 1,
                MIN_STAKE
            )
        );
        _unbond(alice, MIN_STAKE + 1);
    }

    function test_requestUnbond_revertsIfTooManyRequests() public {
        _bond(alice, 100 ether);
        for (uint256 i; i < 8; ++i) {
            _unbond(alice, 1 ether);
            skip(1);
        }
        vm.expectRevert(
            abi.encodeWithSelector(IStakeManager.StakeManagerTooManyUnbondingRequests.selector, alice, 8)
        );
        _unbond(alice, 1 ether);
    }

    function test_requestUnbond_allowedWhenTombstoned() public {
        _bond(alice, MIN_STAKE);
        vm.prank(jailer);
        sm.tombstone(alice);
        _unbond(alice, MIN_STAKE);
        skip(PERIOD);
        vm.prank(alice);
        assertEq(sm.withdraw(), MIN_STAKE);
        assertEq(token.balanceOf(alice), MIN_STAKE);
    }

    function test_requestUnbond_keepsReleaseAtWhenPeriodChanges() public {
        _bond(alice, MIN_STAKE);
        _unbond(alice, 1 ether);
        uint64 releaseAt = uint64(block.timestamp) + PERIOD;
        vm.prank(governor);
        sm.setParameters(MIN_STAKE, 30 days, treasury);
        assertEq(sm.unbondingRequestsOf(alice)[0].releaseAt, releaseAt);
        _unbond(alice, 1 ether);
        assertEq(sm.unbondingRequestsOf(alice)[1].releaseAt, block.timestamp + 30 days);
    }
}

contract StakeManagerWithdrawTest is StakeManagerFixture {
    // ------------------------------------------------------------------ withdraw

    function test_withdraw_paysMaturedRequestsOnlyAndKeepsOrder() public {
        _bond(alice, 60 ether);
        _unbond(alice, 10 ether); // releases at START + PERIOD
        skip(1 days);
        _unbond(alice, 20 ether); // START + 1 day + PERIOD
        skip(1 days);
        _unbond(alice, 30 ether); // START + 2 days + PERIOD

        vm.warp(START + 1 days + PERIOD); // first two matured, the second exactly at releaseAt
        vm.expectEmit(address(sm));
        emit IStakeManager.Withdrawn(alice, 30 ether);
        vm.prank(alice);
        assertEq(sm.withdraw(), 30 ether);

        assertEq(token.balanceOf(alice), 30 ether);
        IStakeManager.UnbondingRequest[] memory r = sm.unbondingRequestsOf(alice);
        assertEq(r.length, 1);
        assertEq(r[0].amount, 30 ether);
        assertEq(r[0].releaseAt, START + 2 days + PERIOD);
        assertEq(sm.totals().withdrawn, 30 ether);
        _assertConserved();
    }

    function test_withdraw_revertsOneSecondBeforeReleaseAt() public {
        _bond(alice, 10 ether);
        _unbond(alice, 10 ether);
        vm.warp(START + PERIOD - 1);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.StakeManagerNothingToWithdraw.selector, alice));
        vm.prank(alice);
        sm.withdraw();
        vm.warp(START + PERIOD);
        vm.prank(alice);
        assertEq(sm.withdraw(), 10 ether);
    }

    function test_withdraw_revertsIfNoRequests() public {
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.StakeManagerNothingToWithdraw.selector, alice));
        vm.prank(alice);
        sm.withdraw();
    }

    function test_withdraw_freesRequestPlaces() public {
        _bond(alice, 100 ether);
        for (uint256 i; i < 8; ++i) _unbond(alice, 1 ether);
        skip(PERIOD);
        vm.prank(alice);
        assertEq(sm.withdraw(), 8 ether);
        assertEq(sm.unbondingRequestsOf(alice).length, 0);
        for (uint256 i; i < 8; ++i) _unbond(alice, 1 ether);
        assertEq(sm.unbondingOf(alice), 8 ether);
    }

    function test_withdraw_doesNotNotifyObserver() public {
        MockStakeObserver obs = _observer();
        _bond(alice, 10 ether);
        _unbond(alice, 10 ether);
        skip(PERIOD);
        uint256 before = obs.callCount();
        vm.prank(alice);
        sm.withdraw();
        assertEq(obs.callCount(), before);
    }

    function test_withdraw_ignoresDirectTransfers() public {
        _bond(alice, 10 ether);
        token.transfer(address(sm), 1_000 ether); // a donation is inert
        _unbond(alice, 10 ether);
        skip(PERIOD);
        vm.prank(alice);
        assertEq(sm.withdraw(), 10 ether);
        IStakeManager.Totals memory t = sm.totals();
        assertEq(t.deposited, 10 ether);
        assertEq(t.withdrawn, 10 ether);
        assertEq(token.balanceOf(address(sm)), 1_000 ether);
    }
}

contract StakeManagerSlashTest is StakeManagerFixture {
    // ------------------------------------------------------------------ slash

    function test_slash_cutsBondedAndRequestsOpenedAfterFault() public {
        _bond(alice, 1_000 ether);
        _unbond(alice, 100 ether); // at START: before the fault, not slashable
        skip(10);
        uint256 faultAt = block.timestamp;
        _unbond(alice, 100 ether); // at the fault: not slashable
        skip(10);
        _unbond(alice, 200 ether); // after the fault: slashable (the escape attempt)

        vm.expectEmit(address(sm));
        // bonded 600 * 10% = 60; the last request 200 * 10% = 20.
        emit IStakeManager.Slashed(alice, 7, reporter, 80 ether, 8 ether, 72 ether);
        vm.prank(slasher);
        (uint256 slashed, uint256 reward) = sm.slash(alice, 1_000, faultAt, reporter, 1_000, 100 ether, 7);

        assertEq(slashed, 80 ether);
        assertEq(reward, 8 ether);
        assertEq(sm.bondedOf(alice), 540 ether);
        IStakeManager.UnbondingRequest[] memory r = sm.unbondingRequestsOf(alice);
        assertEq(r[0].amount, 100 ether);
        assertEq(r[1].amount, 100 ether);
        assertEq(r[2].amount, 180 ether);
        assertEq(sm.rewardOf(reporter), 8 ether);
        assertEq(token.balanceOf(treasury), 72 ether);
        IStakeManager.Totals memory t = sm.totals();
        assertEq(t.slashed, 80 ether);
        assertEq(t.rewardsOwed, 8 ether);
        assertEq(t.unbonding, 380 ether);
        _assertConserved();
    }

    function test_slash_capsReward() public {
        _bond(alice, 1_000 ether);
        vm.prank(slasher);
        (uint256 slashed, uint256 reward) = sm.slash(alice, 5_000, 0, reporter, 5_000, 10 ether, 1);
        assertEq(slashed, 500 ether);
        assertEq(reward, 10 ether);
        assertEq(token.balanceOf(treasury), 490 ether);
        _assertConserved();
    }

    function test_slash_selfReportPaysNothing() public {
        _bond(alice, 1_000 ether);
        vm.prank(slasher);
        (uint256 slashed, uint256 reward) = sm.slash(alice, 1_000, 0, alice, 10_000, type(uint256).max, 1);
        assertEq(slashed, 100 ether);
        assertEq(reward, 0);
        assertEq(sm.rewardOf(alice), 0);
        assertEq(token.balanceOf(treasury), 100 ether);
    }

    function test_slash_zeroRecipientPaysNothing() public {
        _bond(alice, 1_000 ether);
        vm.prank(slasher);
        (, uint256 reward) = sm.slash(alice, 1_000, 0, address(0), 10_000, type(uint256).max, 1);
        assertEq(reward, 0);
        assertEq(sm.rewardOf(address(0)), 0);
        assertEq(token.balanceOf(treasury), 100 ether);
    }

    function test_slash_fullSlashDropsEmptiedRequests() public {
        _bond(alice, 100 ether);
        _unbond(alice, 10 ether);
        skip(1);
        _unbond(alice, 10 ether);
        skip(1);
        _unbond(alice, 10 ether);
        _slash(alice, 10_000, START); // the first request is at START: kept
        assertEq(sm.bondedOf(alice), 0);
        IStakeManager.UnbondingRequest[] memory r = sm.unbondingRequestsOf(alice);
        assertEq(r.length, 1, "emptied requests are dropped");
        assertEq(r[0].requestedAt, START);
        assertEq(sm.totals().slashed, 90 ether);
        _assertConserved();
    }

    function test_slash_ofNothingChangesNothing() public {
        MockStakeObserver obs = _observer();
        (uint256 slashed, uint256 reward) = _slash(alice, 10_000, 0);
        assertEq(slashed + reward, 0);
        assertEq(obs.callCount(), 0, "no stake change, no notification");
        assertEq(token.balanceOf(treasury), 0);
    }

    function test_slash_roundsEachBucketDown() public {
        _bond(alice, 9);
        _unbond(alice, 3); // bonded 6, request 3; both after fault 0
        (uint256 slashed, ) = _slash(alice, 5_000, 0); // floor(6/2) + floor(3/2) = 3 + 1
        assertEq(slashed, 4);
        assertEq(sm.bondedOf(alice), 3);
        assertEq(sm.unbondingOf(alice), 2);
    }

    function test_slash_revertsIfNotSlasher() public {
        vm.expectRevert(_unauthorized(stranger, sm.SLASHER_ROLE()));
        vm.prank(stranger);
        sm.slash(alice, 1, 0, address(0), 0, 0, 1);
    }

    function test_slash_revertsIfZeroValidator() public {
        vm.expectRevert(
            abi.encodeWithSelector(IStakeManager.StakeManagerZeroAddress.selector, bytes32("validator"))
        );
        vm.prank(slasher);
        sm.slash(address(0), 1, 0, address(0), 0, 0, 1);
    }

    function test_slash_revertsIfBpsAboveMax() public {
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.StakeManagerInvalidBps.selector, 10_001));
        vm.prank(slasher);
        sm.slash(alice, 10_001, 0, address(0), 0, 0, 1);
    }

    function test_slash_revertsIfRewardBpsAboveMax() public {
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.StakeManagerInvalidBps.selector, 20_000));
        vm.prank(slasher);
        sm.slash(alice, 10_000, 0, reporter, 20_000, 0, 1);
    }
}

contract StakeManagerJailTest is StakeManagerFixture {
    // ------------------------------------------------------------------ jail, unjail, release, tombstone

    function test_jail_jailsUntilTime() public {
        uint64 until = uint64(block.timestamp + 1 days);
        vm.expectEmit(address(sm));
        emit IStakeManager.Jailed(alice, until);
        vm.prank(jailer);
        sm.jail(alice, until);
        assertTrue(sm.isJailed(alice));
        assertEq(sm.jailedUntil(alice), until);
        skip(2 days);
        assertTrue(sm.isJailed(alice), "jailed until it unjails");
    }

    function test_jail_neverShortens() public {
        uint64 until = uint64(block.timestamp + 10 days);
        vm.startPrank(jailer);
        sm.jail(alice, until);
        vm.recordLogs();
        sm.jail(alice, until - 1);
        sm.jail(alice, until);
        vm.stopPrank();
        assertEq(vm.getRecordedLogs().length, 0, "no event for a no-op");
        assertEq(sm.jailedUntil(alice), until);
    }

    function test_jail_extends() public {
        vm.startPrank(jailer);
        sm.jail(alice, uint64(block.timestamp + 1 days));
        sm.jail(alice, uint64(block.timestamp + 3 days));
        vm.stopPrank();
        assertEq(sm.jailedUntil(alice), block.timestamp + 3 days);
    }

    function test_jail_revertsIfNotJailer() public {
        vm.expectRevert(_unauthorized(stranger, sm.JAILER_ROLE()));
        vm.prank(stranger);
        sm.jail(alice, 1);
    }

    function test_jail_revertsIfZeroValidator() public {
        vm.expectRevert(
            abi.encodeWithSelector(IStakeManager.StakeManagerZeroAddress.selector, bytes32("validator"))
        );
        vm.prank(jailer);
        sm.jail(address(0), 1);
    }

    function test_unjail_releasesExactlyAtJailedUntil() public {
        _bond(alice, MIN_STAKE);
        uint64 until = uint64(block.timestamp + 1 days);
        vm.prank(jailer);
        sm.jail(alice, until);
        vm.warp(until);
        vm.expectEmit(address(sm));
        emit IStakeManager.Unjailed(alice, alice);
        vm.prank(alice);
        sm.unjail();
        assertFalse(sm.isJailed(alice));
        assertEq(sm.jailedUntil(alice), 0);
    }

    function test_unjail_revertsIfStillJailed() public {
        _bond(alice, MIN_STAKE);
        uint64 until = uint64(block.timestamp + 1 days);
        vm.prank(jailer);
        sm.jail(alice, until);
        vm.warp(until - 1);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.StakeManagerStillJailed.selector, alice, until));
        vm.prank(alice);
        sm.unjail();
    }

    function test_unjail_revertsIfNotJailed() public {
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.StakeManagerNotJailed.selector, alice));
        vm.prank(alice);
        sm.unjail();
    }

    function test_unjail_revertsIfTombstoned() public {
        vm.prank(jailer);
        sm.tombstone(alice);
        vm.warp(type(uint64).max);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.StakeManagerTombstoned.selector, alice));
        vm.prank(alice);
        sm.unjail();
    }

    function test_unjail_revertsIfBelowMinStakeUntilToppedUp() public {
        _bond(alice, MIN_STAKE);
        vm.prank(jailer);
        sm.jail(alice, uint64(block.timestamp));
        _slash(alice, 100, 0); // 1% off
        vm.expectRevert(
            abi.encodeWithSelector(
                IStakeManager.StakeManagerBelowMinStake.selector,
                alice,
                MIN_STAKE - 10 ether,
                MIN_STAKE
            )
        );
        vm.prank(alice);
        sm.unjail();
        _bond(alice, 10 ether);
        vm.prank(alice);
        sm.unjail();
        assertFalse(sm.isJailed(alice));
    }
}

contract StakeManagerReleaseTest is StakeManagerFixture {
    function test_release_endsJailAtOnce() public {
        vm.prank(jailer);
        sm.jail(alice, uint64(block.timestamp + 30 days));
        vm.expectEmit(address(sm));
        emit IStakeManager.Unjailed(alice, jailer);
        vm.prank(jailer);
        sm.release(alice);
        assertFalse(sm.isJailed(alice));
        assertEq(sm.jailedUntil(alice), 0);
    }

    function test_release_revertsIfNotJailer() public {
        vm.expectRevert(_unauthorized(stranger, sm.JAILER_ROLE()));
        vm.prank(stranger);
        sm.release(alice);
    }

    function test_release_doesNothingIfNotJailed() public {
        MockStakeObserver obs = _observer();
        vm.recordLogs();
        vm.prank(jailer);
        sm.release(alice);
        assertEq(vm.getRecordedLogs().length, 0, "no event");
        assertEq(obs.callCount(), 0, "no notification");
        assertFalse(sm.isJailed(alice));
    }

    function test_release_revertsIfTombstoned() public {
        vm.startPrank(jailer);
        sm.tombstone(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.StakeManagerTombstoned.selector, alice));
        sm.release(alice);
        vm.stopPrank();
    }

    function test_tombstone_jailsForever() public {
        vm.prank(jailer);
        sm.jail(alice, uint64(block.timestamp + 1 days));
        vm.expectEmit(address(sm));
        emit IStakeManager.Jailed(alice, type(uint64).max);
        vm.expectEmit(address(sm));
        emit IStakeManager.Tombstoned(alice);
        vm.prank(jailer);
        sm.tombstone(alice);
        assertTrue(sm.isTombstoned(alice));
        assertTrue(sm.isJailed(alice));
        assertEq(sm.jailedUntil(alice), type(uint64).max);
        vm.prank(jailer);
        sm.jail(alice, 1); // cannot shorten a tombstone either
        assertEq(sm.jailedUntil(alice), type(uint64).max);
    }

    function test_tombstone_revertsIfAlreadyTombstoned() public {
        vm.startPrank(jailer);
        sm.tombstone(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.StakeManagerTombstoned.selector, alice));
        sm.tombstone(alice);
        vm.stopPrank();
    }

    function test_tombstone_revertsIfNotJailer() public {
        vm.expectRevert(_unauthorized(stranger, sm.JAILER_ROLE()));
        vm.prank(stranger);
        sm.tombstone(alice);
    }

    function test_tombstone_revertsIfZeroValidator() public {
        vm.expectRevert(
            abi.encodeWithSelector(IStakeManager.StakeManagerZeroAddress.selector, bytes32("validator"))
        );
        vm.prank(jailer);
        sm.tombstone(address(0));
    }
}

contract StakeManagerAdminTest is StakeManagerFixture {
    // ------------------------------------------------------------------ rewards

    function test_claimReward_paysAccumulatedRewardOnce() public {
        _bond(alice, 1_000 ether);
        vm.startPrank(slasher);
        sm.slash(alice, 1_000, 0, reporter, 1_000, type(uint256).max, 1); // 100 slashed, 10 reward
        sm.slash(alice, 1_000, 0, reporter, 1_000, type(uint256).max, 2); // 90 slashed, 9 reward
        vm.stopPrank();
        assertEq(sm.rewardOf(reporter), 19 ether);

        vm.expectEmit(address(sm));
        emit IStakeManager.RewardClaimed(reporter, bob, 19 ether);
        vm.prank(reporter);
        assertEq(sm.claimReward(bob), 19 ether);
        assertEq(token.balanceOf(bob), 19 ether);
        assertEq(sm.rewardOf(reporter), 0);
        assertEq(sm.totals().rewardsOwed, 0);
        _assertConserved();

        vm.expectRevert(abi.encodeWithSelector(IStakeManager.StakeManagerNoReward.selector, reporter));
        vm.prank(reporter);
        sm.claimReward(reporter);
    }

    function test_claimReward_revertsIfNoReward() public {
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.StakeManagerNoReward.selector, stranger));
        vm.prank(stranger);
        sm.claimReward(stranger);
    }

    function test_claimReward_revertsIfZeroRecipient() public {
        vm.expectRevert(
            abi.encodeWithSelector(IStakeManager.StakeManagerZeroAddress.selector, bytes32("to"))
        );
        vm.prank(reporter);
        sm.claimReward(address(0));
    }

    // ------------------------------------------------------------------ parameters and observer

    function test_setParameters_updates() public {
        address newTreasury = makeAddr("newTreasury");
        vm.expectEmit(address(sm));
        emit IStakeManager.ParametersUpdated(1 ether, 90 days, newTreasury);
        vm.prank(governor);
        sm.setParameters(1 ether, 90 days, newTreasury);
        assertEq(sm.minStake(), 1 ether);
        assertEq(sm.unbondingPeriod(), 90 days);
        assertEq(sm.treasury(), newTreasury);
        vm.prank(governor);
        sm.setParameters(1e27, 7 days, newTreasury); // both other bounds are inclusive too
        assertEq(sm.minStake(), 1e27);
    }

    function test_setParameters_revertsIfNotParameterRole() public {
        vm.expectRevert(_unauthorized(admin, sm.PARAMETER_ROLE()));
        vm.prank(admin);
        sm.setParameters(MIN_STAKE, PERIOD, treasury);
    }

    function test_setParameters_revertsIfZeroTreasury() public {
        vm.expectRevert(
            abi.encodeWithSelector(IStakeManager.StakeManagerZeroAddress.selector, bytes32("treasury"))
        );
        vm.prank(governor);
        sm.setParameters(MIN_STAKE, PERIOD, address(0));
    }

    function testFuzz_setParameters_revertsIfMinStakeOutOfBounds(uint256 value) public {
        vm.assume(value < 1 ether || value > 1e27);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStakeManager.StakeManagerInvalidParameter.selector,
                bytes32("minStake"),
                value,
                1 ether,
                1e27
            )
        );
        vm.prank(governor);
        sm.setParameters(value, PERIOD, treasury);
    }

    function testFuzz_setParameters_revertsIfPeriodOutOfBounds(uint64 value) public {
        vm.assume(value < 7 days || value > 90 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStakeManager.StakeManagerInvalidParameter.selector,
                bytes32("unbondingPeriod"),
                value,
                7 days,
                90 days
            )
        );
        vm.prank(governor);
        sm.setParameters(MIN_STAKE, value, treasury);
    }

    function test_setStakeObserver_setsOnce() public {
        address obs = makeAddr("observer");
        vm.expectEmit(address(sm));
        emit IStakeManager.StakeObserverSet(obs);
        vm.prank(admin);
        sm.setStakeObserver(obs);
        assertEq(sm.stakeObserver(), obs);

        vm.expectRevert(abi.encodeWithSelector(IStakeManager.StakeManagerObserverAlreadySet.selector, obs));
        vm.prank(admin);
        sm.setStakeObserver(makeAddr("other"));
    }

    function test_setStakeObserver_revertsIfZero() public {
        vm.expectRevert(
            abi.encodeWithSelector(IStakeManager.StakeManagerZeroAddress.selector, bytes32("observer"))
        );
        vm.prank(admin);
        sm.setStakeObserver(address(0));
    }

    function test_setStakeObserver_revertsIfNotAdmin() public {
        vm.expectRevert(_unauthorized(governor, sm.DEFAULT_ADMIN_ROLE()));
        vm.prank(governor);
        sm.setStakeObserver(governor);
    }
}

contract StakeManagerObserverTest is StakeManagerFixture {
    function test_observer_notifiedAfterEveryStakeOrJailChange() public {
        MockStakeObserver obs = _observer();
        _bond(alice, 2 * MIN_STAKE);
        assertEq(obs.callCount(), 1);
        assertEq(obs.lastCall(), alice);
        assertEq(obs.bondedAtLastCall(), 2 * MIN_STAKE, "sees the new state");

        _unbond(alice, 1 ether);
        assertEq(obs.callCount(), 2);
        assertEq(obs.bondedAtLastCall(), 2 * MIN_STAKE - 1 ether);

        _slash(alice, 100, 0);
        assertEq(obs.callCount(), 3);

        vm.prank(jailer);
        sm.jail(alice, uint64(block.timestamp));
        assertEq(obs.callCount(), 4);
        assertTrue(obs.jailedAtLastCall());

        vm.prank(alice);
        sm.unjail();
        assertEq(obs.callCount(), 5);
        assertFalse(obs.jailedAtLastCall());

        vm.startPrank(jailer);
        sm.jail(alice, uint64(block.timestamp + 1 days));
        sm.release(alice);
        assertEq(obs.callCount(), 7);
        sm.tombstone(alice);
        vm.stopPrank();
        assertEq(obs.callCount(), 8);
        assertEq(obs.lastCall(), alice);
        assertTrue(obs.jailedAtLastCall());
    }

    function test_observer_notCalledBackWhenItIsTheCaller() public {
        MockStakeObserver obs = _observer();
        vm.startPrank(admin);
        sm.grantRole(sm.SLASHER_ROLE(), address(obs));
        sm.grantRole(sm.JAILER_ROLE(), address(obs));
        vm.stopPrank();
        _bond(alice, MIN_STAKE);
        uint256 before = obs.callCount();

        (uint256 slashed, ) = obs.doSlash(alice, 1_000);
        obs.doJail(alice, uint64(block.timestamp + 1 days));
        obs.doRelease(alice);
        obs.doTombstone(alice);

        assertEq(slashed, MIN_STAKE / 10, "the slash happened");
        assertTrue(sm.isTombstoned(alice), "the tombstone happened");
        assertEq(obs.callCount(), before, "no callback to the caller");
    }

    function test_observer_refusalRevertsTheChange() public {
        MockStakeObserver obs = _observer();
        _bond(alice, MIN_STAKE);
        obs.setRefuse(true);
        vm.expectRevert(abi.encodeWithSelector(MockStakeObserver.MockObserverRefused.selector, alice));
        _unbond(alice, 1 ether);
        assertEq(sm.bondedOf(alice), MIN_STAKE);
        assertEq(sm.unbondingRequestsOf(alice).length, 0);
    }

    function test_observer_cannotReenter() public {
        MockStakeObserver obs = _observer();
        obs.setReenter(true);
        _fund(alice, MIN_STAKE);
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        vm.prank(alice);
        sm.bond(MIN_STAKE);
    }
}

contract StakeManagerFuzzTest is StakeManagerFixture {
    // ------------------------------------------------------------------ fuzz

    function testFuzz_bondUnbondWithdraw_paysExactlyAfterPeriod(
        uint256 bondAmount,
        uint256 unbondAmount,
        uint256 wait
    ) public {
        bondAmount = bound(bondAmount, 1, SUPPLY);
        unbondAmount = bound(unbondAmount, 1, bondAmount);
        wait = bound(wait, 0, 3 * uint256(PERIOD));
        _bond(alice, bondAmount);
        _unbond(alice, unbondAmount);
        skip(wait);
        vm.prank(alice);
        if (wait < PERIOD) {
            vm.expectRevert(
                abi.encodeWithSelector(IStakeManager.StakeManagerNothingToWithdraw.selector, alice)
            );
            sm.withdraw();
            assertEq(token.balanceOf(alice), 0);
        } else {
            assertEq(sm.withdraw(), unbondAmount);
            assertEq(token.balanceOf(alice), unbondAmount);
        }
        assertEq(sm.bondedOf(alice), bondAmount - unbondAmount);
        _assertConserved();
    }

    function testFuzz_slash_math(
        uint256 bonded,
        uint256 bps,
        uint256 rewardBps,
        uint256 rewardCap,
        uint8 recipientKind
    ) public {
        bonded = bound(bonded, 1, SUPPLY);
        bps = bound(bps, 0, 10_000);
        rewardBps = bound(rewardBps, 0, 10_000);
        rewardCap = bound(rewardCap, 0, SUPPLY);
        address recipient =
            recipientKind % 3 == 0
                ? reporter
                : recipientKind % 3 == 1
                    ? alice
                    : address(0);
        _bond(alice, bonded);

        vm.prank(slasher);
        (uint256 slashed, uint256 reward) = sm.slash(alice, bps, 0, recipient, rewardBps, rewardCap, 1);

        uint256 expectedSlashed = (bonded * bps) / 10_000;
        uint256 expectedReward = recipient == reporter ? (expectedSlashed * rewardBps) / 10_000 : 0;
        if (expectedReward > rewardCap) expectedReward = rewardCap;
        assertEq(slashed, expectedSlashed, "slashed");
        assertEq(reward, expectedReward, "reward");
        assertLe(reward, rewardCap, "cap");
        assertEq(sm.bondedOf(alice), bonded - expectedSlashed);
        assertEq(sm.rewardOf(reporter), expectedReward);
        assertEq(sm.rewardOf(alice), 0, "self-reporting never pays");
        assertEq(token.balanceOf(treasury), expectedSlashed - expectedReward);
        _assertConserved();
    }

    /// The escape attempt: a request opened after the fault loses the same share as the bonded stake; one
    /// opened at or before the fault keeps everything.
    function testFuzz_slash_unbondingAfterFaultCannotEscape(
        uint256 bonded,
        uint256 unbondAmount,
        uint256 bps,
        uint256 faultOffset,
        uint256 slashDelay,
        bool unbondAfterFault
    ) public {
        bonded = bound(bonded, 1, SUPPLY);
        unbondAmount = bound(unbondAmount, 1, bonded);
        bps = bound(bps, 0, 10_000);
        faultOffset = bound(faultOffset, 0, PERIOD - 1);
        _bond(alice, bonded);

        uint256 faultAt;
        uint256 requestedAt;
        if (unbondAfterFault) {
            faultAt = block.timestamp;
            skip(faultOffset + 1);
            requestedAt = block.timestamp;
            _unbond(alice, unbondAmount);
        } else {
            requestedAt = block.timestamp;
            _unbond(alice, unbondAmount);
            skip(faultOffset);
            faultAt = block.timestamp;
        }
        // The slash lands while the request is still pending (before it could be withdrawn).
        slashDelay = bound(slashDelay, 0, requestedAt + PERIOD - 1 - block.timestamp);
        skip(slashDelay);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.StakeManagerNothingToWithdraw.selector, alice));
        sm.withdraw();

        (uint256 slashed, ) = _slash(alice, bps, faultAt);

        uint256 fromBonded = ((bonded - unbondAmount) * bps) / 10_000;
        uint256 fromRequest = unbondAfterFault ? (unbondAmount * bps) / 10_000 : 0;
        assertEq(slashed, fromBonded + fromRequest);
        assertEq(sm.unbondingOf(alice), unbondAmount - fromRequest);
        _assertConserved();
    }

    function testFuzz_jail_neverShortened(uint64 first, uint64 second, uint256 wait) public {
        wait = bound(wait, 0, 365 days);
        vm.startPrank(jailer);
        sm.jail(alice, first);
        skip(wait);
        sm.jail(alice, second);
        vm.stopPrank();
        assertEq(sm.jailedUntil(alice), first > second ? first : second);
        assertTrue(sm.isJailed(alice));
    }

    function testFuzz_requestUnbond_atMostMaxRequests(uint256 n, uint256 gap) public {
        n = bound(n, 1, 12);
        gap = bound(gap, 0, 2 days);
        _bond(alice, 100 ether);
        for (uint256 i; i < n; ++i) {
            if (i >= 8) {
                vm.expectRevert(
                    abi.encodeWithSelector(
                        IStakeManager.StakeManagerTooManyUnbondingRequests.selector,
                        alice,
                        8
                    )
                );
            }
            _unbond(alice, 1 ether);
            skip(gap);
        }
        uint256 pending = n > 8 ? 8 : n;
        assertEq(sm.unbondingRequestsOf(alice).length, pending);
        assertEq(sm.unbondingOf(alice), pending * 1 ether);
        assertEq(sm.bondedOf(alice), 100 ether - pending * 1 ether);
    }

    function testFuzz_withdraw_paysOnlyMaturedRequests(uint256[8] memory gaps, uint256 at) public {
        _bond(alice, 80 ether);
        uint256[8] memory releaseAt;
        for (uint256 i; i < 8; ++i) {
            skip(bound(gaps[i], 0, 10 days));
            _unbond(alice, (i + 1) * 1 ether);
            releaseAt[i] = block.timestamp + PERIOD;
        }
        vm.warp(bound(at, block.timestamp, block.timestamp + 2 * uint256(PERIOD)));
        uint256 expected;
        for (uint256 i; i < 8; ++i) {
            if (releaseAt[i] <= block.timestamp) expected += (i + 1) * 1 ether;
        }
        vm.prank(alice);
        if (expected == 0) {
            vm.expectRevert(
                abi.encodeWithSelector(IStakeManager.StakeManagerNothingToWithdraw.selector, alice)
            );
            sm.withdraw();
        } else {
            assertEq(sm.withdraw(), expected);
        }
        IStakeManager.UnbondingRequest[] memory r = sm.unbondingRequestsOf(alice);
        for (uint256 i; i < r.length; ++i) assertGt(r[i].releaseAt, block.timestamp, "only immature left");
        assertEq(sm.unbondingOf(alice), 36 ether - expected);
        _assertConserved();
    }

    function test_events_recordedInOrder() public {
        // A full life cycle leaves a log an indexer can replay: Bonded, UnbondRequested, Slashed, Withdrawn.
        vm.recordLogs();
        _bond(alice, 100 ether);
        _unbond(alice, 40 ether);
        _slash(alice, 5_000, 0);
        skip(PERIOD);
        vm.prank(alice);
        sm.withdraw();
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes32[] memory smTopics = new bytes32[](logs.length);
        uint256 n;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(sm)) smTopics[n++] = logs[i].topics[0];
        }
        assertEq(n, 4);
        assertEq(smTopics[0], IStakeManager.Bonded.selector);
        assertEq(smTopics[1], IStakeManager.UnbondRequested.selector);
        assertEq(smTopics[2], IStakeManager.Slashed.selector);
        assertEq(smTopics[3], IStakeManager.Withdrawn.selector);
        assertEq(token.balanceOf(alice), 20 ether);
    }
}

/// @dev The other tests deploy with `deployCode`, which reads the build's artifacts: this one fails if those
///      artifacts are stale (e.g. after editing the contract and running a single test file without a build).
contract StakeManagerArtifactTest is Test {
    function test_deployCode_matchesCompiledSource() public {
        assertEq(
            keccak256(deployCode("StakeManager.sol:StakeManager").code),
            keccak256(type(StakeManager).runtimeCode),
            "stale StakeManager artifact: run `npx hardhat build`"
        );
    }
}
