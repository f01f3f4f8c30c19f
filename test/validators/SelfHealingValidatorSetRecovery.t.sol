// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {IAuditLog} from "../../contracts/interfaces/IAuditLog.sol";
import {INodeHealth} from "../../contracts/interfaces/INodeHealth.sol";
import {IValidatorSet} from "../../contracts/interfaces/IValidatorSet.sol";
import {IValidatorSetRecovery} from "../../contracts/interfaces/IValidatorSetRecovery.sol";
import {MockAuditLog} from "../../contracts/mocks/MockAuditLog.sol";
import {AuditLog} from "../../contracts/recovery/AuditLog.sol";
import {SetFixture} from "./handlers/SetFixture.sol";

/// @dev forceReplace, cancelSlash (the recovery role's entry points), setAuditLog and the audit hooks.
contract SelfHealingValidatorSetRecoveryTest is SetFixture {
    address[] internal v; // v0..v4 active (stakes 1000..996), v5, v6 backups (995, 994)
    address internal recovery = makeAddr("recovery");
    MockAuditLog internal audit;

    function setUp() public {
        IValidatorSet.Parameters memory p = _defaultParams();
        p.maxActive = 5;
        p.minActive = 3;
        _deploy(p);
        v = _fill(7);
        vm.startPrank(admin);
        set.grantRole(set.RECOVERY_ROLE(), recovery);
        vm.stopPrank();
        audit = new MockAuditLog();
    }

    function _withAudit() internal {
        vm.prank(admin);
        set.setAuditLog(audit);
    }

    function _makeOverdue(address who) internal {
        vm.warp(block.timestamp + 61);
        vm.roll(block.number + 5);
        _beatAll();
        health.setHeartbeat(who, uint64(T0), HEIGHT);
    }

    function _downtime() internal returns (uint256 id) {
        _makeOverdue(v[0]);
        vm.prank(keeper);
        id = set.checkHeartbeat(v[0]);
    }

    function _assertEntry(
        uint256 index,
        string memory kind,
        address actor,
        address subject,
        uint256 refId,
        address replacement,
        uint256 slashBps
    ) internal view {
        MockAuditLog.Entry memory e = audit.entry(index);
        assertEq(e.kind, keccak256(bytes(kind)), "kind");
        assertEq(e.actor, actor, "actor");
        assertEq(e.subject, subject, "subject");
        assertEq(e.refId, refId, "refId");
        assertEq(e.dataHash, keccak256(abi.encode(replacement, slashBps)), "dataHash");
        assertEq(e.source, address(set), "source");
    }

    // ---------------------------------------------------------------- forceReplace

    function test_forceReplace_jailsWithoutSlashAndPromotesBestBackup() public {
        assertEq(set.RECOVERY_ROLE(), keccak256("RECOVERY_ROLE"));
        vm.expectEmit(address(set));
        emit IValidatorSet.IncidentOpened(
            1,
            v[0],
            IValidatorSet.IncidentKind.Downtime,
            recovery,
            block.timestamp,
            block.timestamp
        );
        vm.expectEmit(address(set));
        emit IValidatorSet.ValidatorReplaced(v[0], v[5], recovery, IValidatorSet.IncidentKind.Downtime, 1);
        vm.expectEmit(address(set));
        emit IValidatorSetRecovery.ValidatorForceReplaced(v[0], v[5], 1);
        vm.prank(recovery);
        assertEq(set.forceReplace(v[0]), 1);

        IValidatorSet.Incident memory inc = set.incident(1);
        assertEq(uint8(inc.kind), uint8(IValidatorSet.IncidentKind.Downtime));
        assertEq(uint8(inc.slashState), uint8(IValidatorSet.SlashState.None));
        assertEq(inc.slashBps, 0);
        assertEq(inc.reporter, recovery);
        assertEq(inc.replacement, v[5]);
        assertEq(inc.replacedAt, block.timestamp);
        assertEq(uint8(set.statusOf(v[0])), uint8(IValidatorSet.Status.Jailed));
        assertEq(stake.jailedUntil(v[0]), block.timestamp + 600);
        assertEq(stake.slashCount(), 0);
        assertEq(health.fenceCount(v[0]), 1);
        assertTrue(set.isActive(v[5]));
        assertFalse(set.isActive(v[0]));
        assertEq(set.activeCount(), 5);
    }

    function test_forceReplace_worksWhileSlashingPaused() public {
        vm.prank(admin);
        set.pauseSlashing(uint64(block.timestamp + 1 hours));
        vm.prank(recovery);
        assertEq(set.forceReplace(v[1]), 1);
        assertTrue(set.isActive(v[5]));
    }

    function test_forceReplace_shrinksAboveFloorWithoutReadyBackup() public {
        health.setLivenessOverride(v[5], INodeHealth.Liveness.Late);
        health.setLivenessOverride(v[6], INodeHealth.Liveness.Late);
        vm.expectEmit(address(set));
        emit IValidatorSetRecovery.ValidatorForceReplaced(v[0], address(0), 1);
        vm.prank(recovery);
        set.forceReplace(v[0]);
        assertEq(set.activeCount(), 4);
        assertEq(set.incident(1).replacement, address(0));
    }

    function test_forceReplace_revertsIfAtFloorWithoutReadyBackup() public {
        IValidatorSet.Parameters memory p = set.parameters();
        p.minActive = 5;
        vm.prank(admin);
        set.setParameters(p);
        health.setLivenessOverride(v[5], INodeHealth.Liveness.Late);
        health.setLivenessOverride(v[6], INodeHealth.Liveness.Late);
        vm.expectRevert(abi.encodeWithSelector(IValidatorSet.ValidatorSetAtFloor.selector, 5, 5));
        vm.prank(recovery);
        set.forceReplace(v[0]);
    }

    function test_forceReplace_atFloorPromotesReadyBackup() public {
        IValidatorSet.Parameters memory p = set.parameters();
        p.minActive = 5;
        vm.prank(admin);
        set.setParameters(p);
        vm.prank(recovery);
        set.forceReplace(v[0]);
        assertEq(set.activeCount(), 5);
        assertTrue(set.isActive(v[5]));
    }

    function test_forceReplace_revertsIfNotActive() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorSet.ValidatorSetNotActive.selector,
                v[5],
                IValidatorSet.Status.Backup
            )
        );
        vm.prank(recovery);
        set.forceReplace(v[5]);
    }

    function test_forceReplace_revertsIfNotRecoveryRole() public {
        bytes32 role = set.RECOVERY_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, keeper, role)
        );
        vm.prank(keeper);
        set.forceReplace(v[0]);
    }

    // ---------------------------------------------------------------- cancelSlash

    function test_cancelSlash_cancelsPendingSlash() public {
        uint256 id = _downtime();
        vm.warp(block.timestamp + 2 days); // the appeal window does not matter
        vm.expectEmit(address(set));
        emit IValidatorSet.SlashCancelled(id, v[0], recovery);
        vm.prank(recovery);
        set.cancelSlash(id);
        IValidatorSet.Incident memory inc = set.incident(id);
        assertEq(uint8(inc.slashState), uint8(IValidatorSet.SlashState.Cancelled));
        assertEq(inc.resolvedAt, block.timestamp);
        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorSet.ValidatorSetSlashNotPending.selector,
                id,
                IValidatorSet.SlashState.Cancelled
            )
        );
        set.executeSlash(id);
        assertEq(stake.slashCount(), 0);
    }

    function test_cancelSlash_revertsIfNotPending() public {
        vm.prank(recovery);
        uint256 id = set.forceReplace(v[0]); // no slash attached
        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorSet.ValidatorSetSlashNotPending.selector,
                id,
                IValidatorSet.SlashState.None
            )
        );
        vm.prank(recovery);
        set.cancelSlash(id);

        uint256 executed = _downtimeOf(v[1]);
        vm.warp(block.timestamp + 1 days);
        set.executeSlash(executed);
        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorSet.ValidatorSetSlashNotPending.selector,
                executed,
                IValidatorSet.SlashState.Executed
            )
        );
        vm.prank(recovery);
        set.cancelSlash(executed);
    }

    function _downtimeOf(address who) internal returns (uint256) {
        _makeOverdue(who);
        return set.checkHeartbeat(who);
    }

    function test_cancelSlash_revertsIfUnknownIncident() public {
        vm.expectRevert(abi.encodeWithSelector(IValidatorSet.ValidatorSetUnknownIncident.selector, 0));
        vm.prank(recovery);
        set.cancelSlash(0);
        vm.expectRevert(abi.encodeWithSelector(IValidatorSet.ValidatorSetUnknownIncident.selector, 1));
        vm.prank(recovery);
        set.cancelSlash(1);
    }

    function test_cancelSlash_revertsIfNotRecoveryRole() public {
        uint256 id = _downtime();
        bytes32 role = set.RECOVERY_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, keeper, role)
        );
        vm.prank(keeper);
        set.cancelSlash(id);
    }

    // ---------------------------------------------------------------- setAuditLog

    function test_setAuditLog_setsOnceAndEmits() public {
        assertEq(address(set.auditLog()), address(0));
        vm.expectEmit(address(set));
        emit IValidatorSet.AuditLogSet(address(audit), admin);
        _withAudit();
        assertEq(address(set.auditLog()), address(audit));
    }

    function test_setAuditLog_revertsIfAlreadySet() public {
        _withAudit();
        vm.expectRevert(
            abi.encodeWithSelector(IValidatorSet.ValidatorSetAuditLogAlreadySet.selector, address(audit))
        );
        vm.prank(admin);
        set.setAuditLog(IAuditLog(makeAddr("other")));
    }

    function test_setAuditLog_revertsIfZeroAddress() public {
        vm.expectRevert(
            abi.encodeWithSelector(IValidatorSet.ValidatorSetZeroAddress.selector, bytes32("auditLog"))
        );
        vm.prank(admin);
        set.setAuditLog(IAuditLog(address(0)));
    }

    function test_setAuditLog_revertsIfNotAdmin() public {
        bytes32 role = set.DEFAULT_ADMIN_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, recovery, role)
        );
        vm.prank(recovery);
        set.setAuditLog(audit);
    }

    // ---------------------------------------------------------------- audit hooks

    function test_audit_offUntilSet() public {
        vm.expectCall(address(audit), abi.encodeWithSelector(IAuditLog.append.selector), 0);
        _downtime();
        assertEq(audit.auditLength(), 0);
    }

    function test_audit_downtime() public {
        _withAudit();
        uint256 id = _downtime();
        assertEq(audit.auditLength(), 1);
        _assertEntry(0, "HEAL_DOWNTIME", keeper, v[0], id, v[5], 100);
    }

    function test_audit_downtimeNotAppendedWhenNothingHappens() public {
        _withAudit();
        IValidatorSet.Parameters memory p = set.parameters();
        p.minActive = 5;
        vm.prank(admin);
        set.setParameters(p);
        _makeOverdue(v[0]);
        health.setLivenessOverride(v[5], INodeHealth.Liveness.Late);
        health.setLivenessOverride(v[6], INodeHealth.Liveness.Late);
        assertEq(set.checkHeartbeat(v[0]), 0);
        assertEq(audit.auditLength(), 0);
    }

    function test_audit_stallRequestedThenReplaced() public {
        _withAudit();
        vm.warp(block.timestamp + 10);
        _beatAll();
        health.setStalled(v[1], true);
        vm.prank(keeper);
        uint256 id = set.checkHeartbeat(v[1]);
        assertEq(audit.auditLength(), 1);
        _assertEntry(0, "HEAL_STALL_REQUESTED", keeper, v[1], id, address(0), 0);
        for (uint256 i = 0; i < 20; ++i) {
            vm.warp(block.timestamp + 30);
            _beatAll();
        }
        set.checkHeartbeat(v[1]);
        assertEq(audit.auditLength(), 2);
        _assertEntry(1, "HEAL_STALL_REPLACED", address(this), v[1], id, v[5], 0);
    }

    function test_audit_doubleSign() public {
        _withAudit();
        IValidatorSet.DoubleSignEvidence memory e = _doubleSign(v[2]);
        vm.prank(keeper);
        uint256 id = set.reportDoubleSign(e);
        assertEq(audit.auditLength(), 1);
        _assertEntry(0, "HEAL_DOUBLE_SIGN", keeper, v[2], id, v[5], 500);
    }

    function test_audit_doubleSignOfBackupHasNoReplacement() public {
        _withAudit();
        uint256 id = set.reportDoubleSign(_doubleSign(v[6]));
        _assertEntry(0, "HEAL_DOUBLE_SIGN", address(this), v[6], id, address(0), 500);
    }

    function test_audit_lowUptime() public {
        _withAudit();
        vm.warp(block.timestamp + 100 * 60);
        _beatAll();
        health.setUptime(v[3], 4_999);
        vm.prank(keeper);
        set.evaluateAndRotate(5);
        assertEq(audit.auditLength(), 1);
        _assertEntry(0, "HEAL_LOW_UPTIME", keeper, v[3], 1, v[5], 0);
    }

    function test_audit_slashExecuted() public {
        _withAudit();
        uint256 id = _downtime();
        vm.warp(block.timestamp + 1 days);
        vm.prank(recovery);
        set.executeSlash(id);
        assertEq(audit.auditLength(), 2);
        _assertEntry(1, "HEAL_SLASH_EXECUTED", recovery, v[0], id, address(0), 100);
    }

    function test_audit_slashCancelledByRecovery() public {
        _withAudit();
        uint256 id = _downtime();
        vm.prank(recovery);
        set.cancelSlash(id);
        assertEq(audit.auditLength(), 2);
        _assertEntry(1, "HEAL_SLASH_CANCELLED", recovery, v[0], id, address(0), 100);
    }

    function test_audit_slashCancelledByAppeal() public {
        _withAudit();
        uint256 id = _downtime();
        IValidatorSet.Incident memory inc = set.incident(id);
        INodeHealth.SignedHeartbeat memory p;
        p.validator = inc.validator;
        p.signerEpoch = inc.signerEpoch;
        p.timestamp = inc.faultAt + 1;
        p.report.blockHeight = inc.detectedBlock - 1;
        p.report.blockHash = keccak256("block");
        vm.setBlockhash(p.report.blockHeight, p.report.blockHash);
        (address signer, ) = health.signerOf(inc.validator);
        health.setRecoveredSigner(p, signer);
        vm.prank(keeper);
        set.appealSlash(id, p);
        _assertEntry(1, "HEAL_SLASH_CANCELLED", keeper, v[0], id, address(0), 100);
    }

    function test_audit_forceReplaced() public {
        _withAudit();
        vm.prank(recovery);
        uint256 id = set.forceReplace(v[4]);
        assertEq(audit.auditLength(), 1);
        _assertEntry(0, "HEAL_FORCE_REPLACED", recovery, v[4], id, v[5], 0);
    }

    function test_audit_realLogChainsEntries() public {
        AuditLog impl = new AuditLog();
        AuditLog log = AuditLog(
            address(new ERC1967Proxy(address(impl), abi.encodeCall(AuditLog.initialize, (admin))))
        );
        vm.startPrank(admin);
        log.grantRole(log.APPENDER_ROLE(), address(set));
        set.setAuditLog(log);
        vm.stopPrank();

        uint256 id = _downtime();
        assertEq(log.auditLength(), 1);
        bytes32 entryHash = log.entryHashOf(
            0,
            keccak256("HEAL_DOWNTIME"),
            keeper,
            v[0],
            id,
            keccak256(abi.encode(v[5], uint256(100))),
            uint64(block.timestamp),
            address(set)
        );
        assertEq(log.auditHead(), keccak256(abi.encode(bytes32(0), entryHash)));
    }

    function test_audit_revertsHealIfSetIsNotAppender() public {
        AuditLog impl = new AuditLog();
        AuditLog log = AuditLog(
            address(new ERC1967Proxy(address(impl), abi.encodeCall(AuditLog.initialize, (admin))))
        );
        vm.prank(admin);
        set.setAuditLog(log);
        _makeOverdue(v[0]);
        bytes32 role = log.APPENDER_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                address(set),
                role
            )
        );
        set.checkHeartbeat(v[0]);
    }
}
