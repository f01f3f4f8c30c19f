// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ValidatorHeap
/// @notice An indexed binary max-heap of (validator, key) pairs, for the backup pool ranked by bonded stake plus
///         delegated votes (the key is computed by the set; see IValidatorSet).
///         Every operation is O(log n): no function loops over the whole heap.
/// @dev Node layout (one slot per node):
///      | bits 255..160: key (uint96) | bits 159..0: validator (address) |
///      Nodes are compared as whole words, so equal keys are ordered by address (the higher address wins):
///      the order is total and deterministic. Keys above `type(uint96).max` are stored saturated
///      (2^96 wei is ~7.9e10 tokens of 18 decimals, far above any real stake).
///      `positions[v]` is v's 1-based index in `nodes` (0 = absent).
library ValidatorHeap {
    /// @notice The heap's storage.
    struct Heap {
        uint256[] nodes;
        mapping(address validator => uint256 position) positions;
    }

    /// @notice The validator is already in the heap.
    error ValidatorHeapAlreadyPresent(address validator);
    /// @notice The validator is not in the heap.
    error ValidatorHeapAbsent(address validator);
    /// @notice The heap is empty.
    error ValidatorHeapEmpty();
    /// @notice The zero address cannot be stored.
    error ValidatorHeapZeroAddress();
    /// @notice The index is past the end of the heap.
    error ValidatorHeapIndexOutOfBounds(uint256 index, uint256 size);

    uint256 private constant ADDRESS_MASK = (1 << 160) - 1;

    /// @notice Inserts `validator` with `key` (saturated at 2^96 - 1).
    function insert(Heap storage heap, address validator, uint256 key) internal {
        if (validator == address(0)) revert ValidatorHeapZeroAddress();
        if (heap.positions[validator] != 0) revert ValidatorHeapAlreadyPresent(validator);
        uint256 node = _pack(validator, key);
        heap.nodes.push(node);
        uint256 position = heap.nodes.length;
        heap.positions[validator] = position;
        _siftUp(heap, position, node);
    }

    /// @notice Changes the key of `validator`, which must be in the heap.
    function update(Heap storage heap, address validator, uint256 key) internal {
        uint256 position = heap.positions[validator];
        if (position == 0) revert ValidatorHeapAbsent(validator);
        uint256 node = _pack(validator, key);
        uint256 old = heap.nodes[position - 1];
        if (node > old) {
            _siftUp(heap, position, node);
        } else if (node < old) {
            _siftDown(heap, position, node);
        }
    }

    /// @notice Removes `validator`, which must be in the heap.
    function remove(Heap storage heap, address validator) internal {
        uint256 position = heap.positions[validator];
        if (position == 0) revert ValidatorHeapAbsent(validator);
        _removeAt(heap, position);
    }

    /// @notice Removes and returns the top (the highest key).
    function pop(Heap storage heap) internal returns (address validator, uint256 key) {
        if (heap.nodes.length == 0) revert ValidatorHeapEmpty();
        (validator, key) = _unpack(heap.nodes[0]);
        _removeAt(heap, 1);
    }

    /// @notice The top (the highest key) without removing it.
    function top(Heap storage heap) internal view returns (address validator, uint256 key) {
        if (heap.nodes.length == 0) revert ValidatorHeapEmpty();
        return _unpack(heap.nodes[0]);
    }

    /// @notice Whether `validator` is in the heap.
    function contains(Heap storage heap, address validator) internal view returns (bool) {
        return heap.positions[validator] != 0;
    }

    /// @notice Number of nodes.
    function size(Heap storage heap) internal view returns (uint256) {
        return heap.nodes.length;
    }

    /// @notice The node at 0-based `index`, in heap order (index 0 is the top).
    function at(Heap storage heap, uint256 index) internal view returns (address validator, uint256 key) {
        uint256 length = heap.nodes.length;
        if (index >= length) revert ValidatorHeapIndexOutOfBounds(index, length);
        return _unpack(heap.nodes[index]);
    }

    /// @notice The key of `validator` (0 if absent).
    function keyOf(Heap storage heap, address validator) internal view returns (uint256) {
        uint256 position = heap.positions[validator];
        if (position == 0) return 0;
        return heap.nodes[position - 1] >> 160;
    }

    /// @dev Removes the node at 1-based `position` by moving the last node into its place.
    function _removeAt(Heap storage heap, uint256 position) private {
        uint256 last = heap.nodes.length;
        uint256 removed = heap.nodes[position - 1];
        delete heap.positions[address(uint160(removed & ADDRESS_MASK))];
        uint256 moved = heap.nodes[last - 1];
        heap.nodes.pop();
        if (position == last) return;
        heap.positions[address(uint160(moved & ADDRESS_MASK))] = position;
        if (moved > removed) {
            _siftUp(heap, position, moved);
        } else {
            _siftDown(heap, position, moved);
        }
    }

    /// @dev Moves `node` up from 1-based `position` until its parent is larger; writes it and its position.
    function _siftUp(Heap storage heap, uint256 position, uint256 node) private {
        // bounded: O(log n) heap sift, the position at least halves each step
        while (position > 1) {
            uint256 parentPosition = position >> 1;
            uint256 parent = heap.nodes[parentPosition - 1];
            if (parent >= node) break;
            heap.nodes[position - 1] = parent;
            heap.positions[address(uint160(parent & ADDRESS_MASK))] = position;
            position = parentPosition;
        }
        heap.nodes[position - 1] = node;
        heap.positions[address(uint160(node & ADDRESS_MASK))] = position;
    }

    /// @dev Moves `node` down from 1-based `position` until both children are smaller.
    function _siftDown(Heap storage heap, uint256 position, uint256 node) private {
        uint256 length = heap.nodes.length;
        // bounded: O(log n) heap sift, the position at least doubles each step
        while (true) {
            uint256 childPosition = position << 1;
            if (childPosition > length) break;
            uint256 child = heap.nodes[childPosition - 1];
            if (childPosition < length) {
                uint256 right = heap.nodes[childPosition];
                if (right > child) {
                    child = right;
                    // Cannot overflow: childPosition < length, a storage array length.
                    unchecked {
                        ++childPosition;
                    }
                }
            }
            if (node >= child) break;
            heap.nodes[position - 1] = child;
            heap.positions[address(uint160(child & ADDRESS_MASK))] = position;
            position = childPosition;
        }
        heap.nodes[position - 1] = node;
        heap.positions[address(uint160(node & ADDRESS_MASK))] = position;
    }

    function _pack(address validator, uint256 key) private pure returns (uint256) {
        if (key > type(uint96).max) key = type(uint96).max;
        return (key << 160) | uint256(uint160(validator));
    }

    function _unpack(uint256 node) private pure returns (address validator, uint256 key) {
        return (address(uint160(node & ADDRESS_MASK)), node >> 160);
    }
}
