// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {RecoveryManager} from "../../contracts/recovery/RecoveryManager.sol";
import {IRecoveryManager} from "../../contracts/interfaces/IRecoveryManager.sol";
import {IValidatorSet} from "../../contracts/interfaces/IValidatorSet.sol";
import {IStakeManager} from "../../contracts/interfaces/IStakeManager.sol";
import {INodeHealth} from "../../contracts/interfaces/INodeHealth.sol";
import {ISnapshotRegistry} from "../../contracts/interfaces/ISnapshotRegistry.sol";
import {IAuditLog} from "../../contracts/interfaces/IAuditLog.sol";
import {IValidatorSetRecovery} from "../../contracts/interfaces/IValidatorSetRecovery.sol";
import {MockValidatorSet} from "../../contracts/mocks/MockValidatorSet.sol";
import {RmMockStakeManager} from "../../contracts/mocks/RmMockStakeManager.sol";
import {RmMockNodeHealth} from "../../contracts/mocks/RmMockNodeHealth.sol";
import {RmMockSnapshotRegistry} from "../../contracts/mocks/RmMockSnapshotRegistry.sol";
import {MockAuditLog} from "../../contracts/mocks/MockAuditLog.sol";

/// @dev Shared deployment: the manager behind an ERC1967Proxy, wired to mocks.
abstract contract RecoveryManagerFixture is Test {
    RecoveryManager internal rm;
    MockValidatorSet internal set;
    RmMockStakeManager internal stake;
    RmMockNodeHealth internal health;
    RmMockSnapshotRegistry internal snaps;
    MockAuditLog internal audit;

    address internal admin = makeAddr("admin");
    address internal guardian = makeAddr("guardian");
    address internal operator = makeAddr("operator");
    address internal timelock = makeAddr("timelock");
    address internal stranger = makeAddr("stranger");
    address internal validator = makeAddr("validator");
    address internal newSigner = makeAddr("newSigner");

    string internal constant CID_V0 = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG";
    string internal constant CID_V1 = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
    uint256 internal constant T0 = 1_700_000_000;

    function _defaultParams() internal pure returns (IRecoveryManager.Parameters memory) {
        return
            IRecoveryManager.Parameters({
                reportTimeout: 1 hours,
                rotationDelay: 1 days,
                maxPauseDuration: 1 days,
                pauseCooldown: 1 days,
                recoveryProof: 3
            });
    }

    function _newImplementation() internal returns (RecoveryManager) {
        return RecoveryManager(deployCode("RecoveryManager.sol:RecoveryManager"));
    }

    function _deploy(IRecoveryManager.Parameters memory params) internal returns (RecoveryManager) {
        RecoveryManager impl = _newImplementation();
        ERC1967Proxy proxy = new ERC1967Proxy(
            address(impl),
            abi.encodeCall(
                RecoveryManager.initialize,
                (
                    admin,
                    IValidatorSet(address(set)),
                    IStakeManager(address(stake)),
                    INodeHealth(address(health)),
                    ISnapshotRegistry(address(snaps)),
                    IAuditLog(address(audit)),
                    params
                )
            )
        );
        return RecoveryManager(address(proxy));
    }

    function setUp() public virtual {
        vm.warp(T0);
        // Deployed from their artifacts (deployCode) rather than with `new`, so that the test contracts do not
        // embed their creation code and stay under the contract size limit.
        set = MockValidatorSet(deployCode("MockValidatorSet.sol:MockValidatorSet"));
        stake = RmMockStakeManager(deployCode("RmMockStakeManager.sol:RmMockStakeManager"));
        health = RmMockNodeHealth(deployCode("RmMockNodeHealth.sol:RmMockNodeHealth"));
        snaps = RmMockSnapshotRegistry(deployCode("RmMockSnapshotRegistry.sol:RmMockSnapshotRegistry"));
        audit = MockAuditLog(deployCode("MockAuditLog.sol:MockAuditLog"));
        rm = _deploy(_defaultParams());
        vm.startPrank(admin);
        rm.grantRole(rm.GUARDIAN_ROLE(), guardian);
        rm.grantRole(rm.OPERATOR_ROLE(), operator);
        rm.grantRole(rm.PARAMETER_ROLE(), timelock);
        vm.stopPrank();
        address[] memory active = new address[](1);
        active[0] = validator;
        set.setActiveValidators(active);
        snaps.setSnapshot(7, 1_000, CID_V1, true);
        snaps.setSnapshot(8, 2_000, CID_V0, false);
    }

    function _pendingIncident(uint256 id, address v) internal {
        IValidatorSet.Incident memory inc;
        inc.validator = v;
        inc.slashState = IValidatorSet.SlashState.Pending;
        set.setIncident(id, inc);
    }

    function _assertLastAudit(
        bytes32 kind,
        address actor,
        address subject,
        uint256 refId,
        bytes32 dataHash
    ) internal view {
        MockAuditLog.Entry memory e = audit.lastEntry();
        assertEq(e.kind, kind, "audit kind");
        assertEq(e.actor, actor, "audit actor");
        assertEq(e.subject, subject, "audit subject");
        assertEq(e.refId, refId, "audit refId");
        assertEq(e.dataHash, dataHash, "audit dataHash");
        assertEq(e.source, address(rm), "audit source");
    }

    function _unauthorized(address account, bytes32 role) internal pure returns (bytes memory) {
        return
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, account, role);
    }

    function _resync() internal returns (uint256) {
        vm.prank(guardian);
        return rm.requestResync(validator, 7);
    }
}

/// @dev initialize, the constructor and the storage layout.
contract RecoveryManagerInitializeTest is RecoveryManagerFixture {
    // ------------------------------------------------------------------ initialize

    function test_initialize_setsRolesParametersAndDependencies() public view {
        assertTrue(rm.hasRole(rm.DEFAULT_ADMIN_ROLE(), admin));
        assertTrue(rm.hasRole(rm.PARAMETER_ROLE(), address(rm)), "self parameter role");
        assertEq(rm.validatorSet(), address(set));
        assertEq(rm.stakeManager(), address(stake));
        assertEq(rm.nodeHealth(), address(health));
        assertEq(rm.snapshotRegistry(), address(snaps));
        assertEq(rm.auditLog(), address(audit));
        IRecoveryManager.Parameters memory p = rm.parameters();
        assertEq(p.reportTimeout, 1 hours);
        assertEq(p.rotationDelay, 1 days);
        assertEq(p.maxPauseDuration, 1 days);
        assertEq(p.pauseCooldown, 1 days);
        assertEq(rm.actionCount(), 0);
    }

    function test_initialize_usesErc7201Slot() public view {
        bytes32 slot =
            keccak256(abi.encode(uint256(keccak256("healnet.storage.RecoveryManager")) - 1)) &
                ~bytes32(uint256(0xff));
        assertEq(address(uint160(uint256(vm.load(address(rm), slot)))), address(set));
    }

    function test_initialize_revertsIfCalledTwice() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        rm.initialize(
            admin,
            IValidatorSet(address(set)),
            IStakeManager(address(stake)),
            INodeHealth(address(health)),
            ISnapshotRegistry(address(snaps)),
            IAuditLog(address(audit)),
            _defaultParams()
        );
    }

    function test_constructor_disablesInitializersOnImplementation() public {
        RecoveryManager impl = _newImplementation();
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        impl.initialize(
            admin,
            IValidatorSet(address(set)),
            IStakeManager(address(stake)),
            INodeHealth(address(health)),
            ISnapshotRegistry(address(snaps)),
            IAuditLog(address(audit)),
            _defaultParams()
        );
    }

    function test_initialize_revertsIfZeroAddress() public {
        RecoveryManager impl = _newImplementation();
        bytes memory init = abi.encodeCall(
            RecoveryManager.initialize,
            (
                admin,
                IValidatorSet(address(0)),
                IStakeManager(address(stake)),
                INodeHealth(address(health)),
                ISnapshotRegistry(address(snaps)),
                IAuditLog(address(audit)),
                _defaultParams()
            )
        );
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerZeroAddress.selector, bytes32("set"))
        );
        new ERC1967Proxy(address(impl), init);

        init = abi.encodeCall(
            RecoveryManager.initialize,
            (
                address(0),
                IValidatorSet(address(set)),
                IStakeManager(address(stake)),
                INodeHealth(address(health)),
                ISnapshotRegistry(address(snaps)),
                IAuditLog(address(audit)),
                _defaultParams()
            )
        );
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerZeroAddress.selector, bytes32("admin"))
        );
        new ERC1967Proxy(address(impl), init);

        init = abi.encodeCall(
            RecoveryManager.initialize,
            (
                admin,
                IValidatorSet(address(set)),
                IStakeManager(address(stake)),
                INodeHealth(address(health)),
                ISnapshotRegistry(address(snaps)),
                IAuditLog(address(0)),
                _defaultParams()
            )
        );
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerZeroAddress.selector, bytes32("audit"))
        );
        new ERC1967Proxy(address(impl), init);
    }

    function test_initialize_revertsIfParameterOutOfBounds() public {
        IRecoveryManager.Parameters memory p = _defaultParams();
        p.reportTimeout = 1 minutes;
        RecoveryManager impl = _newImplementation();
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerInvalidParameter.selector,
                bytes32("reportTimeout"),
                1 minutes,
                5 minutes,
                7 days
            )
        );
        new ERC1967Proxy(
            address(impl),
            abi.encodeCall(
                RecoveryManager.initialize,
                (
                    admin,
                    IValidatorSet(address(set)),
                    IStakeManager(address(stake)),
                    INodeHealth(address(health)),
                    ISnapshotRegistry(address(snaps)),
                    IAuditLog(address(audit)),
                    p
                )
            )
        );
    }
}

/// @dev Off-chain action requests: resync and reprovision.
contract RecoveryManagerRequestTest is RecoveryManagerFixture {
    // ------------------------------------------------------------------ requestResync

    function test_requestResync_recordsActionEmitsCidAndAudits() public {
        vm.expectEmit(address(rm));
        emit IRecoveryManager.RecoveryRequested(
            1,
            IRecoveryManager.ActionKind.Resync,
            validator,
            7,
            CID_V1,
            T0 + 1 hours
        );
        uint256 id = _resync();
        assertEq(id, 1);
        assertEq(rm.actionCount(), 1);
        IRecoveryManager.Action memory a = rm.action(id);
        assertEq(uint8(a.kind), uint8(IRecoveryManager.ActionKind.Resync));
        assertEq(uint8(a.status), uint8(IRecoveryManager.ActionStatus.Requested));
        assertEq(a.validator, validator);
        assertEq(a.ref, 7);
        assertEq(a.payloadHash, keccak256(bytes(CID_V1)));
        assertEq(a.requestedBy, guardian);
        assertEq(a.requestedAt, T0);
        assertEq(a.reportDeadline, T0 + 1 hours);
        assertEq(a.reportedAt, 0);
        _assertLastAudit(rm.RECOVERY_RESYNC(), guardian, validator, id, keccak256(bytes(CID_V1)));
    }

    function test_requestResync_revertsIfNotGuardian() public {
        vm.expectRevert(_unauthorized(stranger, rm.GUARDIAN_ROLE()));
        vm.prank(stranger);
        rm.requestResync(validator, 7);
    }

    function test_requestResync_revertsIfUnknownValidator() public {
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerUnknownValidator.selector, stranger)
        );
        vm.prank(guardian);
        rm.requestResync(stranger, 7);
    }

    function test_requestResync_revertsIfSnapshotNotFinal() public {
        vm.expectRevert(abi.encodeWithSelector(IRecoveryManager.RecoveryManagerSnapshotNotFinal.selector, 8));
        vm.prank(guardian);
        rm.requestResync(validator, 8);
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerSnapshotNotFinal.selector, 99)
        );
        vm.prank(guardian);
        rm.requestResync(validator, 99);
    }

    // ------------------------------------------------------------------ requestReprovision

    function test_requestReprovision_recordsActionAndAudits() public {
        vm.expectEmit(address(rm));
        emit IRecoveryManager.RecoveryRequested(
            1,
            IRecoveryManager.ActionKind.Reprovision,
            validator,
            0,
            CID_V0,
            T0 + 1 hours
        );
        vm.prank(guardian);
        uint256 id = rm.requestReprovision(validator, CID_V0);
        IRecoveryManager.Action memory a = rm.action(id);
        assertEq(uint8(a.kind), uint8(IRecoveryManager.ActionKind.Reprovision));
        assertEq(uint8(a.status), uint8(IRecoveryManager.ActionStatus.Requested));
        assertEq(a.ref, 0);
        assertEq(a.payloadHash, keccak256(bytes(CID_V0)));
        _assertLastAudit(rm.RECOVERY_REPROVISION(), guardian, validator, id, keccak256(bytes(CID_V0)));
    }

    function test_requestReprovision_revertsIfInvalidCid() public {
        string memory bad = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbd0";
        vm.expectRevert(abi.encodeWithSelector(IRecoveryManager.RecoveryManagerInvalidCid.selector, bad));
        vm.prank(guardian);
        rm.requestReprovision(validator, bad);
    }

    function test_requestReprovision_revertsIfUnknownValidator() public {
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerUnknownValidator.selector, stranger)
        );
        vm.prank(guardian);
        rm.requestReprovision(stranger, CID_V0);
    }

    function test_requestReprovision_revertsIfNotGuardian() public {
        vm.expectRevert(_unauthorized(operator, rm.GUARDIAN_ROLE()));
        vm.prank(operator);
        rm.requestReprovision(validator, CID_V0);
    }
}

/// @dev Reports of off-chain actions, incident reports and escalation.
contract RecoveryManagerReportTest is RecoveryManagerFixture {
    // ------------------------------------------------------------------ reportRemediation

    function test_reportRemediation_marksSucceededAndAudits() public {
        uint256 id = _resync();
        vm.warp(T0 + 100);
        vm.expectEmit(address(rm));
        emit IRecoveryManager.RemediationReported(id, true, bytes32("details"), operator);
        vm.prank(operator);
        rm.reportRemediation(id, true, "details");
        IRecoveryManager.Action memory a = rm.action(id);
        assertEq(uint8(a.status), uint8(IRecoveryManager.ActionStatus.Succeeded));
        assertEq(a.reportedAt, T0 + 100);
        assertEq(a.detailsHash, bytes32("details"));
        _assertLastAudit(
            rm.REMEDIATION_REPORTED(),
            operator,
            validator,
            id,
            keccak256(abi.encode(true, bytes32("details")))
        );
    }

    function test_reportRemediation_marksFailed() public {
        uint256 id = _resync();
        vm.prank(operator);
        rm.reportRemediation(id, false, "oops");
        assertEq(uint8(rm.action(id).status), uint8(IRecoveryManager.ActionStatus.Failed));
    }

    function test_reportRemediation_closesEscalatedAction() public {
        uint256 id = _resync();
        vm.warp(T0 + 1 hours + 1);
        rm.escalate(id);
        vm.prank(operator);
        rm.reportRemediation(id, true, "late");
        assertEq(uint8(rm.action(id).status), uint8(IRecoveryManager.ActionStatus.Succeeded));
    }

    function test_reportRemediation_revertsIfReportedTwice() public {
        uint256 id = _resync();
        vm.prank(operator);
        rm.reportRemediation(id, true, "a");
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerWrongStatus.selector,
                id,
                IRecoveryManager.ActionStatus.Succeeded
            )
        );
        vm.prank(operator);
        rm.reportRemediation(id, false, "b");
    }

    function test_reportRemediation_revertsIfOnChainAction() public {
        vm.prank(guardian);
        uint256 id = rm.pause(1 hours);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerWrongStatus.selector,
                id,
                IRecoveryManager.ActionStatus.Done
            )
        );
        vm.prank(operator);
        rm.reportRemediation(id, true, "a");
    }

    function test_reportRemediation_revertsIfUnknownAction() public {
        vm.expectRevert(abi.encodeWithSelector(IRecoveryManager.RecoveryManagerUnknownAction.selector, 0));
        vm.prank(operator);
        rm.reportRemediation(0, true, "a");
        _resync();
        vm.expectRevert(abi.encodeWithSelector(IRecoveryManager.RecoveryManagerUnknownAction.selector, 2));
        vm.prank(operator);
        rm.reportRemediation(2, true, "a");
    }

    function test_reportRemediation_revertsIfNotOperator() public {
        uint256 id = _resync();
        vm.expectRevert(_unauthorized(guardian, rm.OPERATOR_ROLE()));
        vm.prank(guardian);
        rm.reportRemediation(id, true, "a");
    }

    // ------------------------------------------------------------------ reportIncidentRemediation

    function test_reportIncidentRemediation_emitsAndAudits() public {
        _pendingIncident(5, validator);
        vm.expectEmit(address(rm));
        emit IRecoveryManager.IncidentRemediationReported(5, true, bytes32("restarted"), operator);
        vm.prank(operator);
        rm.reportIncidentRemediation(5, true, "restarted");
        _assertLastAudit(
            rm.INCIDENT_REMEDIATION_REPORTED(),
            operator,
            validator,
            5,
            keccak256(abi.encode(true, bytes32("restarted")))
        );
        assertEq(rm.actionCount(), 0, "not an action");
    }

    function test_reportIncidentRemediation_recordsTheReport() public {
        _pendingIncident(5, validator);
        assertEq(rm.incidentReport(5).reportedAt, 0, "unreported");
        vm.warp(T0 + 7);
        vm.prank(operator);
        rm.reportIncidentRemediation(5, false, "resync failed");
        IRecoveryManager.IncidentReport memory r = rm.incidentReport(5);
        assertEq(r.reportedAt, T0 + 7, "reportedAt");
        assertFalse(r.ok, "ok");
        assertEq(r.detailsHash, bytes32("resync failed"), "detailsHash");
        assertEq(r.operator, operator, "operator");
    }

    function test_reportIncidentRemediation_revertsIfAlreadyReported() public {
        _pendingIncident(5, validator);
        vm.prank(operator);
        rm.reportIncidentRemediation(5, true, "restarted");
        uint256 auditLength = audit.auditLength();
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerIncidentAlreadyReported.selector, 5)
        );
        vm.prank(operator);
        rm.reportIncidentRemediation(5, true, "restarted again");
        assertEq(audit.auditLength(), auditLength, "no second audit entry");
        assertEq(rm.incidentReport(5).detailsHash, bytes32("restarted"), "first report kept");
    }

    function test_reportIncidentRemediation_revertsIfUnknownIncident() public {
        vm.expectRevert(abi.encodeWithSelector(IRecoveryManager.RecoveryManagerUnknownIncident.selector, 5));
        vm.prank(operator);
        rm.reportIncidentRemediation(5, true, "x");
    }

    function test_reportIncidentRemediation_revertsIfNotOperator() public {
        _pendingIncident(5, validator);
        vm.expectRevert(_unauthorized(stranger, rm.OPERATOR_ROLE()));
        vm.prank(stranger);
        rm.reportIncidentRemediation(5, true, "x");
    }

    // ------------------------------------------------------------------ escalate

    function test_escalate_marksEscalatedAfterDeadline() public {
        uint256 id = _resync();
        vm.warp(T0 + 1 hours + 1);
        vm.expectEmit(address(rm));
        emit IRecoveryManager.RemediationEscalated(id, validator, stranger);
        vm.prank(stranger);
        rm.escalate(id);
        assertEq(uint8(rm.action(id).status), uint8(IRecoveryManager.ActionStatus.Escalated));
        _assertLastAudit(
            rm.REMEDIATION_ESCALATED(),
            stranger,
            validator,
            id,
            keccak256(abi.encode(uint64(T0 + 1 hours)))
        );
    }

    function test_escalate_revertsIfNotOverdue() public {
        uint256 id = _resync();
        vm.warp(T0 + 1 hours);
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerNotOverdue.selector, id, T0 + 1 hours)
        );
        rm.escalate(id);
    }

    function test_escalate_revertsIfReported() public {
        uint256 id = _resync();
        vm.prank(operator);
        rm.reportRemediation(id, false, "x");
        vm.warp(T0 + 2 hours);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerWrongStatus.selector,
                id,
                IRecoveryManager.ActionStatus.Failed
            )
        );
        rm.escalate(id);
    }

    function test_escalate_revertsIfEscalatedTwice() public {
        uint256 id = _resync();
        vm.warp(T0 + 2 hours);
        rm.escalate(id);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerWrongStatus.selector,
                id,
                IRecoveryManager.ActionStatus.Escalated
            )
        );
        rm.escalate(id);
    }

    function test_escalate_revertsIfUnknownAction() public {
        vm.expectRevert(abi.encodeWithSelector(IRecoveryManager.RecoveryManagerUnknownAction.selector, 3));
        rm.escalate(3);
    }
}

/// @dev On-chain actions: forceReplace, forgive, pause and unpause.
contract RecoveryManagerActionTest is RecoveryManagerFixture {
    // ------------------------------------------------------------------ forceReplace

    function test_forceReplace_callsSetAndRecordsIncident() public {
        set.setNextIncidentId(42);
        vm.expectEmit(address(rm));
        emit IRecoveryManager.RecoveryExecuted(1, IRecoveryManager.ActionKind.ForceReplace, validator, 42);
        vm.prank(guardian);
        uint256 id = rm.forceReplace(validator);
        assertEq(set.lastForceReplaced(), validator);
        IRecoveryManager.Action memory a = rm.action(id);
        assertEq(uint8(a.status), uint8(IRecoveryManager.ActionStatus.Done));
        assertEq(a.ref, 42);
        assertEq(a.reportDeadline, 0);
        _assertLastAudit(
            rm.RECOVERY_FORCE_REPLACE(),
            guardian,
            validator,
            id,
            keccak256(abi.encode(uint256(42)))
        );
    }

    function test_forceReplace_bubblesSetRevert() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorSet.ValidatorSetNotActive.selector,
                stranger,
                IValidatorSet.Status.None
            )
        );
        vm.prank(guardian);
        rm.forceReplace(stranger);
        assertEq(rm.actionCount(), 0);
    }

    function test_forceReplace_revertsIfNotGuardian() public {
        vm.expectRevert(_unauthorized(timelock, rm.GUARDIAN_ROLE()));
        vm.prank(timelock);
        rm.forceReplace(validator);
    }

    // ------------------------------------------------------------------ forgive

    function test_forgive_cancelsSlashAndReleasesJailedValidator() public {
        _pendingIncident(3, validator);
        stake.setJailed(validator, true);
        vm.expectEmit(address(rm));
        emit IRecoveryManager.RecoveryExecuted(1, IRecoveryManager.ActionKind.Forgive, validator, 3);
        vm.prank(guardian);
        uint256 id = rm.forgive(3);
        assertEq(set.lastCancelledIncident(), 3);
        assertEq(stake.lastReleased(), validator);
        assertFalse(stake.isJailed(validator));
        IRecoveryManager.Action memory a = rm.action(id);
        assertEq(uint8(a.kind), uint8(IRecoveryManager.ActionKind.Forgive));
        assertEq(a.ref, 3);
        _assertLastAudit(rm.RECOVERY_FORGIVE(), guardian, validator, id, keccak256(abi.encode(uint256(3))));
    }

    function test_forgive_doesNotReleaseTombstonedValidator() public {
        _pendingIncident(3, validator);
        stake.setTombstoned(validator, true);
        vm.prank(guardian);
        rm.forgive(3);
        assertEq(set.cancelSlashCalls(), 1);
        assertEq(stake.releaseCalls(), 0);
    }

    function test_forgive_doesNotReleaseUnjailedValidator() public {
        _pendingIncident(3, validator);
        vm.prank(guardian);
        rm.forgive(3);
        assertEq(set.cancelSlashCalls(), 1);
        assertEq(stake.releaseCalls(), 0);
    }

    function test_forgive_revertsIfUnknownIncident() public {
        vm.expectRevert(abi.encodeWithSelector(IRecoveryManager.RecoveryManagerUnknownIncident.selector, 3));
        vm.prank(guardian);
        rm.forgive(3);
    }

    function test_forgive_bubblesSlashNotPending() public {
        _pendingIncident(3, validator);
        vm.prank(guardian);
        rm.forgive(3);
        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorSet.ValidatorSetSlashNotPending.selector,
                3,
                IValidatorSet.SlashState.Cancelled
            )
        );
        vm.prank(guardian);
        rm.forgive(3);
    }

    function test_forgive_revertsIfNotGuardian() public {
        _pendingIncident(3, validator);
        vm.expectRevert(_unauthorized(stranger, rm.GUARDIAN_ROLE()));
        vm.prank(stranger);
        rm.forgive(3);
    }

    // ------------------------------------------------------------------ pause / unpause

    function test_pause_pausesSetAndRemembersWindow() public {
        vm.expectEmit(address(rm));
        emit IRecoveryManager.RecoveryExecuted(1, IRecoveryManager.ActionKind.Pause, address(0), 0);
        vm.prank(guardian);
        uint256 id = rm.pause(6 hours);
        assertEq(set.pausedUntil(), T0 + 6 hours);
        (uint64 start, uint64 end) = rm.lastPause();
        assertEq(start, T0);
        assertEq(end, T0 + 6 hours);
        assertEq(uint8(rm.action(id).kind), uint8(IRecoveryManager.ActionKind.Pause));
        _assertLastAudit(
            rm.RECOVERY_PAUSE(),
            guardian,
            address(0),
            id,
            keccak256(abi.encode(uint64(T0 + 6 hours)))
        );
    }

    function test_pause_allowsExactlyMaxDuration() public {
        vm.prank(guardian);
        rm.pause(1 days);
        assertEq(set.pausedUntil(), T0 + 1 days);
    }

    function test_pause_revertsIfLongerThanMax() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerPauseNotAllowed.selector,
                1 days + 1,
                1 days
            )
        );
        vm.prank(guardian);
        rm.pause(1 days + 1);
    }

    function test_pause_revertsIfZeroDuration() public {
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerPauseNotAllowed.selector, 0, 1 days)
        );
        vm.prank(guardian);
        rm.pause(0);
    }

    function test_pause_revertsInsideCooldown() public {
        vm.prank(guardian);
        rm.pause(1 hours);
        uint256 notBefore = T0 + 1 hours + 1 days;
        vm.warp(notBefore - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerPauseNotAllowed.selector,
                1 hours,
                notBefore
            )
        );
        vm.prank(guardian);
        rm.pause(1 hours);
        vm.warp(notBefore);
        vm.prank(guardian);
        rm.pause(1 hours);
        assertEq(set.pausedUntil(), notBefore + 1 hours);
    }

    function test_pause_revertsIfNotGuardian() public {
        vm.expectRevert(_unauthorized(operator, rm.GUARDIAN_ROLE()));
        vm.prank(operator);
        rm.pause(1 hours);
    }

    function test_unpause_endsPauseNowAndStartsCooldown() public {
        vm.prank(guardian);
        rm.pause(10 hours);
        vm.warp(T0 + 2 hours);
        vm.expectEmit(address(rm));
        emit IRecoveryManager.RecoveryExecuted(2, IRecoveryManager.ActionKind.Unpause, address(0), 0);
        vm.prank(guardian);
        uint256 id = rm.unpause();
        assertEq(set.unpauseCalls(), 1);
        (uint64 start, uint64 end) = rm.lastPause();
        assertEq(start, T0);
        assertEq(end, T0 + 2 hours);
        _assertLastAudit(
            rm.RECOVERY_UNPAUSE(),
            guardian,
            address(0),
            id,
            keccak256(abi.encode(T0 + 2 hours))
        );
        vm.warp(T0 + 2 hours + 1 days - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerPauseNotAllowed.selector,
                1 hours,
                T0 + 2 hours + 1 days
            )
        );
        vm.prank(guardian);
        rm.pause(1 hours);
    }

    function test_unpause_bubblesNotPaused() public {
        vm.expectRevert(IValidatorSet.ValidatorSetNotPaused.selector);
        vm.prank(guardian);
        rm.unpause();
    }

    function test_unpause_revertsIfNotGuardian() public {
        vm.expectRevert(_unauthorized(stranger, rm.GUARDIAN_ROLE()));
        vm.prank(stranger);
        rm.unpause();
    }
}

/// @dev updateParameters: allowed targets and selectors, roles, failures.
contract RecoveryManagerParametersTest is RecoveryManagerFixture {
    // ------------------------------------------------------------------ updateParameters

    function _setParams() internal pure returns (IValidatorSet.Parameters memory p) {
        p = IValidatorSet.Parameters({
            maxActive: 21,
            minActive: 4,
            minUptimeBps: 5_000,
            downtimeSlashBps: 100,
            doubleSignSlashBps: 500,
            correlatedFaultBps: 3_300,
            keeperRewardBps: 1_000,
            jailDuration: 600,
            appealWindow: 1 days,
            stallEscalationDelay: 600,
            keeperRewardCap: 100e18
        });
    }

    function test_updateParameters_callsValidatorSet() public {
        bytes memory data = abi.encodeCall(IValidatorSet.setParameters, (_setParams()));
        vm.expectEmit(address(rm));
        emit IRecoveryManager.RecoveryExecuted(
            1,
            IRecoveryManager.ActionKind.UpdateParameters,
            address(0),
            0
        );
        vm.prank(timelock);
        uint256 id = rm.updateParameters(address(set), data);
        assertEq(set.setParametersCalls(), 1);
        assertEq(set.lastParameters().maxActive, 21);
        assertEq(rm.action(id).payloadHash, keccak256(data));
        _assertLastAudit(rm.RECOVERY_PARAMETERS(), timelock, address(set), id, keccak256(data));
    }

    function test_updateParameters_callsStakeManagerAsGuardian() public {
        bytes memory data = abi.encodeCall(IStakeManager.setParameters, (10e18, 14 days, admin));
        vm.prank(guardian);
        rm.updateParameters(address(stake), data);
        assertEq(stake.minStake(), 10e18);
        assertEq(stake.unbondingPeriod(), 14 days);
        assertEq(stake.treasury(), admin);
    }

    function test_updateParameters_callsNodeHealth() public {
        INodeHealth.Parameters memory p = INodeHealth.Parameters(30, 30, 60, 100, 50, 3);
        vm.prank(timelock);
        rm.updateParameters(address(health), abi.encodeCall(INodeHealth.setParameters, (p)));
        assertEq(health.setParametersCalls(), 1);
        assertEq(health.lastParameters().maxHeightLag, 50);
    }

    function test_updateParameters_callsSelf() public {
        IRecoveryManager.Parameters memory p = _defaultParams();
        p.reportTimeout = 2 hours;
        vm.prank(guardian);
        rm.updateParameters(address(rm), abi.encodeCall(IRecoveryManager.setParameters, (p)));
        assertEq(rm.parameters().reportTimeout, 2 hours);
        // One RECOVERY_PARAMETERS entry (from updateParameters), not two.
        assertEq(audit.auditLength(), 1);
    }

    function test_updateParameters_revertsIfNeitherRole() public {
        vm.expectRevert(_unauthorized(operator, rm.PARAMETER_ROLE()));
        vm.prank(operator);
        rm.updateParameters(address(set), abi.encodeCall(IValidatorSet.setParameters, (_setParams())));
    }

    function test_updateParameters_revertsIfTargetNotAllowed() public {
        bytes memory data = abi.encodeCall(IValidatorSet.setParameters, (_setParams()));
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerParameterCallNotAllowed.selector,
                address(snaps),
                IValidatorSet.setParameters.selector
            )
        );
        vm.prank(guardian);
        rm.updateParameters(address(snaps), data);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerParameterCallNotAllowed.selector,
                address(0),
                IValidatorSet.setParameters.selector
            )
        );
        vm.prank(guardian);
        rm.updateParameters(address(0), data);
    }

    function test_updateParameters_revertsIfSelectorNotAllowed() public {
        // A guardian must not reach the set's recovery entry points through the parameter path.
        bytes memory data = abi.encodeCall(IValidatorSetRecovery.forceReplace, (validator));
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerParameterCallNotAllowed.selector,
                address(set),
                IValidatorSetRecovery.forceReplace.selector
            )
        );
        vm.prank(guardian);
        rm.updateParameters(address(set), data);
        // Another target's selector is refused too.
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerParameterCallNotAllowed.selector,
                address(stake),
                IValidatorSet.setParameters.selector
            )
        );
        vm.prank(guardian);
        rm.updateParameters(address(stake), abi.encodeCall(IValidatorSet.setParameters, (_setParams())));
        // Role changes on the manager itself are refused.
        bytes memory grant = abi.encodeCall(IAccessControl.grantRole, (bytes32(0), stranger));
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerParameterCallNotAllowed.selector,
                address(rm),
                IAccessControl.grantRole.selector
            )
        );
        vm.prank(guardian);
        rm.updateParameters(address(rm), grant);
    }

    function test_updateParameters_revertsIfCallDataTooShort() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerParameterCallNotAllowed.selector,
                address(set),
                bytes4(0)
            )
        );
        vm.prank(guardian);
        rm.updateParameters(address(set), hex"aabbcc");
    }

    function test_updateParameters_wrapsTargetRevert() public {
        IValidatorSet.Parameters memory p = _setParams();
        p.maxActive = 200;
        bytes memory reason = abi.encodeWithSelector(
            IValidatorSet.ValidatorSetInvalidParameter.selector,
            bytes32("maxActive"),
            200,
            1,
            128
        );
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerParameterCallFailed.selector,
                address(set),
                reason
            )
        );
        vm.prank(guardian);
        rm.updateParameters(address(set), abi.encodeCall(IValidatorSet.setParameters, (p)));
    }

    function test_updateParameters_wrapsSelfBoundViolation() public {
        IRecoveryManager.Parameters memory p = _defaultParams();
        p.pauseCooldown = 2 hours; // below maxPauseDuration (1 day)
        bytes memory reason = abi.encodeWithSelector(
            IRecoveryManager.RecoveryManagerInvalidParameter.selector,
            bytes32("pauseCooldown"),
            2 hours,
            1 days,
            30 days
        );
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerParameterCallFailed.selector,
                address(rm),
                reason
            )
        );
        vm.prank(timelock);
        rm.updateParameters(address(rm), abi.encodeCall(IRecoveryManager.setParameters, (p)));
    }
}

/// @dev setParameters and the pause bounds it governs.
contract RecoveryManagerSetParametersTest is RecoveryManagerFixture {
    // ------------------------------------------------------------------ setParameters

    function test_setParameters_updatesEmitsAndAudits() public {
        IRecoveryManager.Parameters memory p = IRecoveryManager.Parameters(
            5 minutes,
            1 hours,
            7 days,
            7 days,
            100
        );
        vm.expectEmit(address(rm));
        emit IRecoveryManager.ParametersUpdated(p);
        vm.prank(timelock);
        rm.setParameters(p);
        IRecoveryManager.Parameters memory q = rm.parameters();
        assertEq(q.reportTimeout, 5 minutes);
        assertEq(q.rotationDelay, 1 hours);
        assertEq(q.maxPauseDuration, 7 days);
        assertEq(q.pauseCooldown, 7 days);
        _assertLastAudit(rm.RECOVERY_PARAMETERS(), timelock, address(rm), 0, keccak256(abi.encode(p)));
    }

    function test_setParameters_revertsIfNotParameterRole() public {
        IRecoveryManager.Parameters memory p = _defaultParams();
        vm.expectRevert(_unauthorized(guardian, rm.PARAMETER_ROLE()));
        vm.prank(guardian);
        rm.setParameters(p);
    }

    function _expectInvalid(bytes32 name, uint256 value, uint256 min, uint256 max) internal {
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerInvalidParameter.selector,
                name,
                value,
                min,
                max
            )
        );
    }

    function test_setParameters_revertsIfOutOfBounds() public {
        vm.startPrank(timelock);
        IRecoveryManager.Parameters memory p = _defaultParams();
        p.reportTimeout = 7 days + 1;
        _expectInvalid("reportTimeout", 7 days + 1, 5 minutes, 7 days);
        rm.setParameters(p);

        p = _defaultParams();
        p.rotationDelay = 1 hours - 1;
        _expectInvalid("rotationDelay", 1 hours - 1, 1 hours, 7 days);
        rm.setParameters(p);

        p = _defaultParams();
        p.maxPauseDuration = 7 days + 1;
        _expectInvalid("maxPauseDuration", 7 days + 1, 1 hours, 7 days);
        rm.setParameters(p);

        p = _defaultParams();
        p.pauseCooldown = 30 days + 1;
        _expectInvalid("pauseCooldown", 30 days + 1, 1 days, 30 days);
        rm.setParameters(p);

        p = IRecoveryManager.Parameters(1 hours, 1 hours, 1 hours, 1 hours - 1, 3);
        _expectInvalid("pauseCooldown", 1 hours - 1, 1 hours, 30 days);
        rm.setParameters(p);
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ fuzz: pause bounds

    function testFuzz_pause_capBoundary(uint32 maxPause, uint64 duration) public {
        maxPause = uint32(bound(maxPause, 1 hours, 7 days));
        vm.prank(timelock);
        rm.setParameters(IRecoveryManager.Parameters(1 hours, 1 days, maxPause, maxPause, 3));
        duration = uint64(bound(duration, 1, uint256(maxPause) * 2));
        if (duration > maxPause) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IRecoveryManager.RecoveryManagerPauseNotAllowed.selector,
                    duration,
                    uint256(maxPause)
                )
            );
        }
        vm.prank(guardian);
        rm.pause(duration);
        if (duration <= maxPause) assertEq(set.pausedUntil(), T0 + duration);
    }

    function testFuzz_pause_cooldownBoundary(
        uint32 cooldown,
        uint64 first,
        uint256 gap,
        bool unpauseEarly
    ) public {
        cooldown = uint32(bound(cooldown, 1 days, 30 days));
        vm.prank(timelock);
        rm.setParameters(IRecoveryManager.Parameters(1 hours, 1 days, 1 days, cooldown, 3));
        first = uint64(bound(first, 2, 1 days));
        vm.prank(guardian);
        rm.pause(first);
        uint256 end = T0 + first;
        if (unpauseEarly) {
            end = T0 + first / 2;
            vm.warp(end);
            vm.prank(guardian);
            rm.unpause();
        }
        uint256 notBefore = end + cooldown;
        gap = bound(gap, 0, 2 * uint256(cooldown));
        uint256 at = end + gap;
        vm.warp(at);
        if (at < notBefore) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IRecoveryManager.RecoveryManagerPauseNotAllowed.selector,
                    1 hours,
                    notBefore
                )
            );
        }
        vm.prank(guardian);
        rm.pause(1 hours);
        if (at >= notBefore) {
            (uint64 start, ) = rm.lastPause();
            assertEq(start, at);
        }
    }

    function testFuzz_setParameters_enforcesBounds(
        uint32 timeout,
        uint32 delay,
        uint32 maxPause,
        uint32 cooldown
    ) public {
        IRecoveryManager.Parameters memory p = IRecoveryManager.Parameters(
            timeout,
            delay,
            maxPause,
            cooldown,
            3
        );
        bool ok =
            timeout >= 5 minutes &&
                timeout <= 7 days &&
                delay >= 1 hours &&
                delay <= 7 days &&
                maxPause >= 1 hours &&
                maxPause <= 7 days &&
                cooldown >= maxPause &&
                cooldown >= 1 hours &&
                cooldown <= 30 days;
        vm.prank(timelock);
        if (!ok) vm.expectPartialRevert(IRecoveryManager.RecoveryManagerInvalidParameter.selector);
        rm.setParameters(p);
        if (ok) assertEq(rm.parameters().pauseCooldown, cooldown);
    }
}

/// @dev Key rotation: request, approve, cancel, execute.
contract RecoveryManagerKeyRotationTest is RecoveryManagerFixture {
    // ------------------------------------------------------------------ key rotation

    function _approvedRotation() internal {
        vm.prank(validator);
        rm.requestKeyRotation(newSigner);
        vm.prank(guardian);
        rm.approveKeyRotation(validator, newSigner);
    }

    function test_requestKeyRotation_storesPendingRequest() public {
        vm.expectEmit(address(rm));
        emit IRecoveryManager.KeyRotationRequested(validator, newSigner);
        vm.prank(validator);
        rm.requestKeyRotation(newSigner);
        IRecoveryManager.KeyRotation memory r = rm.keyRotationOf(validator);
        assertEq(r.newSigner, newSigner);
        assertEq(r.requestedAt, T0);
        assertEq(r.approvedAt, 0);
        assertEq(r.executableAt, 0);
    }

    function test_requestKeyRotation_replacesEarlierRequest() public {
        _approvedRotation();
        address other = makeAddr("other");
        vm.prank(validator);
        rm.requestKeyRotation(other);
        IRecoveryManager.KeyRotation memory r = rm.keyRotationOf(validator);
        assertEq(r.newSigner, other);
        assertEq(r.executableAt, 0, "approval dropped");
    }

    function test_requestKeyRotation_revertsIfUnknownValidator() public {
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerUnknownValidator.selector, stranger)
        );
        vm.prank(stranger);
        rm.requestKeyRotation(newSigner);
    }

    function test_requestKeyRotation_revertsIfSignerUnavailable() public {
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerSignerUnavailable.selector, address(0))
        );
        vm.prank(validator);
        rm.requestKeyRotation(address(0));
        health.setValidatorOfSigner(newSigner, stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerSignerUnavailable.selector, newSigner)
        );
        vm.prank(validator);
        rm.requestKeyRotation(newSigner);
    }

    function test_approveKeyRotation_setsExecutableAt() public {
        vm.prank(validator);
        rm.requestKeyRotation(newSigner);
        vm.warp(T0 + 10);
        vm.expectEmit(address(rm));
        emit IRecoveryManager.KeyRotationApproved(validator, newSigner, T0 + 10 + 1 days);
        vm.prank(guardian);
        rm.approveKeyRotation(validator, newSigner);
        IRecoveryManager.KeyRotation memory r = rm.keyRotationOf(validator);
        assertEq(r.approvedAt, T0 + 10);
        assertEq(r.executableAt, T0 + 10 + 1 days);
    }

    function test_approveKeyRotation_revertsIfNotGuardian() public {
        vm.prank(validator);
        rm.requestKeyRotation(newSigner);
        vm.expectRevert(_unauthorized(validator, rm.GUARDIAN_ROLE()));
        vm.prank(validator);
        rm.approveKeyRotation(validator, newSigner);
    }

    function test_approveKeyRotation_revertsIfNoOrMismatchedOrApprovedRequest() public {
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerNoKeyRotation.selector, validator)
        );
        vm.prank(guardian);
        rm.approveKeyRotation(validator, newSigner);

        vm.prank(validator);
        rm.requestKeyRotation(newSigner);
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerNoKeyRotation.selector, validator)
        );
        vm.prank(guardian);
        rm.approveKeyRotation(validator, makeAddr("swapped"));

        vm.prank(guardian);
        rm.approveKeyRotation(validator, newSigner);
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerNoKeyRotation.selector, validator)
        );
        vm.prank(guardian);
        rm.approveKeyRotation(validator, newSigner);
    }

    function test_cancelKeyRotation_clearsRequestEvenAfterApproval() public {
        _approvedRotation();
        vm.expectEmit(address(rm));
        emit IRecoveryManager.KeyRotationCancelled(validator, newSigner);
        vm.prank(validator);
        rm.cancelKeyRotation();
        assertEq(rm.keyRotationOf(validator).newSigner, address(0));
        vm.warp(T0 + 2 days);
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerNoKeyRotation.selector, validator)
        );
        rm.executeKeyRotation(validator);
    }

    function test_cancelKeyRotation_revertsIfNone() public {
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerNoKeyRotation.selector, validator)
        );
        vm.prank(validator);
        rm.cancelKeyRotation();
    }

    function test_executeKeyRotation_movesSignerAndRecordsAction() public {
        _approvedRotation();
        vm.warp(T0 + 1 days);
        vm.expectEmit(address(rm));
        emit IRecoveryManager.KeyRotated(validator, newSigner, 1);
        vm.prank(stranger);
        uint256 id = rm.executeKeyRotation(validator);
        assertEq(health.currentSigner(validator), newSigner);
        assertEq(health.validatorOfSigner(newSigner), validator);
        assertEq(rm.keyRotationOf(validator).newSigner, address(0), "cleared");
        IRecoveryManager.Action memory a = rm.action(id);
        assertEq(uint8(a.kind), uint8(IRecoveryManager.ActionKind.RotateKey));
        assertEq(uint8(a.status), uint8(IRecoveryManager.ActionStatus.Done));
        assertEq(a.validator, validator);
        assertEq(a.requestedBy, stranger);
        _assertLastAudit(rm.RECOVERY_ROTATE_KEY(), stranger, validator, id, keccak256(abi.encode(newSigner)));
    }

    function test_executeKeyRotation_revertsIfNotApproved() public {
        vm.prank(validator);
        rm.requestKeyRotation(newSigner);
        vm.warp(T0 + 30 days);
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerNoKeyRotation.selector, validator)
        );
        rm.executeKeyRotation(validator);
    }

    function test_executeKeyRotation_revertsIfNotReady() public {
        _approvedRotation();
        vm.warp(T0 + 1 days - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerRotationNotReady.selector,
                validator,
                T0 + 1 days
            )
        );
        rm.executeKeyRotation(validator);
    }

    function test_executeKeyRotation_revertsIfSignerTakenMeanwhile() public {
        _approvedRotation();
        health.setValidatorOfSigner(newSigner, stranger);
        vm.warp(T0 + 1 days);
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerSignerUnavailable.selector, newSigner)
        );
        rm.executeKeyRotation(validator);
    }
}

/// @dev isValidCid: known examples, random valid CIDs, mutations and a reference implementation.
contract RecoveryManagerCidTest is RecoveryManagerFixture {
    // ------------------------------------------------------------------ isValidCid

    function test_isValidCid_acceptsKnownCids() public view {
        assertTrue(rm.isValidCid(CID_V0));
        assertTrue(rm.isValidCid(CID_V1));
        assertTrue(rm.isValidCid("baaaaaaaa"), "b + 8");
        assertTrue(rm.isValidCid(string.concat("b", _repeat("a", 128))), "b + 128");
    }

    function test_isValidCid_rejectsMalformedCids() public view {
        assertFalse(rm.isValidCid(""));
        assertFalse(rm.isValidCid("Qm"));
        assertFalse(rm.isValidCid("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbd"), "45 chars");
        assertFalse(rm.isValidCid("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdGG"), "47 chars");
        assertFalse(rm.isValidCid("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdI"), "I not base58");
        assertFalse(rm.isValidCid("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdl"), "l not base58");
        assertFalse(rm.isValidCid("qmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"), "lower-case prefix");
        assertFalse(rm.isValidCid("baaaaaaa"), "b + 7");
        assertFalse(rm.isValidCid(string.concat("b", _repeat("a", 129))), "b + 129");
        assertFalse(
            rm.isValidCid("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzd1"),
            "1 not base32"
        );
        assertFalse(
            rm.isValidCid("BAFYBEIGDYRZT5SFP7UDM7HU76UH7Y26NF3EFUYLQABF3OCLGTQY55FBZDI"),
            "upper base32"
        );
        assertFalse(rm.isValidCid("zdj7WWeQ43G6JJvLWQWZpyHuAMq6uYWRjkBXFad11vE2LHhQ7"), "base58 CIDv1");
        assertFalse(rm.isValidCid("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzd "), "space");
    }

    string internal constant BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    string internal constant BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

    function _repeat(bytes1 c, uint256 n) internal pure returns (string memory) {
        bytes memory b = new bytes(n);
        for (uint256 i = 0; i < n; ++i) b[i] = c;
        return string(b);
    }

    function _randomFrom(
        string memory alphabet,
        uint256 seed,
        uint256 n
    ) internal pure returns (bytes memory b) {
        bytes memory a = bytes(alphabet);
        b = new bytes(n);
        for (uint256 i = 0; i < n; ++i) {
            b[i] = a[uint256(keccak256(abi.encode(seed, i))) % a.length];
        }
    }

    function _contains(string memory alphabet, bytes1 c) internal pure returns (bool) {
        bytes memory a = bytes(alphabet);
        for (uint256 i = 0; i < a.length; ++i) if (a[i] == c) return true;
        return false;
    }

    /// @dev A reference CID checker written independently (alphabet look-ups instead of ranges).
    function _referenceValid(bytes memory b) internal pure returns (bool) {
        if (b.length == 46 && b[0] == "Q" && b[1] == "m") {
            for (uint256 i = 2; i < 46; ++i) if (!_contains(BASE58, b[i])) return false;
            return true;
        }
        if (b.length >= 9 && b.length <= 129 && b[0] == "b") {
            for (uint256 i = 1; i < b.length; ++i) if (!_contains(BASE32, b[i])) return false;
            return true;
        }
        return false;
    }

    function testFuzz_isValidCid_acceptsRandomCidV0(uint256 seed) public view {
        string memory cid = string.concat("Qm", string(_randomFrom(BASE58, seed, 44)));
        assertTrue(rm.isValidCid(cid), cid);
    }

    function testFuzz_isValidCid_acceptsRandomCidV1(uint256 seed, uint256 len) public view {
        len = bound(len, 8, 128);
        string memory cid = string.concat("b", string(_randomFrom(BASE32, seed, len)));
        assertTrue(rm.isValidCid(cid), cid);
    }

    function testFuzz_isValidCid_rejectsMutatedCidV0(uint256 seed, uint256 pos, uint8 bad) public view {
        bytes memory cid = bytes.concat("Qm", _randomFrom(BASE58, seed, 44));
        pos = bound(pos, 0, 45);
        vm.assume(!_contains(BASE58, bytes1(bad)) || pos < 2);
        // At the prefix, any different character breaks it; elsewhere, any non-base58 character.
        vm.assume(bytes1(bad) != cid[pos]);
        vm.assume(!(pos == 0 && bad == uint8(bytes1("b")))); // "b..." of length 46 may be a valid CIDv1
        cid[pos] = bytes1(bad);
        assertFalse(rm.isValidCid(string(cid)), string(cid));
    }

    function testFuzz_isValidCid_rejectsMutatedCidV1(
        uint256 seed,
        uint256 len,
        uint256 pos,
        uint8 bad
    ) public view {
        len = bound(len, 8, 128);
        bytes memory cid = bytes.concat("b", _randomFrom(BASE32, seed, len));
        pos = bound(pos, 1, len);
        vm.assume(!_contains(BASE32, bytes1(bad)));
        cid[pos] = bytes1(bad);
        assertFalse(rm.isValidCid(string(cid)), string(cid));
    }

    function testFuzz_isValidCid_rejectsWrongLength(uint256 seed, uint256 len) public view {
        len = bound(len, 0, 300);
        vm.assume(len < 9 || len > 129);
        bytes memory cid = bytes.concat("b", _randomFrom(BASE32, seed, len > 0 ? len - 1 : 0));
        if (len == 0) cid = "";
        assertFalse(rm.isValidCid(string(cid)));
        bytes memory v0 = bytes.concat("Qm", _randomFrom(BASE58, seed, len > 2 ? len - 2 : 0));
        assertFalse(rm.isValidCid(string(v0)));
    }

    function testFuzz_isValidCid_matchesReference(bytes calldata raw) public view {
        assertEq(rm.isValidCid(string(raw)), _referenceValid(raw));
    }
}

/// @dev Invariants over random sequences of pauses, unpauses, parameter changes, requests, reports and
///      escalations (see RecoveryHandler).
/// @dev restore: the automatic unjail after a verified remediation.
contract RecoveryManagerRestoreTest is RecoveryManagerFixture {
    uint256 internal constant ID = 1;
    uint64 internal constant FAULT_AT = uint64(T0 - 60);
    uint32 internal constant JAIL = 600;
    uint32 internal constant EPOCH = 30; // RmMockNodeHealth's epoch length (genesis 0)
    uint64 internal constant BEST = 10_000;
    uint32 internal constant LAG = 50;

    function setUp() public override {
        super.setUp();
        IValidatorSet.Parameters memory p;
        p.jailDuration = JAIL;
        set.setParameters(p);
        health.setMaxHeightLag(LAG);
        health.setBestHeight(BEST);
        // A downtime incident detected (and jailed) at T0.
        _incident(ID, IValidatorSet.IncidentKind.Downtime, 0);
        stake.setJailed(validator, true);
        stake.setJailedUntil(validator, uint64(T0 + JAIL));
        set.setStatus(validator, IValidatorSet.Status.Jailed);
    }

    function _incident(uint256 id, IValidatorSet.IncidentKind kind, uint64 resolvedAt) internal {
        IValidatorSet.Incident memory inc;
        inc.validator = validator;
        inc.kind = kind;
        inc.faultAt = FAULT_AT;
        inc.detectedAt = uint64(T0);
        inc.resolvedAt = resolvedAt;
        set.setIncident(id, inc);
    }

    function _report(bool ok) internal {
        vm.prank(operator);
        rm.reportIncidentRemediation(ID, ok, keccak256("restarted"));
    }

    /// @dev Warps to the start of the epoch `epochsAfter` epochs after `from`'s, + 1 s, and records a Live
    ///      heartbeat there with the given bitmap and height.
    function _heartbeats(
        uint256 from,
        uint256 epochsAfter,
        uint256 bitmap,
        uint64 height
    ) internal returns (uint256 t) {
        t = (from / EPOCH + epochsAfter) * EPOCH + 1;
        vm.warp(t);
        INodeHealth.HeartbeatRecord memory r;
        r.timestamp = uint64(t);
        r.blockHeight = height;
        r.uptimeBitmap = bitmap | 1;
        health.setRecord(validator, r);
        health.setLiveness(validator, INodeHealth.Liveness.Live);
    }

    function _proven() internal returns (uint256 t) {
        _report(true);
        t = _heartbeats(block.timestamp, 3, 0x7, BEST);
    }

    // ------------------------------------------------------------------ success

    function test_restore_releasesRecordsEmitsAndAudits() public {
        vm.warp(T0 + 10);
        uint256 t = _proven();
        uint256 ttr = t - FAULT_AT;
        vm.expectEmit(address(rm));
        emit IRecoveryManager.ValidatorRestored(ID, validator, 0, ttr, stranger);
        vm.prank(stranger);
        assertEq(rm.restore(ID, 0), ttr);
        assertEq(stake.releaseCalls(), 1);
        assertEq(stake.lastReleased(), validator);
        IRecoveryManager.Restoration memory r = rm.restorationOf(ID);
        assertEq(r.validator, validator);
        assertEq(r.actionId, 0);
        assertEq(r.faultAt, FAULT_AT);
        assertEq(r.reportedAt, T0 + 10);
        assertEq(r.restoredAt, t);
        assertEq(r.timeToRecover, ttr);
        assertEq(r.by, stranger);
        _assertLastAudit(
            rm.RECOVERY_RESTORE(),
            stranger,
            validator,
            ID,
            keccak256(abi.encode(uint256(0), ttr))
        );
    }

    function test_restore_acceptsASucceededResyncAction() public {
        vm.warp(T0 + 10);
        uint256 actionId = _resync();
        vm.prank(operator);
        rm.reportRemediation(actionId, true, keccak256("resynced"));
        uint256 t = _heartbeats(block.timestamp, 3, 0x7, BEST);
        rm.restore(ID, actionId);
        assertEq(rm.restorationOf(ID).actionId, actionId);
        assertEq(rm.restorationOf(ID).timeToRecover, t - FAULT_AT);
        assertEq(stake.lastReleased(), validator);
    }

    function test_restore_countsAStallFromItsJailNotItsEarlierReport() public {
        // Stall detected at T0, reported healed at T0 + 10, still stalled and jailed at T0 + 600.
        uint64 jailedAt = uint64(T0 + 600);
        _incident(ID, IValidatorSet.IncidentKind.Stall, jailedAt);
        stake.setJailedUntil(validator, jailedAt + JAIL);
        vm.warp(T0 + 10);
        _report(true);
        // Three epochs after the report but not after the jailing: not proven.
        _heartbeats(jailedAt, 0, 0x7, BEST);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerRecoveryNotProven.selector,
                validator,
                0,
                3
            )
        );
        rm.restore(ID, 0);
        _heartbeats(jailedAt, 3, 0x7, BEST);
        rm.restore(ID, 0);
        assertEq(stake.lastReleased(), validator);
    }

    // ------------------------------------------------------------------ reverts

    function test_restore_revertsIfAlreadyRestored() public {
        _proven();
        rm.restore(ID, 0);
        vm.expectRevert(abi.encodeWithSelector(IRecoveryManager.RecoveryManagerAlreadyRestored.selector, ID));
        rm.restore(ID, 0);
    }

    function test_restore_revertsIfUnknownIncident() public {
        vm.expectRevert(abi.encodeWithSelector(IRecoveryManager.RecoveryManagerUnknownIncident.selector, 99));
        rm.restore(99, 0);
    }

    function test_restore_revertsIfNotReported() public {
        _heartbeats(block.timestamp, 3, 0x7, BEST);
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerNotRemediated.selector, ID, 0)
        );
        rm.restore(ID, 0);
    }

    function test_restore_revertsIfTheReportFailed() public {
        _report(false);
        _heartbeats(block.timestamp, 3, 0x7, BEST);
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerNotRemediated.selector, ID, 0)
        );
        rm.restore(ID, 0);
    }

    function test_restore_revertsIfUnknownAction() public {
        vm.expectRevert(abi.encodeWithSelector(IRecoveryManager.RecoveryManagerUnknownAction.selector, 5));
        rm.restore(ID, 5);
    }

    function test_restore_revertsIfTheActionIsNotASucceededResyncOrReprovision() public {
        uint256 resync = _resync();
        // Still Requested.
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerNotRemediated.selector, ID, resync)
        );
        rm.restore(ID, resync);
        vm.prank(operator);
        rm.reportRemediation(resync, false, bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerNotRemediated.selector, ID, resync)
        );
        rm.restore(ID, resync);
        // An on-chain action (Done) of another kind.
        vm.prank(guardian);
        uint256 pauseId = rm.pause(1 hours);
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerNotRemediated.selector, ID, pauseId)
        );
        rm.restore(ID, pauseId);
    }

    function test_restore_revertsIfTheActionIsForAnotherValidator() public {
        address other = makeAddr("other");
        set.setStatus(other, IValidatorSet.Status.Backup);
        vm.prank(guardian);
        uint256 actionId = rm.requestResync(other, 7);
        vm.prank(operator);
        rm.reportRemediation(actionId, true, bytes32(0));
        _heartbeats(block.timestamp, 3, 0x7, BEST);
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerNotRemediated.selector, ID, actionId)
        );
        rm.restore(ID, actionId);
    }

    function test_restore_revertsIfTheActionWasReportedBeforeTheIncident() public {
        vm.warp(T0 - 100);
        uint256 actionId = _resync();
        vm.prank(operator);
        rm.reportRemediation(actionId, true, bytes32(0));
        _heartbeats(T0, 3, 0x7, BEST);
        vm.expectRevert(
            abi.encodeWithSelector(IRecoveryManager.RecoveryManagerNotRemediated.selector, ID, actionId)
        );
        rm.restore(ID, actionId);
    }

    function test_restore_revertsIfNotJailed() public {
        _proven();
        stake.setJailed(validator, false);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerNotRestorable.selector,
                validator,
                false,
                false
            )
        );
        rm.restore(ID, 0);
    }

    function test_restore_revertsIfTombstoned() public {
        _proven();
        stake.setTombstoned(validator, true);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerNotRestorable.selector,
                validator,
                true,
                true
            )
        );
        rm.restore(ID, 0);
    }

    function test_restore_revertsIfJailedByALaterIncident() public {
        _proven();
        stake.setJailedUntil(validator, uint64(T0 + 5_000 + JAIL));
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerJailNotFromIncident.selector,
                ID,
                T0 + 5_000 + JAIL,
                T0 + JAIL
            )
        );
        rm.restore(ID, 0);
    }

    function test_restore_revertsIfAStallWasNeverJailed() public {
        // A stall incident still open (resolvedAt 0) did not jail anyone.
        _incident(ID, IValidatorSet.IncidentKind.Stall, 0);
        _proven();
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerJailNotFromIncident.selector,
                ID,
                T0 + JAIL,
                JAIL
            )
        );
        rm.restore(ID, 0);
    }

    function test_restore_revertsIfNotLive() public {
        _proven();
        health.setLiveness(validator, INodeHealth.Liveness.Stalled);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerNotLive.selector,
                validator,
                INodeHealth.Liveness.Stalled
            )
        );
        rm.restore(ID, 0);
        health.setLiveness(validator, INodeHealth.Liveness.Late);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerNotLive.selector,
                validator,
                INodeHealth.Liveness.Late
            )
        );
        rm.restore(ID, 0);
    }

    function test_restore_revertsIfAnEpochWasMissed() public {
        _report(true);
        _heartbeats(block.timestamp, 3, 0x5, BEST); // epoch last-1 missed
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerRecoveryNotProven.selector,
                validator,
                1,
                3
            )
        );
        rm.restore(ID, 0);
    }

    function test_restore_revertsIfTooFewEpochsSinceTheReport() public {
        _report(true);
        // Heartbeats in every epoch, but only two full epochs after the report's.
        _heartbeats(block.timestamp, 2, type(uint256).max >> 155, BEST);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerRecoveryNotProven.selector,
                validator,
                2,
                3
            )
        );
        rm.restore(ID, 0);
    }

    function test_restore_revertsIfHeightLags() public {
        _report(true);
        _heartbeats(block.timestamp, 3, 0x7, BEST - LAG - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerHeightLagging.selector,
                validator,
                BEST - LAG - 1,
                BEST
            )
        );
        rm.restore(ID, 0);
        // Exactly maxHeightLag behind is close enough.
        _heartbeats(block.timestamp, 0, 0x7, BEST - LAG);
        rm.restore(ID, 0);
    }

    function test_restore_needsRecoveryProofEpochs() public {
        IRecoveryManager.Parameters memory p = _defaultParams();
        p.recoveryProof = 5;
        vm.prank(timelock);
        rm.setParameters(p);
        _report(true);
        _heartbeats(block.timestamp, 4, 0x1f, BEST);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerRecoveryNotProven.selector,
                validator,
                4,
                5
            )
        );
        rm.restore(ID, 0);
        _heartbeats(block.timestamp, 1, 0x1f, BEST);
        rm.restore(ID, 0);
    }

    function test_setParameters_revertsIfRecoveryProofOutOfBounds() public {
        IRecoveryManager.Parameters memory p = _defaultParams();
        p.recoveryProof = 0;
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerInvalidParameter.selector,
                bytes32("recoveryProof"),
                0,
                1,
                100
            )
        );
        vm.prank(timelock);
        rm.setParameters(p);
        p.recoveryProof = 101;
        vm.expectRevert(
            abi.encodeWithSelector(
                IRecoveryManager.RecoveryManagerInvalidParameter.selector,
                bytes32("recoveryProof"),
                101,
                1,
                100
            )
        );
        vm.prank(timelock);
        rm.setParameters(p);
    }

    // ------------------------------------------------------------------ fuzz

    /// @dev Random heartbeat patterns: the restore succeeds iff each of the last `recoveryProof` epochs up to the
    ///      last heartbeat's has a heartbeat and lies after the report's epoch, and the height is close enough.
    function testFuzz_restore_succeedsIffTheLastEpochsAfterTheReportAreCovered(
        uint256 bitmap,
        uint256 epochsAfter,
        uint256 proof,
        uint256 reportDelay,
        uint256 lag
    ) public {
        proof = bound(proof, 1, 100);
        epochsAfter = bound(epochsAfter, 0, 120);
        lag = bound(lag, 0, 2 * LAG);
        bitmap &= (uint256(1) << 101) - 1;
        IRecoveryManager.Parameters memory p = _defaultParams();
        p.recoveryProof = uint16(proof);
        vm.prank(timelock);
        rm.setParameters(p);
        vm.warp(T0 + bound(reportDelay, 0, 1 days));
        _report(true);
        uint256 reportEpoch = block.timestamp / EPOCH;
        _heartbeats(block.timestamp, epochsAfter, bitmap, uint64(BEST - lag));
        uint256 lastEpoch = block.timestamp / EPOCH;

        bool covered = true;
        for (uint256 i = 0; i < proof; ++i) {
            // Bit 0 always reads 1 (the last heartbeat's own epoch).
            bool beat = i == 0 || (bitmap >> i) & 1 == 1;
            if (!beat || lastEpoch - i <= reportEpoch) {
                covered = false;
                break;
            }
        }
        bool close = lag <= LAG;
        if (covered && close) {
            rm.restore(ID, 0);
            assertEq(rm.restorationOf(ID).validator, validator);
            assertEq(stake.lastReleased(), validator);
        } else {
            vm.expectPartialRevert(
                covered
                    ? IRecoveryManager.RecoveryManagerHeightLagging.selector
                    : IRecoveryManager.RecoveryManagerRecoveryNotProven.selector
            );
            rm.restore(ID, 0);
            assertEq(stake.releaseCalls(), 0);
        }
    }
}

contract RecoveryManagerInvariantTest is RecoveryManagerFixture {
    RecoveryHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new RecoveryHandler(rm, set, validator, guardian, operator, timelock);
        targetContract(address(handler));
    }

    /// @notice A pause never lasts longer than the maxPauseDuration in force when it started.
    function invariant_pauseNeverOutlivesMax() public view {
        assertEq(handler.pauseTooLong(), 0);
        (uint64 start, uint64 end) = rm.lastPause();
        if (start != 0) assertLe(end - start, 7 days);
    }

    /// @notice Two pauses are always at least the cooldown (in force at the second) apart.
    function invariant_pausesRespectCooldown() public view {
        assertEq(handler.cooldownBroken(), 0);
    }

    /// @notice The set's pause end always equals the manager's record of it.
    function invariant_pauseEndMatchesSet() public view {
        (, uint64 end) = rm.lastPause();
        assertEq(set.pausedUntil(), end);
    }

    /// @notice An action is reported at most once, and a reported action's status never changes again.
    function invariant_actionReportedAtMostOnce() public view {
        uint256 n = rm.actionCount();
        assertEq(n, handler.actionsCreated());
        for (uint256 id = 1; id <= n; ++id) {
            assertLe(handler.reports(id), 1);
            IRecoveryManager.Action memory a = rm.action(id);
            if (handler.reports(id) == 1) {
                assertTrue(
                    a.status == IRecoveryManager.ActionStatus.Succeeded ||
                        a.status == IRecoveryManager.ActionStatus.Failed
                );
                assertEq(a.reportedAt, handler.reportedAt(id));
            }
        }
    }
}

/// @dev Drives a RecoveryManager with random pauses, unpauses, parameter changes, resync requests, reports and
///      escalations, and keeps ghost values computed independently of the manager: the effective end of the
///      last pause, and how many times each action was successfully reported.
contract RecoveryHandler is CommonBase, StdUtils {
    RecoveryManager internal immutable rm;
    MockValidatorSet internal immutable set;
    address internal immutable validator;
    address internal immutable guardian;
    address internal immutable operator;
    address internal immutable timelock;

    uint256 public time;
    uint256 public actionsCreated;
    mapping(uint256 actionId => uint256) public reports;
    mapping(uint256 actionId => uint256) public reportedAt;

    bool public paused;
    uint256 public ghostPauseEnd;
    uint256 public pauseCount;
    uint256 public pauseTooLong;
    uint256 public cooldownBroken;

    constructor(
        RecoveryManager rm_,
        MockValidatorSet set_,
        address validator_,
        address guardian_,
        address operator_,
        address timelock_
    ) {
        rm = rm_;
        set = set_;
        validator = validator_;
        guardian = guardian_;
        operator = operator_;
        timelock = timelock_;
        time = block.timestamp;
    }

    function _advance(uint256 by) internal {
        time += bound(by, 0, 3 days);
        vm.warp(time);
    }

    function pause(uint64 duration, uint256 warpBy) external {
        _advance(warpBy);
        _pause(uint64(bound(duration, 1, 8 days)));
    }

    /// @dev Aims at the edges: a pause attempted within an hour of the cooldown's end, lasting within an hour of
    ///      the maximum.
    function pauseAtEdges(uint256 timeOffset, uint256 durationOffset) external {
        IRecoveryManager.Parameters memory p = rm.parameters();
        uint256 target = ghostPauseEnd + p.pauseCooldown + bound(timeOffset, 0, 2 hours);
        if (target > time + 1 hours) {
            time = target - 1 hours;
            vm.warp(time);
        }
        _pause(uint64(p.maxPauseDuration - 1 hours + bound(durationOffset, 0, 2 hours)));
    }

    function _pause(uint64 duration) internal {
        IRecoveryManager.Parameters memory p = rm.parameters();
        vm.prank(guardian);
        try rm.pause(duration) {
            ++actionsCreated;
            if (duration > p.maxPauseDuration) ++pauseTooLong;
            if (pauseCount > 0 && time < ghostPauseEnd + p.pauseCooldown) ++cooldownBroken;
            ++pauseCount;
            ghostPauseEnd = time + duration;
        } catch {}
    }

    function unpause(uint256 warpBy) external {
        _advance(warpBy);
        vm.prank(guardian);
        try rm.unpause() {
            ++actionsCreated;
            if (time < ghostPauseEnd) ghostPauseEnd = time;
        } catch {}
    }

    function setParameters(uint32 timeout, uint32 delay, uint32 maxPause, uint32 cooldown) external {
        maxPause = uint32(bound(maxPause, 1 hours, 7 days));
        IRecoveryManager.Parameters memory p = IRecoveryManager.Parameters({
            reportTimeout: uint32(bound(timeout, 5 minutes, 7 days)),
            rotationDelay: uint32(bound(delay, 1 hours, 7 days)),
            maxPauseDuration: maxPause,
            pauseCooldown: uint32(bound(cooldown, maxPause, 30 days)),
            recoveryProof: 3
        });
        vm.prank(timelock);
        rm.setParameters(p);
    }

    function requestResync(uint256 warpBy) external {
        _advance(warpBy);
        vm.prank(guardian);
        rm.requestResync(validator, 7);
        ++actionsCreated;
    }

    function report(uint256 idSeed, bool ok, uint256 warpBy) external {
        _advance(warpBy);
        uint256 n = rm.actionCount();
        if (n == 0) return;
        uint256 id = bound(idSeed, 1, n);
        vm.prank(operator);
        try rm.reportRemediation(id, ok, keccak256(abi.encode(idSeed))) {
            ++reports[id];
            reportedAt[id] = time;
        } catch {}
    }

    function escalate(uint256 idSeed, uint256 warpBy) external {
        _advance(warpBy);
        uint256 n = rm.actionCount();
        if (n == 0) return;
        uint256 id = bound(idSeed, 1, n);
        try rm.escalate(id) {} catch {}
    }
}
