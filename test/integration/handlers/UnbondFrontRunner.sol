// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";

import {IValidatorSet} from "../../../contracts/interfaces/IValidatorSet.sol";
import {StakeManager} from "../../../contracts/staking/StakeManager.sol";
import {SelfHealingValidatorSet} from "../../../contracts/validators/SelfHealingValidatorSet.sol";
import {CoreActors} from "./CoreActors.sol";

/// @dev A front-runner: an overdue validator v that sees `checkHeartbeat(v)` coming and orders its own
///      `StakeManager.requestUnbond` around it in the same block (same timestamp), in both orders: unbond first
///      (front-running the keeper, hoping the slash only sees what is still bonded) or check first (a back-run:
///      unbonding right after detection). Either way the downtime slash, when executed, must take at least its
///      slash bps of what v had bonded just before the two calls (ghost `floor`; `escapes` counts executions
///      that took less). It also executes slashes and withdraws (never while v has a front-run slash pending,
///      which would be the keepers' failure, not the contracts'), and counts withdrawals for conservation.
contract UnbondFrontRunner is Test {
    uint256 internal constant BPS = 10_000;

    SelfHealingValidatorSet public immutable set;
    StakeManager public immutable stake;
    CoreActors public immutable actors;

    /// @dev The least the slash of a front-run incident must take, and the validator's executed-slash count
    ///      when it was detected (a slash of an earlier incident executed in between shrinks the base).
    mapping(uint256 incidentId => uint256) public floor;
    mapping(uint256 incidentId => uint256) public slashesBefore;
    mapping(address validator => uint256) public slashCount;
    mapping(address validator => uint256) public pendingFrontRuns;
    mapping(uint256 incidentId => uint256) public executions;
    mapping(address validator => uint256) public ghostWithdrawn;
    uint256 public ghostWithdrawnTotal;
    uint256 public escapes;
    uint256 public frontRunsUnbondFirst;
    uint256 public frontRunsCheckFirst;
    uint256 public refusedUnbonds;
    uint256 public checkedEscapes;

    constructor(SelfHealingValidatorSet set_, StakeManager stake_, CoreActors actors_) {
        set = set_;
        stake = stake_;
        actors = actors_;
    }

    /// @dev An active, overdue validator unbonds `amountSeed` (bounded to its bonded stake) before or after
    ///      its checkHeartbeat, both in this block.
    function frontRun(uint256 index, bool unbondFirst, uint256 amountSeed) external {
        actors.sync();
        address[] memory active = set.activeValidators();
        if (active.length == 0) return;
        address v = active[index % active.length];
        if (block.timestamp <= set.overdueAt(v)) return; // not overdue: nothing to front-run
        uint256 bondedBefore = stake.bondedOf(v);
        if (bondedBefore == 0) return;
        uint256 amount = bound(amountSeed, 1, bondedBefore);
        uint256 id;
        if (unbondFirst) {
            _unbond(v, amount);
            id = _check(v);
        } else {
            id = _check(v);
            _unbond(v, amount);
        }
        actors.observe();
        if (id == 0) return;
        IValidatorSet.Incident memory inc = set.incident(id);
        if (
            inc.kind != IValidatorSet.IncidentKind.Downtime ||
            inc.slashState != IValidatorSet.SlashState.Pending
        ) {
            return;
        }
        if (unbondFirst) ++frontRunsUnbondFirst;
        else ++frontRunsCheckFirst;
        floor[id] = (bondedBefore * inc.slashBps) / BPS;
        slashesBefore[id] = slashCount[v];
        ++pendingFrontRuns[v];
    }

    function executeSlash(uint256 idSeed) external {
        actors.sync();
        uint256 count = set.incidentCount();
        if (count == 0) return;
        uint256 id = bound(idSeed, 1, count);
        address v = set.incident(id).validator;
        try set.executeSlash(id) returns (uint256 slashed) {
            ++executions[id];
            if (floor[id] != 0) {
                --pendingFrontRuns[v];
                // Two roundings (the bonded bucket and the new request) may each lose a unit.
                if (slashesBefore[id] == slashCount[v]) {
                    ++checkedEscapes;
                    if (slashed + 2 < floor[id]) ++escapes;
                }
            }
            ++slashCount[v];
        } catch {}
    }

    function withdraw(uint256 index) external {
        actors.sync();
        address v = actors.validatorAt(index);
        if (pendingFrontRuns[v] != 0) return;
        vm.prank(v);
        try stake.withdraw() returns (uint256 amount) {
            ghostWithdrawn[v] += amount;
            ghostWithdrawnTotal += amount;
        } catch {}
    }

    function _check(address v) internal returns (uint256 id) {
        try set.checkHeartbeat(v) returns (uint256 incidentId) {
            id = incidentId;
        } catch {}
    }

    function _unbond(address v, uint256 amount) internal {
        vm.prank(v);
        try stake.requestUnbond(amount) {} catch {
            ++refusedUnbonds;
        }
    }
}
