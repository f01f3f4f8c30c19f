// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAuditLog} from "../interfaces/IAuditLog.sol";

/// @title AuditLogFiller
/// @notice Bench and test helper, never deployed in production: grows a real AuditLog by many entries per
///         transaction, so that `npm run bench` can measure an append at a log length of 10,000 cheaply. It must
///         hold the log's APPENDER_ROLE.
contract AuditLogFiller {
    /// @notice Kind of the filler entries.
    bytes32 public constant KIND_FILLER = keccak256("BENCH_FILLER");

    /// @notice Appends `count` filler entries (refId = their position in this call). Permissionless: a bench
    ///         helper, guarded by the log's APPENDER_ROLE, which only a bench or test grants it.
    /// @param log The AuditLog.
    /// @param count How many entries to append (caller-given bound: keep it within the block gas limit).
    function fill(IAuditLog log, uint256 count) external {
        // bounded: count is the caller's limit
        for (uint256 i = 0; i < count; ++i) {
            log.append(KIND_FILLER, msg.sender, address(0), i, bytes32(0));
        }
    }
}
