// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {ValidatorHeap} from "../../contracts/libraries/ValidatorHeap.sol";

/// @dev Exposes the library's internal functions (and a full-scan checker, for tests only).
contract ValidatorHeapHarness {
    using ValidatorHeap for ValidatorHeap.Heap;

    ValidatorHeap.Heap internal heap;

    function insert(address v, uint256 key) external {
        heap.insert(v, key);
    }

    function update(address v, uint256 key) external {
        heap.update(v, key);
    }

    function remove(address v) external {
        heap.remove(v);
    }

    function pop() external returns (address v, uint256 key) {
        return heap.pop();
    }

    function top() external view returns (address v, uint256 key) {
        return heap.top();
    }

    function contains(address v) external view returns (bool) {
        return heap.contains(v);
    }

    function size() external view returns (uint256) {
        return heap.size();
    }

    function at(uint256 index) external view returns (address v, uint256 key) {
        return heap.at(index);
    }

    function keyOf(address v) external view returns (uint256) {
        return heap.keyOf(v);
    }

    function position(address v) external view returns (uint256) {
        return heap.positions[v];
    }

    /// @dev Heap property on every node and positions consistent with the array. O(n): tests only.
    function isValid() external view returns (bool) {
        uint256 n = heap.nodes.length;
        for (uint256 i = 0; i < n; ++i) {
            uint256 node = heap.nodes[i];
            if (heap.positions[address(uint160(node))] != i + 1) return false;
            if (i > 0 && heap.nodes[(i - 1) / 2] < node) return false;
        }
        return true;
    }
}

contract ValidatorHeapTest is Test {
    ValidatorHeapHarness internal h;

    address internal constant A = address(0xA);
    address internal constant B = address(0xB);
    address internal constant C = address(0xC);

    function setUp() public {
        h = new ValidatorHeapHarness();
    }

    function test_insert_topIsHighestKey() public {
        h.insert(A, 10);
        h.insert(B, 30);
        h.insert(C, 20);
        (address v, uint256 key) = h.top();
        assertEq(v, B);
        assertEq(key, 30);
        assertEq(h.size(), 3);
        assertTrue(h.contains(A) && h.contains(B) && h.contains(C));
        assertTrue(h.isValid());
    }

    function test_insert_revertsIfPresent() public {
        h.insert(A, 1);
        vm.expectRevert(abi.encodeWithSelector(ValidatorHeap.ValidatorHeapAlreadyPresent.selector, A));
        h.insert(A, 2);
    }

    function test_insert_revertsIfZeroAddress() public {
        vm.expectRevert(ValidatorHeap.ValidatorHeapZeroAddress.selector);
        h.insert(address(0), 1);
    }

    function test_insert_saturatesKey() public {
        h.insert(A, type(uint256).max);
        h.insert(B, uint256(type(uint96).max) + 1);
        assertEq(h.keyOf(A), type(uint96).max);
        assertEq(h.keyOf(B), type(uint96).max);
        // Equal (saturated) keys: the higher address wins.
        (address v, ) = h.top();
        assertEq(v, B);
    }

    function test_insert_tieBrokenByAddress() public {
        h.insert(A, 5);
        h.insert(C, 5);
        h.insert(B, 5);
        (address v, ) = h.pop();
        assertEq(v, C);
        (v, ) = h.pop();
        assertEq(v, B);
        (v, ) = h.pop();
        assertEq(v, A);
    }

    function test_update_movesUpAndDown() public {
        h.insert(A, 10);
        h.insert(B, 20);
        h.insert(C, 30);
        h.update(A, 40);
        (address v, ) = h.top();
        assertEq(v, A);
        h.update(A, 1);
        (v, ) = h.top();
        assertEq(v, C);
        assertEq(h.keyOf(A), 1);
        assertTrue(h.isValid());
    }

    function test_update_sameKeyIsNoop() public {
        h.insert(A, 10);
        h.insert(B, 20);
        h.update(A, 10);
        assertEq(h.position(A), 2);
        assertEq(h.keyOf(A), 10);
    }

    function test_update_revertsIfAbsent() public {
        vm.expectRevert(abi.encodeWithSelector(ValidatorHeap.ValidatorHeapAbsent.selector, A));
        h.update(A, 1);
    }

    function test_remove_keepsHeapValid() public {
        for (uint160 i = 1; i <= 10; ++i) h.insert(address(i), (i * 7) % 11);
        h.remove(address(3));
        assertFalse(h.contains(address(3)));
        assertEq(h.position(address(3)), 0);
        assertEq(h.size(), 9);
        assertTrue(h.isValid());
        h.remove(address(10)); // possibly the last node
        assertEq(h.size(), 8);
        assertTrue(h.isValid());
    }

    function test_remove_lastNode() public {
        h.insert(A, 2);
        h.insert(B, 1);
        h.remove(B);
        assertEq(h.size(), 1);
        assertEq(h.position(A), 1);
    }

    function test_remove_revertsIfAbsent() public {
        vm.expectRevert(abi.encodeWithSelector(ValidatorHeap.ValidatorHeapAbsent.selector, B));
        h.remove(B);
    }

    function test_pop_returnsInDescendingOrder() public {
        h.insert(A, 3);
        h.insert(B, 1);
        h.insert(C, 2);
        (address v, uint256 key) = h.pop();
        assertEq(v, A);
        assertEq(key, 3);
        (v, key) = h.pop();
        assertEq(v, C);
        (v, key) = h.pop();
        assertEq(v, B);
        assertEq(h.size(), 0);
        assertFalse(h.contains(B));
    }

    function test_pop_revertsIfEmpty() public {
        vm.expectRevert(ValidatorHeap.ValidatorHeapEmpty.selector);
        h.pop();
    }

    function test_top_revertsIfEmpty() public {
        vm.expectRevert(ValidatorHeap.ValidatorHeapEmpty.selector);
        h.top();
    }

    function test_at_returnsHeapOrder() public {
        h.insert(A, 1);
        h.insert(B, 2);
        (address v, uint256 key) = h.at(0);
        assertEq(v, B);
        assertEq(key, 2);
        (v, key) = h.at(1);
        assertEq(v, A);
        assertEq(key, 1);
    }

    function test_at_revertsIfOutOfBounds() public {
        h.insert(A, 1);
        vm.expectRevert(abi.encodeWithSelector(ValidatorHeap.ValidatorHeapIndexOutOfBounds.selector, 1, 1));
        h.at(1);
    }

    function test_keyOf_zeroIfAbsent() public view {
        assertEq(h.keyOf(A), 0);
    }

    /// @dev Operations on a random sequence agree with a naive reference (an unsorted array scanned for the max).
    function testFuzz_operations_matchNaiveReference(uint256 seed) public {
        address[] memory refAddr = new address[](64);
        uint256[] memory refKey = new uint256[](64);
        bool[] memory present = new bool[](64);
        uint256 count;
        for (uint256 step = 0; step < 120; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            uint256 op = r % 5;
            uint256 idx = (r >> 8) % 64;
            address v = address(uint160(idx + 1));
            uint256 key = (r >> 16) % 50; // small keys: many ties
            if (op == 0 || op == 1) {
                if (present[idx]) {
                    h.update(v, key);
                } else {
                    h.insert(v, key);
                    present[idx] = true;
                    ++count;
                }
                refAddr[idx] = v;
                refKey[idx] = key;
            } else if (op == 2) {
                if (present[idx]) {
                    h.remove(v);
                    present[idx] = false;
                    --count;
                }
            } else if (op == 3) {
                if (count > 0) {
                    (address best, uint256 bestKey) = _naiveMax(refAddr, refKey, present);
                    (address got, uint256 gotKey) = h.pop();
                    assertEq(got, best, "pop returns the reference max");
                    assertEq(gotKey, bestKey);
                    present[uint160(best) - 1] = false;
                    --count;
                }
            } else if (count > 0) {
                (address best, ) = _naiveMax(refAddr, refKey, present);
                (address got, ) = h.top();
                assertEq(got, best, "top is the reference max");
            }
            assertEq(h.size(), count, "size");
            assertEq(h.contains(v), present[idx], "contains");
        }
        assertTrue(h.isValid(), "heap property and positions");
    }

    function testFuzz_insert_saturatesAboveUint96(uint256 key) public {
        h.insert(A, key);
        assertEq(h.keyOf(A), key > type(uint96).max ? type(uint96).max : key);
    }

    function _naiveMax(
        address[] memory refAddr,
        uint256[] memory refKey,
        bool[] memory present
    ) internal pure returns (address best, uint256 bestKey) {
        for (uint256 i = 0; i < refAddr.length; ++i) {
            if (!present[i]) continue;
            if (best == address(0) || refKey[i] > bestKey || (refKey[i] == bestKey && refAddr[i] > best)) {
                best = refAddr[i];
                bestKey = refKey[i];
            }
        }
    }
}

/// @dev Random inserts, updates, removes and pops, with a ghost copy of the membership.
contract ValidatorHeapHandler is Test {
    ValidatorHeapHarness public immutable h;
    address[] internal members;
    mapping(address => bool) public ghostPresent;
    mapping(address => uint256) public ghostKey;
    uint256 public ghostSize;
    uint256 public popOrderViolations;

    constructor(ValidatorHeapHarness harness) {
        h = harness;
    }

    function insert(uint256 id, uint256 key) external {
        address v = address(uint160(bound(id, 1, 200)));
        key = bound(key, 0, type(uint128).max);
        if (ghostPresent[v]) return;
        h.insert(v, key);
        ghostPresent[v] = true;
        ghostKey[v] = key > type(uint96).max ? type(uint96).max : key;
        members.push(v);
        ++ghostSize;
    }

    function update(uint256 id, uint256 key) external {
        if (members.length == 0) return;
        address v = members[id % members.length];
        key = bound(key, 0, type(uint128).max);
        h.update(v, key);
        ghostKey[v] = key > type(uint96).max ? type(uint96).max : key;
    }

    function remove(uint256 id) external {
        if (members.length == 0) return;
        uint256 i = id % members.length;
        address v = members[i];
        h.remove(v);
        _forget(i, v);
    }

    function pop() external {
        if (members.length == 0) return;
        (address v, uint256 key) = h.pop();
        // The popped node is at least every remaining node.
        if (h.size() > 0) {
            (address next, uint256 nextKey) = h.top();
            if (nextKey > key || (nextKey == key && next > v)) ++popOrderViolations;
        }
        for (uint256 i = 0; i < members.length; ++i) {
            if (members[i] == v) {
                _forget(i, v);
                return;
            }
        }
    }

    function memberCount() external view returns (uint256) {
        return members.length;
    }

    function memberAt(uint256 i) external view returns (address) {
        return members[i];
    }

    function _forget(uint256 i, address v) internal {
        members[i] = members[members.length - 1];
        members.pop();
        ghostPresent[v] = false;
        --ghostSize;
    }
}

contract ValidatorHeapInvariantTest is Test {
    ValidatorHeapHarness internal h;
    ValidatorHeapHandler internal handler;

    function setUp() public {
        h = new ValidatorHeapHarness();
        handler = new ValidatorHeapHandler(h);
        targetContract(address(handler));
    }

    function invariant_heapPropertyAndPositions() public view {
        assertTrue(h.isValid());
    }

    function invariant_sizeMatchesGhost() public view {
        assertEq(h.size(), handler.ghostSize());
        assertEq(h.size(), handler.memberCount());
    }

    function invariant_membersContainedWithTheirKeys() public view {
        uint256 n = handler.memberCount();
        for (uint256 i = 0; i < n; ++i) {
            address v = handler.memberAt(i);
            assertTrue(h.contains(v));
            assertEq(h.keyOf(v), handler.ghostKey(v));
        }
    }

    function invariant_popsInOrder() public view {
        assertEq(handler.popOrderViolations(), 0);
    }
}
