// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IVersioned
/// @notice The upgrade convention of every healnet contract behind a proxy (docs/upgrades.md): `initialize` sets
///         version 1, and implementation N > 1 carries `migrate_vN()` (`reinitializer(N)`), which the upgrade calls
///         (`ProxyAdmin.upgradeAndCall(proxy, implementationN, abi.encodeCall(migrate_vN, ()))`) and which refuses
///         to run unless the proxy is at version N - 1: an upgrade that skips a migration step reverts.
interface IVersioned {
    /// @notice A migration to `target` was called on a proxy at `current`, and `target != current + 1`.
    error UpgradeMigrationSkipped(uint64 current, uint64 target);

    /// @notice The proxy's version: the last migration it ran (1 after `initialize`).
    function version() external view returns (uint64);
}
