// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAuditLog} from "../interfaces/IAuditLog.sol";

// A test double mirrors the real contract's use of block time.
// solhint-disable not-rely-on-time

/// @title MockAuditLog
/// @notice Test double of IAuditLog that keeps every entry so tests can read them back. Hash chaining follows
///         the interface (`head = keccak256(abi.encode(head, entryHash))`). No access control.
contract MockAuditLog is IAuditLog {
    /// @notice One recorded entry (`source` is the appending contract).
    struct Entry {
        bytes32 kind;
        address actor;
        address subject;
        uint256 refId;
        bytes32 dataHash;
        uint64 timestamp;
        address source;
    }

    Entry[] private _entries;
    bytes32 private _head;

    /// @inheritdoc IAuditLog
    function append(
        bytes32 kind,
        address actor,
        address subject,
        uint256 refId,
        bytes32 dataHash
    ) external returns (uint256 index, bytes32 head) {
        index = _entries.length;
        uint64 timestamp = uint64(block.timestamp);
        _entries.push(Entry(kind, actor, subject, refId, dataHash, timestamp, msg.sender));
        bytes32 entryHash = entryHashOf(index, kind, actor, subject, refId, dataHash, timestamp, msg.sender);
        head = keccak256(abi.encode(_head, entryHash));
        _head = head;
        emit AuditEntryAppended(
            index,
            kind,
            actor,
            subject,
            refId,
            dataHash,
            timestamp,
            msg.sender,
            entryHash,
            head
        );
    }

    /// @inheritdoc IAuditLog
    function auditHead() external view returns (bytes32) {
        return _head;
    }

    /// @inheritdoc IAuditLog
    function auditLength() external view returns (uint256) {
        return _entries.length;
    }

    /// @notice The entry at `index`.
    function entry(uint256 index) external view returns (Entry memory) {
        return _entries[index];
    }

    /// @notice The last entry (reverts when empty).
    function lastEntry() external view returns (Entry memory) {
        return _entries[_entries.length - 1];
    }

    /// @inheritdoc IAuditLog
    function entryHashOf(
        uint256 index,
        bytes32 kind,
        address actor,
        address subject,
        uint256 refId,
        bytes32 dataHash,
        uint64 timestamp,
        address source
    ) public pure returns (bytes32) {
        return keccak256(abi.encode(index, kind, actor, subject, refId, dataHash, timestamp, source));
    }
}
