// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IHealGovernor
/// @notice The bounds the healnet Governor puts on its own settings, on top of OpenZeppelin's `IGovernor`.
///         Settings change only through a passed proposal (`onlyGovernance`), and even then only inside these
///         bounds: a captured or apathetic vote cannot shorten voting to a few blocks, or set the quorum so low
///         that a handful of tokens passes proposals, or so high that no proposal can ever pass again (which
///         would freeze governance for good, because lowering the quorum itself needs a passing proposal).
/// @dev Timepoints are block numbers (HealToken's ERC-6372 clock is `block.number`); the bounds assume ~12 s
///      blocks. The full Governor interface is OpenZeppelin's `IGovernor`.
interface IHealGovernor {
    /// @notice The voting delay is outside `[min, max]`.
    /// @param votingDelay The rejected delay, in blocks.
    /// @param min The smallest allowed delay, in blocks.
    /// @param max The largest allowed delay, in blocks.
    error HealGovernorVotingDelayOutOfBounds(uint256 votingDelay, uint256 min, uint256 max);

    /// @notice The voting period is outside `[min, max]`.
    /// @param votingPeriod The rejected period, in blocks.
    /// @param min The shortest allowed period, in blocks.
    /// @param max The longest allowed period, in blocks.
    error HealGovernorVotingPeriodOutOfBounds(uint256 votingPeriod, uint256 min, uint256 max);

    /// @notice The quorum numerator (percent of the total supply) is outside `[min, max]`.
    /// @param quorumNumerator The rejected numerator, in percent.
    /// @param min The smallest allowed numerator, in percent.
    /// @param max The largest allowed numerator, in percent.
    error HealGovernorQuorumOutOfBounds(uint256 quorumNumerator, uint256 min, uint256 max);
}
