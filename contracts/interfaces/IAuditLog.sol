// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IAuditLog
/// @notice An append-only, hash-chained audit trail of every recovery action, guardian vote, remediation result
///         and automatic heal: `head = keccak256(abi.encode(head, entryHash))`, so an auditor can recompute the
///         head from the `AuditEntryAppended` events alone and compare it with `auditHead()`.
/// @dev Appending is O(1) in gas whatever the log's length: only the head and the length are stored.
interface IAuditLog {
    /// @notice An entry was appended.
    /// @param index Its position (from 0).
    /// @param kind What happened (e.g. keccak256("HEAL_DOWNTIME"), keccak256("GUARDIAN_APPROVED")).
    /// @param actor Who did it (the guardian, the keeper, the orchestrator's operator key, ...).
    /// @param subject Whom it concerns (a validator, or zero).
    /// @param refId The related id (incident, proposal, action, snapshot), or 0.
    /// @param dataHash Hash of the details (opaque to the log).
    /// @param timestamp When it was appended.
    /// @param entryHash keccak256(abi.encode(index, kind, actor, subject, refId, dataHash, timestamp, source))
    ///        where `source` is the appending contract.
    /// @param head The new head.
    event AuditEntryAppended(
        uint256 indexed index,
        bytes32 indexed kind,
        address indexed actor,
        address subject,
        uint256 refId,
        bytes32 dataHash,
        uint64 timestamp,
        address source,
        bytes32 entryHash,
        bytes32 head
    );

    /// @notice An address argument was zero.
    error AuditLogZeroAddress(bytes32 what);

    /// @notice Appends an entry. Only the appender role (the validator set, the guardian council, the recovery
    ///         manager, the snapshot registry).
    /// @return index The entry's position.
    /// @return head The new head.
    function append(
        bytes32 kind,
        address actor,
        address subject,
        uint256 refId,
        bytes32 dataHash
    ) external returns (uint256 index, bytes32 head);

    /// @notice The current head (zero while the log is empty).
    function auditHead() external view returns (bytes32);

    /// @notice The number of entries.
    function auditLength() external view returns (uint256);

    /// @notice The entry hash the log computes for these fields (for auditors and tests).
    function entryHashOf(
        uint256 index,
        bytes32 kind,
        address actor,
        address subject,
        uint256 refId,
        bytes32 dataHash,
        uint64 timestamp,
        address source
    ) external pure returns (bytes32);
}
