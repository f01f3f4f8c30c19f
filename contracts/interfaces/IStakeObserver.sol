// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IStakeObserver
/// @notice Told by the StakeManager when a validator's stake or jail status changes, so that rankings
///         (the backup heap) and the active set stay in step with the ledger in the same transaction.
/// @dev Two hooks, so that the observer can tell a voluntary unbond (which it may refuse) from a change it must
///      accept (a bond, a slash, a jail, an unjail, a release, a tombstone): the StakeManager calls
///      `onUnbondRequested` from `requestUnbond` and `onStakeChanged` from everything else. Neither is called
///      when the observer itself is the StakeManager's caller.
interface IStakeObserver {
    /// @notice The validator's bonded stake or jail status changed through a bond, slash, jail, unjail, release
    ///         or tombstone. Called by the StakeManager only.
    /// @dev Must not revert for a slash or a jail (a penalty must never be blockable by the observer); a revert
    ///      reverts the whole change.
    /// @param validator The validator.
    function onStakeChanged(address validator) external;

    /// @notice The validator asked to unbond (`StakeManager.requestUnbond`); its bonded stake is already reduced.
    ///         Called by the StakeManager only, instead of `onStakeChanged`.
    /// @dev May revert to refuse the unbond (the validator set: an active validator unbonding below the minimum
    ///      stake must exit the active set first); the revert reverts the request.
    /// @param validator The validator (the caller of `requestUnbond`).
    function onUnbondRequested(address validator) external;
}
