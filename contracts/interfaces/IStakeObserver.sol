// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IStakeObserver
/// @notice Told by the StakeManager when a validator's stake or jail status changes, so that rankings
///         (the backup heap) stay in step with the ledger in the same transaction.
interface IStakeObserver {
    /// @notice The validator's bonded stake or jail status changed. Called by the StakeManager only.
    /// @dev May revert to refuse the change (e.g. an active validator unbonding below the minimum stake).
    /// @param validator The validator.
    function onStakeChanged(address validator) external;
}
