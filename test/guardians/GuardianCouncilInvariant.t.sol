// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {GuardianCouncilFixture} from "./handlers/GuardianCouncilFixture.sol";
import {GuardianCouncilHandler, GuardianCouncilHandlerDeployer} from "./handlers/GuardianCouncilHandler.sol";

/// Invariants of the council under random proposing, approving (on-chain and by signature), vetoing, executing,
/// guardian-set changes and time.
contract GuardianCouncilInvariantTest is GuardianCouncilFixture {
    GuardianCouncilHandler internal handler;

    function setUp() public override {
        super.setUp();
        address[] memory extra = _makeGuardians("candidate", 4);
        address[] memory actors = new address[](N + extra.length);
        uint256[] memory keys = new uint256[](actors.length);
        for (uint256 i = 0; i < actors.length; ++i) {
            actors[i] = i < N ? gs[i] : extra[i - N];
            keys[i] = keyOf[actors[i]];
        }
        handler = GuardianCouncilHandlerDeployer.deploy(council, auditLog, actors, keys);
        targetContract(address(handler));
    }

    function invariant_executedOnlyWithQuorumOfCurrentGuardians() public view {
        assertFalse(handler.executedWithoutQuorum());
    }

    function invariant_executesAtMostOnce() public view {
        assertFalse(handler.executedTwice());
    }

    function invariant_neverBeforeQueuedAtPlusTierDelay() public view {
        assertFalse(handler.executedEarly());
    }

    function invariant_thresholdWithinGuardianCount() public view {
        uint256 n = council.guardians().length;
        assertGe(n, 1);
        assertLe(n, council.MAX_GUARDIANS());
        assertGe(council.threshold(), 1);
        assertLe(council.threshold(), n);
    }

    function invariant_auditHeadEqualsFoldOfEntries() public view {
        assertEq(auditLog.auditHead(), handler.head());
        assertEq(auditLog.auditLength(), handler.entries());
    }
}
