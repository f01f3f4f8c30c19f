// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";

import {HealToken} from "../../../contracts/governance/HealToken.sol";
import {IStakeManager} from "../../../contracts/interfaces/IStakeManager.sol";
import {IValidatorSet} from "../../../contracts/interfaces/IValidatorSet.sol";
import {NodeHealth} from "../../../contracts/health/NodeHealth.sol";
import {StakeManager} from "../../../contracts/staking/StakeManager.sol";
import {SelfHealingValidatorSet} from "../../../contracts/validators/SelfHealingValidatorSet.sol";
import {CoreActors} from "./CoreActors.sol";

/// @dev A hostile keeper: calls checkHeartbeat with a gas amount it picks, hoping an inner call runs out of gas
///      after some writes landed. Whatever gas it passes, either the whole call takes effect or nothing changes:
///      a reverted call must leave the digest of the core state exactly as it was, and a call that succeeds
///      must leave the same digest as the same call with all the gas it wants (taken first in a snapshot that
///      is then reverted), so no path may do less when starved. As the reporter of the
///      incidents it opens it earns rewards, which it claims to itself; the claim must pay exactly what was
///      owed and change nothing else.
contract GasGriefer is Test {
    SelfHealingValidatorSet public immutable set;
    StakeManager public immutable stake;
    NodeHealth public immutable health;
    HealToken public immutable token;
    CoreActors public immutable actors;

    uint256 public partialStates;
    uint256 public badClaims;
    uint256 public griefs;
    uint256 public revertedGriefs;
    uint256 public claimed;

    constructor(
        SelfHealingValidatorSet set_,
        StakeManager stake_,
        NodeHealth health_,
        HealToken token_,
        CoreActors actors_
    ) {
        set = set_;
        stake = stake_;
        health = health_;
        token = token_;
        actors = actors_;
    }

    function grief(uint256 index, uint256 gas) external {
        actors.sync();
        address v = actors.validatorAt(index);
        gas = bound(gas, 5_000, 1_500_000);
        ++griefs;
        bytes memory data = abi.encodeCall(IValidatorSet.checkHeartbeat, (v));
        bytes32 before = digest();
        // What the call does with all the gas it wants, as the reference for a starved call that succeeds.
        uint256 snapshot = vm.snapshotState();
        (bool fullOk, ) = address(set).call(data);
        bytes32 full = digest();
        vm.revertToState(snapshot);
        (bool ok, ) = address(set).call{gas: gas}(data);
        bytes32 after_ = digest();
        if (ok) {
            // Success with less gas must mean the same effect as with all of it.
            if (!fullOk || after_ != full) ++partialStates;
        } else {
            ++revertedGriefs;
            if (after_ != before) ++partialStates;
        }
        actors.observe();
    }

    function claim() external {
        actors.sync();
        uint256 owed = stake.rewardOf(address(this));
        if (owed == 0) return;
        uint256 balance = token.balanceOf(address(this));
        IStakeManager.Totals memory t = stake.totals();
        stake.claimReward(address(this));
        IStakeManager.Totals memory u = stake.totals();
        if (
            token.balanceOf(address(this)) != balance + owed ||
            stake.rewardOf(address(this)) != 0 ||
            u.rewardsOwed + owed != t.rewardsOwed ||
            u.bonded != t.bonded ||
            u.unbonding != t.unbonding ||
            u.slashed != t.slashed
        ) ++badClaims;
        claimed += owed;
    }

    /// @dev Everything a checkHeartbeat can touch, in the set, the StakeManager and NodeHealth.
    function digest() public view returns (bytes32 d) {
        IStakeManager.Totals memory t = stake.totals();
        d = keccak256(
            abi.encode(
                set.activeValidators(),
                set.backupValidators(0, 16),
                set.incidentCount(),
                set.degradedSince(),
                t,
                health.bestHeight(),
                stake.rewardOf(address(this)),
                token.balanceOf(address(stake))
            )
        );
        uint256 count = set.incidentCount();
        if (count != 0) d = keccak256(abi.encode(d, set.incident(count)));
        for (uint256 i; i < actors.N(); ++i) {
            address v = actors.validatorAt(i);
            (address signer, uint64 epoch) = health.signerOf(v);
            d = keccak256(
                abi.encode(
                    d,
                    set.statusOf(v),
                    set.openRemediationOf(v),
                    set.overdueAt(v),
                    stake.bondedOf(v),
                    stake.unbondingOf(v),
                    stake.jailedUntil(v),
                    signer,
                    epoch,
                    health.recordOf(v)
                )
            );
        }
    }
}
