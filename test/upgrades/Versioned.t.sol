// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {ProxyAdmin} from "@openzeppelin/contracts/proxy/transparent/ProxyAdmin.sol";
import {
    ITransparentUpgradeableProxy,
    TransparentUpgradeableProxy
} from "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol";
import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";

import {IVersioned} from "../../contracts/interfaces/IVersioned.sol";
import {Versioned} from "../../contracts/upgrades/Versioned.sol";

/// @notice A release of a versioned contract: version 1 (`initialize`) and the migrations 1 → 2 → 3.
contract VersionedRelease is Versioned {
    uint256 public migrations;

    constructor() {
        _disableInitializers();
    }

    function initialize() external initializer {
        migrations = 0;
    }

    function migrateToV2() external migration(2) reinitializer(2) {
        migrations += 1;
    }

    function migrateToV3() external migration(3) reinitializer(3) {
        migrations += 1;
    }

    /// @notice Any target, to fuzz the step check.
    function migrateTo(uint64 target) external migration(target) reinitializer(target) {
        migrations += 1;
    }
}

contract VersionedTest is Test {
    VersionedRelease internal implementation;
    VersionedRelease internal proxied;
    ProxyAdmin internal proxyAdmin;
    address internal owner = makeAddr("owner");

    function setUp() public {
        implementation = new VersionedRelease();
        TransparentUpgradeableProxy proxy = new TransparentUpgradeableProxy(
            address(implementation),
            owner,
            abi.encodeCall(VersionedRelease.initialize, ())
        );
        proxied = VersionedRelease(address(proxy));
        proxyAdmin = ProxyAdmin(address(uint160(uint256(vm.load(address(proxy), ERC1967Utils.ADMIN_SLOT)))));
    }

    function _upgrade(bytes memory data) internal {
        VersionedRelease next = new VersionedRelease();
        vm.prank(owner);
        proxyAdmin.upgradeAndCall(ITransparentUpgradeableProxy(address(proxied)), address(next), data);
    }

    function test_version_isOneAfterInitializeAndMaxOnTheImplementation() public view {
        assertEq(proxied.version(), 1);
        assertEq(implementation.version(), type(uint64).max);
    }

    function test_upgradeAndCall_migratesStepByStep() public {
        _upgrade(abi.encodeCall(VersionedRelease.migrateToV2, ()));
        assertEq(proxied.version(), 2);
        _upgrade(abi.encodeCall(VersionedRelease.migrateToV3, ()));
        assertEq(proxied.version(), 3);
        assertEq(proxied.migrations(), 2);
    }

    function test_upgradeAndCall_revertsIfAStepIsSkipped() public {
        VersionedRelease next = new VersionedRelease();
        vm.prank(owner);
        vm.expectRevert(
            abi.encodeWithSelector(IVersioned.UpgradeMigrationSkipped.selector, uint64(1), uint64(3))
        );
        proxyAdmin.upgradeAndCall(
            ITransparentUpgradeableProxy(address(proxied)),
            address(next),
            abi.encodeCall(VersionedRelease.migrateToV3, ())
        );
        assertEq(proxied.version(), 1);
    }

    function test_migrateToV2_revertsIfRunTwice() public {
        _upgrade(abi.encodeCall(VersionedRelease.migrateToV2, ()));
        vm.expectRevert(
            abi.encodeWithSelector(IVersioned.UpgradeMigrationSkipped.selector, uint64(2), uint64(2))
        );
        proxied.migrateToV2();
    }

    function test_migrateToV2_revertsOnTheImplementation() public {
        vm.expectRevert(
            abi.encodeWithSelector(IVersioned.UpgradeMigrationSkipped.selector, type(uint64).max, uint64(2))
        );
        implementation.migrateToV2();
    }

    function testFuzz_migrateTo_onlyFromThePreviousVersion(uint64 target) public {
        if (target == 2) {
            proxied.migrateTo(target);
            assertEq(proxied.version(), 2);
        } else {
            vm.expectRevert(
                abi.encodeWithSelector(IVersioned.UpgradeMigrationSkipped.selector, uint64(1), target)
            );
            proxied.migrateTo(target);
            assertEq(proxied.version(), 1);
        }
    }
}
