// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {StdInvariant} from "forge-std/StdInvariant.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {HealToken} from "../../contracts/governance/HealToken.sol";
import {IStakeManager} from "../../contracts/interfaces/IStakeManager.sol";
import {StakeManager} from "../../contracts/staking/StakeManager.sol";
import {StakeManagerHandler} from "./handlers/StakeManagerHandler.sol";

contract StakeManagerInvariantTest is Test {
    uint256 internal constant SUPPLY = 1e30;

    HealToken internal token;
    StakeManager internal sm;
    StakeManagerHandler internal handler;
    address internal treasury = makeAddr("treasury");

    function setUp() public {
        vm.warp(1_700_000_000);
        // deployCode (from the build's artifacts) keeps creation code out of this contract's bytecode.
        token = HealToken(deployCode("HealToken.sol:HealToken", abi.encode(address(this), SUPPLY)));
        StakeManager impl = StakeManager(deployCode("StakeManager.sol:StakeManager"));
        bytes memory init = abi.encodeCall(
            StakeManager.initialize,
            (address(this), IERC20(address(token)), treasury, 1_000 ether, 14 days)
        );
        sm = StakeManager(address(new ERC1967Proxy(address(impl), init)));

        address[] memory validators = new address[](4);
        address[] memory reporters = new address[](2);
        for (uint256 i; i < validators.length; ++i) {
            validators[i] = makeAddr(string.concat("validator", vm.toString(i)));
            token.transfer(validators[i], 1e27);
            vm.prank(validators[i]);
            token.approve(address(sm), type(uint256).max);
        }
        reporters[0] = makeAddr("reporter0");
        reporters[1] = makeAddr("reporter1");

        handler = StakeManagerHandler(
            deployCode(
                "StakeManagerHandler.sol:StakeManagerHandler",
                abi.encode(sm, token, validators, reporters)
            )
        );
        token.transfer(address(handler), 1e27); // for donations
        sm.grantRole(sm.SLASHER_ROLE(), address(handler));
        sm.grantRole(sm.JAILER_ROLE(), address(handler));
        sm.grantRole(sm.PARAMETER_ROLE(), address(handler));

        bytes4[] memory selectors = new bytes4[](15);
        selectors[0] = StakeManagerHandler.bond.selector;
        selectors[1] = StakeManagerHandler.bond.selector; // weighted: bonding feeds everything else
        selectors[2] = StakeManagerHandler.requestUnbond.selector;
        selectors[3] = StakeManagerHandler.withdraw.selector;
        selectors[4] = StakeManagerHandler.unjail.selector;
        selectors[5] = StakeManagerHandler.slash.selector;
        selectors[6] = StakeManagerHandler.faultThenEscape.selector;
        selectors[7] = StakeManagerHandler.jail.selector;
        selectors[8] = StakeManagerHandler.release.selector;
        selectors[9] = StakeManagerHandler.tombstone.selector;
        selectors[10] = StakeManagerHandler.claimReward.selector;
        selectors[11] = StakeManagerHandler.donate.selector;
        selectors[12] = StakeManagerHandler.setUnbondingPeriod.selector;
        selectors[13] = StakeManagerHandler.warp.selector;
        selectors[14] = StakeManagerHandler.warpToBoundary.selector;
        targetSelector(StdInvariant.FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// deposited == bonded + unbonding + withdrawn + slashed, and each total matches the ghost ledger.
    function invariant_conservationOfDeposits() public view {
        IStakeManager.Totals memory t = sm.totals();
        assertEq(t.deposited, t.bonded + t.unbonding + t.withdrawn + t.slashed, "deposited");
        assertEq(t.deposited, handler.ghostDeposited(), "ghost deposited");
        assertEq(t.withdrawn, handler.ghostWithdrawn(), "ghost withdrawn");
        assertEq(t.slashed, handler.ghostSlashed(), "ghost slashed");
    }

    /// The real token balance == bonded + unbonding + rewardsOwed (+ tokens sent to it directly, which are
    /// inert); the treasury holds exactly the slashed stake net of rewards.
    function invariant_conservationOfTokenBalance() public view {
        IStakeManager.Totals memory t = sm.totals();
        assertEq(
            token.balanceOf(address(sm)),
            t.bonded + t.unbonding + t.rewardsOwed + handler.ghostDonated(),
            "balance"
        );
        assertEq(token.balanceOf(treasury), handler.ghostToTreasury(), "treasury");
        assertEq(t.slashed, handler.ghostToTreasury() + handler.ghostRewardsCredited(), "slashed split");
    }

    /// Per-validator sums (from the contract and from the ghost ledger) equal the totals.
    function invariant_perValidatorSumsEqualTotals() public view {
        uint256 bonded;
        uint256 unbonding;
        for (uint256 i; i < handler.validatorCount(); ++i) {
            address v = handler.validatorAt(i);
            assertEq(sm.bondedOf(v), handler.ghostBonded(v), "ghost bonded");
            assertEq(sm.unbondingOf(v), handler.ghostUnbonding(v), "ghost unbonding");
            bonded += sm.bondedOf(v);
            unbonding += sm.unbondingOf(v);
        }
        uint256 owed;
        for (uint256 i; i < handler.recipientCount(); ++i) owed += sm.rewardOf(handler.recipientAt(i));
        IStakeManager.Totals memory t = sm.totals();
        assertEq(bonded, t.bonded, "sum bonded");
        assertEq(unbonding, t.unbonding, "sum unbonding");
        assertEq(owed, t.rewardsOwed, "sum rewards");
    }

    /// No withdrawal ever paid a request before its releaseAt (or failed to pay a matured one); pending
    /// requests are at most 8, non-empty, and release at least the minimum period after they were requested.
    function invariant_nothingWithdrawableBeforeReleaseAt() public view {
        assertEq(handler.violations("earlyWithdrawals"), 0, "early or wrong withdrawal");
        for (uint256 i; i < handler.validatorCount(); ++i) {
            IStakeManager.UnbondingRequest[] memory r = sm.unbondingRequestsOf(handler.validatorAt(i));
            assertLe(r.length, sm.MAX_UNBONDING_REQUESTS(), "too many requests");
            for (uint256 j; j < r.length; ++j) {
                assertGt(r[j].amount, 0, "empty request");
                assertGe(r[j].releaseAt, uint256(r[j].requestedAt) + 7 days, "releaseAt");
            }
        }
    }

    /// A tombstoned validator is jailed forever and never bonds again; unjail follows its rules.
    function invariant_tombstonedAlwaysJailed() public view {
        for (uint256 i; i < handler.validatorCount(); ++i) {
            address v = handler.validatorAt(i);
            if (sm.isTombstoned(v)) {
                assertTrue(sm.isJailed(v), "tombstoned but free");
                assertEq(sm.jailedUntil(v), type(uint64).max, "tombstone not forever");
            }
        }
        assertEq(handler.violations("tombstonedBonds"), 0, "tombstoned validator bonded");
        assertEq(handler.violations("badUnjails"), 0, "unjail outside its rules");
    }

    /// Rewards claimed never exceed rewards credited; the difference is what is still owed.
    function invariant_rewardsClaimedNeverExceedCredited() public view {
        assertLe(handler.ghostRewardsClaimed(), handler.ghostRewardsCredited(), "over-claimed");
        assertEq(
            handler.ghostRewardsCredited() - handler.ghostRewardsClaimed(),
            sm.totals().rewardsOwed,
            "owed"
        );
    }

    /// A jail is never shortened; every slash took exactly floor(bucket * bps / 10,000) from each slashable
    /// bucket and paid the predicted reward and treasury share; unbonding after a fault never escaped it.
    function invariant_jailsAndSlashesFollowTheSpec() public view {
        assertEq(handler.violations("jailShortenings"), 0, "jail shortened");
        assertEq(handler.violations("slashMismatches"), 0, "slash math");
        assertEq(handler.violations("escapes"), 0, "escaped a slash");
        assertEq(handler.violations("unexpectedReverts"), 0, "unexpected revert");
    }
}
