// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";

import {NodeHealth} from "../../contracts/health/NodeHealth.sol";
import {INodeHealth} from "../../contracts/interfaces/INodeHealth.sol";
import {NodeHealthDeployer} from "./NodeHealth.t.sol";
import {NodeHealthHandler} from "./handlers/NodeHealthHandler.sol";

contract NodeHealthInvariantTest is Test {
    NodeHealth internal health;
    NodeHealthHandler internal handler;
    address[3] internal validators = [address(0x7A11), address(0x7A12), address(0x7A13)];

    function setUp() public {
        vm.warp(1_700_000_000);
        address admin = makeAddr("admin");
        address registrar = makeAddr("registrar");
        INodeHealth.Parameters memory params = INodeHealth.Parameters({
            heartbeatInterval: 30,
            gracePeriod: 30,
            maxHeartbeatAge: 60,
            uptimeWindow: 100,
            maxHeightLag: 50,
            stallReports: 3
        });
        NodeHealth implementation = NodeHealthDeployer.deployImplementation();
        health = NodeHealthDeployer.deployProxy(
            address(implementation),
            abi.encodeCall(NodeHealth.initialize, (admin, params, 60))
        );
        vm.startPrank(admin);
        health.grantRole(health.REGISTRAR_ROLE(), registrar);
        vm.stopPrank();
        uint256[3] memory keys;
        for (uint256 i = 0; i < 3; ++i) {
            keys[i] = uint256(keccak256(abi.encode("invariant signer", i)));
            vm.prank(registrar);
            health.registerSigner(validators[i], vm.addr(keys[i]));
        }
        vm.startPrank(registrar);
        health.setBestHeightTracking(validators[0], true);
        health.setBestHeightTracking(validators[1], true);
        vm.stopPrank();
        handler = new NodeHealthHandler(health, registrar, validators, keys);
        targetContract(address(handler));
    }

    function invariant_lastHeartbeatAtNeverDecreases() public view {
        assertEq(handler.decreases(), 0, "lastHeartbeatAt or bestHeight went down after some call");
        for (uint256 i = 0; i < 3; ++i) {
            assertGe(health.lastHeartbeatAt(validators[i]), handler.lastSeen(validators[i]));
        }
    }

    function invariant_bestHeightNeverDecreases() public view {
        assertGe(health.bestHeight(), handler.bestSeen());
    }

    function invariant_uptimeAtMostFullScale() public view {
        for (uint256 i = 0; i < 3; ++i) {
            assertLe(health.uptimeBps(validators[i]), 10_000);
        }
    }

    function invariant_replayedItemNeverAcceptedTwice() public view {
        assertEq(handler.acceptedTwice(), 0);
    }

    function invariant_recordsStayConsistent() public view {
        for (uint256 i = 0; i < 3; ++i) {
            INodeHealth.HeartbeatRecord memory r = health.recordOf(validators[i]);
            assertLe(r.uptimeBitmap, (uint256(1) << 101) - 1);
            assertLe(r.diskUsedBps, 10_000);
            assertEq(r.timestamp, health.lastHeartbeatAt(validators[i]));
            if (r.timestamp != 0) assertEq(r.uptimeBitmap & 1, 1, "the last heartbeat's epoch is marked");
        }
    }
}
