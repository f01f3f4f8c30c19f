// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IGuardianCouncil} from "../interfaces/IGuardianCouncil.sol";

/// @title MockRecoveryManager
/// @notice Test double for the guardian-facing functions of IRecoveryManager: records every call (function,
///         arguments, caller), can be told to revert, and can try to re-enter the council during a call.
/// @dev Deliberately does not inherit IRecoveryManager, so it keeps compiling when that interface grows; the
///      signatures of the functions below are those of IRecoveryManager.
contract MockRecoveryManager {
    /// @notice The mock was told to fail.
    error MockRecoveryManagerFailed(bytes4 selector);

    struct Call {
        bytes4 selector;
        address caller;
        address validator;
        address other;
        uint256 value;
        string payload;
        bytes callData;
    }

    Call[] private _calls;
    bool public shouldRevert;
    IGuardianCouncil public reenterCouncil;
    uint256 public reenterProposalId;
    bytes public reentryError;
    bool public reentrySucceeded;

    function setShouldRevert(bool value) external {
        shouldRevert = value;
    }

    /// @notice During the next recorded call, try `council.execute(proposalId)` and record the outcome.
    function setReenter(IGuardianCouncil council, uint256 proposalId) external {
        reenterCouncil = council;
        reenterProposalId = proposalId;
    }

    function requestResync(address validator, uint256 snapshotId) external returns (uint256) {
        return _record(Call(msg.sig, msg.sender, validator, address(0), snapshotId, "", ""));
    }

    function requestReprovision(address validator, string calldata configCid) external returns (uint256) {
        return _record(Call(msg.sig, msg.sender, validator, address(0), 0, configCid, ""));
    }

    function forceReplace(address validator) external returns (uint256) {
        return _record(Call(msg.sig, msg.sender, validator, address(0), 0, "", ""));
    }

    function forgive(uint256 incidentId) external returns (uint256) {
        return _record(Call(msg.sig, msg.sender, address(0), address(0), incidentId, "", ""));
    }

    function pause(uint64 duration) external returns (uint256) {
        return _record(Call(msg.sig, msg.sender, address(0), address(0), duration, "", ""));
    }

    function unpause() external returns (uint256) {
        return _record(Call(msg.sig, msg.sender, address(0), address(0), 0, "", ""));
    }

    function updateParameters(address target, bytes calldata callData) external returns (uint256) {
        return _record(Call(msg.sig, msg.sender, address(0), target, 0, "", callData));
    }

    function approveKeyRotation(address validator, address newSigner) external {
        _record(Call(msg.sig, msg.sender, validator, newSigner, 0, "", ""));
    }

    /// @notice Mirrors IRecoveryManager.isValidCid loosely: non-empty and starting with "Qm" (v0) or "b" (v1).
    function isValidCid(string calldata cid) external pure returns (bool) {
        bytes calldata b = bytes(cid);
        if (b.length == 0) return false;
        if (b[0] == "b") return true;
        return b.length >= 2 && b[0] == "Q" && b[1] == "m";
    }

    function callCount() external view returns (uint256) {
        return _calls.length;
    }

    function calls(uint256 index) external view returns (Call memory) {
        return _calls[index];
    }

    function lastCall() external view returns (Call memory) {
        return _calls[_calls.length - 1];
    }

    function _record(Call memory c) private returns (uint256) {
        if (shouldRevert) revert MockRecoveryManagerFailed(c.selector);
        _calls.push(c);
        IGuardianCouncil council = reenterCouncil;
        if (address(council) != address(0)) {
            reenterCouncil = IGuardianCouncil(address(0));
            try council.execute(reenterProposalId) {
                reentrySucceeded = true;
            } catch (bytes memory reason) {
                reentryError = reason;
            }
        }
        return _calls.length;
    }
}
