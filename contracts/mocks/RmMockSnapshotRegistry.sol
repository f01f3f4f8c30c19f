// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ISnapshotRegistry} from "../interfaces/ISnapshotRegistry.sol";

// A test double mirrors the real contract's use of block time.
// solhint-disable not-rely-on-time

/// @title RmMockSnapshotRegistry
/// @notice Test double for the parts of ISnapshotRegistry that the RecoveryManager calls (isFinal, snapshot):
///         snapshots are set directly. No access control.
contract RmMockSnapshotRegistry {
    mapping(uint256 snapshotId => ISnapshotRegistry.Snapshot) private _snapshots;

    /// @notice Stores a snapshot with `cid` at `height`, final or not.
    function setSnapshot(uint256 snapshotId, uint64 height, string calldata cid, bool finalized) external {
        ISnapshotRegistry.Snapshot storage s = _snapshots[snapshotId];
        s.height = height;
        s.cid = cid;
        s.finalized = finalized;
        s.proposer = msg.sender;
        s.proposedAt = uint64(block.timestamp);
    }

    function isFinal(uint256 snapshotId) external view returns (bool) {
        return _snapshots[snapshotId].finalized;
    }

    function snapshot(uint256 snapshotId) external view returns (ISnapshotRegistry.Snapshot memory) {
        if (_snapshots[snapshotId].proposer == address(0)) {
            revert ISnapshotRegistry.SnapshotRegistryUnknownSnapshot(snapshotId);
        }
        return _snapshots[snapshotId];
    }
}
