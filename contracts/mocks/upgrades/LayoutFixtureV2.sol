// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title LayoutFixtureV2
/// @notice Storage-layout fixture of tools/upgrades/validate.ts's test (test/upgrades/validate.ts): V1 is the
///         reference, V2 appends a field to the namespace (compatible), V2Incompatible swaps two (refused).
contract LayoutFixtureV2 {
    /// @custom:storage-location erc7201:healnet.storage.LayoutFixture
    struct LayoutStorage {
        uint256 minStake;
        address treasury;
        uint64 addedInV2;
    }
}
