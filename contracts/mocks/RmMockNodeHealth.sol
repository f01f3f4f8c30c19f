// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {INodeHealth} from "../interfaces/INodeHealth.sol";

/// @title MockNodeHealth
/// @notice Test double for the parts of INodeHealth that the RecoveryManager calls: signer ownership is
///         settable, `rotateSigner` and `setParameters` are recorded. No access control.
/// @dev `rotateSigner` refuses a used signer (as the real contract does); signers are never reused.
contract RmMockNodeHealth {
    mapping(address signer => address) public validatorOfSigner;
    mapping(address validator => address) public currentSigner;

    uint256 public rotateCalls;
    uint256 public setParametersCalls;
    INodeHealth.Parameters private _lastParameters;

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

    function lastParameters() external view returns (INodeHealth.Parameters memory) {
        return _lastParameters;
    }
}
