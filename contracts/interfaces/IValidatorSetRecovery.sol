// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IValidatorSetRecovery
/// @notice The validator set's entry points for the recovery manager (its RECOVERY_ROLE). The recovery manager
///         reaches them only through guardian-approved, bounded actions.
interface IValidatorSetRecovery {
    /// @notice The recovery role forced a validator out of the active set.
    event ValidatorForceReplaced(
        address indexed validator,
        address indexed promoted,
        uint256 indexed incidentId
    );

    /// @notice Removes an active validator (jailed for `jailDuration`, no slash) and promotes the best ready
    ///         backup; at the `minActive` floor with no ready backup it reverts `ValidatorSetAtFloor`.
    /// @return incidentId The incident opened (kind Forced is recorded as Downtime with no slash).
    function forceReplace(address validator) external returns (uint256 incidentId);

    /// @notice Cancels a pending slash (a forgiven wrongful slash). The recovery manager then releases the
    ///         validator from jail through the StakeManager, which returns it to the backup pool.
    function cancelSlash(uint256 incidentId) external;
}
