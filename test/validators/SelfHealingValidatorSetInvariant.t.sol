// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IValidatorSet} from "../../contracts/interfaces/IValidatorSet.sol";
import {SetFixture} from "./handlers/SetFixture.sol";
import {Test} from "forge-std/Test.sol";
import {INodeHealth} from "../../contracts/interfaces/INodeHealth.sol";
import {MockNodeHealth} from "../../contracts/mocks/MockNodeHealth.sol";
import {MockStakeManager} from "../../contracts/mocks/MockStakeManager.sol";
import {SelfHealingValidatorSet} from "../../contracts/validators/SelfHealingValidatorSet.sol";

/// @dev Drives the set like the network would: honest validators heartbeat, one is offline, one flaps,
///      a keeper calls everything in random order, and time moves. Ghost checks that need the state just
///      before a call (the promoted backup is the best ready one) are counted here.
contract SetHandler is Test {
    SelfHealingValidatorSet public immutable set;
    MockNodeHealth public immutable health;
    MockStakeManager public immutable stake;
    address[] public validators;
    address public immutable offline;
    address public immutable flapper;

    uint256 public promotionMismatches;
    uint256 public calls;

    constructor(
        SelfHealingValidatorSet set_,
        MockNodeHealth health_,
        MockStakeManager stake_,
        address[] memory vs
    ) {
        set = set_;
        health = health_;
        stake = stake_;
        validators = vs;
        // The two highest stakes, so they start active.
        offline = vs[vs.length - 1];
        flapper = vs[vs.length - 2];
    }

    function validatorCount() external view returns (uint256) {
        return validators.length;
    }

    // ---- actors ----

    /// @dev Every honest validator heartbeats at the current best height (the offline one never does).
    function honestHeartbeats() external {
        ++calls;
        _honestBeat();
    }

    function _honestBeat() internal {
        for (uint256 i = 0; i < validators.length - 2; ++i) health.beat(validators[i], health.bestHeight());
    }

    function flap(bool up) external {
        ++calls;
        if (up) health.beat(flapper, health.bestHeight());
    }

    /// @dev Time moves; honest validators keep heartbeating as it does. Nothing else happens during the
    ///      warp, so only their last heartbeat (now) matters.
    function warp(uint256 secondsAhead) external {
        ++calls;
        uint256 step = bound(secondsAhead, 1, 1_200);
        vm.warp(block.timestamp + step);
        vm.roll(block.number + 1 + step / 12);
        _honestBeat();
    }

    function raiseBestHeight(uint256 by) external {
        ++calls;
        health.setBestHeight(health.bestHeight() + uint64(bound(by, 0, 30)));
    }

    // ---- keeper ----

    function keeperCheck(uint256 seed) external {
        ++calls;
        address[] memory active = set.activeValidators();
        if (active.length == 0) return;
        address v = active[seed % active.length];
        address expected = _expectedPromotion();
        uint256 before = set.incidentCount();
        try set.checkHeartbeat(v) returns (uint256 id) {
            if (id != 0 && id > before) {
                address promoted = set.incident(id).replacement;
                if (promoted != address(0) && promoted != expected) ++promotionMismatches;
            }
        } catch {}
    }

    function keeperExecute(uint256 seed) external {
        ++calls;
        uint256 n = set.incidentCount();
        if (n == 0) return;
        try set.executeSlash((seed % n) + 1) {} catch {}
    }

    function keeperFill() external {
        ++calls;
        try set.fillVacancies(3) {} catch {}
    }

    function keeperEvaluate(uint256 maxChecks) external {
        ++calls;
        try set.evaluateAndRotate(bound(maxChecks, 1, 10)) {} catch {}
    }

    function keeperRefresh(uint256 seed) external {
        ++calls;
        try set.refreshBackup(validators[seed % validators.length]) {} catch {}
    }

    function keeperUpkeep() external {
        ++calls;
        (bool needed, bytes memory data) = set.checkUpkeep("");
        if (needed) {
            try set.performUpkeep(data) {} catch {}
        }
    }

    /// @dev A jailed validator whose jail is over comes back through unjail (as its operator would).
    function unjail(uint256 seed) external {
        ++calls;
        address v = validators[seed % validators.length];
        vm.prank(v);
        try stake.unjail() {} catch {}
    }

    /// @dev The first ready backup in pop order among the first MAX_PARK_PER_PROMOTION + 1 (zero if none).
    function _expectedPromotion() internal view returns (address) {
        uint256 n = set.backupCount();
        address[] memory order = set.backupValidators(0, n);
        // Selection sort by (bonded, address) descending; the heap uses the same order.
        for (uint256 i = 0; i < n && i <= 8; ++i) {
            uint256 best = i;
            for (uint256 j = i + 1; j < n; ++j) if (_before(order[j], order[best])) best = j;
            (order[i], order[best]) = (order[best], order[i]);
            if (_ready(order[i])) return order[i];
        }
        return address(0);
    }

    function _before(address x, address y) internal view returns (bool) {
        uint256 sx = stake.bondedOf(x);
        uint256 sy = stake.bondedOf(y);
        return sx > sy || (sx == sy && x > y);
    }

    function _ready(address b) internal view returns (bool) {
        return
            health.livenessOf(b) == INodeHealth.Liveness.Live &&
            uint256(health.recordOf(b).blockHeight) + health.parameters().maxHeightLag >= health.bestHeight();
    }
}

contract SelfHealingValidatorSetInvariantTest is SetFixture {
    SetHandler internal handler;
    uint256 internal constant N = 12;

    function setUp() public {
        IValidatorSet.Parameters memory p = _defaultParams();
        p.maxActive = 7;
        p.minActive = 4;
        p.appealWindow = 1 hours;
        _deploy(p);
        address[] memory vs = new address[](N);
        for (uint256 i = 0; i < N; ++i)
            vs[i] = _candidate(string.concat("v", vm.toString(i)), (100 + i * 7) * 1 ether);
        set.fillVacancies(7);
        handler = new SetHandler(set, health, stake, vs);
        targetContract(address(handler));
    }

    function invariant_activeAndBackupDisjointWithoutDuplicates() public view {
        address[] memory active = set.activeValidators();
        uint256 nb = set.backupCount();
        address[] memory backups = set.backupValidators(0, nb);
        for (uint256 i = 0; i < active.length; ++i) {
            assertTrue(set.isActive(active[i]));
            assertEq(uint8(set.statusOf(active[i])), uint8(IValidatorSet.Status.Active));
            for (uint256 j = i + 1; j < active.length; ++j)
                assertTrue(active[i] != active[j], "duplicate active");
            for (uint256 j = 0; j < nb; ++j) assertTrue(active[i] != backups[j], "active and backup");
        }
        for (uint256 i = 0; i < nb; ++i) {
            assertEq(uint8(set.statusOf(backups[i])), uint8(IValidatorSet.Status.Backup));
            for (uint256 j = i + 1; j < nb; ++j) assertTrue(backups[i] != backups[j], "duplicate backup");
        }
    }

    function invariant_statusMatchesMembership() public view {
        uint256 active;
        uint256 backups;
        for (uint256 i = 0; i < N; ++i) {
            IValidatorSet.Status s = set.statusOf(handler.validators(i));
            if (s == IValidatorSet.Status.Active) ++active;
            if (s == IValidatorSet.Status.Backup) ++backups;
        }
        assertEq(active, set.activeCount());
        assertEq(backups, set.backupCount());
    }

    function invariant_sizeWithinBounds() public view {
        IValidatorSet.Parameters memory p = set.parameters();
        uint256 count = set.activeCount();
        assertLe(count, p.maxActive);
        assertGe(count, p.minActive, "filled once, never shrinks below the floor");
    }

    function invariant_oneSlashPerFault() public view {
        uint256 n = set.incidentCount();
        for (uint256 id = 1; id <= n; ++id) {
            IValidatorSet.Incident memory inc = set.incident(id);
            assertLe(stake.slashCountOf(id), 1, "incident slashed twice");
            if (inc.slashState == IValidatorSet.SlashState.Executed) assertEq(stake.slashCountOf(id), 1);
            else assertEq(stake.slashCountOf(id), 0);
            if (
                inc.kind != IValidatorSet.IncidentKind.Downtime ||
                inc.slashState != IValidatorSet.SlashState.Pending
            ) {
                continue;
            }
            for (uint256 other = id + 1; other <= n; ++other) {
                IValidatorSet.Incident memory o = set.incident(other);
                bool samePendingFault =
                    o.validator == inc.validator &&
                        o.kind == IValidatorSet.IncidentKind.Downtime &&
                        o.slashState == IValidatorSet.SlashState.Pending &&
                        o.faultAt == inc.faultAt;
                assertFalse(samePendingFault, "two pending downtime incidents for one fault");
            }
        }
    }

    function invariant_promotedBackupIsBestReady() public view {
        assertEq(handler.promotionMismatches(), 0);
    }

    function invariant_noSlashOfHonestValidators() public view {
        uint256 n = stake.slashCount();
        for (uint256 i = 0; i < n; ++i) {
            address v = stake.slashAt(i).validator;
            assertTrue(v == handler.offline() || v == handler.flapper(), "honest validator slashed");
        }
    }
}
