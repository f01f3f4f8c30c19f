// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

import {IStateCommitmentChain} from "../../interfaces/IStateCommitmentChain.sol";
import {SparseMerkle} from "./SparseMerkle.sol";

/// @title LedgerTransition
/// @notice The state transition of healnet's minimal ledger: one signed transfer applied to a state root, given
///         the Merkle proofs of the two accounts it touches. Mirrored byte for byte by src/fraud/ledger.ts, and
///         both are held to the shared vectors in test/fraud/vectors.json.
/// @dev Hashing:
///      - account leaf: zero when `balance == 0 && nonce == 0` (empty), else
///        `keccak256(abi.encode(owner, balance, nonce))`; its index is `uint160(owner) mod 2^depth`;
///      - transfer digest (what `from` signs; EIP-712 typed data, EIP-2098 compact signature):
///        `keccak256("\x19\x01" ‖ domainSeparator ‖ keccak256(abi.encode(TRANSFER_TYPEHASH, from, to, amount,
///        nonce)))`, where `domainSeparator = keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256("healnet.ledger"),
///        keccak256("1"), chainId, verifyingContract))` and `verifyingContract` is the StateCommitmentChain
///        (its proxy) whose batches carry the transfer. The domain binds a signature to one chain and one
///        deployment: a transfer signed for another chain id or another StateCommitmentChain does not recover to
///        `from` here, so it is a BadSignature no-op (issue #8).
///      Rules, in this order; the first that fails makes the transfer a no-op (post-root = pre-root):
///       1. `from != to`                                                        (else SameAccount)
///       2. the signature recovers (OpenZeppelin `ECDSA.tryRecover`) to `from`  (else BadSignature)
///       3. [the sender's proof must authenticate against the pre-root, else the call reverts]
///       4. the sender's leaf is empty or owned by `from`                      (else SenderSlotTaken)
///       5. the sender's nonce equals the transfer's nonce                      (else BadNonce)
///       6. the sender's nonce is below 2^64 - 1                                (else NonceOverflow)
///       7. the sender's balance covers the amount                              (else InsufficientBalance)
///       8. debit: sender `{from, balance - amount, nonce + 1}` gives the intermediate root
///       9. [the recipient's proof must authenticate against the intermediate root, else the call reverts]
///      10. the recipient's leaf is empty or owned by `to`                      (else RecipientSlotTaken)
///      11. the recipient's balance + amount fits in 128 bits                   (else BalanceOverflow)
///      12. credit: recipient `{to, balance + amount, nonce}` gives the post-root (Applied).
///      Signatures are the authentication because a fraud proof must be checkable by anyone from the batch
///      alone: whoever posts the batch cannot forge a transfer from someone else's account.
library LedgerTransition {
    /// @notice EIP-712 type hash of a transfer.
    bytes32 internal constant TRANSFER_TYPEHASH = keccak256(
        "Transfer(address from,address to,uint128 amount,uint64 nonce)"
    );

    /// @notice EIP-712 type hash of the domain.
    bytes32 internal constant DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );

    /// @notice EIP-712 domain name and version, hashed.
    bytes32 internal constant DOMAIN_NAME_HASH = keccak256("healnet.ledger");
    bytes32 internal constant DOMAIN_VERSION_HASH = keccak256("1");

    /// @notice What a transfer did (the first rule it broke, or Applied).
    enum Outcome {
        Applied,
        SameAccount,
        BadSignature,
        SenderSlotTaken,
        BadNonce,
        NonceOverflow,
        InsufficientBalance,
        RecipientSlotTaken,
        BalanceOverflow
    }

    /// @notice The EIP-712 domain separator of the ledger carried by `verifyingContract` on chain `chainId`.
    function domainSeparator(uint256 chainId, address verifyingContract) internal pure returns (bytes32) {
        return
            keccak256(
                abi.encode(DOMAIN_TYPEHASH, DOMAIN_NAME_HASH, DOMAIN_VERSION_HASH, chainId, verifyingContract)
            );
    }

    /// @notice The digest `from` signs, under the domain separator `domain`.
    function transferDigest(
        bytes32 domain,
        IStateCommitmentChain.Transfer calldata t
    ) internal pure returns (bytes32) {
        return
            MessageHashUtils.toTypedDataHash(
                domain,
                keccak256(abi.encode(TRANSFER_TYPEHASH, t.from, t.to, t.amount, t.nonce))
            );
    }

    /// @notice An account's leaf (zero for an empty account).
    function accountLeaf(address owner, uint128 balance, uint64 nonce) internal pure returns (bytes32) {
        if (balance == 0 && nonce == 0) return bytes32(0);
        return keccak256(abi.encode(owner, balance, nonce));
    }

    /// @notice The leaf index of an address in a tree of `depth` levels (its low `depth` bits).
    function leafIndex(address account, uint256 depth) internal pure returns (uint256) {
        return uint256(uint160(account)) & ((uint256(1) << depth) - 1);
    }

    /// @notice Applies `t` to `preRoot`; its signature must be over the digest under the domain separator
    ///         `domain` (see `domainSeparator`).
    /// @dev Reverts `StateCommitmentChainInvalidAccountProof` when a needed proof does not authenticate (wrong
    ///      number of siblings, or a root mismatch). `depth` is at most SparseMerkle.MAX_DEPTH.
    /// @return postRoot The state root after the transfer.
    /// @return outcome What the transfer did.
    function applyTransfer(
        bytes32 domain,
        bytes32 preRoot,
        IStateCommitmentChain.Transfer calldata t,
        IStateCommitmentChain.AccountProof calldata from,
        IStateCommitmentChain.AccountProof calldata to,
        uint256 depth
    ) internal pure returns (bytes32 postRoot, Outcome outcome) {
        if (t.from == t.to) return (preRoot, Outcome.SameAccount);
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(transferDigest(domain, t), t.r, t.vs);
        if (err != ECDSA.RecoverError.NoError || signer != t.from) return (preRoot, Outcome.BadSignature);

        bytes32 midRoot;
        (midRoot, outcome) = _debit(preRoot, t, from, depth);
        if (outcome != Outcome.Applied) return (preRoot, outcome);
        (postRoot, outcome) = _credit(midRoot, t, to, depth);
        if (outcome != Outcome.Applied) return (preRoot, outcome);
    }

    function _debit(
        bytes32 preRoot,
        IStateCommitmentChain.Transfer calldata t,
        IStateCommitmentChain.AccountProof calldata p,
        uint256 depth
    ) private pure returns (bytes32 midRoot, Outcome outcome) {
        IStateCommitmentChain.Account calldata a = p.account;
        outcome = _senderOutcome(a, t);
        // Checked arithmetic is safe here: Applied means balance >= amount and nonce < 2^64 - 1.
        bytes32 newLeaf =
            outcome == Outcome.Applied
                ? accountLeaf(t.from, a.balance - t.amount, a.nonce + 1)
                : accountLeaf(a.owner, a.balance, a.nonce);
        midRoot = _update(p, newLeaf, leafIndex(t.from, depth), depth, t.from, preRoot);
    }

    function _credit(
        bytes32 midRoot,
        IStateCommitmentChain.Transfer calldata t,
        IStateCommitmentChain.AccountProof calldata p,
        uint256 depth
    ) private pure returns (bytes32 postRoot, Outcome outcome) {
        IStateCommitmentChain.Account calldata a = p.account;
        outcome = Outcome.Applied;
        if (_isTaken(a, t.to)) outcome = Outcome.RecipientSlotTaken;
        else if (uint256(a.balance) + t.amount > type(uint128).max) outcome = Outcome.BalanceOverflow;
        // The new balance fits in 128 bits when the outcome is Applied (checked just above).
        bytes32 newLeaf =
            outcome == Outcome.Applied
                ? accountLeaf(t.to, uint128(uint256(a.balance) + t.amount), a.nonce)
                : accountLeaf(a.owner, a.balance, a.nonce);
        postRoot = _update(p, newLeaf, leafIndex(t.to, depth), depth, t.to, midRoot);
    }

    /// @dev Rules 4 to 7 on the sender's account.
    function _senderOutcome(
        IStateCommitmentChain.Account calldata a,
        IStateCommitmentChain.Transfer calldata t
    ) private pure returns (Outcome) {
        if (_isTaken(a, t.from)) return Outcome.SenderSlotTaken;
        if (a.nonce != t.nonce) return Outcome.BadNonce;
        if (a.nonce == type(uint64).max) return Outcome.NonceOverflow;
        if (a.balance < t.amount) return Outcome.InsufficientBalance;
        return Outcome.Applied;
    }

    /// @dev Whether the leaf is non-empty and owned by another address.
    function _isTaken(IStateCommitmentChain.Account calldata a, address account) private pure returns (bool) {
        return (a.balance != 0 || a.nonce != 0) && a.owner != account;
    }

    /// @dev The root with `newLeaf` at `index`, after checking that the proof puts its account there under `root`.
    function _update(
        IStateCommitmentChain.AccountProof calldata p,
        bytes32 newLeaf,
        uint256 index,
        uint256 depth,
        address account,
        bytes32 root
    ) private pure returns (bytes32 newRoot) {
        bytes32 leaf = accountLeaf(p.account.owner, p.account.balance, p.account.nonce);
        bytes32 oldRoot;
        if (p.siblings.length == depth) {
            (oldRoot, newRoot) = SparseMerkle.computeRoots(leaf, newLeaf, index, p.siblings);
        }
        if (p.siblings.length != depth || oldRoot != root) {
            revert IStateCommitmentChain.StateCommitmentChainInvalidAccountProof(account, root);
        }
    }
}
