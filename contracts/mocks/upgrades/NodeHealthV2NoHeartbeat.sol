// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {NodeHealth} from "../../health/NodeHealth.sol";
import {NodeHealthV2} from "./NodeHealthV2.sol";

/// @title NodeHealthV2NoHeartbeat
/// @notice Test double of a NodeHealth release that breaks healing (docs/upgrades.md "Rehearse before the real
///         thing"): the same storage and the same migration as NodeHealthV2, but a direct `heartbeat` emits
///         `HeartbeatRecorded` without recording anything. Only the rehearsal's healing drill catches it
///         (test/upgrades/rehearse.ts).
contract NodeHealthV2NoHeartbeat is NodeHealthV2 {
    /// @inheritdoc NodeHealth
    /// @dev Broken on purpose: the record is not written.
    function heartbeat(HealthReport calldata report) external override {
        emit HeartbeatRecorded(msg.sender, report.blockHeight, report.blockHash);
    }
}
