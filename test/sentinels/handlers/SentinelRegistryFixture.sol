// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {NodeHealth} from "../../../contracts/health/NodeHealth.sol";
import {IAuditLog} from "../../../contracts/interfaces/IAuditLog.sol";
import {INodeHealth} from "../../../contracts/interfaces/INodeHealth.sol";
import {ISentinelRegistry} from "../../../contracts/interfaces/ISentinelRegistry.sol";
import {MockAuditLog} from "../../../contracts/mocks/MockAuditLog.sol";
import {SentinelRegistry} from "../../../contracts/sentinels/SentinelRegistry.sol";

/// @dev Deploys NodeHealth and SentinelRegistry behind ERC1967Proxies. An external library, linked at test time,
///      so that the implementations' creation code is not copied into every test contract (size limit).
library SentinelRegistryDeployer {
    function deployHealth(
        address admin,
        INodeHealth.Parameters memory params,
        uint32 epoch
    ) external returns (NodeHealth) {
        NodeHealth implementation = new NodeHealth();
        bytes memory init = abi.encodeCall(NodeHealth.initialize, (admin, params, epoch));
        return NodeHealth(address(new ERC1967Proxy(address(implementation), init)));
    }

    function deployImplementation() external returns (SentinelRegistry) {
        return new SentinelRegistry();
    }

    function deployProxy(address implementation, bytes memory init) external returns (SentinelRegistry) {
        return SentinelRegistry(address(new ERC1967Proxy(implementation, init)));
    }
}

/// @dev A real NodeHealth (30 s interval + 30 s grace), a MockAuditLog and the registry, wired as in deploySuite:
///      the registry holds NodeHealth's REGISTRAR_ROLE; `curator` holds CURATOR_ROLE, `timelock` PARAMETER_ROLE.
abstract contract SentinelRegistryFixture is Test {
    uint256 internal constant T0 = 1_700_000_000;
    uint32 internal constant INTERVAL = 30;
    uint32 internal constant GRACE = 30;

    NodeHealth internal health;
    MockAuditLog internal audit;
    SentinelRegistry internal implementation;
    SentinelRegistry internal registry;

    address internal admin = makeAddr("admin");
    address internal curator = makeAddr("curator");
    address internal timelock = makeAddr("timelock");
    address internal stranger = makeAddr("stranger");

    function _setUpRegistry(uint16 maxSentinels, uint16 minSentinels) internal {
        vm.warp(T0);
        health = SentinelRegistryDeployer.deployHealth(admin, _healthParameters(), 60);
        audit = new MockAuditLog();
        implementation = SentinelRegistryDeployer.deployImplementation();
        registry = _deploy(admin, address(health), address(audit), _params(maxSentinels, minSentinels));
        vm.startPrank(admin);
        health.grantRole(health.REGISTRAR_ROLE(), address(registry));
        registry.grantRole(registry.CURATOR_ROLE(), curator);
        registry.grantRole(registry.PARAMETER_ROLE(), timelock);
        vm.stopPrank();
    }

    function _deploy(
        address admin_,
        address health_,
        address audit_,
        ISentinelRegistry.Parameters memory params
    ) internal returns (SentinelRegistry) {
        bytes memory init = abi.encodeCall(
            SentinelRegistry.initialize,
            (admin_, INodeHealth(health_), IAuditLog(audit_), params)
        );
        return SentinelRegistryDeployer.deployProxy(address(implementation), init);
    }

    function _healthParameters() internal pure returns (INodeHealth.Parameters memory) {
        return
            INodeHealth.Parameters({
                heartbeatInterval: INTERVAL,
                gracePeriod: GRACE,
                maxHeartbeatAge: 60,
                uptimeWindow: 100,
                maxHeightLag: 50,
                stallReports: 3
            });
    }

    function _params(
        uint16 maxSentinels,
        uint16 minSentinels
    ) internal pure returns (ISentinelRegistry.Parameters memory) {
        return ISentinelRegistry.Parameters({maxSentinels: maxSentinels, minSentinels: minSentinels});
    }

    /// @dev Sentinel i's id, signer and operator (deterministic).
    function _id(uint256 i) internal pure returns (address) {
        return address(uint160(0x5E7700 + i));
    }

    function _signer(uint256 i) internal pure returns (address) {
        return address(uint160(0x516E00 + i));
    }

    function _operator(uint256 i) internal pure returns (address) {
        return address(uint160(0x0BE400 + i));
    }

    function _endpoint(uint256 i) internal pure returns (string memory) {
        return string.concat("http://10.0.0.", vm.toString(i), ":8545");
    }

    function _add(uint256 i) internal {
        vm.prank(curator);
        registry.addSentinel(_id(i), _signer(i), _operator(i), _endpoint(i));
    }

    function _beat(uint256 i) internal {
        vm.prank(_signer(i));
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
}
