// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {INodeHealth} from "../interfaces/INodeHealth.sol";

/// @title RmMockNodeHealth
/// @notice Test double for the parts of INodeHealth that the RecoveryManager calls: signer ownership is
///         settable, `rotateSigner` and `setParameters` are recorded; the record, liveness, best height and
///         maxHeightLag that `restore` reads are settable (epochs of `epochLength` seconds from time 0). No
///         access control.
/// @dev `rotateSigner` refuses a used signer (as the real contract does); signers are never reused.
contract RmMockNodeHealth {
    mapping(address signer => address) public validatorOfSigner;
    mapping(address validator => address) public currentSigner;

    uint256 public rotateCalls;
    uint256 public setParametersCalls;
    INodeHealth.Parameters private _lastParameters;
    mapping(address validator => INodeHealth.HeartbeatRecord) private _records;
    mapping(address validator => INodeHealth.Liveness) public livenessOf;
    uint64 public bestHeight;
    /// @notice Seconds per epoch of `epochOf` (genesis 0).
    uint32 public epochLength = 30;

    function setValidatorOfSigner(address signer, address validator) external {
        validatorOfSigner[signer] = validator;
    }

    function rotateSigner(address validator, address newSigner) external {
        if (newSigner == address(0) || validatorOfSigner[newSigner] != address(0)) {
            revert INodeHealth.NodeHealthSignerUnavailable(newSigner);
        }
        validatorOfSigner[newSigner] = validator;
        currentSigner[validator] = newSigner;
        ++rotateCalls;
    }

    function setParameters(INodeHealth.Parameters calldata p) external {
        if (p.heartbeatInterval < 5) {
            revert INodeHealth.NodeHealthInvalidParameter("heartbeatInterval", p.heartbeatInterval, 5, 3600);
        }
        _lastParameters = p;
        ++setParametersCalls;
    }

    function setRecord(address validator, INodeHealth.HeartbeatRecord calldata r) external {
        _records[validator] = r;
    }

    function setLiveness(address validator, INodeHealth.Liveness liveness) external {
        livenessOf[validator] = liveness;
    }

    function setBestHeight(uint64 height) external {
        bestHeight = height;
    }

    function setMaxHeightLag(uint32 lag) external {
        _lastParameters.maxHeightLag = lag;
    }

    function recordOf(address validator) external view returns (INodeHealth.HeartbeatRecord memory) {
        return _records[validator];
    }

    function epochOf(uint256 timestamp) external view returns (uint256) {
        return timestamp / epochLength;
    }

    function parameters() external view returns (INodeHealth.Parameters memory) {
        return _lastParameters;
    }

    function lastParameters() external view returns (INodeHealth.Parameters memory) {
        return _lastParameters;
    }
}
