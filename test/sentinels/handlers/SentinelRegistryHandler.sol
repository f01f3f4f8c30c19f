// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";

import {NodeHealth} from "../../../contracts/health/NodeHealth.sol";
import {INodeHealth} from "../../../contracts/interfaces/INodeHealth.sol";
import {SentinelRegistry} from "../../../contracts/sentinels/SentinelRegistry.sol";

/// @dev Drives the registry: adds and removes sentinels, heartbeats, lets time pass and checks. Records, for each
///      sentinel, whether it was live at the moment of its last check (the ghost the invariant compares against).
contract SentinelRegistryHandler is Test {
    SentinelRegistry internal immutable registry;
    NodeHealth internal immutable health;
    address internal immutable curator;

    uint256 public nextId;
    mapping(address sentinel => bool) public liveAtLastCheck;
    mapping(address sentinel => bool) public everAdded;
    mapping(address sentinel => address) public signerOf;
    address[] internal ids;

    constructor(SentinelRegistry registry_, NodeHealth health_, address curator_) {
        registry = registry_;
        health = health_;
        curator = curator_;
    }

    function add() external {
        if (registry.sentinelCount() >= registry.parameters().maxSentinels) return;
        ++nextId;
        address id = address(uint160(0xA000 + nextId));
        address signer = address(uint160(0xB000 + nextId));
        vm.prank(curator);
        registry.addSentinel(id, signer, address(uint160(0xC000 + nextId)), "http://sentinel");
        everAdded[id] = true;
        signerOf[id] = signer;
        ids.push(id);
    }

    function remove(uint256 seed) external {
        address[] memory registered = registry.sentinels();
        if (registered.length == 0) return;
        vm.prank(curator);
        registry.removeSentinel(registered[seed % registered.length]);
    }

    function beat(uint256 seed) external {
        if (ids.length == 0) return;
        address id = ids[seed % ids.length];
        if (!registry.isSentinel(id)) return;
        if (health.lastHeartbeatAt(id) == block.timestamp) return;
        vm.prank(signerOf[id]);
        health.heartbeat(
            INodeHealth.HealthReport({
                blockHeight: 100,
                blockHash: keccak256("block"),
                peerCount: 8,
                latencyMs: 20,
                diskUsedBps: 1_000,
                clientVersionHash: keccak256("sentinel/v1")
            })
        );
    }

    function pass(uint256 secondsToPass) external {
        vm.warp(block.timestamp + bound(secondsToPass, 1, 90));
    }

    function check(uint256 seed) external {
        address[] memory registered = registry.sentinels();
        if (registered.length == 0) return;
        address id = registered[seed % registered.length];
        registry.checkSentinel(id);
        liveAtLastCheck[id] = registry.isLive(id);
    }

    function checkAll() external {
        registry.checkAll();
        address[] memory registered = registry.sentinels();
        for (uint256 i = 0; i < registered.length; ++i) {
            liveAtLastCheck[registered[i]] = registry.isLive(registered[i]);
        }
    }
}
