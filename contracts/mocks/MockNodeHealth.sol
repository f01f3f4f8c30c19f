// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {INodeHealth} from "../interfaces/INodeHealth.sol";

// Mocks mirror the time-based liveness and jail of the real contracts.
// solhint-disable not-rely-on-time

/// @title MockNodeHealth
/// @notice Test double of NodeHealth: heartbeats, heights, uptime, stalls and signature recovery are set
///         directly by tests. Liveness is derived from the last heartbeat like the real contract
///         (Unknown / Live / Late / Overdue), with a per-validator `stalled` flag for Stalled, unless a test
///         forces a value with `setLivenessOverride`. Registrar calls are not access-controlled; they are
///         counted so tests can assert them.
/// @dev Test-only. Never deployed by deploy/.
contract MockNodeHealth is INodeHealth {
    struct Signer {
        address signer;
        uint64 epoch;
    }

    Parameters private _params;
    uint64 private _bestHeight;
    mapping(address validator => Signer) private _signers;
    mapping(address signer => address validator) private _validatorOfSigner;
    mapping(address validator => uint64) private _lastHeartbeat;
    mapping(address validator => uint64) private _height;
    mapping(address validator => bool) private _stalled;
    mapping(address validator => bool) private _tracked;
    mapping(address validator => uint256) private _uptimeOverride; // uptime + 1; 0 = default (10,000)
    mapping(address validator => uint8) private _livenessOverride; // liveness + 1; 0 = derived
    mapping(bytes32 itemHash => address signer) private _recovered;

    /// @notice Number of `fence` calls per validator.
    mapping(address validator => uint256) public fenceCount;

    constructor() {
        _params = Parameters({
            heartbeatInterval: 30,
            gracePeriod: 30,
            maxHeartbeatAge: 60,
            uptimeWindow: 100,
            maxHeightLag: 50,
            stallReports: 3
        });
    }

    // ---- test controls ----

    /// @notice Records a heartbeat for `validator` now, at `height`.
    function beat(address validator, uint64 height) external {
        _lastHeartbeat[validator] = uint64(block.timestamp);
        _height[validator] = height;
    }

    /// @notice Sets the last heartbeat time and height directly.
    function setHeartbeat(address validator, uint64 at, uint64 height) external {
        _lastHeartbeat[validator] = at;
        _height[validator] = height;
    }

    function setBestHeight(uint64 height) external {
        _bestHeight = height;
    }

    function setStalled(address validator, bool stalled) external {
        _stalled[validator] = stalled;
    }

    function setUptime(address validator, uint256 bps) external {
        _uptimeOverride[validator] = bps + 1;
    }

    function setLivenessOverride(address validator, Liveness liveness) external {
        _livenessOverride[validator] = uint8(liveness) + 1;
    }

    function clearLivenessOverride(address validator) external {
        _livenessOverride[validator] = 0;
    }

    /// @notice Makes `recoverHeartbeatSigner(item)` return `signer`.
    function setRecoveredSigner(SignedHeartbeat calldata item, address signer) external {
        _recovered[_itemHash(item)] = signer;
    }

    function setParametersUnchecked(Parameters calldata parameters_) external {
        _params = parameters_;
    }

    function isTracked(address validator) external view returns (bool) {
        return _tracked[validator];
    }

    // ---- INodeHealth ----

    function heartbeat(HealthReport calldata report) external {
        address validator = _validatorOfSigner[msg.sender];
        if (validator == address(0) || _signers[validator].signer != msg.sender) {
            revert NodeHealthUnknownSigner(msg.sender);
        }
        _lastHeartbeat[validator] = uint64(block.timestamp);
        _height[validator] = report.blockHeight;
        emit HeartbeatRecorded(msg.sender, report.blockHeight, report.blockHash);
    }

    function heartbeatBatch(SignedHeartbeat[] calldata) external pure returns (uint256) {
        return 0;
    }

    function registerSigner(address validator, address signer) external {
        if (_signers[validator].signer != address(0)) revert NodeHealthAlreadyRegistered(validator);
        if (signer == address(0) || _validatorOfSigner[signer] != address(0)) {
            revert NodeHealthSignerUnavailable(signer);
        }
        _signers[validator] = Signer(signer, 1);
        _validatorOfSigner[signer] = validator;
        emit SignerChanged(validator, address(0), signer, 1);
    }

    function rotateSigner(address validator, address newSigner) external {
        Signer storage s = _signers[validator];
        if (s.signer == address(0)) revert NodeHealthUnknownValidator(validator);
        if (newSigner == address(0) || _validatorOfSigner[newSigner] != address(0)) {
            revert NodeHealthSignerUnavailable(newSigner);
        }
        address previous = s.signer;
        s.signer = newSigner;
        ++s.epoch;
        _validatorOfSigner[newSigner] = validator;
        emit SignerChanged(validator, previous, newSigner, s.epoch);
    }

    function fence(address validator) external {
        Signer storage s = _signers[validator];
        if (s.signer == address(0)) revert NodeHealthUnknownValidator(validator);
        ++s.epoch;
        ++fenceCount[validator];
        emit SignerChanged(validator, s.signer, s.signer, s.epoch);
    }

    function setBestHeightTracking(address validator, bool tracked) external {
        _tracked[validator] = tracked;
        emit BestHeightTrackingChanged(validator, tracked);
    }

    function setParameters(Parameters calldata parameters_) external {
        _params = parameters_;
        emit ParametersUpdated(parameters_);
    }

    function livenessOf(address validator) public view returns (Liveness) {
        uint8 forced = _livenessOverride[validator];
        if (forced != 0) return Liveness(forced - 1);
        uint256 last = _lastHeartbeat[validator];
        if (last == 0) return Liveness.Unknown;
        uint256 age = block.timestamp - last;
        if (age > uint256(_params.heartbeatInterval) + _params.gracePeriod) return Liveness.Overdue;
        if (_stalled[validator]) return Liveness.Stalled;
        return age <= _params.heartbeatInterval ? Liveness.Live : Liveness.Late;
    }

    function lastHeartbeatAt(address validator) external view returns (uint64) {
        return _lastHeartbeat[validator];
    }

    function recordOf(address validator) external view returns (HeartbeatRecord memory record) {
        record.timestamp = _lastHeartbeat[validator];
        record.blockHeight = _height[validator];
        record.tracksBestHeight = _tracked[validator];
    }

    function uptimeBps(address validator) external view returns (uint256) {
        uint256 forced = _uptimeOverride[validator];
        return forced == 0 ? 10_000 : forced - 1;
    }

    function countSilentSince(
        address[] calldata validators,
        uint256 cutoff
    ) external view returns (uint256 count) {
        for (uint256 i = 0; i < validators.length; ++i) {
            if (_lastHeartbeat[validators[i]] < cutoff) ++count;
        }
    }

    function signerOf(address validator) external view returns (address, uint64) {
        Signer memory s = _signers[validator];
        return (s.signer, s.epoch);
    }

    function validatorOfSigner(address signer) external view returns (address) {
        return _validatorOfSigner[signer];
    }

    function bestHeight() external view returns (uint64) {
        return _bestHeight;
    }

    function epochOf(uint256 timestamp) external pure returns (uint256) {
        return timestamp / 60;
    }

    function epochLength() external pure returns (uint32) {
        return 60;
    }

    function parameters() external view returns (Parameters memory) {
        return _params;
    }

    function heartbeatDigest(SignedHeartbeat calldata item) external pure returns (bytes32) {
        return _itemHash(item);
    }

    function recoverHeartbeatSigner(SignedHeartbeat calldata item) external view returns (address) {
        return _recovered[_itemHash(item)];
    }

    function _itemHash(SignedHeartbeat calldata item) private pure returns (bytes32) {
        return keccak256(abi.encode(item));
    }
}
