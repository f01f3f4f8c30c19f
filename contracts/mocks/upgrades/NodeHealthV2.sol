// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {NodeHealth} from "../../health/NodeHealth.sol";

/// @title NodeHealthV2
/// @notice Test double of a next NodeHealth release (docs/upgrades.md): the same code and storage plus its migration
///         step, `migrateToV2`, which the upgrade calls (test/upgrades/upgrade.ts).
contract NodeHealthV2 is NodeHealth {
    /// @notice The migration to version 2 ran.
    event MigratedToV2(uint64 previousVersion);

    /// @notice Version 1 → 2 (refused from any other version).
    function migrateToV2() external migration(2) reinitializer(2) {
        emit MigratedToV2(1);
    }
}
