// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title MockSnapshotRegistry
/// @notice Test double for ISnapshotRegistry.attestAsGuardian: records each attestation and its caller, and
///         can be told to revert.
/// @dev Deliberately does not inherit ISnapshotRegistry, so it keeps compiling when that interface grows.
contract MockSnapshotRegistry {
    /// @notice The mock was told to fail.
    error MockSnapshotRegistryFailed(uint256 snapshotId);

    uint256[] private _attested;
    address public lastCaller;
    bool public shouldRevert;

    function setShouldRevert(bool value) external {
        shouldRevert = value;
    }

    function attestAsGuardian(uint256 snapshotId) external {
        if (shouldRevert) revert MockSnapshotRegistryFailed(snapshotId);
        _attested.push(snapshotId);
        lastCaller = msg.sender;
    }

    function attestationCount() external view returns (uint256) {
        return _attested.length;
    }

    function attested(uint256 index) external view returns (uint256) {
        return _attested[index];
    }
}
