// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {INodeHealth} from "../../contracts/interfaces/INodeHealth.sol";
import {ISentinelRegistry} from "../../contracts/interfaces/ISentinelRegistry.sol";
import {SentinelRegistryFixture} from "./handlers/SentinelRegistryFixture.sol";

contract SentinelRegistryTest is SentinelRegistryFixture {
    function setUp() public {
        _setUpRegistry(4, 2);
    }

    // ─── initialize ──────────────────────────────────────────────────────────────────────────────────────

    function test_initialize_setsRolesParametersAndStartsDegraded() public view {
        assertTrue(registry.hasRole(registry.DEFAULT_ADMIN_ROLE(), admin));
        assertEq(registry.nodeHealth(), address(health));
        assertEq(registry.auditLog(), address(audit));
        assertEq(registry.parameters().maxSentinels, 4);
        assertEq(registry.parameters().minSentinels, 2);
        assertTrue(registry.degraded());
        assertEq(registry.sentinelCount(), 0);
        assertEq(registry.version(), 1);
    }

    function test_initialize_revertsIfCalledOnTheImplementation() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        implementation.initialize(admin, INodeHealth(address(health)), audit, _params(4, 2));
    }

    function test_initialize_revertsIfZeroAddress() public {
        vm.expectRevert(
            abi.encodeWithSelector(ISentinelRegistry.SentinelRegistryZeroAddress.selector, bytes32("admin"))
        );
        _deploy(address(0), address(health), address(audit), _params(4, 2));
        vm.expectRevert(
            abi.encodeWithSelector(ISentinelRegistry.SentinelRegistryZeroAddress.selector, bytes32("health"))
        );
        _deploy(admin, address(0), address(audit), _params(4, 2));
        vm.expectRevert(
            abi.encodeWithSelector(ISentinelRegistry.SentinelRegistryZeroAddress.selector, bytes32("audit"))
        );
        _deploy(admin, address(health), address(0), _params(4, 2));
    }

    function test_initialize_revertsIfParameterOutOfBounds() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                ISentinelRegistry.SentinelRegistryInvalidParameter.selector,
                bytes32("maxSentinels"),
                65,
                1,
                64
            )
        );
        _deploy(admin, address(health), address(audit), _params(65, 2));
        vm.expectRevert(
            abi.encodeWithSelector(
                ISentinelRegistry.SentinelRegistryInvalidParameter.selector,
                bytes32("minSentinels"),
                5,
                1,
                4
            )
        );
        _deploy(admin, address(health), address(audit), _params(4, 5));
    }

    // ─── addSentinel ─────────────────────────────────────────────────────────────────────────────────────

    function test_addSentinel_registersItsSignerInNodeHealthAndIsNotServedYet() public {
        vm.expectEmit(address(registry));
        emit ISentinelRegistry.SentinelAdded(_id(1), _operator(1), _signer(1), _endpoint(1));
        _add(1);
        (address signer, uint64 epoch) = health.signerOf(_id(1));
        assertEq(signer, _signer(1));
        assertEq(epoch, 1);
        assertTrue(registry.isSentinel(_id(1)));
        ISentinelRegistry.Sentinel memory s = registry.sentinel(_id(1));
        assertEq(s.operator, _operator(1));
        assertEq(s.endpoint, _endpoint(1));
        assertEq(s.addedAt, T0);
        assertFalse(s.served);
        assertEq(registry.servedCount(), 0);
        assertEq(audit.lastEntry().kind, registry.SENTINEL_ADDED());
        assertEq(audit.lastEntry().subject, _id(1));
    }

    function test_addSentinel_revertsIfNotCurator() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                registry.CURATOR_ROLE()
            )
        );
        vm.prank(stranger);
        registry.addSentinel(_id(1), _signer(1), _operator(1), _endpoint(1));
    }

    function test_addSentinel_revertsIfFull() public {
        for (uint256 i = 1; i <= 4; ++i) _add(i);
        vm.expectRevert(abi.encodeWithSelector(ISentinelRegistry.SentinelRegistryFull.selector, 4));
        _add(5);
    }

    function test_addSentinel_revertsIfIdTaken() public {
        _add(1);
        vm.expectRevert(abi.encodeWithSelector(ISentinelRegistry.SentinelRegistryIdTaken.selector, _id(1)));
        vm.prank(curator);
        registry.addSentinel(_id(1), _signer(2), _operator(1), _endpoint(1));
        // A validator's key in NodeHealth is taken too.
        address registrar = makeAddr("set");
        bytes32 registrarRole = health.REGISTRAR_ROLE();
        vm.prank(admin);
        health.grantRole(registrarRole, registrar);
        vm.prank(registrar);
        health.registerSigner(_id(9), makeAddr("validatorSigner"));
        vm.expectRevert(abi.encodeWithSelector(ISentinelRegistry.SentinelRegistryIdTaken.selector, _id(9)));
        _add(9);
    }

    function test_addSentinel_revertsIfSignerTaken() public {
        _add(1);
        vm.expectRevert(
            abi.encodeWithSelector(ISentinelRegistry.SentinelRegistrySignerTaken.selector, _signer(1))
        );
        vm.prank(curator);
        registry.addSentinel(_id(2), _signer(1), _operator(2), _endpoint(2));
    }

    function test_addSentinel_revertsIfZeroAddressOrBadEndpoint() public {
        vm.startPrank(curator);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISentinelRegistry.SentinelRegistryZeroAddress.selector,
                bytes32("sentinel")
            )
        );
        registry.addSentinel(address(0), _signer(1), _operator(1), _endpoint(1));
        vm.expectRevert(
            abi.encodeWithSelector(ISentinelRegistry.SentinelRegistryZeroAddress.selector, bytes32("signer"))
        );
        registry.addSentinel(_id(1), address(0), _operator(1), _endpoint(1));
        vm.expectRevert(
            abi.encodeWithSelector(
                ISentinelRegistry.SentinelRegistryZeroAddress.selector,
                bytes32("operator")
            )
        );
        registry.addSentinel(_id(1), _signer(1), address(0), _endpoint(1));
        vm.expectRevert(
            abi.encodeWithSelector(ISentinelRegistry.SentinelRegistryInvalidEndpoint.selector, 0, 256)
        );
        registry.addSentinel(_id(1), _signer(1), _operator(1), "");
        string memory long = string(new bytes(257));
        vm.expectRevert(
            abi.encodeWithSelector(ISentinelRegistry.SentinelRegistryInvalidEndpoint.selector, 257, 256)
        );
        registry.addSentinel(_id(1), _signer(1), _operator(1), long);
        vm.stopPrank();
    }

    // ─── checkSentinel ───────────────────────────────────────────────────────────────────────────────────

    function test_checkSentinel_restoresALiveSentinelAndRecoversThePool() public {
        _add(1);
        _add(2);
        _beat(1);
        _beat(2);
        vm.expectEmit(address(registry));
        emit ISentinelRegistry.SentinelRestored(_id(1), stranger);
        vm.prank(stranger);
        assertTrue(registry.checkSentinel(_id(1)));
        assertTrue(registry.degraded());
        vm.expectEmit(address(registry));
        emit ISentinelRegistry.SentinelPoolRecovered(2, 2);
        vm.prank(stranger);
        registry.checkSentinel(_id(2));
        assertFalse(registry.degraded());
        assertEq(registry.servedCount(), 2);
        assertEq(registry.sentinel(_id(1)).checkedAt, T0);
        assertEq(audit.lastEntry().kind, registry.SENTINEL_POOL_RECOVERED());
    }

    function test_checkSentinel_leavesASentinelWithoutHeartbeatUnserved() public {
        _add(1);
        vm.recordLogs();
        assertFalse(registry.checkSentinel(_id(1)));
        assertEq(vm.getRecordedLogs().length, 0);
        assertEq(registry.servedCount(), 0);
    }

    function test_checkSentinel_dropsASilentSentinelAndTellsTheGuardians() public {
        _serve(2);
        vm.warp(T0 + INTERVAL + GRACE + 1);
        vm.expectEmit(address(registry));
        emit ISentinelRegistry.SentinelDropped(_id(1), INodeHealth.Liveness.Overdue, stranger);
        vm.expectEmit(address(registry));
        emit ISentinelRegistry.SentinelPoolDegraded(1, 2);
        vm.prank(stranger);
        assertFalse(registry.checkSentinel(_id(1)));
        assertTrue(registry.degraded());
        assertEq(registry.servedCount(), 1);
        assertEq(registry.servedSentinels()[0], _id(2));
        assertEq(audit.lastEntry().kind, registry.SENTINEL_POOL_DEGRADED());
        // The degradation is told once per episode.
        vm.recordLogs();
        registry.checkSentinel(_id(2));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 fromRegistry;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter != address(registry)) continue;
            ++fromRegistry;
            assertEq(logs[i].topics[0], ISentinelRegistry.SentinelDropped.selector);
        }
        assertEq(fromRegistry, 1);
    }

    function test_checkSentinel_keepsALateSentinelServed() public {
        _serve(1);
        vm.warp(T0 + INTERVAL + GRACE);
        vm.recordLogs();
        assertTrue(registry.checkSentinel(_id(1)));
        assertEq(vm.getRecordedLogs().length, 0);
    }

    function test_checkSentinel_restoresADroppedSentinelThatHeartbeatsAgain() public {
        _serve(2);
        vm.warp(T0 + INTERVAL + GRACE + 1);
        registry.checkSentinel(_id(1));
        assertFalse(registry.sentinel(_id(1)).served);
        _beat(1);
        vm.expectEmit(address(registry));
        emit ISentinelRegistry.SentinelPoolRecovered(2, 2);
        assertTrue(registry.checkSentinel(_id(1)));
        assertEq(registry.servedCount(), 2);
    }

    function test_checkSentinel_revertsIfUnknown() public {
        vm.expectRevert(
            abi.encodeWithSelector(ISentinelRegistry.SentinelRegistryUnknownSentinel.selector, _id(7))
        );
        registry.checkSentinel(_id(7));
    }

    function test_checkAll_countsDropsAndRestores() public {
        _serve(2);
        _add(3);
        vm.warp(T0 + INTERVAL + GRACE + 1);
        _beat(2);
        _beat(3);
        (uint256 dropped, uint256 restored) = registry.checkAll();
        assertEq(dropped, 1);
        assertEq(restored, 1);
        assertFalse(registry.sentinel(_id(1)).served);
        assertTrue(registry.sentinel(_id(3)).served);
        assertFalse(registry.degraded());
    }

    // ─── liveSentinels ───────────────────────────────────────────────────────────────────────────────────

    function test_liveSentinels_returnsOnlyServedSentinelsLiveNow() public {
        _serve(3);
        // Sentinel 2 goes silent but nobody has checked it yet: still served, not live.
        vm.warp(T0 + INTERVAL + GRACE + 1);
        _beat(1);
        _beat(3);
        assertEq(registry.servedCount(), 3);
        (address[] memory ids, string[] memory endpoints) = registry.liveSentinels();
        assertEq(ids.length, 2);
        assertEq(endpoints.length, 2);
        for (uint256 i = 0; i < ids.length; ++i) {
            assertTrue(ids[i] != _id(2));
            assertEq(endpoints[i], registry.sentinel(ids[i]).endpoint);
        }
        assertFalse(registry.isLive(_id(2)));
        assertTrue(registry.isLive(_id(1)));
    }

    function test_liveSentinels_neverReturnsAnUnservedSentinel() public {
        _add(1);
        _beat(1);
        (address[] memory ids, ) = registry.liveSentinels();
        assertEq(ids.length, 0);
    }

    // ─── removeSentinel ──────────────────────────────────────────────────────────────────────────────────

    function test_removeSentinel_removesFencesAndDegrades() public {
        _serve(3);
        vm.expectEmit(address(registry));
        emit ISentinelRegistry.SentinelRemoved(_id(1), curator);
        vm.prank(curator);
        registry.removeSentinel(_id(1));
        assertFalse(registry.isSentinel(_id(1)));
        assertEq(registry.sentinelCount(), 2);
        assertEq(registry.servedCount(), 2);
        (, uint64 epoch) = health.signerOf(_id(1));
        assertEq(epoch, 2);
        assertFalse(registry.degraded());
        vm.prank(curator);
        registry.removeSentinel(_id(3));
        assertTrue(registry.degraded());
        address[] memory left = registry.sentinels();
        assertEq(left.length, 1);
        assertEq(left[0], _id(2));
        // The id stays taken.
        vm.expectRevert(abi.encodeWithSelector(ISentinelRegistry.SentinelRegistryIdTaken.selector, _id(1)));
        vm.prank(curator);
        registry.addSentinel(_id(1), _signer(8), _operator(1), _endpoint(1));
    }

    function test_removeSentinel_revertsIfUnknownOrNotCurator() public {
        vm.expectRevert(
            abi.encodeWithSelector(ISentinelRegistry.SentinelRegistryUnknownSentinel.selector, _id(1))
        );
        vm.prank(curator);
        registry.removeSentinel(_id(1));
        _add(1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                _operator(1),
                registry.CURATOR_ROLE()
            )
        );
        vm.prank(_operator(1));
        registry.removeSentinel(_id(1));
    }

    // ─── setEndpoint ─────────────────────────────────────────────────────────────────────────────────────

    function test_setEndpoint_byTheOperatorOrTheCurator() public {
        _add(1);
        vm.expectEmit(address(registry));
        emit ISentinelRegistry.SentinelEndpointUpdated(_id(1), "http://a", _operator(1));
        vm.prank(_operator(1));
        registry.setEndpoint(_id(1), "http://a");
        assertEq(registry.sentinel(_id(1)).endpoint, "http://a");
        vm.prank(curator);
        registry.setEndpoint(_id(1), "http://b");
        assertEq(registry.sentinel(_id(1)).endpoint, "http://b");
    }

    function test_setEndpoint_revertsIfNotOperator() public {
        _add(1);
        vm.expectRevert(
            abi.encodeWithSelector(ISentinelRegistry.SentinelRegistryNotOperator.selector, stranger, _id(1))
        );
        vm.prank(stranger);
        registry.setEndpoint(_id(1), "http://evil");
    }

    function test_setEndpoint_revertsIfUnknown() public {
        vm.expectRevert(
            abi.encodeWithSelector(ISentinelRegistry.SentinelRegistryNotOperator.selector, stranger, _id(5))
        );
        vm.prank(stranger);
        registry.setEndpoint(_id(5), "http://a");
        vm.expectRevert(
            abi.encodeWithSelector(ISentinelRegistry.SentinelRegistryUnknownSentinel.selector, _id(5))
        );
        vm.prank(curator);
        registry.setEndpoint(_id(5), "http://a");
    }

    // ─── setParameters ───────────────────────────────────────────────────────────────────────────────────

    function test_setParameters_raisingTheMinimumDegradesThePool() public {
        _serve(2);
        assertFalse(registry.degraded());
        vm.expectEmit(address(registry));
        emit ISentinelRegistry.SentinelPoolDegraded(2, 3);
        vm.prank(timelock);
        registry.setParameters(_params(4, 3));
        assertTrue(registry.degraded());
        assertEq(registry.parameters().minSentinels, 3);
    }

    function test_setParameters_revertsIfMaxBelowCount() public {
        _serve(3);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISentinelRegistry.SentinelRegistryInvalidParameter.selector,
                bytes32("maxSentinels"),
                2,
                3,
                64
            )
        );
        vm.prank(timelock);
        registry.setParameters(_params(2, 1));
    }

    function test_setParameters_revertsIfNotParameterRole() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                curator,
                registry.PARAMETER_ROLE()
            )
        );
        vm.prank(curator);
        registry.setParameters(_params(4, 1));
    }

    // ─── fuzz ────────────────────────────────────────────────────────────────────────────────────────────

    function testFuzz_setParameters_acceptsExactlyTheBounds(uint16 maxSentinels, uint16 minSentinels) public {
        bool valid =
            maxSentinels >= 1 && maxSentinels <= 64 && minSentinels >= 1 && minSentinels <= maxSentinels;
        if (!valid) vm.expectPartialRevert(ISentinelRegistry.SentinelRegistryInvalidParameter.selector);
        vm.prank(timelock);
        registry.setParameters(_params(maxSentinels, minSentinels));
        if (valid) assertEq(registry.parameters().maxSentinels, maxSentinels);
    }

    /// @dev After `checkAll`, the served list is exactly the registered sentinels that are live.
    function testFuzz_checkAll_servesExactlyTheLiveSentinels(uint8 beatMask, uint32 silence) public {
        vm.prank(timelock);
        registry.setParameters(_params(8, 2));
        for (uint256 i = 0; i < 8; ++i) _add(i);
        for (uint256 i = 0; i < 8; ++i) _beat(i);
        registry.checkAll();
        assertEq(registry.servedCount(), 8);
        vm.warp(block.timestamp + bound(silence, 1, 3 * (INTERVAL + GRACE)));
        uint256 live;
        for (uint256 i = 0; i < 8; ++i) {
            if (beatMask & (1 << i) != 0) _beat(i);
        }
        for (uint256 i = 0; i < 8; ++i) if (registry.isLive(_id(i))) ++live;
        registry.checkAll();
        assertEq(registry.servedCount(), live);
        assertEq(registry.degraded(), live < 2);
        address[] memory served = registry.servedSentinels();
        for (uint256 i = 0; i < served.length; ++i) assertTrue(registry.isLive(served[i]));
        (address[] memory ids, ) = registry.liveSentinels();
        assertEq(ids.length, live);
    }

    // ─── helpers ─────────────────────────────────────────────────────────────────────────────────────────

    /// @dev Adds sentinels 1..n, heartbeats and checks them (all served).
    function _serve(uint256 n) private {
        for (uint256 i = 1; i <= n; ++i) {
            _add(i);
            _beat(i);
            registry.checkSentinel(_id(i));
        }
    }
}
