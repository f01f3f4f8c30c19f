// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {NodeHealth} from "../../contracts/health/NodeHealth.sol";
import {INodeHealth} from "../../contracts/interfaces/INodeHealth.sol";

/// @dev Deploys NodeHealth behind an ERC1967Proxy. An external library, linked at test time, so that the
///      implementation's creation code is not copied into every test contract (which would exceed the size limit).
library NodeHealthDeployer {
    function deployImplementation() external returns (NodeHealth) {
        return new NodeHealth();
    }

    function deployProxy(address implementation, bytes memory init) external returns (NodeHealth) {
        return NodeHealth(address(new ERC1967Proxy(implementation, init)));
    }
}

/// @dev Shared deployment (implementation behind an ERC1967Proxy) and helpers; the tests are split over several
///      contracts only to stay under the contract size limit (warnings are errors in this project).
abstract contract NodeHealthFixture is Test {
    uint32 internal constant EPOCH = 60;
    uint256 internal constant T0 = 1_700_000_000;
    // secp256k1 order / 2: an s above it is "high".
    uint256 internal constant HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    NodeHealth internal health;
    NodeHealth internal implementation;

    address internal admin = makeAddr("admin");
    address internal registrar = makeAddr("registrar");
    address internal rotator = makeAddr("rotator");
    address internal timelock = makeAddr("timelock");
    address internal constant RELAYER = address(0x4E1A7E4);
    address internal constant STRANGER = address(0x5742A6E4);
    address internal constant V1 = address(0x7A11);
    address internal constant V2 = address(0x7A12);
    address internal constant V3 = address(0x7A13);
    address internal s1;
    uint256 internal k1;
    address internal s2;
    uint256 internal k2;
    address internal s3;
    uint256 internal k3;
    address internal outsider;
    uint256 internal outsiderKey;

    function setUp() public {
        vm.warp(T0);
        (s1, k1) = makeAddrAndKey("signer1");
        (s2, k2) = makeAddrAndKey("signer2");
        (s3, k3) = makeAddrAndKey("signer3");
        (outsider, outsiderKey) = makeAddrAndKey("outsider");
        implementation = NodeHealthDeployer.deployImplementation();
        health = _deploy(admin, _defaults(), EPOCH);
        vm.startPrank(admin);
        health.grantRole(health.REGISTRAR_ROLE(), registrar);
        health.grantRole(health.ROTATOR_ROLE(), rotator);
        health.grantRole(health.PARAMETER_ROLE(), timelock);
        vm.stopPrank();
    }

    // ─── helpers ───────────────────────────────────────────────────────────────────────────────────────

    function _defaults() internal pure returns (INodeHealth.Parameters memory) {
        return
            INodeHealth.Parameters({
                heartbeatInterval: 30,
                gracePeriod: 30,
                maxHeartbeatAge: 60,
                uptimeWindow: 100,
                maxHeightLag: 50,
                stallReports: 3
            });
    }

    function _deploy(
        address admin_,
        INodeHealth.Parameters memory params,
        uint32 epochLength
    ) internal returns (NodeHealth) {
        bytes memory init = abi.encodeCall(NodeHealth.initialize, (admin_, params, epochLength));
        return NodeHealthDeployer.deployProxy(address(implementation), init);
    }

    function _report(uint64 height) internal pure returns (INodeHealth.HealthReport memory) {
        return
            INodeHealth.HealthReport({
                blockHeight: height,
                blockHash: keccak256(abi.encode("block", height)),
                peerCount: 12,
                latencyMs: 85,
                diskUsedBps: 4_200,
                clientVersionHash: keccak256("geth/v1.14.0")
            });
    }

    function _register(address validator, address signer) internal {
        vm.prank(registrar);
        health.registerSigner(validator, signer);
    }

    function _registerAll() internal {
        _register(V1, s1);
        _register(V2, s2);
        _register(V3, s3);
    }

    function _beat(address signer, uint64 height) internal {
        vm.prank(signer);
        health.heartbeat(_report(height));
    }

    function _track(address validator) internal {
        vm.prank(registrar);
        health.setBestHeightTracking(validator, true);
    }

    function _signed(
        address validator,
        uint256 key,
        uint64 epoch,
        uint256 ts,
        uint64 height
    ) internal view returns (INodeHealth.SignedHeartbeat memory item) {
        item.validator = validator;
        item.signerEpoch = epoch;
        item.timestamp = uint64(ts);
        item.report = _report(height);
        _sign(item, key);
    }

    /// @dev Signs with vm.sign and converts (v, r, s) to the EIP-2098 compact form (r, vs).
    function _sign(INodeHealth.SignedHeartbeat memory item, uint256 key) internal view {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, health.heartbeatDigest(item));
        item.r = r;
        item.vs = bytes32(uint256(s) | (uint256(v - 27) << 255));
    }

    function _one(
        INodeHealth.SignedHeartbeat memory item
    ) internal pure returns (INodeHealth.SignedHeartbeat[] memory a) {
        a = new INodeHealth.SignedHeartbeat[](1);
        a[0] = item;
    }

    function _expectUnauthorized(address caller, bytes32 role) internal {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, role)
        );
    }

    function _expectSkip(uint256 index, address validator, INodeHealth.SkipReason reason) internal {
        vm.expectEmit(true, true, false, true, address(health));
        emit INodeHealth.HeartbeatSkipped(index, validator, reason);
    }

    function _assertSkipped(INodeHealth.SignedHeartbeat memory item, INodeHealth.SkipReason reason) internal {
        uint256[7] memory counts;
        counts[uint256(reason)] = 1;
        _expectSkip(0, item.validator, reason);
        vm.expectEmit(true, false, false, true, address(health));
        emit INodeHealth.HeartbeatBatchProcessed(RELAYER, 0, 1, counts);
        vm.prank(RELAYER);
        assertEq(health.heartbeatBatch(_one(item)), 0, "nothing accepted");
    }

    function _setParams(INodeHealth.Parameters memory p) internal {
        vm.prank(timelock);
        health.setParameters(p);
    }
}

/// @notice Initialization and parameters.
contract NodeHealthTest is NodeHealthFixture {
    // ─── initialize ────────────────────────────────────────────────────────────────────────────────────

    function test_initialize_setsAdminParametersAndEpochClock() public view {
        assertTrue(health.hasRole(health.DEFAULT_ADMIN_ROLE(), admin));
        assertEq(health.epochLength(), EPOCH);
        assertEq(health.genesis(), T0);
        assertEq(health.epochOf(T0), 0);
        assertEq(health.epochOf(T0 + EPOCH - 1), 0);
        assertEq(health.epochOf(T0 + EPOCH), 1);
        assertEq(health.epochOf(T0 - 1_000), 0, "before genesis is epoch 0");
        assertEq(abi.encode(health.parameters()), abi.encode(_defaults()));
        assertEq(health.bestHeight(), 0);
    }

    function test_roles_haveTheirNamedIds() public view {
        assertEq(health.PARAMETER_ROLE(), keccak256("PARAMETER_ROLE"));
        assertEq(health.REGISTRAR_ROLE(), keccak256("REGISTRAR_ROLE"));
        assertEq(health.ROTATOR_ROLE(), keccak256("ROTATOR_ROLE"));
        assertEq(health.DEFAULT_ADMIN_ROLE(), bytes32(0));
    }

    function test_initialize_emitsParametersUpdated() public {
        vm.expectEmit(false, false, false, true);
        emit INodeHealth.ParametersUpdated(_defaults());
        _deploy(admin, _defaults(), EPOCH);
    }

    function test_initialize_revertsIfAdminZero() public {
        bytes memory init = abi.encodeCall(NodeHealth.initialize, (address(0), _defaults(), EPOCH));
        vm.expectRevert(abi.encodeWithSelector(INodeHealth.NodeHealthZeroAddress.selector, bytes32("admin")));
        NodeHealthDeployer.deployProxy(address(implementation), init);
    }

    function test_initialize_revertsIfEpochLengthOutOfBounds() public {
        bytes memory init = abi.encodeCall(NodeHealth.initialize, (admin, _defaults(), 4));
        vm.expectRevert(
            abi.encodeWithSelector(
                INodeHealth.NodeHealthInvalidParameter.selector,
                bytes32("epochLength"),
                4,
                5,
                1 days
            )
        );
        NodeHealthDeployer.deployProxy(address(implementation), init);
        init = abi.encodeCall(NodeHealth.initialize, (admin, _defaults(), 1 days + 1));
        vm.expectRevert(
            abi.encodeWithSelector(
                INodeHealth.NodeHealthInvalidParameter.selector,
                bytes32("epochLength"),
                1 days + 1,
                5,
                1 days
            )
        );
        NodeHealthDeployer.deployProxy(address(implementation), init);
    }

    function test_initialize_acceptsEpochLengthBounds() public {
        assertEq(_deploy(admin, _defaults(), 5).epochLength(), 5);
        assertEq(_deploy(admin, _defaults(), 1 days).epochLength(), 1 days);
    }

    function test_initialize_revertsIfParameterOutOfBounds() public {
        INodeHealth.Parameters memory p = _defaults();
        p.uptimeWindow = 101;
        bytes memory init = abi.encodeCall(NodeHealth.initialize, (admin, p, EPOCH));
        vm.expectRevert(
            abi.encodeWithSelector(
                INodeHealth.NodeHealthInvalidParameter.selector,
                bytes32("uptimeWindow"),
                101,
                10,
                100
            )
        );
        NodeHealthDeployer.deployProxy(address(implementation), init);
    }

    function test_initialize_revertsIfCalledTwice() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        health.initialize(admin, _defaults(), EPOCH);
    }

    function test_constructor_disablesInitializersOnImplementation() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        implementation.initialize(admin, _defaults(), EPOCH);
    }

    // ─── setParameters ─────────────────────────────────────────────────────────────────────────────────

    function test_setParameters_updatesAndEmits() public {
        INodeHealth.Parameters memory p = INodeHealth.Parameters(60, 0, 3600, 10, 1_000_000, 255);
        vm.expectEmit(false, false, false, true, address(health));
        emit INodeHealth.ParametersUpdated(p);
        _setParams(p);
        assertEq(abi.encode(health.parameters()), abi.encode(p));
    }

    function test_setParameters_keepsGenesisEpochLengthAndBestHeight() public {
        _register(V1, s1);
        _track(V1);
        _beat(s1, 1_000);
        _setParams(INodeHealth.Parameters(5, 3600, 5, 100, 1, 1));
        assertEq(health.bestHeight(), 1_000);
        assertEq(health.epochLength(), EPOCH);
        assertEq(health.genesis(), T0);
    }

    function test_setParameters_revertsIfNotParameterRole() public {
        INodeHealth.Parameters memory p = _defaults();
        bytes32 role = health.PARAMETER_ROLE();
        _expectUnauthorized(admin, role);
        vm.prank(admin);
        health.setParameters(p);
    }

    function _expectBadParam(
        INodeHealth.Parameters memory p,
        bytes32 name,
        uint256 value,
        uint256 min,
        uint256 max
    ) internal {
        vm.expectRevert(
            abi.encodeWithSelector(INodeHealth.NodeHealthInvalidParameter.selector, name, value, min, max)
        );
        vm.prank(timelock);
        health.setParameters(p);
    }

    function test_setParameters_revertsIfOutOfBounds() public {
        INodeHealth.Parameters memory p = _defaults();
        p.heartbeatInterval = 4;
        _expectBadParam(p, "heartbeatInterval", 4, 5, 3600);
        p.heartbeatInterval = 3601;
        _expectBadParam(p, "heartbeatInterval", 3601, 5, 3600);
        p = _defaults();
        p.gracePeriod = 3601;
        _expectBadParam(p, "gracePeriod", 3601, 0, 3600);
        p = _defaults();
        p.maxHeartbeatAge = 4;
        _expectBadParam(p, "maxHeartbeatAge", 4, 5, 3600);
        p.maxHeartbeatAge = 3601;
        _expectBadParam(p, "maxHeartbeatAge", 3601, 5, 3600);
        p = _defaults();
        p.uptimeWindow = 9;
        _expectBadParam(p, "uptimeWindow", 9, 10, 100);
        p.uptimeWindow = 101;
        _expectBadParam(p, "uptimeWindow", 101, 10, 100);
        p = _defaults();
        p.maxHeightLag = 0;
        _expectBadParam(p, "maxHeightLag", 0, 1, 1_000_000);
        p.maxHeightLag = 1_000_001;
        _expectBadParam(p, "maxHeightLag", 1_000_001, 1, 1_000_000);
        p = _defaults();
        p.stallReports = 0;
        _expectBadParam(p, "stallReports", 0, 1, 255);
    }
}

/// @notice Signer registration, rotation, fencing and best-height tracking.
contract NodeHealthSignersTest is NodeHealthFixture {
    // ─── registerSigner ────────────────────────────────────────────────────────────────────────────────

    function test_registerSigner_registersWithFullWindowAndNoHeartbeat() public {
        vm.expectEmit(true, true, true, true, address(health));
        emit INodeHealth.SignerChanged(V1, address(0), s1, 1);
        _register(V1, s1);
        (address signer, uint64 epoch) = health.signerOf(V1);
        assertEq(signer, s1);
        assertEq(epoch, 1);
        assertEq(health.validatorOfSigner(s1), V1);
        assertEq(health.lastHeartbeatAt(V1), 0);
        assertEq(uint8(health.livenessOf(V1)), uint8(INodeHealth.Liveness.Unknown));
        assertEq(health.uptimeBps(V1), 10_000);
        INodeHealth.HeartbeatRecord memory r = health.recordOf(V1);
        assertEq(r.timestamp, 0);
        assertEq(r.uptimeBitmap, (uint256(1) << 101) - 1);
        assertFalse(r.tracksBestHeight);
    }

    function test_registerSigner_revertsIfNotRegistrar() public {
        bytes32 role = health.REGISTRAR_ROLE();
        _expectUnauthorized(STRANGER, role);
        vm.prank(STRANGER);
        health.registerSigner(V1, s1);
    }

    function test_registerSigner_revertsIfValidatorZero() public {
        vm.expectRevert(
            abi.encodeWithSelector(INodeHealth.NodeHealthZeroAddress.selector, bytes32("validator"))
        );
        _register(address(0), s1);
    }

    function test_registerSigner_revertsIfAlreadyRegistered() public {
        _register(V1, s1);
        vm.expectRevert(abi.encodeWithSelector(INodeHealth.NodeHealthAlreadyRegistered.selector, V1));
        _register(V1, s2);
    }

    function test_registerSigner_revertsIfSignerZero() public {
        vm.expectRevert(abi.encodeWithSelector(INodeHealth.NodeHealthSignerUnavailable.selector, address(0)));
        _register(V1, address(0));
    }

    function test_registerSigner_revertsIfSignerUsedBefore() public {
        _register(V1, s1);
        vm.expectRevert(abi.encodeWithSelector(INodeHealth.NodeHealthSignerUnavailable.selector, s1));
        _register(V2, s1);
        // A rotated-away signer stays unavailable forever.
        vm.prank(rotator);
        health.rotateSigner(V1, s3);
        vm.expectRevert(abi.encodeWithSelector(INodeHealth.NodeHealthSignerUnavailable.selector, s1));
        _register(V2, s1);
    }

    // ─── rotateSigner ──────────────────────────────────────────────────────────────────────────────────

    function test_rotateSigner_movesRecordAndBumpsEpoch() public {
        _register(V1, s1);
        _track(V1);
        vm.warp(T0 + 5);
        _beat(s1, 777);
        INodeHealth.HeartbeatRecord memory before = health.recordOf(V1);
        vm.expectEmit(true, true, true, true, address(health));
        emit INodeHealth.SignerChanged(V1, s1, s2, 2);
        vm.prank(rotator);
        health.rotateSigner(V1, s2);
        assertEq(abi.encode(health.recordOf(V1)), abi.encode(before));
        (address signer, uint64 epoch) = health.signerOf(V1);
        assertEq(signer, s2);
        assertEq(epoch, 2);
        assertEq(health.validatorOfSigner(s1), V1, "permanent");
        assertEq(health.validatorOfSigner(s2), V1);
        vm.warp(T0 + 6);
        _beat(s2, 800);
        assertEq(health.lastHeartbeatAt(V1), T0 + 6);
    }

    function test_rotateSigner_revertsIfNotRotator() public {
        _register(V1, s1);
        bytes32 role = health.ROTATOR_ROLE();
        _expectUnauthorized(registrar, role);
        vm.prank(registrar);
        health.rotateSigner(V1, s2);
    }

    function test_rotateSigner_revertsIfUnknownValidator() public {
        vm.expectRevert(abi.encodeWithSelector(INodeHealth.NodeHealthUnknownValidator.selector, V1));
        vm.prank(rotator);
        health.rotateSigner(V1, s2);
    }

    function test_rotateSigner_revertsIfSignerUnavailable() public {
        _register(V1, s1);
        _register(V2, s2);
        address[3] memory bad = [address(0), s1, s2];
        for (uint256 i = 0; i < bad.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(INodeHealth.NodeHealthSignerUnavailable.selector, bad[i]));
            vm.prank(rotator);
            health.rotateSigner(V1, bad[i]);
        }
    }

    // ─── fence ─────────────────────────────────────────────────────────────────────────────────────────

    function test_fence_bumpsEpochAndRejectsOldSignedHeartbeats() public {
        _register(V1, s1);
        vm.warp(T0 + 10);
        INodeHealth.SignedHeartbeat memory old = _signed(V1, k1, 1, T0 + 10, 5);
        vm.expectEmit(true, true, true, true, address(health));
        emit INodeHealth.SignerChanged(V1, s1, s1, 2);
        vm.prank(registrar);
        health.fence(V1);
        (, uint64 epoch) = health.signerOf(V1);
        assertEq(epoch, 2);
        _assertSkipped(old, INodeHealth.SkipReason.FencedEpoch);
        assertEq(health.lastHeartbeatAt(V1), 0);
        vm.prank(RELAYER);
        assertEq(health.heartbeatBatch(_one(_signed(V1, k1, 2, T0 + 10, 5))), 1);
    }

    function test_fence_revertsIfNotRegistrar() public {
        _register(V1, s1);
        bytes32 role = health.REGISTRAR_ROLE();
        _expectUnauthorized(rotator, role);
        vm.prank(rotator);
        health.fence(V1);
    }

    function test_fence_revertsIfUnknownValidator() public {
        vm.expectRevert(abi.encodeWithSelector(INodeHealth.NodeHealthUnknownValidator.selector, V1));
        vm.prank(registrar);
        health.fence(V1);
    }

    // ─── setBestHeightTracking ─────────────────────────────────────────────────────────────────────────

    function test_setBestHeightTracking_setsFlagAndEmits() public {
        _register(V1, s1);
        vm.expectEmit(true, false, false, true, address(health));
        emit INodeHealth.BestHeightTrackingChanged(V1, true);
        _track(V1);
        assertTrue(health.recordOf(V1).tracksBestHeight);
        vm.prank(registrar);
        health.setBestHeightTracking(V1, false);
        assertFalse(health.recordOf(V1).tracksBestHeight);
    }

    function test_setBestHeightTracking_revertsIfNotRegistrar() public {
        _register(V1, s1);
        bytes32 role = health.REGISTRAR_ROLE();
        _expectUnauthorized(STRANGER, role);
        vm.prank(STRANGER);
        health.setBestHeightTracking(V1, true);
    }

    function test_setBestHeightTracking_revertsIfUnknownValidator() public {
        vm.expectRevert(abi.encodeWithSelector(INodeHealth.NodeHealthUnknownValidator.selector, V1));
        vm.prank(registrar);
        health.setBestHeightTracking(V1, true);
    }
}

/// @notice Direct heartbeats.
contract NodeHealthHeartbeatTest is NodeHealthFixture {
    // ─── heartbeat ─────────────────────────────────────────────────────────────────────────────────────

    function test_heartbeat_recordsReportAndEmits() public {
        _register(V1, s1);
        vm.warp(T0 + 7);
        INodeHealth.HealthReport memory rep = _report(1234);
        vm.expectEmit(true, true, false, true, address(health));
        emit INodeHealth.HeartbeatRecorded(s1, 1234, rep.blockHash);
        vm.prank(s1);
        health.heartbeat(rep);
        INodeHealth.HeartbeatRecord memory r = health.recordOf(V1);
        assertEq(r.timestamp, T0 + 7);
        assertEq(r.blockHeight, 1234);
        assertEq(r.peerCount, 12);
        assertEq(r.latencyMs, 85);
        assertEq(r.diskUsedBps, 4_200);
        assertEq(r.clientVersion, bytes4(keccak256("geth/v1.14.0")));
        assertEq(r.stallCount, 0);
        assertEq(health.lastHeartbeatAt(V1), T0 + 7);
        assertEq(uint8(health.livenessOf(V1)), uint8(INodeHealth.Liveness.Live));
    }

    function test_heartbeat_saturatesPeersAndLatency() public {
        _register(V1, s1);
        INodeHealth.HealthReport memory rep = _report(1);
        rep.peerCount = 1_000;
        rep.latencyMs = 70_000;
        rep.diskUsedBps = 10_000;
        vm.prank(s1);
        health.heartbeat(rep);
        INodeHealth.HeartbeatRecord memory r = health.recordOf(V1);
        assertEq(r.peerCount, 255);
        assertEq(r.latencyMs, 65_535);
        assertEq(r.diskUsedBps, 10_000);
    }

    function test_heartbeat_acceptsMaxBlockHeight() public {
        _register(V1, s1);
        _beat(s1, type(uint40).max);
        assertEq(health.recordOf(V1).blockHeight, type(uint40).max);
    }

    function test_heartbeat_revertsIfUnknownSigner() public {
        vm.expectRevert(abi.encodeWithSelector(INodeHealth.NodeHealthUnknownSigner.selector, STRANGER));
        _beat(STRANGER, 1);
    }

    function test_heartbeat_revertsIfSignerRotatedAway() public {
        _register(V1, s1);
        vm.prank(rotator);
        health.rotateSigner(V1, s2);
        vm.expectRevert(abi.encodeWithSelector(INodeHealth.NodeHealthUnknownSigner.selector, s1));
        _beat(s1, 1);
    }

    function test_heartbeat_revertsIfBlockHeightTooLarge() public {
        _register(V1, s1);
        uint64 tooHigh = uint64(type(uint40).max) + 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                INodeHealth.NodeHealthInvalidReport.selector,
                bytes32("blockHeight"),
                tooHigh
            )
        );
        _beat(s1, tooHigh);
    }

    function test_heartbeat_revertsIfDiskAboveFullScale() public {
        _register(V1, s1);
        INodeHealth.HealthReport memory rep = _report(1);
        rep.diskUsedBps = 10_001;
        vm.expectRevert(
            abi.encodeWithSelector(
                INodeHealth.NodeHealthInvalidReport.selector,
                bytes32("diskUsedBps"),
                10_001
            )
        );
        vm.prank(s1);
        health.heartbeat(rep);
    }

    function test_heartbeat_revertsIfDuplicateInSameSecond() public {
        _register(V1, s1);
        vm.warp(T0 + 10);
        _beat(s1, 1);
        vm.expectRevert(
            abi.encodeWithSelector(INodeHealth.NodeHealthDuplicateHeartbeat.selector, s1, T0 + 10)
        );
        _beat(s1, 2);
        vm.warp(T0 + 11);
        _beat(s1, 2);
        assertEq(health.lastHeartbeatAt(V1), T0 + 11);
    }

    function test_heartbeat_acceptsFirstHeartbeatInRegistrationSecond() public {
        _register(V1, s1);
        _beat(s1, 1);
        assertEq(health.lastHeartbeatAt(V1), T0);
    }

    function test_heartbeat_revertsIfDuplicateOfRelayedItem() public {
        _register(V1, s1);
        vm.warp(T0 + 10);
        vm.prank(RELAYER);
        health.heartbeatBatch(_one(_signed(V1, k1, 1, T0 + 10, 5)));
        vm.expectRevert(
            abi.encodeWithSelector(INodeHealth.NodeHealthDuplicateHeartbeat.selector, s1, T0 + 10)
        );
        _beat(s1, 6);
    }
}

/// @notice Liveness, stall detection and the best height.
contract NodeHealthLivenessTest is NodeHealthFixture {
    // ─── liveness ──────────────────────────────────────────────────────────────────────────────────────

    function test_livenessOf_unknownWithoutSignerOrHeartbeat() public {
        assertEq(uint8(health.livenessOf(V1)), uint8(INodeHealth.Liveness.Unknown));
        _register(V1, s1);
        vm.warp(T0 + 10_000);
        assertEq(uint8(health.livenessOf(V1)), uint8(INodeHealth.Liveness.Unknown));
    }

    function test_livenessOf_transitionsAtExactBoundaries() public {
        _register(V1, s1);
        uint256 t = T0 + 100;
        vm.warp(t);
        _beat(s1, 1);
        assertEq(uint8(health.livenessOf(V1)), uint8(INodeHealth.Liveness.Live));
        vm.warp(t + 30); // == heartbeatInterval
        assertEq(uint8(health.livenessOf(V1)), uint8(INodeHealth.Liveness.Live));
        vm.warp(t + 31);
        assertEq(uint8(health.livenessOf(V1)), uint8(INodeHealth.Liveness.Late));
        vm.warp(t + 60); // == heartbeatInterval + gracePeriod
        assertEq(uint8(health.livenessOf(V1)), uint8(INodeHealth.Liveness.Late));
        vm.warp(t + 61);
        assertEq(uint8(health.livenessOf(V1)), uint8(INodeHealth.Liveness.Overdue));
        _beat(s1, 2);
        assertEq(uint8(health.livenessOf(V1)), uint8(INodeHealth.Liveness.Live));
    }

    function test_livenessOf_zeroGraceGoesStraightToOverdue() public {
        INodeHealth.Parameters memory p = _defaults();
        p.gracePeriod = 0;
        _setParams(p);
        _register(V1, s1);
        _beat(s1, 1);
        vm.warp(T0 + 30);
        assertEq(uint8(health.livenessOf(V1)), uint8(INodeHealth.Liveness.Live));
        vm.warp(T0 + 31);
        assertEq(uint8(health.livenessOf(V1)), uint8(INodeHealth.Liveness.Overdue));
    }

    // ─── stall detection and best height ───────────────────────────────────────────────────────────────

    function test_heartbeat_detectsStallAndResets() public {
        _register(V1, s1);
        _register(V2, s2);
        _track(V1);
        _beat(s1, 1_000);
        assertEq(health.bestHeight(), 1_000);
        // 1000 > 950 + 50 is false: not lagging.
        vm.warp(T0 + 1);
        _beat(s2, 950);
        assertEq(health.recordOf(V2).stallCount, 0);
        // 1000 > 949 + 50: lagging.
        for (uint256 i = 1; i <= 3; ++i) {
            vm.warp(T0 + 1 + i);
            _beat(s2, 949);
            assertEq(health.recordOf(V2).stallCount, i);
            INodeHealth.Liveness expected = i < 3 ? INodeHealth.Liveness.Live : INodeHealth.Liveness.Stalled;
            assertEq(uint8(health.livenessOf(V2)), uint8(expected));
        }
        // Stalled while Late...
        vm.warp(T0 + 4 + 31);
        assertEq(uint8(health.livenessOf(V2)), uint8(INodeHealth.Liveness.Stalled));
        // ...but Overdue takes precedence.
        vm.warp(T0 + 4 + 61);
        assertEq(uint8(health.livenessOf(V2)), uint8(INodeHealth.Liveness.Overdue));
        // A report that catches up resets the count.
        _beat(s2, 1_000);
        assertEq(health.recordOf(V2).stallCount, 0);
        assertEq(uint8(health.livenessOf(V2)), uint8(INodeHealth.Liveness.Live));
    }

    function test_heartbeat_saturatesStallCount() public {
        _register(V1, s1);
        _register(V2, s2);
        _track(V1);
        _beat(s1, 1_000);
        for (uint256 i = 1; i <= 260; ++i) {
            vm.warp(T0 + i);
            _beat(s2, 1);
        }
        assertEq(health.recordOf(V2).stallCount, 255);
    }

    function test_heartbeat_raisesBestHeightInSteps() public {
        _register(V1, s1);
        _track(V1);
        // maxHeightLag 50: step 12.
        _beat(s1, 11);
        assertEq(health.bestHeight(), 0, "11 < 0 + 12");
        vm.warp(T0 + 1);
        vm.expectEmit(false, true, false, true, address(health));
        emit INodeHealth.BestHeightRaised(12, V1);
        _beat(s1, 12);
        assertEq(health.bestHeight(), 12);
        vm.warp(T0 + 2);
        _beat(s1, 23);
        assertEq(health.bestHeight(), 12, "23 < 12 + 12");
        vm.warp(T0 + 3);
        _beat(s1, 24);
        assertEq(health.bestHeight(), 24);
        vm.warp(T0 + 4);
        _beat(s1, 5);
        assertEq(health.bestHeight(), 24, "never decreases");
    }

    function test_heartbeat_raisesBestHeightEveryBlockWhenLagBelowFour() public {
        INodeHealth.Parameters memory p = _defaults();
        p.maxHeightLag = 3;
        _setParams(p);
        _register(V1, s1);
        _track(V1);
        _beat(s1, 1);
        assertEq(health.bestHeight(), 1);
        vm.warp(T0 + 1);
        _beat(s1, 2);
        assertEq(health.bestHeight(), 2);
    }

    function test_heartbeat_untrackedReportDoesNotRaiseBestHeight() public {
        _register(V1, s1);
        _beat(s1, 1_000);
        assertEq(health.bestHeight(), 0);
        _track(V1);
        vm.prank(registrar);
        health.setBestHeightTracking(V1, false);
        vm.warp(T0 + 1);
        _beat(s1, 2_000);
        assertEq(health.bestHeight(), 0);
    }
}

/// @notice Uptime bitmap math, the silent count and EIP-712 digests.
contract NodeHealthUptimeTest is NodeHealthFixture {
    // ─── uptime ────────────────────────────────────────────────────────────────────────────────────────

    /// @dev Heartbeats in epochs 1..W except those whose bit is set in `missMask`, then reads the uptime at the
    ///      start of epoch W + 1, when the window is exactly epochs 1..W.
    function testFuzz_uptimeBps_missingKOfWEpochs(uint256 missMask, uint16 window) public {
        window = uint16(bound(window, 10, 100));
        INodeHealth.Parameters memory p = _defaults();
        p.uptimeWindow = window;
        _setParams(p);
        _register(V1, s1);
        uint256 missed;
        for (uint256 e = 1; e <= window; ++e) {
            if ((missMask >> e) & 1 == 1) {
                ++missed;
                continue;
            }
            vm.warp(T0 + e * EPOCH + (missMask % EPOCH));
            _beat(s1, uint64(e));
        }
        vm.warp(T0 + (uint256(window) + 1) * EPOCH);
        assertEq(health.uptimeBps(V1), ((window - missed) * 10_000) / window);
    }

    function test_uptimeBps_countsEpochsAfterLastHeartbeatAsMissed() public {
        _register(V1, s1);
        for (uint256 e = 1; e <= 100; ++e) {
            vm.warp(T0 + e * EPOCH);
            _beat(s1, uint64(e));
        }
        // Epoch 100 is still running: the window is epochs 0..99, all seen (epoch 0 by the registration's grace).
        assertEq(health.uptimeBps(V1), 10_000);
        vm.warp(T0 + 101 * EPOCH); // window 1..100
        assertEq(health.uptimeBps(V1), 10_000);
        vm.warp(T0 + 111 * EPOCH); // window 11..110: 101..110 missed
        assertEq(health.uptimeBps(V1), 9_000);
        vm.warp(T0 + 200 * EPOCH); // window 100..199: only 100 seen
        assertEq(health.uptimeBps(V1), 100);
        vm.warp(T0 + 201 * EPOCH);
        assertEq(health.uptimeBps(V1), 0);
        vm.warp(T0 + 100_000 * EPOCH);
        assertEq(health.uptimeBps(V1), 0);
    }

    function test_uptimeBps_newSignerDecaysWithoutHeartbeats() public {
        _register(V1, s1);
        vm.warp(T0 + 10 * EPOCH); // window -90..9: epoch 0 (registration) and before count; 1..9 missed
        assertEq(health.uptimeBps(V1), 9_100);
    }

    function test_uptimeBps_hugeGapClearsTheBitmap() public {
        _register(V1, s1);
        _beat(s1, 1);
        vm.warp(T0 + 500 * EPOCH);
        _beat(s1, 2);
        assertEq(health.recordOf(V1).uptimeBitmap, 1);
        vm.warp(T0 + 501 * EPOCH);
        assertEq(health.uptimeBps(V1), 100);
    }

    function test_uptimeBps_zeroForUnknownValidator() public view {
        assertEq(health.uptimeBps(V1), 0);
    }

    // ─── countSilentSince ──────────────────────────────────────────────────────────────────────────────

    function test_countSilentSince_countsOldNoneAndUnknown() public {
        _registerAll();
        vm.warp(T0 + 10);
        _beat(s1, 1);
        vm.warp(T0 + 20);
        _beat(s2, 1);
        address[] memory list = new address[](4);
        (list[0], list[1], list[2], list[3]) = (V1, V2, V3, STRANGER);
        assertEq(health.countSilentSince(list, T0 + 10), 2, "V3 and STRANGER never heartbeated");
        assertEq(health.countSilentSince(list, T0 + 11), 3, "V1 at T0+10 < cutoff");
        assertEq(health.countSilentSince(list, T0 + 21), 4);
        assertEq(health.countSilentSince(list, 0), 2, "no heartbeat is silent even for cutoff 0");
    }

    // ─── EIP-712 ───────────────────────────────────────────────────────────────────────────────────────

    function test_heartbeatDigest_matchesEip712TypedData() public view {
        INodeHealth.SignedHeartbeat memory item = _signed(V1, k1, 1, T0, 42);
        bytes32 domain = keccak256(
            abi.encode(
                keccak256(
                    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                ),
                keccak256("healnet NodeHealth"),
                keccak256("1"),
                block.chainid,
                address(health)
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "Heartbeat(address validator,uint64 signerEpoch,uint64 timestamp,uint64 blockHeight,"
                    "bytes32 blockHash,uint16 peerCount,uint32 latencyMs,uint16 diskUsedBps,bytes32 clientVersionHash)"
                ),
                item.validator,
                item.signerEpoch,
                item.timestamp,
                item.report.blockHeight,
                item.report.blockHash,
                item.report.peerCount,
                item.report.latencyMs,
                item.report.diskUsedBps,
                item.report.clientVersionHash
            )
        );
        assertEq(health.heartbeatDigest(item), keccak256(abi.encodePacked("\x19\x01", domain, structHash)));
        assertEq(health.recoverHeartbeatSigner(item), s1);
    }

    function test_recoverHeartbeatSigner_zeroIfHighSOrMalformed() public view {
        INodeHealth.SignedHeartbeat memory item = _signed(V1, k1, 1, T0, 42);
        item.vs = bytes32(HALF_N + 1);
        assertEq(health.recoverHeartbeatSigner(item), address(0));
        item.r = bytes32(0);
        item.vs = bytes32(uint256(1));
        assertEq(health.recoverHeartbeatSigner(item), address(0));
    }
}

/// @notice Relayed batches.
contract NodeHealthBatchTest is NodeHealthFixture {
    // ─── heartbeatBatch ────────────────────────────────────────────────────────────────────────────────

    function test_heartbeatBatch_recordsItemsWithSignedTimestamp() public {
        _registerAll();
        vm.warp(T0 + 3 * EPOCH + 30);
        INodeHealth.SignedHeartbeat[] memory items = new INodeHealth.SignedHeartbeat[](3);
        items[0] = _signed(V1, k1, 1, T0 + 2 * EPOCH + 59, 10); // previous epoch, 31 s old
        items[1] = _signed(V2, k2, 1, T0 + 3 * EPOCH + 30, 11);
        items[2] = _signed(V3, k3, 1, T0 + 3 * EPOCH, 12);
        uint256[7] memory none;
        vm.expectEmit(true, false, false, true, address(health));
        emit INodeHealth.HeartbeatBatchProcessed(RELAYER, 3, 0, none);
        vm.prank(RELAYER);
        assertEq(health.heartbeatBatch(items), 3);
        assertEq(health.lastHeartbeatAt(V1), T0 + 2 * EPOCH + 59);
        assertEq(health.lastHeartbeatAt(V2), T0 + 3 * EPOCH + 30);
        assertEq(health.recordOf(V3).blockHeight, 12);
        // V1's bit 0 is epoch 2 (from the signed timestamp): registration epoch 0 is bit 2, epoch 1 missed.
        assertEq(health.recordOf(V1).uptimeBitmap & 7, 5);
    }

    function test_heartbeatBatch_emptyBatchEmitsZeros() public {
        uint256[7] memory none;
        vm.expectEmit(true, false, false, true, address(health));
        emit INodeHealth.HeartbeatBatchProcessed(RELAYER, 0, 0, none);
        vm.prank(RELAYER);
        assertEq(health.heartbeatBatch(new INodeHealth.SignedHeartbeat[](0)), 0);
    }

    function test_heartbeatBatch_skipsMalformedSignature() public {
        _register(V1, s1);
        INodeHealth.SignedHeartbeat memory item = _signed(V1, k1, 1, T0, 1);
        item.r = bytes32(0);
        _assertSkipped(item, INodeHealth.SkipReason.BadSignature);
    }

    function test_heartbeatBatch_skipsHighS() public {
        _register(V1, s1);
        INodeHealth.SignedHeartbeat memory item = _signed(V1, k1, 1, T0, 1);
        item.vs = bytes32(type(uint256).max >> 1); // s = 2^255 - 1 > n/2, v = 27
        _assertSkipped(item, INodeHealth.SkipReason.BadSignature);
    }

    function test_heartbeatBatch_skipsTamperedReport() public {
        _register(V1, s1);
        INodeHealth.SignedHeartbeat memory item = _signed(V1, k1, 1, T0, 1);
        item.report.blockHeight = 2; // signature now recovers to some other address
        _assertSkipped(item, INodeHealth.SkipReason.BadSignature);
    }

    function test_heartbeatBatch_skipsWrongSigner() public {
        _register(V1, s1);
        _register(V2, s2);
        // Signed for V1 by a key that is nobody's signer.
        _assertSkipped(_signed(V1, outsiderKey, 1, T0, 1), INodeHealth.SkipReason.BadSignature);
        assertEq(health.lastHeartbeatAt(V1), 0);
    }

    function test_heartbeatBatch_creditsTheSignersOwnValidatorWhateverTheItemNames() public {
        _register(V1, s1);
        _register(V2, s2);
        vm.warp(T0 + 5);
        // Signed by V2's signer but naming V1: a signer speaks only for its own validator, so this is V2's
        // heartbeat, and V1's record is untouched.
        vm.recordLogs();
        vm.prank(RELAYER);
        assertEq(health.heartbeatBatch(_one(_signed(V1, k2, 1, T0 + 5, 7))), 1);
        assertEq(vm.getRecordedLogs().length, 1, "no HeartbeatSkipped, only HeartbeatBatchProcessed");
        assertEq(health.lastHeartbeatAt(V2), T0 + 5);
        assertEq(health.recordOf(V2).blockHeight, 7);
        assertEq(health.lastHeartbeatAt(V1), 0);
        assertEq(health.recordOf(V1).blockHeight, 0);
        // Naming a validator that has no signer at all changes nothing either.
        vm.warp(T0 + 6);
        vm.prank(RELAYER);
        assertEq(health.heartbeatBatch(_one(_signed(STRANGER, k2, 1, T0 + 6, 8))), 1);
        assertEq(health.lastHeartbeatAt(V2), T0 + 6);
    }

    function test_heartbeatBatch_checksFullEpochOnceRecordEpochSaturates() public {
        _register(V1, s1);
        // Epochs 2..20: the record holds 1..14 exactly, then 15 for "15 or more".
        for (uint64 e = 2; e <= 20; ++e) {
            vm.prank(registrar);
            health.fence(V1);
            vm.warp(block.timestamp + 1);
            // The previous epoch, the next one, one 16 epochs on (same low 4 bits) and 15 (the saturated value)
            // are all fenced; only the current epoch is accepted.
            _assertSkipped(_signed(V1, k1, e - 1, block.timestamp, e), INodeHealth.SkipReason.FencedEpoch);
            _assertSkipped(_signed(V1, k1, e + 1, block.timestamp, e), INodeHealth.SkipReason.FencedEpoch);
            _assertSkipped(_signed(V1, k1, e + 16, block.timestamp, e), INodeHealth.SkipReason.FencedEpoch);
            if (e != 15) {
                _assertSkipped(_signed(V1, k1, 15, block.timestamp, e), INodeHealth.SkipReason.FencedEpoch);
            }
        }
        (, uint64 epoch) = health.signerOf(V1);
        assertEq(epoch, 20);
        vm.prank(RELAYER);
        assertEq(health.heartbeatBatch(_one(_signed(V1, k1, 20, block.timestamp, 9))), 1);
        assertEq(health.recordOf(V1).blockHeight, 9);
    }

    function test_heartbeatBatch_checksFullEpochAfterRotationsPastSaturation() public {
        _register(V1, s1);
        uint256 key = k1;
        for (uint256 i = 0; i < 16; ++i) {
            (address next, uint256 nextKey) = makeAddrAndKey(string(abi.encode("rotated", i)));
            vm.prank(rotator);
            health.rotateSigner(V1, next);
            key = nextKey;
        }
        (, uint64 epoch) = health.signerOf(V1);
        assertEq(epoch, 17);
        vm.warp(T0 + 1);
        _assertSkipped(_signed(V1, key, 15, T0 + 1, 1), INodeHealth.SkipReason.FencedEpoch);
        _assertSkipped(_signed(V1, key, 16, T0 + 1, 1), INodeHealth.SkipReason.FencedEpoch);
        vm.prank(RELAYER);
        assertEq(health.heartbeatBatch(_one(_signed(V1, key, 17, T0 + 1, 1))), 1);
        assertEq(health.lastHeartbeatAt(V1), T0 + 1);
    }

    function test_heartbeatBatch_skipsUnknownValidator() public {
        _assertSkipped(_signed(V1, k1, 1, T0, 1), INodeHealth.SkipReason.UnknownSigner);
        // The signature is checked first.
        INodeHealth.SignedHeartbeat memory item = _signed(V1, k1, 1, T0, 1);
        item.r = bytes32(0);
        _assertSkipped(item, INodeHealth.SkipReason.BadSignature);
    }

    function test_heartbeatBatch_skipsRotatedAwaySigner() public {
        _register(V1, s1);
        vm.prank(rotator);
        health.rotateSigner(V1, s2);
        _assertSkipped(_signed(V1, k1, 2, T0, 1), INodeHealth.SkipReason.BadSignature);
    }

    function test_heartbeatBatch_skipsWrongEpoch() public {
        _register(V1, s1);
        _assertSkipped(_signed(V1, k1, 0, T0, 1), INodeHealth.SkipReason.FencedEpoch);
        _assertSkipped(_signed(V1, k1, 2, T0, 1), INodeHealth.SkipReason.FencedEpoch);
    }

    function test_heartbeatBatch_skipsFutureDated() public {
        _register(V1, s1);
        _assertSkipped(_signed(V1, k1, 1, T0 + 1, 1), INodeHealth.SkipReason.FutureDated);
    }

    function test_heartbeatBatch_skipsStaleAtExactBoundary() public {
        _register(V1, s1);
        vm.warp(T0 + 1_000);
        // maxHeartbeatAge 60: T0 + 939 + 60 < T0 + 1000 is stale; T0 + 940 is not.
        _assertSkipped(_signed(V1, k1, 1, T0 + 939, 1), INodeHealth.SkipReason.Stale);
        vm.prank(RELAYER);
        assertEq(health.heartbeatBatch(_one(_signed(V1, k1, 1, T0 + 940, 1))), 1);
    }

    function test_heartbeatBatch_skipsItemSignedBeforeRegistration() public {
        vm.warp(T0 + 30);
        _register(V1, s1);
        _assertSkipped(_signed(V1, k1, 1, T0 + 29, 1), INodeHealth.SkipReason.Stale);
        vm.prank(RELAYER);
        assertEq(health.heartbeatBatch(_one(_signed(V1, k1, 1, T0 + 30, 1))), 1);
    }

    function test_heartbeatBatch_skipsReplayOfSameItem() public {
        _register(V1, s1);
        vm.warp(T0 + 10);
        INodeHealth.SignedHeartbeat memory item = _signed(V1, k1, 1, T0 + 5, 1);
        vm.prank(RELAYER);
        assertEq(health.heartbeatBatch(_one(item)), 1);
        vm.warp(T0 + 20);
        _assertSkipped(item, INodeHealth.SkipReason.Replayed);
        // Twice in the same batch: the second is a replay.
        INodeHealth.SignedHeartbeat[] memory items = new INodeHealth.SignedHeartbeat[](2);
        items[0] = _signed(V1, k1, 1, T0 + 20, 2);
        items[1] = items[0];
        _expectSkip(1, V1, INodeHealth.SkipReason.Replayed);
        vm.prank(RELAYER);
        assertEq(health.heartbeatBatch(items), 1);
    }

    function test_heartbeatBatch_skipsItemNotNewerThanDirectHeartbeat() public {
        _register(V1, s1);
        vm.warp(T0 + 10);
        _beat(s1, 1);
        _assertSkipped(_signed(V1, k1, 1, T0 + 10, 2), INodeHealth.SkipReason.Replayed);
        _assertSkipped(_signed(V1, k1, 1, T0 + 9, 2), INodeHealth.SkipReason.Replayed);
    }

    function test_heartbeatBatch_skipsInvalidReport() public {
        _register(V1, s1);
        _assertSkipped(
            _signed(V1, k1, 1, T0, uint64(type(uint40).max) + 1),
            INodeHealth.SkipReason.InvalidReport
        );
        INodeHealth.SignedHeartbeat memory item;
        item.validator = V1;
        item.signerEpoch = 1;
        item.timestamp = uint64(T0);
        item.report = _report(1);
        item.report.diskUsedBps = 10_001;
        _sign(item, k1);
        _assertSkipped(item, INodeHealth.SkipReason.InvalidReport);
    }

    function test_heartbeatBatch_recordsHonestItemsAmongEveryKindOfBadItem() public {
        _registerAll();
        vm.warp(T0 + 500);
        vm.prank(registrar);
        health.fence(V3); // V3 is now at epoch 2
        INodeHealth.SignedHeartbeat[] memory items = new INodeHealth.SignedHeartbeat[](11);
        items[0] = _signed(V1, k1, 1, T0 + 490, 100); // honest
        items[1] = _signed(V2, k2, 1, T0 + 490, 100);
        items[1].r = bytes32(0); // BadSignature
        items[2] = _signed(STRANGER, outsiderKey, 1, T0 + 490, 100); // UnknownSigner
        items[3] = _signed(V3, k3, 1, T0 + 490, 100); // FencedEpoch
        items[4] = _signed(V2, k2, 1, T0 + 501, 100); // FutureDated
        items[5] = _signed(V2, k2, 1, T0 + 439, 100); // Stale
        items[6] = items[0]; // Replayed
        items[7] = _signed(V2, k2, 1, T0 + 495, uint64(type(uint40).max) + 1); // InvalidReport
        items[8] = _signed(V2, k2, 1, T0 + 496, 100); // honest
        items[9] = _signed(V3, k3, 2, T0 + 497, 100); // honest
        items[10] = _signed(V1, outsiderKey, 1, T0 + 498, 100); // BadSignature (not V1's signer)
        uint256[7] memory counts = [uint256(2), 1, 1, 1, 1, 1, 1];
        _expectSkip(1, V2, INodeHealth.SkipReason.BadSignature);
        _expectSkip(2, STRANGER, INodeHealth.SkipReason.UnknownSigner);
        _expectSkip(3, V3, INodeHealth.SkipReason.FencedEpoch);
        _expectSkip(4, V2, INodeHealth.SkipReason.FutureDated);
        _expectSkip(5, V2, INodeHealth.SkipReason.Stale);
        _expectSkip(6, V1, INodeHealth.SkipReason.Replayed);
        _expectSkip(7, V2, INodeHealth.SkipReason.InvalidReport);
        _expectSkip(10, V1, INodeHealth.SkipReason.BadSignature);
        vm.expectEmit(true, false, false, true, address(health));
        emit INodeHealth.HeartbeatBatchProcessed(RELAYER, 3, 8, counts);
        vm.prank(RELAYER);
        assertEq(health.heartbeatBatch(items), 3);
        assertEq(health.lastHeartbeatAt(V1), T0 + 490);
        assertEq(health.lastHeartbeatAt(V2), T0 + 496);
        assertEq(health.lastHeartbeatAt(V3), T0 + 497);
    }

    function test_heartbeatBatch_raisesBestHeightOnceAndLaterItemsCompareAgainstIt() public {
        _registerAll();
        _track(V1);
        _track(V2);
        vm.warp(T0 + 10);
        INodeHealth.SignedHeartbeat[] memory items = new INodeHealth.SignedHeartbeat[](3);
        items[0] = _signed(V1, k1, 1, T0 + 10, 500);
        items[1] = _signed(V2, k2, 1, T0 + 10, 1_000);
        items[2] = _signed(V3, k3, 1, T0 + 10, 900); // lags the best raised by item 1
        vm.expectEmit(false, true, false, true, address(health));
        emit INodeHealth.BestHeightRaised(1_000, V2);
        vm.recordLogs();
        vm.prank(RELAYER);
        health.heartbeatBatch(items);
        assertEq(vm.getRecordedLogs().length, 2, "one BestHeightRaised, one HeartbeatBatchProcessed");
        assertEq(health.bestHeight(), 1_000);
        assertEq(health.recordOf(V3).stallCount, 1);
    }
}
