// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IStakeManager} from "../interfaces/IStakeManager.sol";
import {IStakeObserver} from "../interfaces/IStakeObserver.sol";

// Mocks mirror the time-based liveness and jail of the real contracts.
// solhint-disable not-rely-on-time

/// @title MockStakeManager
/// @notice Test double of the StakeManager: bonded amounts are set directly, jail and tombstone are kept,
///         slashes are applied to the bonded amount and recorded. Like the real one it notifies the observer
///         after a stake or jail change, except when the observer itself is the caller. No tokens move and
///         there is no access control.
/// @dev Test-only. Never deployed by deploy/.
contract MockStakeManager is IStakeManager {
    /// @notice One recorded `slash` call.
    struct SlashCall {
        address validator;
        uint256 bps;
        uint256 faultAt;
        address rewardRecipient;
        uint256 rewardBps;
        uint256 rewardCap;
        uint256 incidentId;
        uint256 slashed;
        uint256 reward;
    }

    address public observer;
    uint256 public minStake = 100 ether;
    uint256 public totalSlashed;
    SlashCall[] private _slashes;
    mapping(uint256 incidentId => uint256) public slashCountOf;
    mapping(address validator => uint256) private _bonded;
    mapping(address validator => uint64) private _jailedUntil;
    mapping(address validator => bool) private _tombstoned;
    mapping(address recipient => uint256) private _rewards;
    address private _stakeToken; // zero (no token, so no votes) unless a test sets one

    // ---- test controls ----

    /// @notice Sets `validator`'s bonded stake, as a bond or unbond would, and notifies the observer.
    function setBonded(address validator, uint256 amount) external {
        _bonded[validator] = amount;
        _notify(validator);
    }

    /// @notice Sets the bonded stake without notifying (for setting up before the observer exists).
    function setBondedSilently(address validator, uint256 amount) external {
        _bonded[validator] = amount;
    }

    /// @notice Sets what `stakeToken` returns (the validator set reads delegated votes from it).
    function setStakeToken(address token) external {
        _stakeToken = token;
    }

    function setMinStake(uint256 amount) external {
        minStake = amount;
    }

    function slashCount() external view returns (uint256) {
        return _slashes.length;
    }

    function slashAt(uint256 index) external view returns (SlashCall memory) {
        return _slashes[index];
    }

    // ---- IStakeManager ----

    function bond(uint256 amount) external {
        _bonded[msg.sender] += amount;
        emit Bonded(msg.sender, amount, _bonded[msg.sender]);
        _notify(msg.sender);
    }

    function requestUnbond(uint256 amount) external {
        uint256 bonded = _bonded[msg.sender];
        if (amount > bonded) revert StakeManagerInsufficientBonded(msg.sender, amount, bonded);
        _bonded[msg.sender] = bonded - amount;
        emit UnbondRequested(msg.sender, amount, block.timestamp);
        if (observer != address(0) && msg.sender != observer)
            IStakeObserver(observer).onUnbondRequested(msg.sender);
    }

    function withdraw() external pure returns (uint256) {
        return 0;
    }

    function slash(
        address validator,
        uint256 bps,
        uint256 faultAt,
        address rewardRecipient,
        uint256 rewardBps,
        uint256 rewardCap,
        uint256 incidentId
    ) external returns (uint256 slashed, uint256 reward) {
        if (bps > 10_000) revert StakeManagerInvalidBps(bps);
        slashed = (_bonded[validator] * bps) / 10_000;
        _bonded[validator] -= slashed;
        if (rewardRecipient != address(0)) {
            reward = (slashed * rewardBps) / 10_000;
            if (reward > rewardCap) reward = rewardCap;
            _rewards[rewardRecipient] += reward;
        }
        totalSlashed += slashed;
        ++slashCountOf[incidentId];
        _slashes.push(
            SlashCall(
                validator,
                bps,
                faultAt,
                rewardRecipient,
                rewardBps,
                rewardCap,
                incidentId,
                slashed,
                reward
            )
        );
        emit Slashed(validator, incidentId, rewardRecipient, slashed, reward, slashed - reward);
        _notify(validator);
    }

    function jail(address validator, uint64 until) external {
        if (until > _jailedUntil[validator]) _jailedUntil[validator] = until;
        emit Jailed(validator, until);
        _notify(validator);
    }

    function unjail() external {
        if (_tombstoned[msg.sender]) revert StakeManagerTombstoned(msg.sender);
        uint64 until = _jailedUntil[msg.sender];
        if (until == 0) revert StakeManagerNotJailed(msg.sender);
        if (block.timestamp < until) revert StakeManagerStillJailed(msg.sender, until);
        if (_bonded[msg.sender] < minStake) {
            revert StakeManagerBelowMinStake(msg.sender, _bonded[msg.sender], minStake);
        }
        _jailedUntil[msg.sender] = 0;
        emit Unjailed(msg.sender, msg.sender);
        _notify(msg.sender);
    }

    function release(address validator) external {
        if (_tombstoned[validator]) revert StakeManagerTombstoned(validator);
        _jailedUntil[validator] = 0;
        emit Unjailed(validator, msg.sender);
        _notify(validator);
    }

    function tombstone(address validator) external {
        _tombstoned[validator] = true;
        _jailedUntil[validator] = type(uint64).max;
        emit Tombstoned(validator);
        _notify(validator);
    }

    function claimReward(address to) external returns (uint256 amount) {
        amount = _rewards[msg.sender];
        if (amount == 0) revert StakeManagerNoReward(msg.sender);
        _rewards[msg.sender] = 0;
        emit RewardClaimed(msg.sender, to, amount);
    }

    function setParameters(uint256 minStake_, uint64, address) external {
        minStake = minStake_;
    }

    function setStakeObserver(address observer_) external {
        if (observer != address(0)) revert StakeManagerObserverAlreadySet(observer);
        observer = observer_;
        emit StakeObserverSet(observer_);
    }

    function stakeToken() external view returns (address) {
        return _stakeToken;
    }

    function stakeObserver() external view returns (address) {
        return observer;
    }

    function bondedOf(address validator) external view returns (uint256) {
        return _bonded[validator];
    }

    function unbondingOf(address) external pure returns (uint256) {
        return 0;
    }

    function unbondingRequestsOf(address) external pure returns (UnbondingRequest[] memory requests) {
        return requests;
    }

    function isJailed(address validator) external view returns (bool) {
        return _tombstoned[validator] || block.timestamp < _jailedUntil[validator];
    }

    function jailedUntil(address validator) external view returns (uint64) {
        return _jailedUntil[validator];
    }

    function isTombstoned(address validator) external view returns (bool) {
        return _tombstoned[validator];
    }

    function rewardOf(address recipient) external view returns (uint256) {
        return _rewards[recipient];
    }

    function totals() external view returns (Totals memory t) {
        t.slashed = totalSlashed;
    }

    function unbondingPeriod() external pure returns (uint64) {
        return 7 days;
    }

    function treasury() external pure returns (address) {
        return address(0);
    }

    function _notify(address validator) private {
        if (observer != address(0) && msg.sender != observer)
            IStakeObserver(observer).onStakeChanged(validator);
    }
}
