// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title MockParameterized
/// @notice Test-only stand-in for a healnet contract's parameter surface: one bounded parameter, set by the
///         PARAMETER_ROLE (the DAO timelock, or a Safe in the Safe tests). Never deployed by deploy/.
contract MockParameterized is AccessControl {
    /// @notice The role allowed to call {setParameters}.
    bytes32 public constant PARAMETER_ROLE = keccak256("PARAMETER_ROLE");
    /// @notice Smallest accepted value.
    uint256 public constant MIN_VALUE = 1;
    /// @notice Largest accepted value.
    uint256 public constant MAX_VALUE = 1_000;

    uint256 private _value;

    /// @notice The value was changed.
    /// @param oldValue The previous value.
    /// @param newValue The new value.
    /// @param caller Who changed it (the PARAMETER_ROLE holder).
    event ParametersUpdated(uint256 oldValue, uint256 newValue, address indexed caller);

    /// @notice The value is outside `[min, max]`.
    /// @param value The rejected value.
    /// @param min The smallest accepted value.
    /// @param max The largest accepted value.
    error MockParameterizedOutOfBounds(uint256 value, uint256 min, uint256 max);

    /// @param admin Receives DEFAULT_ADMIN_ROLE (grants PARAMETER_ROLE to the timelock or the Safe).
    /// @param initialValue The starting value (bounded).
    constructor(address admin, uint256 initialValue) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setParameters(initialValue);
    }

    /// @notice Sets the value. Only the PARAMETER_ROLE; `newValue` must be in `[MIN_VALUE, MAX_VALUE]`.
    /// @param newValue The new value.
    function setParameters(uint256 newValue) external onlyRole(PARAMETER_ROLE) {
        _setParameters(newValue);
    }

    /// @notice The current value.
    /// @return The value.
    function value() external view returns (uint256) {
        return _value;
    }

    function _setParameters(uint256 newValue) private {
        if (newValue < MIN_VALUE || newValue > MAX_VALUE) {
            revert MockParameterizedOutOfBounds(newValue, MIN_VALUE, MAX_VALUE);
        }
        uint256 oldValue = _value;
        _value = newValue;
        emit ParametersUpdated(oldValue, newValue, msg.sender);
    }
}
