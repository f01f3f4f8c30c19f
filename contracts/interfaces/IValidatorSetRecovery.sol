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
    /// @dev Only RECOVERY_ROLE. Reverts `IValidatorSet.ValidatorSetNotActive(validator, status)` unless the
    ///      validator is Active, and `IValidatorSet.ValidatorSetAtFloor(activeCount, minActive)` when no ready
    ///      backup exists and the set is at `minActive`. Not blocked by a slashing pause (nothing is slashed).
    ///      Emits `IValidatorSet.IncidentOpened`, `IValidatorSet.ValidatorReplaced` (caller = the recovery
    ///      manager) and `ValidatorForceReplaced`; appends "HEAL_FORCE_REPLACED" to the audit log if one is set.
    /// @param validator The active validator to remove.
    /// @return incidentId The incident opened (kind Forced is recorded as Downtime with no slash).
    function forceReplace(address validator) external returns (uint256 incidentId);

    /// @notice Cancels a pending slash (a forgiven wrongful slash). The recovery manager then releases the
    ///         validator from jail through the StakeManager, which returns it to the backup pool.
    /// @dev Only RECOVERY_ROLE. The slash must be Pending (else `IValidatorSet.ValidatorSetSlashNotPending`;
    ///      an unknown id reverts `IValidatorSet.ValidatorSetUnknownIncident`), whether or not the appeal window
    ///      is still open. Sets it Cancelled and `resolvedAt`, emits `IValidatorSet.SlashCancelled(id, validator,
    ///      msg.sender)` and appends "HEAL_SLASH_CANCELLED" to the audit log if one is set.
    /// @param incidentId The incident whose slash to cancel.
    function cancelSlash(uint256 incidentId) external;
}
