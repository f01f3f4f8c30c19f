// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SentinelRegistryFixture} from "./handlers/SentinelRegistryFixture.sol";
import {SentinelRegistryHandler} from "./handlers/SentinelRegistryHandler.sol";

/// @dev The served list only ever holds registered sentinels that were live at their last check, holds no id
///      twice, and neither list exceeds the cap; `degraded` matches the served count against the minimum.
contract SentinelRegistryInvariantTest is SentinelRegistryFixture {
    SentinelRegistryHandler internal handler;

    function setUp() public {
        _setUpRegistry(8, 2);
        handler = new SentinelRegistryHandler(registry, health, curator);
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](6);
        selectors[0] = SentinelRegistryHandler.add.selector;
        selectors[1] = SentinelRegistryHandler.remove.selector;
        selectors[2] = SentinelRegistryHandler.beat.selector;
        selectors[3] = SentinelRegistryHandler.pass.selector;
        selectors[4] = SentinelRegistryHandler.check.selector;
        selectors[5] = SentinelRegistryHandler.checkAll.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    function invariant_servedAreRegisteredAndLiveAtTheirLastCheck() public view {
        address[] memory served = registry.servedSentinels();
        for (uint256 i = 0; i < served.length; ++i) {
            assertTrue(registry.isSentinel(served[i]), "served but not registered");
            assertTrue(handler.liveAtLastCheck(served[i]), "served but not live at its last check");
            assertTrue(registry.sentinel(served[i]).served, "served flag out of sync");
            for (uint256 j = i + 1; j < served.length; ++j)
                assertTrue(served[i] != served[j], "served twice");
        }
    }

    function invariant_sizesWithinTheCap() public view {
        uint256 cap = registry.parameters().maxSentinels;
        assertLe(registry.sentinelCount(), cap);
        assertLe(registry.servedCount(), registry.sentinelCount());
        assertLe(cap, registry.MAX_SENTINELS());
    }

    function invariant_degradedMatchesTheMinimum() public view {
        assertEq(registry.degraded(), registry.servedCount() < registry.parameters().minSentinels);
    }
}
