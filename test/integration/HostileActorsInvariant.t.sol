// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {StdInvariant} from "forge-std/StdInvariant.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IValidatorSet} from "../../contracts/interfaces/IValidatorSet.sol";
import {CoreActors} from "./handlers/CoreActors.sol";
import {CoreKeeper} from "./handlers/CoreKeeper.sol";
import {HookToken} from "./handlers/HookToken.sol";
import {HostileCoreFixture} from "./handlers/HostileCoreFixture.sol";
import {ReentrantReporter} from "./handlers/ReentrantReporter.sol";
import {UnbondFrontRunner} from "./handlers/UnbondFrontRunner.sol";

/// @dev The clock and validators' selectors of CoreActors every hostile-actor test drives.
function clockSelectors() pure returns (bytes4[] memory a) {
    a = new bytes4[](9);
    a[0] = CoreActors.step.selector;
    a[1] = CoreActors.step.selector;
    a[2] = CoreActors.stepWindow.selector;
    a[3] = CoreActors.warpToBoundary.selector;
    a[4] = CoreActors.jump.selector;
    a[5] = CoreActors.jump.selector;
    a[6] = CoreActors.escaperGoesDark.selector;
    a[7] = CoreActors.escaperComesBack.selector;
    a[8] = CoreActors.stepWindow.selector;
}

/// @dev Issue #7 (a): the reporter that earns the slash rewards is a contract that re-enters when it is paid,
///      over a stake token with a receive hook (HookToken, this test only). The re-entry into the paying
///      StakeManager (and into executeSlash, which slashes through it) is refused; a re-entered checkHeartbeat
///      is accepted only with the effect it would have had right after the payout; stake is conserved and every
///      incident is executed at most once, and only in the Executed state.
///      The implementations come from artifacts/ through deployCode: run `npx hardhat build` first.
/// hardhat-config: invariant.runs = 64
/// hardhat-config: invariant.depth = 80
contract ReentrantRewardReceiverInvariantTest is HostileCoreFixture {
    CoreKeeper internal keeper;
    ReentrantReporter internal reporter;

    function _newToken() internal override returns (IERC20) {
        return IERC20(address(new HookToken(address(this), 1e27)));
    }

    function setUp() public {
        _setUpCore();
        keeper = CoreKeeper(deployCode("CoreKeeper.sol:CoreKeeper", abi.encode(set, stake, actors)));
        reporter = new ReentrantReporter(set, stake, HookToken(address(token)), actors);

        targetSelector(StdInvariant.FuzzSelector({addr: address(actors), selectors: clockSelectors()}));
        targetContract(address(actors));

        // The honest keeper does everything but report, so the hostile reporter is the one paid.
        bytes4[] memory k = new bytes4[](6);
        k[0] = CoreKeeper.executeSlash.selector;
        k[1] = CoreKeeper.evaluateAndRotate.selector;
        k[2] = CoreKeeper.fillVacancies.selector;
        k[3] = CoreKeeper.refreshBackup.selector;
        k[4] = CoreKeeper.unjail.selector;
        k[5] = CoreKeeper.withdraw.selector;
        targetSelector(StdInvariant.FuzzSelector({addr: address(keeper), selectors: k}));
        targetContract(address(keeper));

        bytes4[] memory r = new bytes4[](8);
        r[0] = ReentrantReporter.check.selector;
        r[1] = ReentrantReporter.check.selector;
        r[2] = ReentrantReporter.check.selector;
        r[3] = ReentrantReporter.execute.selector;
        r[4] = ReentrantReporter.execute.selector;
        r[5] = ReentrantReporter.claim.selector;
        r[6] = ReentrantReporter.claim.selector;
        r[7] = ReentrantReporter.claim.selector;
        targetSelector(StdInvariant.FuzzSelector({addr: address(reporter), selectors: r}));
        targetContract(address(reporter));
    }

    // ------------------------------------------------------------------ invariants

    /// Every re-entry into the StakeManager while it pays (claimReward, withdraw, requestUnbond, bond, and
    /// executeSlash/appealSlash of the set, which would slash through it) is refused.
    function invariant_reentryIntoPayingStakeManagerRefused() public view {
        assertEq(reporter.stakeReentriesNotRefused(), 0, "a re-entered StakeManager call was not refused");
        assertEq(reporter.slashesDuringPayout(), 0, "a slash executed in the middle of a payout");
    }

    /// A re-entered checkHeartbeat has exactly the effect of the same call made after the payout, and the
    /// re-entrant claim pays exactly what was owed and nothing else.
    function invariant_reentrantRewardReceiverIsHarmless() public view {
        assertEq(reporter.harmfulReentries(), 0, "a re-entry changed the outcome");
        assertEq(reporter.badClaims(), 0, "a re-entrant claim paid the wrong amount");
        assertEq(
            token.balanceOf(address(reporter)),
            reporter.claimedTotal(),
            "reporter paid more than claimed"
        );
    }

    /// deposited == bonded + unbonding + withdrawn + slashed; the StakeManager holds bonded + unbonding +
    /// rewardsOwed, with the hook token too.
    function invariant_stakeIsConservedUnderReentrancy() public view {
        _assertStakeConserved(keeper.ghostWithdrawnTotal());
    }

    /// No incident is executed twice (by the keeper, the reporter or a re-entry); an executed one is Executed.
    function invariant_incidentExecutedAtMostOnceUnderReentrancy() public view {
        uint256 count = set.incidentCount();
        for (uint256 id = 1; id <= count; ++id) {
            uint256 n = keeper.executions(id) + reporter.executions(id);
            assertLe(n, 1, "incident executed twice");
            if (n == 1) {
                assertEq(
                    uint256(set.incident(id).slashState),
                    uint256(IValidatorSet.SlashState.Executed),
                    "executed but not Executed"
                );
            }
        }
    }

    // ------------------------------------------------------------------ the scenario, deterministic

    function test_reentrantReporter_reentryRefusedOnPayout() public {
        actors.jump(1 hours, 0); // the offline validator (5) is overdue; the others beat
        reporter.check(5, false);
        assertEq(set.incidentCount(), 1, "downtime reported");
        assertEq(set.incident(1).reporter, address(reporter));
        actors.jump(2 hours, 0); // past the appeal window
        reporter.execute(1);
        assertEq(reporter.executions(1), 1, "slash executed");
        uint256 owed = stake.rewardOf(address(reporter));
        assertGt(owed, 0, "reporter rewarded");
        reporter.claim(6, 1); // re-enters, among others, checkHeartbeat of the flapper and executeSlash(1)
        assertEq(reporter.hooksFired(), 1, "the hook ran");
        assertEq(reporter.stakeReentriesNotRefused(), 0);
        assertEq(reporter.slashesDuringPayout(), 0);
        assertEq(reporter.harmfulReentries(), 0);
        assertEq(reporter.badClaims(), 0);
        assertEq(token.balanceOf(address(reporter)), owed);
        _assertStakeConserved(0);
    }
}

/// @dev Issue #7 (b): an overdue validator orders its `requestUnbond` around `checkHeartbeat(v)` in the same
///      block, unbonding first or right after; the executed slash always takes at least its bps of what v had
///      bonded before either call, and stake is conserved.
///      The implementations come from artifacts/ through deployCode: run `npx hardhat build` first.
/// hardhat-config: invariant.runs = 64
/// hardhat-config: invariant.depth = 80
contract UnbondFrontRunnerInvariantTest is HostileCoreFixture {
    CoreKeeper internal keeper;
    UnbondFrontRunner internal runner;

    function setUp() public {
        _setUpCore();
        keeper = CoreKeeper(deployCode("CoreKeeper.sol:CoreKeeper", abi.encode(set, stake, actors)));
        runner = new UnbondFrontRunner(set, stake, actors);

        targetSelector(StdInvariant.FuzzSelector({addr: address(actors), selectors: clockSelectors()}));
        targetContract(address(actors));

        // The keeper rotates, fills and unjails; detection, execution and withdrawals are the front-runner's.
        bytes4[] memory k = new bytes4[](4);
        k[0] = CoreKeeper.evaluateAndRotate.selector;
        k[1] = CoreKeeper.fillVacancies.selector;
        k[2] = CoreKeeper.refreshBackup.selector;
        k[3] = CoreKeeper.unjail.selector;
        targetSelector(StdInvariant.FuzzSelector({addr: address(keeper), selectors: k}));
        targetContract(address(keeper));

        bytes4[] memory f = new bytes4[](7);
        f[0] = UnbondFrontRunner.frontRun.selector;
        f[1] = UnbondFrontRunner.frontRun.selector;
        f[2] = UnbondFrontRunner.frontRun.selector;
        f[3] = UnbondFrontRunner.frontRun.selector;
        f[4] = UnbondFrontRunner.executeSlash.selector;
        f[5] = UnbondFrontRunner.executeSlash.selector;
        f[6] = UnbondFrontRunner.withdraw.selector;
        targetSelector(StdInvariant.FuzzSelector({addr: address(runner), selectors: f}));
        targetContract(address(runner));
    }

    // ------------------------------------------------------------------ invariants

    /// Unbonding before (or right after) checkHeartbeat in the same block never shrinks the downtime slash.
    function invariant_unbondFrontRunDoesNotEscapeSlash() public view {
        assertEq(runner.escapes(), 0, "a front-running unbond dodged part of the slash");
    }

    /// deposited == bonded + unbonding + withdrawn + slashed, in either order.
    function invariant_stakeIsConservedUnderFrontRunning() public view {
        _assertStakeConserved(runner.ghostWithdrawnTotal());
    }

    /// No incident is executed twice; an executed one is Executed.
    function invariant_incidentExecutedAtMostOnceUnderFrontRunning() public view {
        uint256 count = set.incidentCount();
        for (uint256 id = 1; id <= count; ++id) {
            uint256 n = runner.executions(id);
            assertLe(n, 1, "incident executed twice");
            if (n == 1) {
                assertEq(
                    uint256(set.incident(id).slashState),
                    uint256(IValidatorSet.SlashState.Executed),
                    "executed but not Executed"
                );
            }
        }
    }

    // ------------------------------------------------------------------ both orders, deterministic

    function test_frontRun_unbondFirstStillSlashedOnItsBondedStake() public {
        _frontRunOffline(true);
        assertEq(runner.frontRunsUnbondFirst(), 1);
    }

    function test_frontRun_checkFirstStillSlashedOnItsBondedStake() public {
        _frontRunOffline(false);
        assertEq(runner.frontRunsCheckFirst(), 1);
    }

    /// @dev The offline validator (5) unbonds 3,000 of its stake around its checkHeartbeat; the executed slash
    ///      takes its bps of the whole stake it had bonded.
    function _frontRunOffline(bool unbondFirst) internal {
        address v = validators[5];
        actors.jump(1 hours, 0);
        address[] memory active = set.activeValidators();
        uint256 index = type(uint256).max;
        for (uint256 i; i < active.length; ++i) if (active[i] == v) index = i;
        assertTrue(index != type(uint256).max, "offline validator active");
        uint256 bondedBefore = stake.bondedOf(v);
        runner.frontRun(index, unbondFirst, 3_000 ether - 1);
        assertEq(stake.unbondingOf(v), 3_000 ether - 1, "unbond accepted");
        assertEq(set.incidentCount(), 1, "downtime detected");
        IValidatorSet.Incident memory inc = set.incident(1);
        assertEq(inc.validator, v);
        actors.jump(2 hours, 0);
        uint256 held = stake.bondedOf(v) + stake.unbondingOf(v);
        runner.executeSlash(1);
        uint256 slashed = held - (stake.bondedOf(v) + stake.unbondingOf(v));
        assertGe(slashed + 2, (bondedBefore * inc.slashBps) / 10_000, "slash took the unbonding too");
        assertEq(runner.checkedEscapes(), 1);
        assertEq(runner.escapes(), 0);
        _assertStakeConserved(0);
    }
}
