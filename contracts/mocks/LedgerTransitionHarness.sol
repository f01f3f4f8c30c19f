// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IStateCommitmentChain} from "../interfaces/IStateCommitmentChain.sol";
import {LedgerTransition} from "../fraud/libraries/LedgerTransition.sol";
import {SparseMerkle} from "../fraud/libraries/SparseMerkle.sol";

/// @title LedgerTransitionHarness
/// @notice Exposes the ledger's transition and hashing (LedgerTransition, SparseMerkle) to tests: the Solidity
///         tests and the mocha test that checks test/fraud/vectors.json against the on-chain code.
/// @dev Test-only. Never deployed by deploy/.
contract LedgerTransitionHarness {
    /// @notice LedgerTransition.applyTransfer.
    function applyTransfer(
        bytes32 domain,
        bytes32 preRoot,
        IStateCommitmentChain.Transfer calldata t,
        IStateCommitmentChain.AccountProof calldata from,
        IStateCommitmentChain.AccountProof calldata to,
        uint256 depth
    ) external pure returns (bytes32 postRoot, LedgerTransition.Outcome outcome) {
        return LedgerTransition.applyTransfer(domain, preRoot, t, from, to, depth);
    }

    /// @notice LedgerTransition.transferDigest.
    function transferDigest(
        bytes32 domain,
        IStateCommitmentChain.Transfer calldata t
    ) external pure returns (bytes32) {
        return LedgerTransition.transferDigest(domain, t);
    }

    /// @notice LedgerTransition.domainSeparator.
    function domainSeparator(uint256 chainId, address verifyingContract) external pure returns (bytes32) {
        return LedgerTransition.domainSeparator(chainId, verifyingContract);
    }

    /// @notice LedgerTransition.accountLeaf.
    function accountLeaf(address owner, uint128 balance, uint64 nonce) external pure returns (bytes32) {
        return LedgerTransition.accountLeaf(owner, balance, nonce);
    }

    /// @notice SparseMerkle.computeRoot.
    function computeRoot(
        bytes32 leaf,
        uint256 index,
        bytes32[] calldata siblings
    ) external pure returns (bytes32) {
        return SparseMerkle.computeRoot(leaf, index, siblings);
    }
}
