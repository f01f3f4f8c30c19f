// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
// An import path cannot be wrapped.
// solhint-disable-next-line max-line-length
import {GovernorVotesQuorumFraction} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {HealToken} from "./HealToken.sol";
import {IHealGovernor} from "../interfaces/IHealGovernor.sol";

/// @title HealGovernor
/// @notice The healnet DAO: HealToken holders (through their delegated ERC20Votes checkpoints) propose and vote;
///         a passed proposal is queued in, and executed by, an OpenZeppelin `TimelockController`, which holds the
///         PARAMETER_ROLE of every healnet contract. The Governor itself holds no role anywhere: it is the
///         timelock's only proposer and canceller.
/// @dev A plain (non-proxy) contract: if governance ever needs new rules, a new Governor is deployed and the
///      timelock's proposer role is moved to it by a proposal of the old one; the timelock, and with it every
///      role, stays where it is. Timepoints are block numbers (HealToken's clock). The settings are
///      `GovernorSettings` and `GovernorVotesQuorumFraction` values, changeable only by proposal and only inside
///      the bounds below (see {IHealGovernor}).
contract HealGovernor is
    IHealGovernor,
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl
{
    /// @notice Shortest voting delay: 1 block, so a proposal's vote snapshot is never the block it was made in.
    uint256 public constant MIN_VOTING_DELAY = 1;
    /// @notice Longest voting delay: ~7 days of 12 s blocks.
    uint256 public constant MAX_VOTING_DELAY = 50_400;
    /// @notice Shortest voting period: ~1 day of 12 s blocks, long enough for holders to notice and vote.
    uint256 public constant MIN_VOTING_PERIOD = 7_200;
    /// @notice Longest voting period: ~28 days of 12 s blocks.
    uint256 public constant MAX_VOTING_PERIOD = 201_600;
    /// @notice Smallest quorum: 1 % of the supply at the proposal's snapshot.
    uint256 public constant MIN_QUORUM_NUMERATOR = 1;
    /// @notice Largest quorum: 50 % of the supply; above it a quorum may be unreachable and governance frozen.
    uint256 public constant MAX_QUORUM_NUMERATOR = 50;

    /// @param token_ The vote token (its delegated checkpoints are the voting power).
    /// @param timelock_ The timelock that queues and executes passed proposals; this Governor must hold its
    ///        PROPOSER_ROLE and CANCELLER_ROLE.
    /// @param votingDelay_ Blocks between a proposal and the start of its vote (bounded, see the constants).
    /// @param votingPeriod_ Blocks the vote lasts (bounded).
    /// @param proposalThreshold_ Votes (token wei) a proposer needs at the block before proposing.
    /// @param quorumNumerator_ Quorum, in percent of the total supply at the snapshot (bounded).
    constructor(
        HealToken token_,
        TimelockController timelock_,
        uint48 votingDelay_,
        uint32 votingPeriod_,
        uint256 proposalThreshold_,
        uint256 quorumNumerator_
    )
        Governor("healnet governor")
        GovernorSettings(votingDelay_, votingPeriod_, proposalThreshold_)
        GovernorVotes(token_)
        GovernorVotesQuorumFraction(quorumNumerator_)
        GovernorTimelockControl(timelock_)
    {}

    /// @inheritdoc Governor
    function state(
        uint256 proposalId
    ) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        return super.state(proposalId);
    }

    /// @inheritdoc Governor
    function proposalNeedsQueuing(
        uint256 proposalId
    ) public view override(Governor, GovernorTimelockControl) returns (bool) {
        return super.proposalNeedsQueuing(proposalId);
    }

    /// @inheritdoc Governor
    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    /// @dev Bounds every voting-delay change, the constructor's included.
    function _setVotingDelay(uint48 newVotingDelay) internal override {
        if (newVotingDelay < MIN_VOTING_DELAY || newVotingDelay > MAX_VOTING_DELAY) {
            revert HealGovernorVotingDelayOutOfBounds(newVotingDelay, MIN_VOTING_DELAY, MAX_VOTING_DELAY);
        }
        super._setVotingDelay(newVotingDelay);
    }

    /// @dev Bounds every voting-period change, the constructor's included.
    function _setVotingPeriod(uint32 newVotingPeriod) internal override {
        if (newVotingPeriod < MIN_VOTING_PERIOD || newVotingPeriod > MAX_VOTING_PERIOD) {
            revert HealGovernorVotingPeriodOutOfBounds(newVotingPeriod, MIN_VOTING_PERIOD, MAX_VOTING_PERIOD);
        }
        super._setVotingPeriod(newVotingPeriod);
    }

    /// @dev Bounds every quorum change, the constructor's included.
    function _updateQuorumNumerator(uint256 newQuorumNumerator) internal override {
        if (newQuorumNumerator < MIN_QUORUM_NUMERATOR || newQuorumNumerator > MAX_QUORUM_NUMERATOR) {
            revert HealGovernorQuorumOutOfBounds(
                newQuorumNumerator,
                MIN_QUORUM_NUMERATOR,
                MAX_QUORUM_NUMERATOR
            );
        }
        super._updateQuorumNumerator(newQuorumNumerator);
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}
