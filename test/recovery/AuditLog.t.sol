// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {AuditLog} from "../../contracts/recovery/AuditLog.sol";
import {IAuditLog} from "../../contracts/interfaces/IAuditLog.sol";
import {AuditLogDeployer} from "./handlers/AuditLogDeployer.sol";

contract AuditLogTest is Test {
    // keccak256(abi.encode(uint256(keccak256("healnet.storage.AuditLog")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 internal constant STORAGE_SLOT =
        0xafa200c942842c74edf0bd40560194425bc529775ea7ba498a08e71c4b5b8d00;

    struct Entry {
        bytes32 kind;
        address actor;
        address subject;
        uint256 refId;
        bytes32 dataHash;
        uint32 warp;
        bool secondAppender;
    }

    AuditLog internal auditLog;
    address internal admin = makeAddr("admin");
    address internal appender = makeAddr("appender");
    address internal appender2 = makeAddr("appender2");
    address internal stranger = makeAddr("stranger");

    function setUp() public {
        auditLog = _deploy(admin);
        bytes32 role = auditLog.APPENDER_ROLE();
        vm.startPrank(admin);
        auditLog.grantRole(role, appender);
        auditLog.grantRole(role, appender2);
        vm.stopPrank();
    }

    function _deploy(address admin_) internal returns (AuditLog) {
        return AuditLogDeployer.deploy(admin_);
    }

    /// The fold the log is documented to compute, written independently of the contract.
    function _refEntryHash(
        uint256 index,
        bytes32 kind,
        address actor,
        address subject,
        uint256 refId,
        bytes32 dataHash,
        uint64 timestamp,
        address source
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(index, kind, actor, subject, refId, dataHash, timestamp, source));
    }

    function _fold(bytes32 head, bytes32 entryHash) internal pure returns (bytes32) {
        return keccak256(abi.encode(head, entryHash));
    }

    // ---------------------------------------------------------------- initialize

    function test_initialize_grantsAdminOnly() public view {
        assertTrue(auditLog.hasRole(auditLog.DEFAULT_ADMIN_ROLE(), admin));
        assertFalse(auditLog.hasRole(auditLog.APPENDER_ROLE(), admin), "admin is not an appender");
        assertEq(auditLog.auditHead(), bytes32(0));
        assertEq(auditLog.auditLength(), 0);
    }

    function test_initialize_revertsIfAdminZero() public {
        AuditLog impl = AuditLogDeployer.implementation();
        vm.expectRevert(abi.encodeWithSelector(IAuditLog.AuditLogZeroAddress.selector, bytes32("admin")));
        new ERC1967Proxy(address(impl), abi.encodeCall(AuditLog.initialize, (address(0))));
    }

    function test_initialize_revertsIfCalledTwice() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        auditLog.initialize(stranger);
    }

    function test_initialize_revertsOnImplementation() public {
        AuditLog impl = AuditLogDeployer.implementation();
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        impl.initialize(admin);
    }

    // ---------------------------------------------------------------- append

    function test_append_revertsIfNotAppender() public {
        bytes32 role = auditLog.APPENDER_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, role)
        );
        vm.prank(stranger);
        auditLog.append("K", stranger, address(0), 0, 0);
    }

    function test_append_revertsIfAdminWithoutRole() public {
        bytes32 role = auditLog.APPENDER_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, admin, role)
        );
        vm.prank(admin);
        auditLog.append("K", admin, address(0), 0, 0);
    }

    function test_append_revertsAfterRoleRevoked() public {
        bytes32 role = auditLog.APPENDER_ROLE();
        vm.prank(admin);
        auditLog.revokeRole(role, appender);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, appender, role)
        );
        vm.prank(appender);
        auditLog.append("K", appender, address(0), 0, 0);
    }

    function test_append_emitsEntryWithExactArgs() public {
        vm.warp(1_700_000_000);
        bytes32 kind = keccak256("GUARDIAN_APPROVED");
        address actor = makeAddr("guardian");
        address subject = makeAddr("validator");
        bytes32 dataHash = keccak256("details");
        bytes32 entryHash = _refEntryHash(0, kind, actor, subject, 7, dataHash, 1_700_000_000, appender);
        bytes32 head = _fold(bytes32(0), entryHash);

        vm.expectEmit(true, true, true, true, address(auditLog));
        emit IAuditLog.AuditEntryAppended(
            0,
            kind,
            actor,
            subject,
            7,
            dataHash,
            1_700_000_000,
            appender,
            entryHash,
            head
        );
        vm.prank(appender);
        (uint256 index, bytes32 returnedHead) = auditLog.append(kind, actor, subject, 7, dataHash);

        assertEq(index, 0);
        assertEq(returnedHead, head);
        assertEq(auditLog.auditHead(), head);
        assertEq(auditLog.auditLength(), 1);
    }

    function test_append_sourceIsTheCallingContract() public {
        vm.prank(appender2);
        auditLog.append("K", appender, address(0), 0, 0);
        bytes32 expected = _fold(
            0,
            _refEntryHash(0, "K", appender, address(0), 0, 0, uint64(block.timestamp), appender2)
        );
        assertEq(auditLog.auditHead(), expected, "source is msg.sender, not the actor");
    }

    function test_append_headEqualsReferenceFold() public {
        bytes32 head;
        for (uint256 i = 0; i < 5; ++i) {
            vm.warp(block.timestamp + 13 * i);
            address source = i % 2 == 0 ? appender : appender2;
            bytes32 kind = keccak256(abi.encode("kind", i));
            address actor = address(uint160(0x1000 + i));
            vm.prank(source);
            (uint256 index, bytes32 returned) = auditLog.append(
                kind,
                actor,
                address(uint160(i)),
                i * 3,
                bytes32(i)
            );
            head = _fold(
                head,
                _refEntryHash(
                    i,
                    kind,
                    actor,
                    address(uint160(i)),
                    i * 3,
                    bytes32(i),
                    uint64(block.timestamp),
                    source
                )
            );
            assertEq(index, i, "index");
            assertEq(returned, head, "returned head");
        }
        assertEq(auditLog.auditHead(), head);
        assertEq(auditLog.auditLength(), 5);
    }

    function test_append_headDependsOnOrder() public {
        AuditLog other = _deploy(admin);
        bytes32 role = other.APPENDER_ROLE();
        vm.prank(admin);
        other.grantRole(role, appender);

        vm.startPrank(appender);
        auditLog.append("A", appender, address(0), 1, 0);
        auditLog.append("B", appender, address(0), 2, 0);
        other.append("B", appender, address(0), 2, 0);
        other.append("A", appender, address(0), 1, 0);
        vm.stopPrank();
        assertTrue(auditLog.auditHead() != other.auditHead(), "swapped entries give another head");
    }

    function testFuzz_append_headEqualsFold(Entry[] memory entries) public {
        uint256 n = bound(entries.length, 0, 40);
        bytes32 head;
        for (uint256 i = 0; i < n; ++i) {
            Entry memory e = entries[i];
            vm.warp(block.timestamp + e.warp);
            address source = e.secondAppender ? appender2 : appender;
            vm.prank(source);
            auditLog.append(e.kind, e.actor, e.subject, e.refId, e.dataHash);
            head = _fold(
                head,
                _refEntryHash(
                    i,
                    e.kind,
                    e.actor,
                    e.subject,
                    e.refId,
                    e.dataHash,
                    uint64(block.timestamp),
                    source
                )
            );
        }
        assertEq(auditLog.auditHead(), head);
        assertEq(auditLog.auditLength(), n);
    }

    // ---------------------------------------------------------------- entryHashOf

    function testFuzz_entryHashOf_matchesDocumentedEncoding(
        uint256 index,
        bytes32 kind,
        address actor,
        address subject,
        uint256 refId,
        bytes32 dataHash,
        uint64 timestamp,
        address source
    ) public view {
        assertEq(
            auditLog.entryHashOf(index, kind, actor, subject, refId, dataHash, timestamp, source),
            _refEntryHash(index, kind, actor, subject, refId, dataHash, timestamp, source)
        );
    }

    // ---------------------------------------------------------------- gas

    /// Two logs, each with its own implementation so that neither call is warmed by the other: one at length 1,
    /// one whose length slot was set to 10,000. The append costs exactly the same on both.
    function test_append_gasIndependentOfLength() public {
        AuditLog small = _deploy(admin);
        AuditLog large = _deploy(admin);
        bytes32 role = small.APPENDER_ROLE();
        vm.startPrank(admin);
        small.grantRole(role, appender);
        large.grantRole(role, appender);
        vm.stopPrank();

        vm.startPrank(appender);
        small.append("K", appender, address(0), 0, 0);
        large.append("K", appender, address(0), 0, 0);
        vm.stopPrank();
        vm.store(address(large), bytes32(uint256(STORAGE_SLOT) + 1), bytes32(uint256(10_000)));
        assertEq(large.auditLength(), 10_000, "length slot is where the layout says");
        vm.cool(address(small));
        vm.cool(address(large));

        vm.startPrank(appender);
        (uint256 indexSmall, ) = small.append("K", appender, address(0), 1, keccak256("d"));
        uint256 gasSmall = vm.lastCallGas().gasTotalUsed;
        (uint256 indexLarge, ) = large.append("K", appender, address(0), 1, keccak256("d"));
        uint256 gasLarge = vm.lastCallGas().gasTotalUsed;
        vm.stopPrank();

        assertEq(indexSmall, 1);
        assertEq(indexLarge, 10_000);
        assertEq(small.auditLength(), 2);
        assertEq(gasLarge, gasSmall, "append gas does not depend on the length");
        assertGt(gasSmall, 2 * 2_100, "measured with cold storage");
        assertLt(gasSmall, 60_000, "an append is two slot writes and an event");
    }
}
