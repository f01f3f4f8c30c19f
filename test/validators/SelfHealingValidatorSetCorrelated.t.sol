// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IValidatorSet} from "../../contracts/interfaces/IValidatorSet.sol";
import {SetFixture} from "./handlers/SetFixture.sol";

/// @dev Correlated outages with heartbeats staggered across the interval (the normal case): the victims
///      become overdue one by one, and keepers check each as soon as it is overdue.
/// hardhat-config: fuzz.runs = 64
contract SelfHealingValidatorSetCorrelatedTest is SetFixture {
    uint256 internal constant ACTIVE = 10;
    uint256 internal constant BACKUPS = 4;
    uint256 internal constant VICTIMS = 4; // 40% of the active set, over the 33% threshold

    address[] internal v; // v0..v9 active, v10..v13 backups
    mapping(address validator => bool) internal down;
    mapping(address validator => uint256) internal phase; // heartbeat offset in the 30 s interval
    mapping(address validator => uint256) internal lag; // keeper lag after the overdue point

    function setUp() public {
        IValidatorSet.Parameters memory p = _defaultParams();
        p.maxActive = uint16(ACTIVE);
        p.minActive = 4;
        _deploy(p);
        v = _fill(ACTIVE + BACKUPS);
        assertEq(set.activeCount(), ACTIVE);
    }

    /// @dev Runs the clock one second at a time for `seconds_`: every validator that is not down heartbeats
    ///      every 30 s at its own offset (3 s apart), and the keeper checks every overdue active validator.
    function _run(uint256 seconds_) internal {
        for (uint256 s = 0; s < seconds_; ++s) {
            vm.warp(block.timestamp + 1);
            vm.roll(block.number + 1);
            for (uint256 i = 0; i < v.length; ++i) {
                uint256 offset = phase[v[i]] == 0 ? 3 * i : phase[v[i]];
                if (!down[v[i]] && (block.timestamp + offset) % 30 == 0) health.beat(v[i], HEIGHT);
            }
            address[] memory active = set.activeValidators();
            for (uint256 i = 0; i < active.length; ++i) {
                if (block.timestamp > set.overdueAt(active[i]) + lag[active[i]]) {
                    vm.prank(keeper);
                    set.checkHeartbeat(active[i]);
                }
            }
        }
    }

    /// @dev Staggered heartbeats, then `VICTIMS` active validators (spread over the offsets) stop at once.
    function _outage() internal {
        _run(95);
        for (uint256 i = 0; i < VICTIMS; ++i) down[v[2 * i]] = true; // offsets 0, 6, 12, 18 s
        _run(120);
    }

    function test_checkHeartbeat_staggeredCorrelatedOutageSlashesNobody() public {
        _outage();
        assertTrue(set.degradedSince() != 0, "degraded by the correlated outage");
        // Every downtime incident opened before the outage was recognised has no executable slash.
        uint256 n = set.incidentCount();
        for (uint256 id = 1; id <= n; ++id) {
            assertTrue(
                set.incident(id).slashState != IValidatorSet.SlashState.Pending,
                "no pending downtime slash"
            );
        }
        vm.warp(block.timestamp + 2 days);
        for (uint256 id = 1; id <= n; ++id) {
            vm.expectRevert();
            set.executeSlash(id);
        }
        assertEq(stake.slashCount(), 0, "nobody slashed");
    }

    function test_checkHeartbeat_staggeredOutageLeavesEarlyVictimsJailedNotSlashed() public {
        _outage();
        uint256 n = set.incidentCount();
        assertGt(n, 0, "early victims were detected as lone faults");
        for (uint256 id = 1; id <= n; ++id) {
            IValidatorSet.Incident memory inc = set.incident(id);
            assertTrue(down[inc.validator], "only victims");
            assertEq(uint8(inc.slashState), uint8(IValidatorSet.SlashState.Cancelled));
            assertEq(uint8(set.statusOf(inc.validator)), uint8(IValidatorSet.Status.Jailed));
        }
        assertEq(set.activeCount(), ACTIVE, "replaced one for one");
    }

    function test_refreshHealth_recoversWhenVictimsReturn() public {
        _outage();
        uint256 since = set.degradedSince();
        assertTrue(since != 0);
        for (uint256 i = 0; i < VICTIMS; ++i) {
            down[v[2 * i]] = false;
            health.beat(v[2 * i], HEIGHT);
        }
        vm.expectEmit(address(set));
        emit IValidatorSet.SetRecovered(block.timestamp - since);
        assertFalse(set.refreshHealth());
        assertEq(set.degradedSince(), 0);
        // Nothing more to do: a second call changes nothing.
        vm.recordLogs();
        assertFalse(set.refreshHealth());
        assertEq(vm.getRecordedLogs().length, 0);
    }

    function test_refreshHealth_staysDegradedWhileOutageLasts() public {
        _outage();
        vm.warp(block.timestamp + 1 hours);
        _beatAll();
        for (uint256 i = 0; i < VICTIMS; ++i) health.setHeartbeat(v[2 * i], uint64(T0), HEIGHT);
        assertTrue(set.refreshHealth());
        assertTrue(set.degradedSince() != 0);
    }

    function test_checkHeartbeat_victimStillDownAfterRecoveryIsReplacedWithoutSlash() public {
        _outage();
        // All victims but one come back; the last one stays down past the recovery.
        uint256 stillDown = type(uint256).max;
        for (uint256 i = 0; i < VICTIMS; ++i) {
            address x = v[2 * i];
            if (set.isActive(x) && stillDown == type(uint256).max) {
                stillDown = 2 * i;
                continue;
            }
            down[x] = false;
            health.beat(x, HEIGHT);
        }
        assertTrue(stillDown != type(uint256).max, "a victim is still active");
        assertFalse(set.refreshHealth(), "recovered: 1 of 10 silent");
        uint256 id = set.checkHeartbeat(v[stillDown]);
        assertGt(id, 0);
        IValidatorSet.Incident memory inc = set.incident(id);
        assertEq(uint8(inc.slashState), uint8(IValidatorSet.SlashState.None), "fault began in the outage");
        assertFalse(set.isActive(v[stillDown]), "replaced: liveness first");
        assertEq(stake.slashCount(), 0);
    }

    function test_checkHeartbeat_loneFaultAfterOutageWindowIsStillSlashed() public {
        _outage();
        for (uint256 i = 0; i < VICTIMS; ++i) {
            down[v[2 * i]] = false;
            health.beat(v[2 * i], HEIGHT);
        }
        assertFalse(set.refreshHealth());
        _run(300);
        address lone = set.activeValidators()[1];
        down[lone] = true;
        uint256 before = set.incidentCount();
        _run(90);
        assertEq(set.incidentCount(), before + 1, "lone fault detected");
        IValidatorSet.Incident memory inc = set.incident(before + 1);
        assertEq(inc.validator, lone);
        assertEq(uint8(inc.slashState), uint8(IValidatorSet.SlashState.Pending), "a lone fault is slashed");
    }

    function test_checkHeartbeat_staggeredLoneFaultsBelowThresholdAreSlashed() public {
        _run(95);
        down[v[0]] = true;
        down[v[4]] = true; // 2 of 10 = 20%, under 33%
        _run(120);
        assertEq(set.degradedSince(), 0);
        assertEq(set.incidentCount(), 2);
        assertEq(uint8(set.incident(1).slashState), uint8(IValidatorSet.SlashState.Pending));
        assertEq(uint8(set.incident(2).slashState), uint8(IValidatorSet.SlashState.Pending));
    }

    /// @dev Random heartbeat phases, random keeper lags (up to one grace period) and 4..6 of 10 validators
    ///      down at once (over 33%, also past the point where backups run out): nobody is slashed, ever.
    function testFuzz_checkHeartbeat_staggeredCorrelatedOutageSlashesNobody(
        uint256 seed,
        uint8 victims
    ) public {
        victims = uint8(bound(victims, 4, 6));
        for (uint256 i = 0; i < v.length; ++i) {
            phase[v[i]] = 1 + (uint256(keccak256(abi.encode(seed, i))) % 30);
            lag[v[i]] = uint256(keccak256(abi.encode(seed, i, "lag"))) % 31;
        }
        _run(95);
        for (uint256 i = 0; i < victims; ++i) down[v[i]] = true;
        _run(150);
        assertTrue(set.degradedSince() != 0, "degraded");
        uint256 n = set.incidentCount();
        for (uint256 id = 1; id <= n; ++id) {
            IValidatorSet.Incident memory inc = set.incident(id);
            assertTrue(down[inc.validator], "only victims");
            assertTrue(inc.slashState != IValidatorSet.SlashState.Pending, "no pending slash");
        }
        assertEq(stake.slashCount(), 0, "nobody slashed");
    }
}
