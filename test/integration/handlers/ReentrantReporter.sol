// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {INodeHealth} from "../../../contracts/interfaces/INodeHealth.sol";
import {IStakeManager} from "../../../contracts/interfaces/IStakeManager.sol";
import {StakeManager} from "../../../contracts/staking/StakeManager.sol";
import {SelfHealingValidatorSet} from "../../../contracts/validators/SelfHealingValidatorSet.sol";
import {CoreActors} from "./CoreActors.sol";
import {HookToken, ITokenReceiver} from "./HookToken.sol";

/// @dev A hostile keeper whose slash rewards are paid to a contract that re-enters when it is paid. It reports
///      downtime (checkHeartbeat) and executes slashes, so it earns the reporter's rewards; it claims them to
///      itself, and the stake token (a HookToken) calls it back in the middle of `claimReward`. From there it
///      tries everything it can reach:
///       - the StakeManager, which is paying: claimReward again, withdraw, requestUnbond, bond. Each must be
///         refused with ReentrancyGuardReentrantCall (else `stakeReentriesNotRefused`);
///       - executeSlash of a pending incident whose appeal window is over: the slash goes through the
///         StakeManager, so it must be refused too (else `slashesDuringPayout`);
///       - appealSlash with a forged heartbeat: must be refused (else `stakeReentriesNotRefused`);
///       - checkHeartbeat of a validator: the set is not paying and may accept it, but only harmlessly: the core
///         state after the claim must equal the state after the same claim followed by the same checkHeartbeat
///         made normally (computed first in a snapshot that is then reverted; else `harmfulReentries`).
///      The claim itself must pay exactly what was owed and leave the stake totals otherwise unchanged.
contract ReentrantReporter is Test, ITokenReceiver {
    SelfHealingValidatorSet public immutable set;
    StakeManager public immutable stake;
    HookToken public immutable token;
    CoreActors public immutable actors;

    mapping(uint256 incidentId => uint256) public executions;
    uint256 public hooksFired;
    uint256 public reentryAttempts;
    uint256 public stakeReentriesNotRefused;
    uint256 public slashesDuringPayout;
    uint256 public harmfulReentries;
    uint256 public reentrantChecksAccepted;
    uint256 public badClaims;
    uint256 public claimedTotal;
    uint256 public reported;

    bool internal _paying;
    address internal _checkTarget;
    uint256 internal _slashTarget;
    bool internal _hookCheckOk;

    constructor(SelfHealingValidatorSet set_, StakeManager stake_, HookToken token_, CoreActors actors_) {
        set = set_;
        stake = stake_;
        token = token_;
        actors = actors_;
        token_.registerHook();
    }

    // ------------------------------------------------------------------ fuzzed actions

    /// @dev Reports downtime of one validator (one of the active ones when `activeOnly`).
    function check(uint256 index, bool activeOnly) external {
        actors.sync();
        address v = actors.validatorAt(index);
        if (activeOnly) {
            address[] memory active = set.activeValidators();
            if (active.length == 0) return;
            v = active[index % active.length];
        }
        try set.checkHeartbeat(v) returns (uint256 id) {
            if (id != 0) ++reported;
        } catch {}
        actors.observe();
    }

    function execute(uint256 idSeed) external {
        actors.sync();
        uint256 count = set.incidentCount();
        if (count == 0) return;
        uint256 id = bound(idSeed, 1, count);
        try set.executeSlash(id) {
            ++executions[id];
        } catch {}
    }

    /// @dev Claims its rewards to itself; the payout calls it back (onTokenReceived), and it re-enters.
    function claim(uint256 index, uint256 idSeed) external {
        actors.sync();
        uint256 owed = stake.rewardOf(address(this));
        if (owed == 0) return;
        _checkTarget = _overdueActive(index);
        uint256 count = set.incidentCount();
        _slashTarget = count == 0 ? 0 : bound(idSeed, 1, count);

        // The reference: the same claim without re-entry, then the same checkHeartbeat made normally.
        uint256 snapshot = vm.snapshotState();
        stake.claimReward(address(this));
        bool refOk;
        try set.checkHeartbeat(_checkTarget) {
            refOk = true;
        } catch {}
        bytes32 expected = digest();
        vm.revertToState(snapshot);

        uint256 balance = token.balanceOf(address(this));
        IStakeManager.Totals memory t = stake.totals();
        _paying = true;
        _hookCheckOk = false;
        stake.claimReward(address(this));
        _paying = false;
        if (digest() != expected || _hookCheckOk != refOk) ++harmfulReentries;
        if (_hookCheckOk) ++reentrantChecksAccepted;

        IStakeManager.Totals memory u = stake.totals();
        if (
            token.balanceOf(address(this)) != balance + owed ||
            stake.rewardOf(address(this)) != 0 ||
            u.rewardsOwed + owed != t.rewardsOwed ||
            u.bonded + u.unbonding + u.slashed + u.withdrawn !=
                t.bonded + t.unbonding + t.slashed + t.withdrawn
        ) ++badClaims;
        claimedTotal += owed;
        actors.observe();
    }

    /// @dev An active validator that is overdue (so a re-entered checkHeartbeat has work to do), else any.
    function _overdueActive(uint256 index) internal view returns (address) {
        address[] memory active = set.activeValidators();
        for (uint256 i; i < active.length; ++i) {
            address v = active[(index + i) % active.length];
            if (block.timestamp > set.overdueAt(v)) return v;
        }
        return actors.validatorAt(index);
    }

    // ------------------------------------------------------------------ the hook

    /// @inheritdoc ITokenReceiver
    function onTokenReceived(address, address, uint256) external {
        if (msg.sender != address(token) || !_paying) return;
        ++hooksFired;
        _reenterStakeManager();
        _reenterSet();
    }

    function _reenterStakeManager() internal {
        ++reentryAttempts;
        try stake.claimReward(address(this)) {
            ++stakeReentriesNotRefused;
        } catch (bytes memory err) {
            _expectReentrancyError(err);
        }
        try stake.withdraw() {
            ++stakeReentriesNotRefused;
        } catch (bytes memory err) {
            _expectReentrancyError(err);
        }
        try stake.requestUnbond(1) {
            ++stakeReentriesNotRefused;
        } catch (bytes memory err) {
            _expectReentrancyError(err);
        }
        try stake.bond(1) {
            ++stakeReentriesNotRefused;
        } catch (bytes memory err) {
            _expectReentrancyError(err);
        }
    }

    function _reenterSet() internal {
        if (_slashTarget != 0) {
            try set.executeSlash(_slashTarget) {
                ++slashesDuringPayout;
                ++executions[_slashTarget];
            } catch {}
            INodeHealth.SignedHeartbeat memory forged;
            forged.validator = set.incident(_slashTarget).validator;
            forged.timestamp = uint64(block.timestamp);
            try set.appealSlash(_slashTarget, forged) {
                ++stakeReentriesNotRefused;
            } catch {}
        }
        try set.checkHeartbeat(_checkTarget) {
            _hookCheckOk = true;
        } catch {}
    }

    function _expectReentrancyError(bytes memory err) internal {
        if (err.length < 4 || bytes4(err) != ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector) {
            ++stakeReentriesNotRefused;
        }
    }

    // ------------------------------------------------------------------ state digest

    /// @dev Everything a claim or a checkHeartbeat can touch in the set, the StakeManager and the token.
    function digest() public view returns (bytes32 d) {
        d = keccak256(
            abi.encode(
                set.activeValidators(),
                set.backupValidators(0, 16),
                set.incidentCount(),
                set.degradedSince(),
                stake.totals(),
                stake.rewardOf(address(this)),
                token.balanceOf(address(this)),
                token.balanceOf(address(stake))
            )
        );
        uint256 count = set.incidentCount();
        if (count != 0) d = keccak256(abi.encode(d, set.incident(count)));
        if (_slashTarget != 0 && _slashTarget <= count)
            d = keccak256(abi.encode(d, set.incident(_slashTarget)));
        for (uint256 i; i < actors.N(); ++i) {
            address v = actors.validatorAt(i);
            d = keccak256(
                abi.encode(
                    d,
                    set.statusOf(v),
                    set.openRemediationOf(v),
                    stake.bondedOf(v),
                    stake.unbondingOf(v),
                    stake.jailedUntil(v),
                    stake.isJailed(v)
                )
            );
        }
    }
}
