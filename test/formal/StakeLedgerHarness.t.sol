// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {StakeLedgerHarness} from "../../formal/StakeLedgerHarness.sol";
import {HealToken} from "../../contracts/governance/HealToken.sol";
import {IStakeManager} from "../../contracts/interfaces/IStakeManager.sol";
import {StakeManager} from "../../contracts/staking/StakeManager.sol";

/// @notice Ties the SMTChecker harness to the real contract: random sequences of bond, requestUnbond, withdraw,
///         slash, claimReward, tombstone and time jumps run on StakeLedgerHarness and on StakeManager (behind a
///         proxy, one validator); after every step both accepted or both refused it, and the totals, the bonded
///         stake, every pending request and the token balance are the same. A change to StakeManager's
///         accounting that the harness does not follow fails here.
contract StakeLedgerHarnessTest is Test {
    uint256 internal constant START = 1_700_000_000;
    uint64 internal constant PERIOD = 14 days;
    uint256 internal constant STEPS = 24;

    StakeLedgerHarness internal harness;
    StakeManager internal sm;
    HealToken internal token;
    address internal validator = makeAddr("validator");
    address internal reporter = makeAddr("reporter");
    address internal treasury = makeAddr("treasury");

    function setUp() public {
        vm.warp(START);
        token = HealToken(deployCode("HealToken.sol:HealToken", abi.encode(address(this), 1e30)));
        StakeManager impl = StakeManager(deployCode("StakeManager.sol:StakeManager"));
        bytes memory init = abi.encodeCall(
            StakeManager.initialize,
            (address(this), IERC20(address(token)), treasury, 1_000 ether, PERIOD)
        );
        sm = StakeManager(address(new ERC1967Proxy(address(impl), init)));
        sm.grantRole(sm.SLASHER_ROLE(), address(this));
        sm.grantRole(sm.JAILER_ROLE(), address(this));
        harness = new StakeLedgerHarness(PERIOD);
        token.transfer(validator, 1e29);
        vm.prank(validator);
        token.approve(address(sm), type(uint256).max);
    }

    /// hardhat-config: fuzz.runs = 256
    function testFuzz_harness_matchesStakeManager(uint256 seed) public {
        for (uint256 step = 0; step < STEPS; ++step) {
            seed = uint256(keccak256(abi.encode(seed, step)));
            _step(seed);
            _assertSame();
        }
    }

    function test_harness_matchesStakeManager_slashDuringUnbonding() public {
        _bond(500 ether);
        _unbond(100 ether);
        vm.warp(block.timestamp + 1 days);
        _unbond(50 ether);
        _slash(5_000, START, true, 1_000, 1 ether);
        _assertSame();
        vm.warp(block.timestamp + PERIOD);
        _same(_realWithdraw(), _harnessWithdraw());
        _assertSame();
        assertEq(harness.requestCount(), 0);
    }

    // ------------------------------------------------------------------ one random step

    function _step(uint256 r) internal {
        uint256 op = r % 7;
        uint256 a = r >> 8;
        if (op == 0) {
            _bond(bound(a, 0, 1e24));
        } else if (op == 1) {
            // Sometimes more than bonded (refused), sometimes all of it.
            _unbond(bound(a, 0, uint256(harness.bonded()) + 1));
        } else if (op == 2) {
            uint256 count = harness.requestCount();
            if (count != 0 && a % 2 == 0) {
                // Exactly to a request's release time: the boundary withdraw must agree on.
                uint256 releaseAt = harness.requestAt((a >> 8) % count).releaseAt;
                if (releaseAt > block.timestamp) vm.warp(releaseAt);
            } else {
                vm.warp(block.timestamp + bound(a, 0, 2 * PERIOD));
            }
        } else if (op == 3) {
            _same(_realWithdraw(), _harnessWithdraw());
        } else if (op == 4) {
            uint256 faultAt = bound(a >> 32, START - 1, block.timestamp);
            _slash(bound(a, 0, 10_001), faultAt, (a >> 64) % 2 == 0, bound(a >> 96, 0, 10_000), a >> 160);
        } else if (op == 5) {
            uint256 owed = sm.rewardOf(reporter);
            vm.prank(reporter);
            (bool realOk, ) = address(sm).call(abi.encodeCall(IStakeManager.claimReward, (reporter)));
            (bool harnessOk, ) = address(harness).call(
                abi.encodeCall(StakeLedgerHarness.claimReward, (owed))
            );
            _same(realOk, harnessOk);
        } else {
            (bool realOk, ) = address(sm).call(abi.encodeCall(IStakeManager.tombstone, (validator)));
            (bool harnessOk, ) = address(harness).call(abi.encodeCall(StakeLedgerHarness.tombstone, ()));
            _same(realOk, harnessOk);
        }
    }

    function _bond(uint256 amount) internal {
        vm.prank(validator);
        (bool realOk, ) = address(sm).call(abi.encodeCall(IStakeManager.bond, (amount)));
        (bool harnessOk, ) = address(harness).call(abi.encodeCall(StakeLedgerHarness.bond, (amount)));
        _same(realOk, harnessOk);
    }

    function _unbond(uint256 amount) internal {
        vm.prank(validator);
        (bool realOk, ) = address(sm).call(abi.encodeCall(IStakeManager.requestUnbond, (amount)));
        (bool harnessOk, ) = address(harness).call(
            abi.encodeCall(StakeLedgerHarness.requestUnbond, (amount))
        );
        _same(realOk, harnessOk);
    }

    function _slash(
        uint256 bps,
        uint256 faultAt,
        bool withReporter,
        uint256 rewardBps,
        uint256 cap
    ) internal {
        address recipient = withReporter ? reporter : address(0);
        (bool realOk, bytes memory realRet) = address(sm).call(
            abi.encodeCall(IStakeManager.slash, (validator, bps, faultAt, recipient, rewardBps, cap, 1))
        );
        (bool harnessOk, bytes memory harnessRet) = address(harness).call(
            abi.encodeCall(StakeLedgerHarness.slash, (bps, faultAt, withReporter, rewardBps, cap))
        );
        _same(realOk, harnessOk);
        if (realOk) assertEq(realRet, harnessRet, "slashed and reward differ");
    }

    function _realWithdraw() internal returns (bool ok) {
        vm.prank(validator);
        (ok, ) = address(sm).call(abi.encodeCall(IStakeManager.withdraw, ()));
    }

    function _harnessWithdraw() internal returns (bool ok) {
        (ok, ) = address(harness).call(abi.encodeCall(StakeLedgerHarness.withdraw, ()));
    }

    function _same(bool realOk, bool harnessOk) internal pure {
        assertEq(harnessOk, realOk, "one accepted what the other refused");
    }

    function _assertSame() internal view {
        IStakeManager.Totals memory t = sm.totals();
        assertEq(harness.deposited(), t.deposited, "deposited");
        assertEq(harness.totalBonded(), t.bonded, "bonded");
        assertEq(harness.unbonding(), t.unbonding, "unbonding");
        assertEq(harness.withdrawn(), t.withdrawn, "withdrawn");
        assertEq(harness.slashed(), t.slashed, "slashed");
        assertEq(harness.rewardsOwed(), t.rewardsOwed, "rewardsOwed");
        assertEq(harness.bonded(), sm.bondedOf(validator), "validator bonded");
        assertEq(harness.tombstoned(), sm.isTombstoned(validator), "tombstoned");
        assertEq(harness.held(), token.balanceOf(address(sm)), "held");
        IStakeManager.UnbondingRequest[] memory requests = sm.unbondingRequestsOf(validator);
        assertEq(harness.requestCount(), requests.length, "request count");
        for (uint256 i = 0; i < requests.length; ++i) {
            StakeLedgerHarness.Request memory h = harness.requestAt(i);
            assertEq(h.amount, requests[i].amount, "request amount");
            assertEq(h.requestedAt, requests[i].requestedAt, "request requestedAt");
            assertEq(h.releaseAt, requests[i].releaseAt, "request releaseAt");
        }
    }
}
