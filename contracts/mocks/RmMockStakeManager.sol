// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IStakeManager} from "../interfaces/IStakeManager.sol";

/// @title RmMockStakeManager
/// @notice Test double for the parts of IStakeManager that the RecoveryManager and the SnapshotRegistry call:
///         settable bonded stake, jail and tombstone flags, jail end; `release` and `setParameters` are recorded.
///         No access control.
/// @dev `setParameters` enforces minStake >= 1 token so parameter-call failures can be tested.
contract RmMockStakeManager {
    mapping(address validator => uint256) public bondedOf;
    mapping(address validator => bool) public isJailed;
    mapping(address validator => bool) public isTombstoned;
    mapping(address validator => uint64) public jailedUntil;

    address public lastReleased;
    uint256 public releaseCalls;
    uint256 public minStake;
    uint64 public unbondingPeriod;
    address public treasury;
    uint256 public setParametersCalls;

    function setBonded(address validator, uint256 amount) external {
        bondedOf[validator] = amount;
    }

    function setJailed(address validator, bool jailed) external {
        isJailed[validator] = jailed;
    }

    function setJailedUntil(address validator, uint64 until) external {
        jailedUntil[validator] = until;
    }

    function setTombstoned(address validator, bool tombstoned) external {
        isTombstoned[validator] = tombstoned;
        if (tombstoned) isJailed[validator] = true;
    }

    function release(address validator) external {
        if (!isJailed[validator]) revert IStakeManager.StakeManagerNotJailed(validator);
        if (isTombstoned[validator]) revert IStakeManager.StakeManagerTombstoned(validator);
        isJailed[validator] = false;
        lastReleased = validator;
        ++releaseCalls;
    }

    function setParameters(uint256 minStake_, uint64 unbondingPeriod_, address treasury_) external {
        if (minStake_ < 1e18)
            revert IStakeManager.StakeManagerInvalidParameter("minStake", minStake_, 1e18, 1e27);
        minStake = minStake_;
        unbondingPeriod = unbondingPeriod_;
        treasury = treasury_;
        ++setParametersCalls;
    }
}
