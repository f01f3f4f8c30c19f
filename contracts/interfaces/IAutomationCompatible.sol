// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IAutomationCompatible
/// @notice Chainlink Automation's `AutomationCompatibleInterface`, declared here with the same selectors so
///         that the contracts need no dependency on the Chainlink package.
interface IAutomationCompatible {
    /// @notice Simulated off-chain by Automation nodes (and keepers) to find work.
    /// @param checkData Registration-time data, opaque to the caller.
    /// @return upkeepNeeded Whether `performUpkeep` should be called.
    /// @return performData What to pass to `performUpkeep`.
    function checkUpkeep(
        bytes calldata checkData
    ) external returns (bool upkeepNeeded, bytes memory performData);

    /// @notice Does the work found by `checkUpkeep`. Anyone may call it: it revalidates everything.
    /// @param performData The data returned by `checkUpkeep`.
    function performUpkeep(bytes calldata performData) external;
}
