// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {RecoveryManager} from "../../contracts/recovery/RecoveryManager.sol";
import {IRecoveryManager} from "../../contracts/interfaces/IRecoveryManager.sol";
import {IValidatorSet} from "../../contracts/interfaces/IValidatorSet.sol";
import {IStakeManager} from "../../contracts/interfaces/IStakeManager.sol";
import {INodeHealth} from "../../contracts/interfaces/INodeHealth.sol";
import {ISnapshotRegistry} from "../../contracts/interfaces/ISnapshotRegistry.sol";
import {IAuditLog} from "../../contracts/interfaces/IAuditLog.sol";
import {MockValidatorSet} from "../../contracts/mocks/MockValidatorSet.sol";
import {RmMockStakeManager} from "../../contracts/mocks/RmMockStakeManager.sol";
import {RmMockNodeHealth} from "../../contracts/mocks/RmMockNodeHealth.sol";
import {RmMockSnapshotRegistry} from "../../contracts/mocks/RmMockSnapshotRegistry.sol";
import {MockAuditLog} from "../../contracts/mocks/MockAuditLog.sol";

/// @dev Drives the automatic unjail: time moves epoch by epoch with each validator heartbeating or not (the
///      NodeHealth mock gets the record a real NodeHealth would keep: last heartbeat, uptime bitmap shifted per
///      epoch, Live only in an epoch with a heartbeat), incidents jail validators, the operator reports them ok
///      or not, validators unjail themselves once their jail is over, and a keeper calls `restore` at random.
///      The ghost decides independently of the manager whether each restore is allowed.
contract RestoreHandler is CommonBase, StdUtils {
    uint256 internal constant EPOCH = 30; // RmMockNodeHealth's epoch length (genesis 0)
    uint32 internal constant JAIL = 600;
    uint64 internal constant BEST = 10_000;
    uint256 internal constant PROOF = 3;

    RecoveryManager internal immutable rm;
    MockValidatorSet internal immutable set;
    RmMockStakeManager internal immutable stake;
    RmMockNodeHealth internal immutable health;
    address internal immutable operator;
    address internal immutable keeper;
    address[] internal validators;

    struct Beats {
        uint256 lastEpoch;
        uint256 bitmap;
    }

    struct Jail {
        bool jailed;
        uint256 until;
    }

    struct IncidentGhost {
        address validator;
        uint256 jailedAt;
        uint256 faultAt;
        uint256 reportedAt;
        bool reportOk;
        uint256 restores;
        uint256 restoredAt;
        bool stall; // a stall is jailed only when escalated (jailedAt = resolvedAt), possibly after its report
    }

    /// @dev Each counts calls where the manager disagreed with the ghost.
    struct Failures {
        uint256 unprovenRestores; // succeeded although the ghost says it must not
        uint256 refusedRestores; // reverted although the ghost says it is proven
        uint256 stillJailedAfterRestore;
        uint256 activatedByRestore;
        uint256 releaseMismatches;
    }

    mapping(address v => mapping(uint256 epoch => bool)) public beatIn;
    mapping(address v => Beats) internal _beats;
    mapping(address v => Jail) internal _jails;
    mapping(uint256 id => IncidentGhost) internal _incidents;
    uint256 public incidentCount;
    uint256 public totalRestores;
    Failures public failures;

    constructor(
        RecoveryManager rm_,
        MockValidatorSet set_,
        RmMockStakeManager stake_,
        RmMockNodeHealth health_,
        address operator_,
        address keeper_,
        address[] memory validators_
    ) {
        rm = rm_;
        set = set_;
        stake = stake_;
        health = health_;
        operator = operator_;
        keeper = keeper_;
        validators = validators_;
    }

    function _epoch() internal view returns (uint256) {
        return block.timestamp / EPOCH;
    }

    // ---- time and heartbeats ----

    /// @dev Moves to the start (+1 s) of an epoch 1 or 2 epochs ahead; each validator heartbeats there unless
    ///      both of its two bits in `skipMask` are set (a heartbeat in 3 of 4 epochs).
    function tick(uint256 skipMask, uint256 epochs) external {
        uint256 e = _epoch() + bound(epochs, 1, 2);
        vm.warp(e * EPOCH + 1);
        for (uint256 i = 0; i < validators.length; ++i) {
            address v = validators[i];
            if ((skipMask >> (2 * i)) & 3 == 3) {
                // Missed: no longer Live (Late in the next epoch, then Overdue).
                health.setLiveness(v, INodeHealth.Liveness.Overdue);
                continue;
            }
            uint256 last = _beats[v].lastEpoch;
            uint256 shift = e - last;
            _beats[v].bitmap = (last == 0 || shift >= 256 ? 0 : _beats[v].bitmap << shift) | 1;
            _beats[v].lastEpoch = e;
            beatIn[v][e] = true;
            INodeHealth.HeartbeatRecord memory r;
            r.timestamp = uint64(block.timestamp);
            r.blockHeight = BEST;
            r.uptimeBitmap = _beats[v].bitmap;
            health.setRecord(v, r);
            health.setLiveness(v, INodeHealth.Liveness.Live);
        }
    }

    /// @dev Time moves inside the current epoch (nothing else changes).
    function warpWithin(uint256 secondsAhead) external {
        uint256 end = (_epoch() + 1) * EPOCH - 1;
        vm.warp(block.timestamp + bound(secondsAhead, 0, end - block.timestamp));
    }

    // ---- incidents ----

    function jail(uint256 vSeed, uint256 faultDelay) external {
        address v = validators[vSeed % validators.length];
        uint256 id = ++incidentCount;
        IValidatorSet.Incident memory inc;
        inc.validator = v;
        inc.kind = IValidatorSet.IncidentKind.Downtime;
        inc.faultAt = uint64(block.timestamp - bound(faultDelay, 0, 600));
        inc.detectedAt = uint64(block.timestamp);
        set.setIncident(id, inc);
        stake.setJailed(v, true);
        stake.setJailedUntil(v, uint64(block.timestamp + JAIL));
        set.setStatus(v, IValidatorSet.Status.Jailed);
        _incidents[id].validator = v;
        _incidents[id].jailedAt = block.timestamp;
        _incidents[id].faultAt = inc.faultAt;
        _jails[v].jailed = true;
        _jails[v].until = block.timestamp + JAIL;
    }

    /// @dev A stall opens without a jail; the report may come before the jail (escalateStall).
    function stall(uint256 vSeed, uint256 faultDelay) external {
        address v = validators[vSeed % validators.length];
        uint256 id = ++incidentCount;
        IValidatorSet.Incident memory inc;
        inc.validator = v;
        inc.kind = IValidatorSet.IncidentKind.Stall;
        inc.faultAt = uint64(block.timestamp - bound(faultDelay, 0, 600));
        inc.detectedAt = uint64(block.timestamp);
        set.setIncident(id, inc);
        _incidents[id].validator = v;
        _incidents[id].faultAt = inc.faultAt;
        _incidents[id].stall = true;
    }

    /// @dev The stall's remediation is escalated: the incident closes (resolvedAt) and the validator is jailed.
    function escalateStall(uint256 idSeed) external {
        if (incidentCount == 0) return;
        uint256 id = _pick(idSeed);
        IncidentGhost storage g = _incidents[id];
        if (!g.stall || g.jailedAt != 0) return;
        IValidatorSet.Incident memory inc = set.incident(id);
        inc.resolvedAt = uint64(block.timestamp);
        set.setIncident(id, inc);
        stake.setJailed(g.validator, true);
        stake.setJailedUntil(g.validator, uint64(block.timestamp + JAIL));
        set.setStatus(g.validator, IValidatorSet.Status.Jailed);
        g.jailedAt = block.timestamp;
        _jails[g.validator].jailed = true;
        _jails[g.validator].until = block.timestamp + JAIL;
    }

    function report(uint256 idSeed, uint256 okSeed) external {
        if (incidentCount == 0) return;
        uint256 id = _pick(idSeed);
        bool ok = okSeed % 4 != 0;
        vm.prank(operator);
        try rm.reportIncidentRemediation(id, ok, keccak256(abi.encode(idSeed))) {
            _incidents[id].reportedAt = block.timestamp;
            _incidents[id].reportOk = ok;
        } catch {}
    }

    /// @dev The validator's own unjail once the jail is over (the set's backup heap takes it back).
    function unjailSelf(uint256 vSeed) external {
        address v = validators[vSeed % validators.length];
        if (!_jails[v].jailed || block.timestamp < _jails[v].until) return;
        stake.setJailed(v, false);
        set.setStatus(v, IValidatorSet.Status.Backup);
        _jails[v].jailed = false;
    }

    // ---- keeper ----

    function restore(uint256 idSeed) external {
        if (incidentCount == 0) return;
        uint256 id = _pick(idSeed);
        address v = _incidents[id].validator;
        bool proven = _proven(id);
        uint256 releasesBefore = stake.releaseCalls();
        vm.prank(keeper);
        try rm.restore(id, 0) {
            ++_incidents[id].restores;
            ++totalRestores;
            _incidents[id].restoredAt = block.timestamp;
            if (!proven) ++failures.unprovenRestores;
            if (stake.isJailed(v)) ++failures.stillJailedAfterRestore;
            if (set.isActive(v) || set.statusOf(v) == IValidatorSet.Status.Active)
                ++failures.activatedByRestore;
            if (stake.releaseCalls() != releasesBefore + 1 || stake.lastReleased() != v)
                ++failures.releaseMismatches;
            _jails[v].jailed = false;
        } catch {
            if (proven) ++failures.refusedRestores;
            if (stake.releaseCalls() != releasesBefore) ++failures.releaseMismatches;
        }
    }

    /// @dev One of the two latest incidents half of the time (so report, jail, proof and restore line up on
    ///      one incident within a run), else any.
    function _pick(uint256 idSeed) internal view returns (uint256) {
        if (idSeed % 2 == 0) return incidentCount > 1 ? incidentCount - ((idSeed >> 1) % 2) : 1;
        return bound(idSeed >> 1, 1, incidentCount);
    }

    /// @dev Not yet restored; an ok report; jailed by this incident's jail; Live (a heartbeat this epoch); and a
    ///      heartbeat in each of the last PROOF epochs up to the last heartbeat's, all after the epoch of the
    ///      later of the report and the jail.
    function _proven(uint256 id) internal view returns (bool) {
        address v = _incidents[id].validator;
        if (_incidents[id].restores != 0 || _incidents[id].reportedAt == 0 || !_incidents[id].reportOk)
            return false;
        if (_incidents[id].jailedAt == 0) return false; // a stall not escalated (never jailed)
        if (!_jails[v].jailed || _jails[v].until != _incidents[id].jailedAt + JAIL) return false;
        uint256 last = _beats[v].lastEpoch;
        if (last != _epoch()) return false;
        uint256 from =
            _incidents[id].reportedAt > _incidents[id].jailedAt
                ? _incidents[id].reportedAt
                : _incidents[id].jailedAt;
        uint256 fromEpoch = from / EPOCH;
        for (uint256 i = 0; i < PROOF; ++i) {
            if (last - i <= fromEpoch || !beatIn[v][last - i]) return false;
        }
        return true;
    }

    function incidentOf(uint256 id) external view returns (IncidentGhost memory) {
        return _incidents[id];
    }
}

/// @dev Invariants of the automatic unjail (`restore`) over random heartbeats, jails, reports and restores.
contract RecoveryManagerRestoreInvariantTest is Test {
    uint256 internal constant T0 = 1_700_000_000;
    uint32 internal constant JAIL = 600;
    uint64 internal constant BEST = 10_000;
    uint32 internal constant LAG = 50;
    uint256 internal constant VALIDATORS = 3;

    RecoveryManager internal rm;
    MockValidatorSet internal set;
    RmMockStakeManager internal stake;
    RmMockNodeHealth internal health;
    RestoreHandler internal handler;

    function setUp() public {
        vm.warp(T0);
        set = MockValidatorSet(deployCode("MockValidatorSet.sol:MockValidatorSet"));
        stake = RmMockStakeManager(deployCode("RmMockStakeManager.sol:RmMockStakeManager"));
        health = RmMockNodeHealth(deployCode("RmMockNodeHealth.sol:RmMockNodeHealth"));
        RmMockSnapshotRegistry snaps = RmMockSnapshotRegistry(
            deployCode("RmMockSnapshotRegistry.sol:RmMockSnapshotRegistry")
        );
        MockAuditLog audit = MockAuditLog(deployCode("MockAuditLog.sol:MockAuditLog"));
        address admin = makeAddr("admin");
        address operator = makeAddr("operator");
        IRecoveryManager.Parameters memory p = IRecoveryManager.Parameters({
            reportTimeout: 1 hours,
            rotationDelay: 1 days,
            maxPauseDuration: 1 days,
            pauseCooldown: 1 days,
            recoveryProof: 3
        });
        RecoveryManager impl = RecoveryManager(deployCode("RecoveryManager.sol:RecoveryManager"));
        bytes memory init = abi.encodeCall(
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
        );
        rm = RecoveryManager(address(new ERC1967Proxy(address(impl), init)));
        bytes32 operatorRole = rm.OPERATOR_ROLE();
        vm.prank(admin);
        rm.grantRole(operatorRole, operator);
        IValidatorSet.Parameters memory sp;
        sp.jailDuration = JAIL;
        set.setParameters(sp);
        health.setMaxHeightLag(LAG);
        health.setBestHeight(BEST);
        address[] memory vs = new address[](VALIDATORS);
        for (uint256 i = 0; i < VALIDATORS; ++i) {
            vs[i] = makeAddr(string.concat("v", vm.toString(i)));
            set.setStatus(vs[i], IValidatorSet.Status.Backup);
        }
        handler = new RestoreHandler(rm, set, stake, health, operator, makeAddr("keeper"), vs);
        targetContract(address(handler));
    }

    /// @notice A restore only succeeds for an incident with an ok report, still jailed by that incident's jail,
    ///         Live, with a heartbeat in each of the last `recoveryProof` epochs after the later of report and
    ///         jail; and (the other way) such an incident is never refused.
    function invariant_restoreOnlyWhenProven() public view {
        (uint256 unproven, uint256 refused, , , ) = handler.failures();
        assertEq(unproven, 0, "restored without proof");
        assertEq(refused, 0, "proven restore refused");
    }

    /// @notice At most one restore per incident, and the manager's record matches it.
    function invariant_atMostOneRestorePerIncident() public view {
        uint256 n = handler.incidentCount();
        for (uint256 id = 1; id <= n; ++id) {
            RestoreHandler.IncidentGhost memory g = handler.incidentOf(id);
            assertLe(g.restores, 1, "incident restored twice");
            assertEq(rm.restorationOf(id).validator, g.restores == 1 ? g.validator : address(0));
        }
    }

    /// @notice Each restore releases the jail exactly once (release calls = restores) and never activates.
    function invariant_restoreReleasesOnceAndNeverActivates() public view {
        assertEq(stake.releaseCalls(), handler.totalRestores(), "release calls != restores");
        (, , uint256 stillJailed, uint256 activated, uint256 releaseMismatches) = handler.failures();
        assertEq(releaseMismatches, 0, "release not called exactly once per restore");
        assertEq(stillJailed, 0, "restored but still jailed");
        assertEq(activated, 0, "restore made a validator active");
    }

    /// @notice The time to recover recorded is the restore time minus the fault time.
    function invariant_timeToRecoverIsRestoreMinusFault() public view {
        uint256 n = handler.incidentCount();
        for (uint256 id = 1; id <= n; ++id) {
            RestoreHandler.IncidentGhost memory g = handler.incidentOf(id);
            if (g.restores == 0) continue;
            IRecoveryManager.Restoration memory r = rm.restorationOf(id);
            assertEq(r.restoredAt, g.restoredAt);
            assertEq(r.faultAt, g.faultAt);
            assertEq(r.reportedAt, g.reportedAt);
            assertEq(r.timeToRecover, g.restoredAt - g.faultAt);
        }
    }
}
