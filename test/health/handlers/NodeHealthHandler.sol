// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";

import {NodeHealth} from "../../../contracts/health/NodeHealth.sol";
import {INodeHealth} from "../../../contracts/interfaces/INodeHealth.sol";

/// @notice Drives NodeHealth for the invariant test: honest signers heartbeating directly and through relayed
///         batches, relayers replaying old signed items, a registrar fencing, and a clock with huge gaps. It
///         checks monotonicity around every call and counts any signed item accepted twice.
contract NodeHealthHandler is Test {
    uint256 internal constant VALIDATORS = 3;
    uint256 internal constant MAX_HEIGHT = type(uint40).max;

    NodeHealth public immutable health;
    address public immutable registrar;
    address[VALIDATORS] public validators;
    uint256[VALIDATORS] internal keys;

    INodeHealth.SignedHeartbeat[] internal signedItems;
    mapping(bytes32 digest => bool) public accepted;

    /// @notice Largest lastHeartbeatAt / bestHeight observed so far (after every call).
    mapping(address validator => uint64) public lastSeen;
    uint64 public bestSeen;

    uint256 public decreases;
    uint256 public acceptedTwice;
    uint256 public acceptedCount;
    uint256 public replaysAttempted;

    constructor(
        NodeHealth health_,
        address registrar_,
        address[VALIDATORS] memory validators_,
        uint256[VALIDATORS] memory keys_
    ) {
        health = health_;
        registrar = registrar_;
        validators = validators_;
        keys = keys_;
    }

    modifier observed() {
        _;
        _observe();
    }

    // ─── actions ───────────────────────────────────────────────────────────────────────────────────────

    function heartbeat(uint256 who, uint256 height) external observed {
        who = bound(who, 0, VALIDATORS - 1);
        height = bound(height, 0, MAX_HEIGHT);
        vm.prank(vm.addr(keys[who]));
        health.heartbeat(_report(height));
    }

    function relay(uint256 who, uint256 age, uint256 height, bool wrongKey) external observed {
        who = bound(who, 0, VALIDATORS - 1);
        age = bound(age, 0, 120); // up to twice maxHeartbeatAge: some are stale
        height = bound(height, 0, MAX_HEIGHT);
        uint256 ts = block.timestamp > age ? block.timestamp - age : 0;
        (, uint64 epoch) = health.signerOf(validators[who]);
        INodeHealth.SignedHeartbeat memory item;
        item.validator = validators[who];
        item.signerEpoch = epoch;
        item.timestamp = uint64(ts);
        item.report = _report(height);
        uint256 key = wrongKey ? keys[(who + 1) % VALIDATORS] : keys[who];
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, health.heartbeatDigest(item));
        item.r = r;
        item.vs = bytes32(uint256(s) | (uint256(v - 27) << 255));
        signedItems.push(item);
        _submit(item);
    }

    function replay(uint256 index) external observed {
        if (signedItems.length == 0) return;
        ++replaysAttempted;
        _submit(signedItems[bound(index, 0, signedItems.length - 1)]);
    }

    function fence(uint256 who) external observed {
        who = bound(who, 0, VALIDATORS - 1);
        vm.prank(registrar);
        health.fence(validators[who]);
    }

    function warp(uint256 seconds_) external observed {
        // Huge gaps (up to ~116 days) as well as single seconds; stays far below 2^32 over a whole run.
        seconds_ = bound(seconds_, 1, 10_000_000);
        vm.warp(block.timestamp + seconds_);
    }

    // ─── internals ─────────────────────────────────────────────────────────────────────────────────────

    function _submit(INodeHealth.SignedHeartbeat memory item) internal {
        INodeHealth.SignedHeartbeat[] memory batch = new INodeHealth.SignedHeartbeat[](1);
        batch[0] = item;
        bytes32 digest = health.heartbeatDigest(item);
        uint256 n = health.heartbeatBatch(batch);
        if (n == 1) {
            if (accepted[digest]) ++acceptedTwice;
            accepted[digest] = true;
            ++acceptedCount;
        }
    }

    function _observe() internal {
        for (uint256 i = 0; i < VALIDATORS; ++i) {
            uint64 last = health.lastHeartbeatAt(validators[i]);
            if (last < lastSeen[validators[i]]) ++decreases;
            else lastSeen[validators[i]] = last;
        }
        uint64 best = health.bestHeight();
        if (best < bestSeen) ++decreases;
        else bestSeen = best;
    }

    function _report(uint256 height) internal pure returns (INodeHealth.HealthReport memory) {
        return
            INodeHealth.HealthReport({
                blockHeight: uint64(height),
                blockHash: keccak256(abi.encode(height)),
                peerCount: uint16(height),
                latencyMs: uint32(height),
                diskUsedBps: uint16(height % 10_001),
                clientVersionHash: keccak256("client")
            });
    }
}
