// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";

import {IValidatorSet} from "../../../contracts/interfaces/IValidatorSet.sol";
import {StakeManager} from "../../../contracts/staking/StakeManager.sol";
import {SelfHealingValidatorSet} from "../../../contracts/validators/SelfHealingValidatorSet.sol";
import {CoreActors} from "./CoreActors.sol";

/// @dev An honest keeper for the core invariant test: checkHeartbeat, executeSlash, evaluateAndRotate,
///      fillVacancies and refreshBackup on random validators and ids, tolerating reverts; validators unjailing
///      and withdrawing; and the escaper, which requests an unbond right after its downtime is detected to
///      dodge the pending slash. Ghosts: executions per incident, stake withdrawn per validator, and the
///      slash the escaper must still take.
contract CoreKeeper is Test {
    uint256 internal constant BPS = 10_000;

    SelfHealingValidatorSet public immutable set;
    StakeManager public immutable stake;
    CoreActors public immutable actors;

    mapping(uint256 incidentId => uint256) public executions;
    mapping(address validator => uint256) public ghostWithdrawn;
    uint256 public ghostWithdrawnTotal;
    /// @dev The minimum an escaper's slash must take: its bonded stake when detected, times the slash bps.
    mapping(uint256 incidentId => uint256) public escapeFloor;
    mapping(uint256 incidentId => bool) public escaped;
    /// @dev Slashes of an escaper's incident that took less than its floor.
    uint256 public escapes;
    uint256 public openEscape;
    uint256 public escapeAttempts;
    uint256 public slashesExecuted;
    uint256 public detections;

    constructor(SelfHealingValidatorSet set_, StakeManager stake_, CoreActors actors_) {
        set = set_;
        stake = stake_;
        actors = actors_;
    }

    /// @dev Checks one validator: any of the eight (most revert), or one of the active ones.
    function checkHeartbeat(uint256 index, bool activeOnly) external {
        actors.sync();
        address v = actors.validatorAt(index);
        if (activeOnly) {
            address[] memory active = set.activeValidators();
            if (active.length == 0) return;
            v = active[index % active.length];
        }
        _check(v, index);
        actors.observe();
    }

    /// @dev What a keeper bot does every block: checks every active validator.
    function checkAll(uint256 seed) external {
        actors.sync();
        address[] memory active = set.activeValidators();
        for (uint256 i; i < active.length; ++i) _check(active[i], seed);
        actors.observe();
    }

    function executeSlash(uint256 idSeed) external {
        actors.sync();
        uint256 count = set.incidentCount();
        if (count == 0) return;
        _execute(bound(idSeed, 1, count));
    }

    /// @dev Tries to execute every incident, executed or not (a careless keeper's retries included).
    function executeAll() external {
        actors.sync();
        uint256 count = set.incidentCount();
        for (uint256 id = 1; id <= count; ++id) _execute(id);
    }

    function evaluateAndRotate(uint256 maxChecks) external {
        actors.sync();
        try set.evaluateAndRotate(bound(maxChecks, 1, 8)) {} catch {}
    }

    function fillVacancies(uint256 maxPromotions) external {
        actors.sync();
        try set.fillVacancies(bound(maxPromotions, 1, 8)) {} catch {}
    }

    function refreshBackup(uint256 index) external {
        actors.sync();
        try set.refreshBackup(actors.validatorAt(index)) {} catch {}
    }

    function unjail(uint256 index) external {
        actors.sync();
        vm.prank(actors.validatorAt(index));
        try stake.unjail() {} catch {}
    }

    function withdraw(uint256 index) external {
        actors.sync();
        address v = actors.validatorAt(index);
        // The escaper does not wait out a slash the keepers left unexecuted for a whole unbonding period:
        // that would be the keepers' failure, not the contracts'.
        if (openEscape != 0 && v == actors.validatorAt(actors.ESCAPER())) {
            if (set.incident(openEscape).slashState == IValidatorSet.SlashState.Pending) return;
        }
        vm.prank(v);
        try stake.withdraw() returns (uint256 amount) {
            ghostWithdrawn[v] += amount;
            ghostWithdrawnTotal += amount;
        } catch {}
    }

    function _check(address v, uint256 seed) internal {
        try set.checkHeartbeat(v) returns (uint256 id) {
            if (id == 0) return;
            IValidatorSet.Incident memory inc = set.incident(id);
            if (inc.kind != IValidatorSet.IncidentKind.Downtime) return;
            ++detections;
            if (v == actors.validatorAt(actors.ESCAPER())) _escape(id, seed);
        } catch {}
    }

    function _execute(uint256 id) internal {
        try set.executeSlash(id) returns (uint256 slashed) {
            ++executions[id];
            ++slashesExecuted;
            if (escaped[id] && slashed + 1 < escapeFloor[id]) ++escapes;
        } catch {}
    }

    /// @dev Right after detection the escaper moves part (or all) of its bonded stake into unbonding.
    function _escape(uint256 id, uint256 seed) internal {
        address escaper = actors.validatorAt(actors.ESCAPER());
        uint256 bonded = stake.bondedOf(escaper);
        if (bonded == 0) return;
        ++escapeAttempts;
        uint256 bps = set.incident(id).slashBps;
        escapeFloor[id] = (bonded * bps) / BPS;
        escaped[id] = true;
        openEscape = id;
        vm.prank(escaper);
        try stake.requestUnbond(bound(seed, 1, bonded)) {} catch {}
    }
}
