// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Versioned} from "../../upgrades/Versioned.sol";

/// @title NodeHealthV2BadLayout
/// @notice Test double of a broken NodeHealth release (docs/upgrades.md "Rehearse before the real thing"): its
///         ERC-7201 namespace moves `records` in front of `hot`, so every field lands on another one's slot. Its
///         migration is in order (version 1 → 2); only the storage-layout check of the rehearsal catches it
///         (test/upgrades/rehearse.ts).
contract NodeHealthV2BadLayout is Versioned {
    /// @custom:storage-location erc7201:healnet.storage.NodeHealth
    struct NodeHealthStorage {
        mapping(address signer => uint256 record) records;
        uint256 hot;
    }

    /// @notice The migration to version 2 ran.
    event MigratedToV2(uint64 previousVersion);

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Version 1 → 2 (refused from any other version).
    function migrateToV2() external migration(2) reinitializer(2) {
        emit MigratedToV2(1);
    }
}
