// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {StdInvariant} from "forge-std/StdInvariant.sol";

import {IValidatorSet} from "../../contracts/interfaces/IValidatorSet.sol";
import {CoreActors} from "./handlers/CoreActors.sol";
import {CoreKeeper} from "./handlers/CoreKeeper.sol";
import {GasGriefer} from "./handlers/GasGriefer.sol";
import {HostileCoreFixture} from "./handlers/HostileCoreFixture.sol";

/// @dev The real core contracts together (HealToken, StakeManager, NodeHealth, SelfHealingValidatorSet, deployed
///      and wired by HostileCoreFixture), driven by honest, offline, flapping and escaping validators, an honest
///      keeper, a gas-griefing keeper and a clock that takes small steps, lands on overdue boundaries and jumps
///      days.
///      The implementations come from artifacts/ through deployCode, which `npx hardhat test solidity` does not
///      refresh: run `npx hardhat build` first after changing a contract, or the test runs the old bytecode.
/// hardhat-config: invariant.runs = 128
/// hardhat-config: invariant.depth = 80
contract CoreInvariantTest is HostileCoreFixture {
    CoreKeeper internal keeper;
    GasGriefer internal griefer;

    function setUp() public {
        _setUpCore();
        assertEq(set.activeCount(), MAX_ACTIVE, "filled");

        keeper = CoreKeeper(deployCode("CoreKeeper.sol:CoreKeeper", abi.encode(set, stake, actors)));
        griefer = GasGriefer(
            deployCode("GasGriefer.sol:GasGriefer", abi.encode(set, stake, health, token, actors))
        );

        bytes4[] memory a = new bytes4[](10);
        a[0] = CoreActors.step.selector;
        a[1] = CoreActors.step.selector;
        a[2] = CoreActors.step.selector;
        a[3] = CoreActors.stepWindow.selector;
        a[4] = CoreActors.warpToBoundary.selector;
        a[5] = CoreActors.jump.selector;
        a[6] = CoreActors.escaperGoesDark.selector;
        a[7] = CoreActors.escaperComesBack.selector;
        a[8] = CoreActors.partition.selector;
        a[9] = CoreActors.healPartition.selector;
        targetSelector(StdInvariant.FuzzSelector({addr: address(actors), selectors: a}));
        targetContract(address(actors));

        bytes4[] memory k = new bytes4[](10);
        k[0] = CoreKeeper.checkHeartbeat.selector;
        k[1] = CoreKeeper.checkAll.selector;
        k[2] = CoreKeeper.checkAll.selector;
        k[3] = CoreKeeper.executeSlash.selector;
        k[4] = CoreKeeper.executeAll.selector;
        k[5] = CoreKeeper.evaluateAndRotate.selector;
        k[6] = CoreKeeper.fillVacancies.selector;
        k[7] = CoreKeeper.refreshBackup.selector;
        k[8] = CoreKeeper.unjail.selector;
        k[9] = CoreKeeper.withdraw.selector;
        targetSelector(StdInvariant.FuzzSelector({addr: address(keeper), selectors: k}));
        targetContract(address(keeper));

        bytes4[] memory g = new bytes4[](3);
        g[0] = GasGriefer.grief.selector;
        g[1] = GasGriefer.grief.selector;
        g[2] = GasGriefer.claim.selector;
        targetSelector(StdInvariant.FuzzSelector({addr: address(griefer), selectors: g}));
        targetContract(address(griefer));
    }

    // ------------------------------------------------------------------ invariants

    /// deposited == bonded + unbonding + withdrawn + slashed, and the StakeManager holds exactly
    /// bonded + unbonding + rewardsOwed.
    function invariant_stakeIsConserved() public view {
        _assertStakeConserved(keeper.ghostWithdrawnTotal());
    }

    /// A validator that was never observed overdue is never slashed and never has a downtime incident.
    function invariant_honestValidatorIsNeverSlashed() public view {
        assertEq(actors.beatFailures(), 0, "an honest heartbeat reverted");
        uint256 count = set.incidentCount();
        for (uint256 i; i < N; ++i) {
            if (!actors.ghostHonest(i)) continue;
            address v = validators[i];
            assertEq(
                stake.bondedOf(v) + stake.unbondingOf(v) + keeper.ghostWithdrawn(v),
                deposited[v],
                "honest validator lost stake"
            );
            for (uint256 id = 1; id <= count; ++id) {
                IValidatorSet.Incident memory inc = set.incident(id);
                if (inc.validator != v) continue;
                assertTrue(inc.kind != IValidatorSet.IncidentKind.Downtime, "downtime incident for honest");
                assertTrue(inc.kind != IValidatorSet.IncidentKind.DoubleSign, "double-sign for honest");
            }
        }
        // The flapper is always on time by construction.
        assertTrue(actors.ghostHonest(actors.FLAPPER()), "flapper observed overdue");
    }

    /// One slash per fault: no incident executes twice, and a validator's pending downtime slashes are for
    /// different faults (each later fault began after the earlier one was detected: it was re-activated in
    /// between). Two pending slashes for one validator are legitimate when it re-offends before anyone
    /// executed the first one, so "at most one pending per validator" would be too strong.
    function invariant_oneSlashPerFault() public view {
        uint256 count = set.incidentCount();
        uint256[N] memory lastPending;
        for (uint256 id = 1; id <= count; ++id) {
            assertLe(keeper.executions(id), 1, "incident executed twice");
            IValidatorSet.Incident memory inc = set.incident(id);
            if (keeper.executions(id) == 1) {
                assertEq(uint256(inc.slashState), uint256(IValidatorSet.SlashState.Executed), "state");
            }
            if (
                inc.kind != IValidatorSet.IncidentKind.Downtime ||
                inc.slashState != IValidatorSet.SlashState.Pending
            ) continue;
            for (uint256 i; i < N; ++i) {
                if (validators[i] != inc.validator) continue;
                if (lastPending[i] != 0) {
                    IValidatorSet.Incident memory prev = set.incident(lastPending[i]);
                    assertGt(inc.faultAt, prev.detectedAt, "two pending downtime slashes for one fault");
                }
                lastPending[i] = id;
            }
        }
    }

    /// Unbonding right after detection does not shrink the slash.
    function invariant_unbondingDoesNotEscapeSlash() public view {
        assertEq(keeper.escapes(), 0, "escaper dodged part of its slash");
    }

    /// active and backups are disjoint, active has no duplicates, maxActive bounds it, and the floor holds
    /// unless the set is degraded; every active validator is Active and every backup is Backup.
    function invariant_setShape() public view {
        address[] memory active = set.activeValidators();
        address[] memory backups = set.backupValidators(0, 32);
        assertEq(active.length, set.activeCount(), "activeCount");
        assertEq(backups.length, set.backupCount(), "backupCount");
        assertLe(active.length, MAX_ACTIVE, "above maxActive");
        if (set.degradedSince() == 0) assertGe(active.length, MIN_ACTIVE, "below minActive, not degraded");
        for (uint256 i; i < active.length; ++i) {
            assertEq(uint256(set.statusOf(active[i])), uint256(IValidatorSet.Status.Active), "active status");
            assertTrue(set.isActive(active[i]), "isActive");
            for (uint256 j = i + 1; j < active.length; ++j) assertTrue(active[i] != active[j], "duplicate");
            for (uint256 j; j < backups.length; ++j) assertTrue(active[i] != backups[j], "active and backup");
        }
        for (uint256 j; j < backups.length; ++j) {
            assertEq(
                uint256(set.statusOf(backups[j])),
                uint256(IValidatorSet.Status.Backup),
                "backup status"
            );
            assertFalse(set.isActive(backups[j]), "backup isActive");
        }
        // And the converse: no validator is Active or Backup without being in the set or the heap.
        uint256 activeStatus;
        uint256 backupStatus;
        for (uint256 i; i < N; ++i) {
            IValidatorSet.Status status = set.statusOf(validators[i]);
            if (status == IValidatorSet.Status.Active) ++activeStatus;
            if (status == IValidatorSet.Status.Backup) ++backupStatus;
        }
        assertEq(activeStatus, active.length, "Active status outside the set");
        assertEq(backupStatus, backups.length, "Backup status outside the heap");
    }

    /// A gas-starved checkHeartbeat either took effect or changed nothing; claims pay exactly what is owed.
    function invariant_gasGrieferLeavesNoPartialState() public view {
        assertEq(griefer.partialStates(), 0, "partial state");
        assertEq(griefer.badClaims(), 0, "bad claim");
    }
}
