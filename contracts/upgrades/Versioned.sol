// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {IVersioned} from "../interfaces/IVersioned.sol";

/// @title Versioned
/// @notice `Initializable` plus the version and migration convention of IVersioned (docs/upgrades.md). Holds no
///         storage of its own: the version is Initializable's `_initialized` (its ERC-7201 namespace).
abstract contract Versioned is IVersioned, Initializable {
    /// @notice Runs a migration to `target` only from `target - 1`. Use as
    ///         `function migrate_vN() external migration(N) reinitializer(N)` (this modifier first).
    modifier migration(uint64 target) {
        uint64 current = _getInitializedVersion();
        // `current` is at most type(uint64).max only after `_disableInitializers`, where no migration may run.
        if (current == type(uint64).max || current + 1 != target)
            revert UpgradeMigrationSkipped(current, target);
        _;
    }

    /// @inheritdoc IVersioned
    function version() external view returns (uint64) {
        return _getInitializedVersion();
    }
}
