// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

import {INodeHealth} from "../interfaces/INodeHealth.sol";
import {IValidatorSet} from "../interfaces/IValidatorSet.sol";

/// @title ValidatorSetChecks
/// @notice The self-contained checks of SelfHealingValidatorSet (double-sign evidence, appeal proofs, parameter
///         bounds), in an external library linked at deployment so that their code does not count against the
///         set's EIP-170 size limit. None of them is on the heartbeat path, so the delegatecall costs nothing
///         where gas matters.
/// @dev Public functions run in the set's context by DELEGATECALL: `address(this)` and storage are the set's.
///      They revert with the set's own errors (IValidatorSet), so callers see the same errors as before.
library ValidatorSetChecks {
    /// @dev EIP-712 type hash of a consensus vote.
    bytes32 private constant VOTE_TYPEHASH = keccak256("Vote(uint64 height,uint32 round,bytes32 blockHash)");

    uint256 private constant BPS = 10_000;
    /// @dev The set's hard cap of `maxActive` (SelfHealingValidatorSet.MAX_ACTIVE_CAP).
    uint256 private constant MAX_ACTIVE_CAP = 128;

    /// @notice The EIP-712 digest of `vote` under `domainSeparator` (the set's domain).
    function voteDigest(
        IValidatorSet.Vote calldata vote,
        bytes32 domainSeparator
    ) public pure returns (bytes32) {
        return
            MessageHashUtils.toTypedDataHash(
                domainSeparator,
                keccak256(abi.encode(VOTE_TYPEHASH, vote.height, vote.round, vote.blockHash))
            );
    }

    /// @notice The signer that equivocated, or a revert `ValidatorSetInvalidEvidence(why)` ("malformed",
    ///         "different-signers", "different-height-round", "same-block-hash").
    function recoverEquivocator(
        IValidatorSet.DoubleSignEvidence calldata e,
        bytes32 domainSeparator
    ) external pure returns (address) {
        (address s1, ECDSA.RecoverError err1, ) = ECDSA.tryRecover(
            voteDigest(e.first, domainSeparator),
            e.first.r,
            e.first.vs
        );
        (address s2, ECDSA.RecoverError err2, ) = ECDSA.tryRecover(
            voteDigest(e.second, domainSeparator),
            e.second.r,
            e.second.vs
        );
        if (err1 != ECDSA.RecoverError.NoError || err2 != ECDSA.RecoverError.NoError) {
            revert IValidatorSet.ValidatorSetInvalidEvidence("malformed");
        }
        if (s1 != s2) revert IValidatorSet.ValidatorSetInvalidEvidence("different-signers");
        if (e.first.height != e.second.height || e.first.round != e.second.round) {
            revert IValidatorSet.ValidatorSetInvalidEvidence("different-height-round");
        }
        if (e.first.blockHash == e.second.blockHash) {
            revert IValidatorSet.ValidatorSetInvalidEvidence("same-block-hash");
        }
        return s1;
    }

    /// @notice Why `proof` does not disprove the downtime incident `inc` (zero if it does): the rules of
    ///         `IValidatorSet.appealSlash`.
    function appealFlaw(
        INodeHealth health,
        IValidatorSet.Incident storage inc,
        INodeHealth.SignedHeartbeat calldata proof
    ) external view returns (bytes32) {
        address v = inc.validator;
        address signer = health.recoverHeartbeatSigner(proof);
        if (signer == address(0) || health.validatorOfSigner(signer) != v) return "bad-signer";
        if (proof.validator != v) return "wrong-validator";
        if (proof.signerEpoch != inc.signerEpoch) return "wrong-epoch";
        if (proof.timestamp < inc.faultAt || proof.timestamp > inc.detectedAt) return "outside-window";
        bytes32 hash = proof.report.blockHash;
        // The point of the proof: the node saw a real block of this chain.
        // solhint-disable-next-line not-rely-on-block-hash
        if (hash == bytes32(0) || blockhash(proof.report.blockHeight) != hash) return "unknown-block";
        uint256 height = proof.report.blockHeight;
        if (height <= inc.lastReportedHeight || height > inc.detectedBlock) return "height-out-of-range";
        return bytes32(0);
    }

    /// @notice Reverts `ValidatorSetInvalidParameter` unless every parameter is within its bounds
    ///         (`maxActive` may not be below the current active count).
    function checkParameters(IValidatorSet.Parameters calldata p, uint256 activeCount) external pure {
        uint256 floor = p.minActive > activeCount ? p.minActive : activeCount;
        _bound("minActive", p.minActive, 1, MAX_ACTIVE_CAP);
        _bound("maxActive", p.maxActive, floor, MAX_ACTIVE_CAP);
        _bound("minUptimeBps", p.minUptimeBps, 0, BPS);
        _bound("downtimeSlashBps", p.downtimeSlashBps, 0, 1_000);
        _bound("doubleSignSlashBps", p.doubleSignSlashBps, 100, BPS);
        _bound("correlatedFaultBps", p.correlatedFaultBps, 1_000, BPS);
        _bound("keeperRewardBps", p.keeperRewardBps, 0, 5_000);
        _bound("jailDuration", p.jailDuration, 60, 30 days);
        _bound("appealWindow", p.appealWindow, 1 hours, 3 days);
        _bound("stallEscalationDelay", p.stallEscalationDelay, 60, 1 days);
        _bound("keeperRewardCap", p.keeperRewardCap, 0, 1e24);
    }

    function _bound(bytes32 name, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max)
            revert IValidatorSet.ValidatorSetInvalidParameter(name, value, min, max);
    }
}
