// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IStateCommitmentChain} from "../../../contracts/interfaces/IStateCommitmentChain.sol";
import {SparseMerkle} from "../../../contracts/fraud/libraries/SparseMerkle.sol";

/// @title LedgerModel
/// @notice A test-side model of the ledger: a few accounts, the tree root and proofs computed from scratch
///         (recursively over the non-empty subtrees), and the plain meaning of a valid transfer (debit, credit,
///         nonce + 1). It does not use LedgerTransition, so the contract's re-execution is checked against an
///         independent computation. Accounts must not collide at the model's depth (tests pick addresses that
///         do not).
contract LedgerModel {
    /// @notice One step as a fraud proof needs it.
    struct Step {
        bytes32 preRoot;
        bytes32 postRoot;
        IStateCommitmentChain.AccountProof from;
        IStateCommitmentChain.AccountProof to;
    }

    uint256 public immutable depth;
    address[] private _owners;
    mapping(address owner => bool) private _known;
    mapping(address owner => uint128) public balanceOf;
    mapping(address owner => uint64) public nonceOf;

    bytes32 internal constant TRANSFER_TYPEHASH = keccak256(
        "Transfer(address from,address to,uint128 amount,uint64 nonce)"
    );
    bytes32 internal constant DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );

    constructor(uint256 treeDepth) {
        depth = treeDepth;
    }

    /// @notice The EIP-712 digest a transfer's sender signs for the chain `verifyingContract` on `chainId`,
    ///         spelled out here (not LedgerTransition's) so the contract's domain is checked independently.
    function transferDigest(
        uint256 chainId,
        address verifyingContract,
        address from,
        address to,
        uint128 amount,
        uint64 nonce
    ) public pure returns (bytes32) {
        bytes32 domain = keccak256(
            abi.encode(
                DOMAIN_TYPEHASH,
                keccak256("healnet.ledger"),
                keccak256("1"),
                chainId,
                verifyingContract
            )
        );
        bytes32 structHash = keccak256(abi.encode(TRANSFER_TYPEHASH, from, to, amount, nonce));
        return keccak256(abi.encodePacked(hex"1901", domain, structHash));
    }

    function setAccount(address owner, uint128 balance, uint64 nonce) public {
        if (!_known[owner]) {
            _known[owner] = true;
            _owners.push(owner);
        }
        balanceOf[owner] = balance;
        nonceOf[owner] = nonce;
    }

    function root() public view returns (bytes32) {
        return _subtree(depth, 0);
    }

    /// @notice The account at `owner`'s leaf (empty if none) and its siblings.
    function proof(address owner) public view returns (IStateCommitmentChain.AccountProof memory p) {
        uint256 index = _index(owner);
        p.account = IStateCommitmentChain.Account(owner, balanceOf[owner], nonceOf[owner]);
        p.siblings = new bytes32[](depth);
        for (uint256 level = 0; level < depth; ++level) {
            p.siblings[level] = _subtree(level, (index >> level) ^ 1);
        }
    }

    /// @notice Applies a transfer the caller knows to be valid.
    function applyValid(IStateCommitmentChain.Transfer memory t) external returns (Step memory s) {
        s.preRoot = root();
        s.from = proof(t.from);
        setAccount(t.from, balanceOf[t.from] - t.amount, nonceOf[t.from] + 1);
        s.to = proof(t.to);
        setAccount(t.to, balanceOf[t.to] + t.amount, nonceOf[t.to]);
        s.postRoot = root();
    }

    /// @notice A step that changes nothing (for a transfer the caller knows to be a no-op).
    function noop(IStateCommitmentChain.Transfer memory t) external view returns (Step memory s) {
        s.preRoot = root();
        s.postRoot = s.preRoot;
        s.from = proof(t.from);
        s.to = proof(t.to);
    }

    function _index(address owner) private view returns (uint256) {
        return uint256(uint160(owner)) & ((uint256(1) << depth) - 1);
    }

    function _leaf(address owner) private view returns (bytes32) {
        uint128 b = balanceOf[owner];
        uint64 n = nonceOf[owner];
        if (b == 0 && n == 0) return bytes32(0);
        return keccak256(abi.encode(owner, b, n));
    }

    /// @dev The node at `level` whose index within the level is `prefix`.
    function _subtree(uint256 level, uint256 prefix) private view returns (bytes32) {
        address only;
        uint256 found;
        for (uint256 i = 0; i < _owners.length; ++i) {
            address o = _owners[i];
            if (_index(o) >> level == prefix && _leaf(o) != bytes32(0)) {
                only = o;
                ++found;
            }
        }
        if (found == 0) return bytes32(0);
        if (level == 0) return _leaf(only);
        return
            SparseMerkle.hashPair(_subtree(level - 1, prefix << 1), _subtree(level - 1, (prefix << 1) | 1));
    }
}
