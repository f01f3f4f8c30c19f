// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IValidatorSet} from "../interfaces/IValidatorSet.sol";

// A test double mirrors the real contract's use of block time.
// solhint-disable not-rely-on-time

/// @title MockValidatorSet
/// @notice Test double for the parts of IValidatorSet and IValidatorSetRecovery that the RecoveryManager and the
///         SnapshotRegistry call. Return values are settable; calls are recorded. No access control.
/// @dev `setParameters` enforces one bound (maxActive <= 128) so parameter-call failures can be tested;
///      `pauseSlashing` enforces the set's "until in the future" rule; `cancelSlash` needs a pending slash.
contract MockValidatorSet {
    mapping(address validator => IValidatorSet.Status) private _status;
    mapping(address validator => bool) private _active;
    mapping(uint256 incidentId => IValidatorSet.Incident) private _incidents;
    address[] private _activeList;

    uint256 public nextIncidentId = 1;
    bool public forceReplaceReverts;

    address public lastForceReplaced;
    uint256 public forceReplaceCalls;
    uint256 public lastCancelledIncident;
    uint256 public cancelSlashCalls;
    uint64 public pausedUntil;
    uint256 public pauseCalls;
    uint256 public unpauseCalls;
    uint256 public setParametersCalls;
    IValidatorSet.Parameters private _lastParameters;

    function setStatus(address validator, IValidatorSet.Status status) external {
        _status[validator] = status;
    }

    /// @notice Sets the active list (and `isActive` for its members).
    function setActiveValidators(address[] calldata validators) external {
        for (uint256 i = 0; i < _activeList.length; ++i) _active[_activeList[i]] = false;
        _activeList = validators;
        for (uint256 i = 0; i < validators.length; ++i) {
            _active[validators[i]] = true;
            _status[validators[i]] = IValidatorSet.Status.Active;
        }
    }

    function setIncident(uint256 incidentId, IValidatorSet.Incident calldata inc) external {
        _incidents[incidentId] = inc;
    }

    function setNextIncidentId(uint256 incidentId) external {
        nextIncidentId = incidentId;
    }

    function setForceReplaceReverts(bool reverts) external {
        forceReplaceReverts = reverts;
    }

    // ---- IValidatorSet (called parts)

    function statusOf(address validator) external view returns (IValidatorSet.Status) {
        return _status[validator];
    }

    function isActive(address validator) external view returns (bool) {
        return _active[validator];
    }

    function activeValidators() external view returns (address[] memory) {
        return _activeList;
    }

    function incident(uint256 incidentId) external view returns (IValidatorSet.Incident memory) {
        return _incidents[incidentId];
    }

    function pauseSlashing(uint64 until) external {
        if (until <= block.timestamp) revert IValidatorSet.ValidatorSetInvalidPause(until, block.timestamp);
        pausedUntil = until;
        ++pauseCalls;
    }

    function unpauseSlashing() external {
        if (pausedUntil <= block.timestamp) revert IValidatorSet.ValidatorSetNotPaused();
        pausedUntil = uint64(block.timestamp);
        ++unpauseCalls;
    }

    function setParameters(IValidatorSet.Parameters calldata p) external {
        if (p.maxActive > 128)
            revert IValidatorSet.ValidatorSetInvalidParameter("maxActive", p.maxActive, 1, 128);
        _lastParameters = p;
        ++setParametersCalls;
    }

    function lastParameters() external view returns (IValidatorSet.Parameters memory) {
        return _lastParameters;
    }

    /// @notice The last parameters set (what `restore` reads its jailDuration from).
    function parameters() external view returns (IValidatorSet.Parameters memory) {
        return _lastParameters;
    }

    // ---- IValidatorSetRecovery

    function forceReplace(address validator) external returns (uint256 incidentId) {
        if (forceReplaceReverts || !_active[validator]) {
            revert IValidatorSet.ValidatorSetNotActive(validator, _status[validator]);
        }
        lastForceReplaced = validator;
        ++forceReplaceCalls;
        incidentId = nextIncidentId++;
        _active[validator] = false;
        _status[validator] = IValidatorSet.Status.Jailed;
    }

    function cancelSlash(uint256 incidentId) external {
        IValidatorSet.Incident storage inc = _incidents[incidentId];
        if (inc.validator == address(0)) revert IValidatorSet.ValidatorSetUnknownIncident(incidentId);
        if (inc.slashState != IValidatorSet.SlashState.Pending) {
            revert IValidatorSet.ValidatorSetSlashNotPending(incidentId, inc.slashState);
        }
        inc.slashState = IValidatorSet.SlashState.Cancelled;
        lastCancelledIncident = incidentId;
        ++cancelSlashCalls;
    }
}
