// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

/// @title SparseMerkle
/// @notice A fixed-depth sparse Merkle tree whose empty subtrees hash to zero at every level:
///         `node(l, r) = (l == 0 && r == 0) ? 0 : keccak256(l ‖ r)`, so the empty tree's root is zero and a proof
///         of a leaf in a sparse tree is mostly zero words (4 gas per calldata byte instead of 16).
/// @dev A non-empty leaf is a keccak256 output, so it is zero only with negligible probability; a zero node
///      therefore means "nothing below". Leaf `index` sits at the path given by its bits, leaf level first: bit
///      `k` of `index` says whether the node at level `k` is a right child. A proof lists the siblings from
///      the leaf level up, exactly `depth` of them. Mirrored byte for byte by src/fraud/smt.ts.
library SparseMerkle {
    /// @notice Deepest supported tree (an account's leaf index is taken from its 160-bit address).
    uint256 internal constant MAX_DEPTH = 160;

    /// @notice The parent of two nodes; two empty nodes make an empty node.
    function hashPair(bytes32 left, bytes32 right) internal pure returns (bytes32) {
        if (left == bytes32(0) && right == bytes32(0)) return bytes32(0);
        return Hashes.efficientKeccak256(left, right);
    }

    /// @notice The root of a tree holding `leaf` at `index`, given the leaf's siblings (leaf level up).
    /// @dev The caller checks `siblings.length` against the tree's depth.
    function computeRoot(
        bytes32 leaf,
        uint256 index,
        bytes32[] calldata siblings
    ) internal pure returns (bytes32 node) {
        node = leaf;
        uint256 depth = siblings.length;
        // bounded: one iteration per level, at most MAX_DEPTH (160), checked by the caller
        for (uint256 level = 0; level < depth; ++level) {
            bytes32 sibling = siblings[level];
            node = (index >> level) & 1 == 0 ? hashPair(node, sibling) : hashPair(sibling, node);
        }
    }

    /// @notice The roots of the same tree with `oldLeaf` and with `newLeaf` at `index` (one pass over the
    ///         siblings): the first authenticates the proof, the second is the tree after the update.
    function computeRoots(
        bytes32 oldLeaf,
        bytes32 newLeaf,
        uint256 index,
        bytes32[] calldata siblings
    ) internal pure returns (bytes32 oldRoot, bytes32 newRoot) {
        oldRoot = oldLeaf;
        newRoot = newLeaf;
        uint256 depth = siblings.length;
        // bounded: one iteration per level, at most MAX_DEPTH (160), checked by the caller
        for (uint256 level = 0; level < depth; ++level) {
            bytes32 sibling = siblings[level];
            if ((index >> level) & 1 == 0) {
                oldRoot = hashPair(oldRoot, sibling);
                newRoot = hashPair(newRoot, sibling);
            } else {
                oldRoot = hashPair(sibling, oldRoot);
                newRoot = hashPair(sibling, newRoot);
            }
        }
    }
}
