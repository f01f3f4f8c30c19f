// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {StakeManagerV2} from "./StakeManagerV2.sol";

/// @title StakeManagerV3
/// @notice Test double of the release after StakeManagerV2: its migration runs only from version 2, so upgrading a
///         version-1 proxy straight to it (skipping `migrateToV2`) is refused (test/upgrades/upgrade.ts).
contract StakeManagerV3 is StakeManagerV2 {
    /// @notice The migration to version 3 ran.
    event MigratedToV3(uint64 previousVersion);

    /// @notice Version 2 → 3 (refused from any other version).
    function migrateToV3() external migration(3) reinitializer(3) {
        emit MigratedToV3(2);
    }
}
