// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {Versioned} from "../upgrades/Versioned.sol";

import {IAuditLog} from "../interfaces/IAuditLog.sol";

// The log only records when an entry was appended; no decision depends on the timestamp.
// solhint-disable not-rely-on-time

/// @title AuditLog
/// @notice Append-only, hash-chained audit trail: `head = keccak256(abi.encode(head, entryHash))`. The entries
///         themselves live only in the `AuditEntryAppended` events; an auditor recomputes the head from them.
/// @dev Upgrade-ready: initializer instead of constructor state, ERC-7201 namespaced storage, AccessControl
///      roles. Only the head and the length are stored, so an append costs the same gas at any length.
contract AuditLog is IAuditLog, Versioned, AccessControlUpgradeable {
    /// @notice May append entries (the validator set, the guardian council, the recovery manager, the snapshot
    ///         registry).
    bytes32 public constant APPENDER_ROLE = keccak256("APPENDER_ROLE");

    /// @custom:storage-location erc7201:healnet.storage.AuditLog
    struct AuditLogStorage {
        bytes32 head;
        uint256 length;
    }

    // keccak256(abi.encode(uint256(keccak256("healnet.storage.AuditLog")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant AUDIT_LOG_STORAGE_LOCATION =
        0xafa200c942842c74edf0bd40560194425bc529775ea7ba498a08e71c4b5b8d00;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy's state.
    /// @param admin Holds DEFAULT_ADMIN_ROLE (grants APPENDER_ROLE to the contracts that log).
    function initialize(address admin) external initializer {
        if (admin == address(0)) revert AuditLogZeroAddress("admin");
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IAuditLog
    function append(
        bytes32 kind,
        address actor,
        address subject,
        uint256 refId,
        bytes32 dataHash
    ) external onlyRole(APPENDER_ROLE) returns (uint256 index, bytes32 head) {
        AuditLogStorage storage $ = _getStorage();
        index = $.length;
        uint64 timestamp = uint64(block.timestamp);
        bytes32 entryHash = _entryHash(index, kind, actor, subject, refId, dataHash, timestamp, msg.sender);
        head = keccak256(abi.encode($.head, entryHash));
        $.head = head;
        // One append per call: the length cannot reach 2^256 - 1.
        unchecked {
            $.length = index + 1;
        }
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
        return _getStorage().head;
    }

    /// @inheritdoc IAuditLog
    function auditLength() external view returns (uint256) {
        return _getStorage().length;
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
    ) external pure returns (bytes32) {
        return _entryHash(index, kind, actor, subject, refId, dataHash, timestamp, source);
    }

    function _entryHash(
        uint256 index,
        bytes32 kind,
        address actor,
        address subject,
        uint256 refId,
        bytes32 dataHash,
        uint64 timestamp,
        address source
    ) private pure returns (bytes32) {
        return keccak256(abi.encode(index, kind, actor, subject, refId, dataHash, timestamp, source));
    }

    function _getStorage() private pure returns (AuditLogStorage storage $) {
        // ERC-7201: assembly is the only way to point a storage reference at a namespaced slot.
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := AUDIT_LOG_STORAGE_LOCATION
        }
    }
}
