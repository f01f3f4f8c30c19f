// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";

import {IAuditLog} from "../interfaces/IAuditLog.sol";
import {INodeHealth} from "../interfaces/INodeHealth.sol";
import {ISentinelRegistry} from "../interfaces/ISentinelRegistry.sol";
import {Versioned} from "../upgrades/Versioned.sol";

// Time is recorded only for the operators' and auditors' benefit (addedAt, checkedAt); liveness itself is
// NodeHealth's, whose grace period covers a validator's ~15 s of timestamp leeway.
// solhint-disable not-rely-on-time

/// @title SentinelRegistry
/// @notice The pool of read-only nodes that recovering nodes resync from (see ISentinelRegistry).
/// @dev The registered list is an array with an index map (swap-and-pop removal); the served list likewise.
///      Both hold at most `maxSentinels` <= MAX_SENTINELS entries, which bounds every loop here.
contract SentinelRegistry is ISentinelRegistry, Versioned, AccessControlUpgradeable {
    /// @notice Adds and removes sentinels (the DAO timelock, or the deployer standing in for it).
    bytes32 public constant CURATOR_ROLE = keccak256("CURATOR_ROLE");
    /// @notice Sets parameters (the DAO timelock).
    bytes32 public constant PARAMETER_ROLE = keccak256("PARAMETER_ROLE");

    /// @notice Audit-log kinds.
    bytes32 public constant SENTINEL_ADDED = keccak256("SENTINEL_ADDED");
    bytes32 public constant SENTINEL_REMOVED = keccak256("SENTINEL_REMOVED");
    bytes32 public constant SENTINEL_DROPPED = keccak256("SENTINEL_DROPPED");
    bytes32 public constant SENTINEL_RESTORED = keccak256("SENTINEL_RESTORED");
    bytes32 public constant SENTINEL_POOL_DEGRADED = keccak256("SENTINEL_POOL_DEGRADED");
    bytes32 public constant SENTINEL_POOL_RECOVERED = keccak256("SENTINEL_POOL_RECOVERED");
    bytes32 public constant SENTINEL_PARAMETERS = keccak256("SENTINEL_PARAMETERS");

    /// @notice Hard cap on `maxSentinels`: bounds every loop of the registry.
    uint256 public constant MAX_SENTINELS = 64;
    /// @notice Longest accepted endpoint, in bytes.
    uint256 public constant MAX_ENDPOINT_LENGTH = 256;

    /// @custom:storage-location erc7201:healnet.storage.SentinelRegistry
    /// @dev Layout: `health` and `audit` one slot each; `params` (uint16 + uint16) and `degraded` share a slot;
    ///      `registered` and `served` are arrays of at most MAX_SENTINELS ids; `indexOf` / `servedIndexOf` store
    ///      position + 1 (0: absent).
    struct SentinelRegistryStorage {
        INodeHealth health;
        IAuditLog audit;
        Parameters params;
        bool degraded;
        address[] registered;
        address[] served;
        mapping(address sentinel => uint256) indexOf;
        mapping(address sentinel => uint256) servedIndexOf;
        mapping(address sentinel => Sentinel) records;
    }

    // keccak256(abi.encode(uint256(keccak256("healnet.storage.SentinelRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION =
        0xb11a0a342d844043dfd208d8b85eeff0953c8c83f1f0705feb0277484c4ec100;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy. The pool starts empty and degraded (no event).
    /// @param admin Holds DEFAULT_ADMIN_ROLE (grants the curator and parameter roles).
    /// @param health NodeHealth (the registry needs its REGISTRAR_ROLE).
    /// @param audit The AuditLog (the registry needs its APPENDER_ROLE).
    /// @param params The initial parameters (within bounds).
    function initialize(
        address admin,
        INodeHealth health,
        IAuditLog audit,
        Parameters calldata params
    ) external initializer {
        if (admin == address(0)) revert SentinelRegistryZeroAddress("admin");
        if (address(health) == address(0)) revert SentinelRegistryZeroAddress("health");
        if (address(audit) == address(0)) revert SentinelRegistryZeroAddress("audit");
        __AccessControl_init();
        SentinelRegistryStorage storage $ = _storage();
        $.health = health;
        $.audit = audit;
        $.degraded = true;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _checkParameters($, params);
        $.params = params;
        emit ParametersUpdated(params);
    }

    // ─── curation ────────────────────────────────────────────────────────────────────────────────────────

    /// @inheritdoc ISentinelRegistry
    function addSentinel(
        address sentinel_,
        address signer,
        address operator,
        string calldata endpoint
    ) external onlyRole(CURATOR_ROLE) {
        if (sentinel_ == address(0)) revert SentinelRegistryZeroAddress("sentinel");
        if (signer == address(0)) revert SentinelRegistryZeroAddress("signer");
        if (operator == address(0)) revert SentinelRegistryZeroAddress("operator");
        _checkEndpoint(endpoint);
        SentinelRegistryStorage storage $ = _storage();
        uint256 cap = $.params.maxSentinels;
        if ($.registered.length >= cap) revert SentinelRegistryFull(cap);
        (address existing, ) = $.health.signerOf(sentinel_);
        if (existing != address(0) || $.indexOf[sentinel_] != 0) revert SentinelRegistryIdTaken(sentinel_);
        if ($.health.validatorOfSigner(signer) != address(0)) revert SentinelRegistrySignerTaken(signer);

        $.registered.push(sentinel_);
        $.indexOf[sentinel_] = $.registered.length;
        Sentinel storage r = $.records[sentinel_];
        r.signer = signer;
        r.operator = operator;
        r.addedAt = uint64(block.timestamp);
        r.endpoint = endpoint;
        emit SentinelAdded(sentinel_, operator, signer, endpoint);
        $.health.registerSigner(sentinel_, signer);
        _audit(
            $,
            SENTINEL_ADDED,
            sentinel_,
            keccak256(abi.encode(signer, operator, keccak256(bytes(endpoint))))
        );
    }

    /// @inheritdoc ISentinelRegistry
    function removeSentinel(address sentinel_) external onlyRole(CURATOR_ROLE) {
        SentinelRegistryStorage storage $ = _storage();
        uint256 position = _known($, sentinel_);
        if ($.records[sentinel_].served) _unserve($, sentinel_);
        // Swap-and-pop: the last id takes the removed one's place.
        address last = $.registered[$.registered.length - 1];
        $.registered[position - 1] = last;
        $.indexOf[last] = position;
        $.registered.pop();
        delete $.indexOf[sentinel_];
        delete $.records[sentinel_];
        emit SentinelRemoved(sentinel_, msg.sender);
        // Relayed heartbeats signed before are rejected from now on; the id stays taken in NodeHealth.
        $.health.fence(sentinel_);
        _audit($, SENTINEL_REMOVED, sentinel_, bytes32(0));
        _evaluate($);
    }

    /// @inheritdoc ISentinelRegistry
    function setEndpoint(address sentinel_, string calldata endpoint) external {
        // An unknown sentinel has no operator: a non-curator caller reverts here, the curator at `_known`.
        if (msg.sender != _storage().records[sentinel_].operator && !hasRole(CURATOR_ROLE, msg.sender)) {
            revert SentinelRegistryNotOperator(msg.sender, sentinel_);
        }
        SentinelRegistryStorage storage $ = _storage();
        _known($, sentinel_);
        Sentinel storage r = $.records[sentinel_];
        _checkEndpoint(endpoint);
        r.endpoint = endpoint;
        emit SentinelEndpointUpdated(sentinel_, endpoint, msg.sender);
    }

    /// @inheritdoc ISentinelRegistry
    function setParameters(Parameters calldata params) external onlyRole(PARAMETER_ROLE) {
        SentinelRegistryStorage storage $ = _storage();
        _checkParameters($, params);
        $.params = params;
        emit ParametersUpdated(params);
        _audit($, SENTINEL_PARAMETERS, address(this), keccak256(abi.encode(params)));
        _evaluate($);
    }

    // ─── permissionless checks ───────────────────────────────────────────────────────────────────────────

    /// @inheritdoc ISentinelRegistry
    function checkSentinel(address sentinel_) external returns (bool served) {
        SentinelRegistryStorage storage $ = _storage();
        _known($, sentinel_);
        (served, ) = _check($, sentinel_);
        _evaluate($);
    }

    /// @inheritdoc ISentinelRegistry
    function checkAll() external returns (uint256 dropped, uint256 restored) {
        SentinelRegistryStorage storage $ = _storage();
        uint256 n = $.registered.length;
        // Bounded: at most maxSentinels <= MAX_SENTINELS (64) iterations.
        for (uint256 i = 0; i < n; ++i) {
            (bool served, bool changed) = _check($, $.registered[i]);
            if (changed) {
                // Each counter grows by at most one per iteration: at most 64.
                unchecked {
                    if (served) ++restored;
                    else ++dropped;
                }
            }
        }
        _evaluate($);
    }

    // ─── views ───────────────────────────────────────────────────────────────────────────────────────────

    /// @inheritdoc ISentinelRegistry
    function servedSentinels() external view returns (address[] memory) {
        return _storage().served;
    }

    /// @inheritdoc ISentinelRegistry
    function liveSentinels() external view returns (address[] memory ids, string[] memory endpoints) {
        SentinelRegistryStorage storage $ = _storage();
        address[] storage served = $.served;
        uint256 n = served.length;
        address[] memory candidates = new address[](n);
        uint256 live;
        // Bounded: the served list holds at most MAX_SENTINELS ids.
        for (uint256 i = 0; i < n; ++i) {
            if (_isLive($.health.livenessOf(served[i]))) {
                candidates[live] = served[i];
                // At most n <= 64.
                unchecked {
                    ++live;
                }
            }
        }
        ids = new address[](live);
        endpoints = new string[](live);
        for (uint256 i = 0; i < live; ++i) {
            ids[i] = candidates[i];
            endpoints[i] = $.records[candidates[i]].endpoint;
        }
    }

    /// @inheritdoc ISentinelRegistry
    function sentinels() external view returns (address[] memory) {
        return _storage().registered;
    }

    /// @inheritdoc ISentinelRegistry
    function sentinel(address sentinel_) external view returns (Sentinel memory) {
        SentinelRegistryStorage storage $ = _storage();
        _known($, sentinel_);
        return $.records[sentinel_];
    }

    /// @inheritdoc ISentinelRegistry
    function isSentinel(address sentinel_) external view returns (bool) {
        return _storage().indexOf[sentinel_] != 0;
    }

    /// @inheritdoc ISentinelRegistry
    function isLive(address sentinel_) external view returns (bool) {
        SentinelRegistryStorage storage $ = _storage();
        return $.indexOf[sentinel_] != 0 && _isLive($.health.livenessOf(sentinel_));
    }

    /// @inheritdoc ISentinelRegistry
    function sentinelCount() external view returns (uint256) {
        return _storage().registered.length;
    }

    /// @inheritdoc ISentinelRegistry
    function servedCount() external view returns (uint256) {
        return _storage().served.length;
    }

    /// @inheritdoc ISentinelRegistry
    function degraded() external view returns (bool) {
        return _storage().degraded;
    }

    /// @inheritdoc ISentinelRegistry
    function parameters() external view returns (Parameters memory) {
        return _storage().params;
    }

    /// @inheritdoc ISentinelRegistry
    function nodeHealth() external view returns (address) {
        return address(_storage().health);
    }

    /// @inheritdoc ISentinelRegistry
    function auditLog() external view returns (address) {
        return address(_storage().audit);
    }

    // ─── internals ───────────────────────────────────────────────────────────────────────────────────────

    function _storage() private pure returns (SentinelRegistryStorage storage $) {
        // ERC-7201: point the struct at its namespaced slot.
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := STORAGE_LOCATION
        }
    }

    /// @dev The sentinel's position + 1 in the registered list; reverts for an unknown one.
    function _known(
        SentinelRegistryStorage storage $,
        address sentinel_
    ) private view returns (uint256 position) {
        position = $.indexOf[sentinel_];
        if (position == 0) revert SentinelRegistryUnknownSentinel(sentinel_);
    }

    /// @dev Drops a served sentinel that is not live, restores an unserved one that is; writes only on a change.
    function _check(
        SentinelRegistryStorage storage $,
        address sentinel_
    ) private returns (bool served, bool changed) {
        INodeHealth.Liveness liveness = $.health.livenessOf(sentinel_);
        bool live = _isLive(liveness);
        Sentinel storage r = $.records[sentinel_];
        served = r.served;
        if (served == live) return (served, false);
        r.checkedAt = uint64(block.timestamp);
        if (live) {
            r.served = true;
            $.served.push(sentinel_);
            $.servedIndexOf[sentinel_] = $.served.length;
            emit SentinelRestored(sentinel_, msg.sender);
            _audit($, SENTINEL_RESTORED, sentinel_, bytes32(0));
        } else {
            _unserve($, sentinel_);
            emit SentinelDropped(sentinel_, liveness, msg.sender);
            _audit($, SENTINEL_DROPPED, sentinel_, bytes32(uint256(liveness)));
        }
        return (live, true);
    }

    /// @dev Takes a served sentinel off the served list (swap-and-pop).
    function _unserve(SentinelRegistryStorage storage $, address sentinel_) private {
        uint256 position = $.servedIndexOf[sentinel_];
        address last = $.served[$.served.length - 1];
        $.served[position - 1] = last;
        $.servedIndexOf[last] = position;
        $.served.pop();
        delete $.servedIndexOf[sentinel_];
        $.records[sentinel_].served = false;
    }

    /// @dev Emits (and audits) a change of the pool's degraded state.
    function _evaluate(SentinelRegistryStorage storage $) private {
        uint256 served = $.served.length;
        uint256 min = $.params.minSentinels;
        bool below = served < min;
        if (below == $.degraded) return;
        $.degraded = below;
        if (below) {
            emit SentinelPoolDegraded(served, min);
            _audit($, SENTINEL_POOL_DEGRADED, address(0), keccak256(abi.encode(served, min)));
        } else {
            emit SentinelPoolRecovered(served, min);
            _audit($, SENTINEL_POOL_RECOVERED, address(0), keccak256(abi.encode(served, min)));
        }
    }

    function _audit(
        SentinelRegistryStorage storage $,
        bytes32 kind,
        address subject,
        bytes32 dataHash
    ) private {
        $.audit.append(kind, msg.sender, subject, 0, dataHash);
    }

    function _isLive(INodeHealth.Liveness liveness) private pure returns (bool) {
        return liveness == INodeHealth.Liveness.Live || liveness == INodeHealth.Liveness.Late;
    }

    function _checkEndpoint(string calldata endpoint) private pure {
        uint256 length = bytes(endpoint).length;
        if (length == 0 || length > MAX_ENDPOINT_LENGTH) {
            revert SentinelRegistryInvalidEndpoint(length, MAX_ENDPOINT_LENGTH);
        }
    }

    function _checkParameters(SentinelRegistryStorage storage $, Parameters calldata p) private view {
        uint256 floor = $.registered.length == 0 ? 1 : $.registered.length;
        if (p.maxSentinels < floor || p.maxSentinels > MAX_SENTINELS) {
            revert SentinelRegistryInvalidParameter("maxSentinels", p.maxSentinels, floor, MAX_SENTINELS);
        }
        if (p.minSentinels < 1 || p.minSentinels > p.maxSentinels) {
            revert SentinelRegistryInvalidParameter("minSentinels", p.minSentinels, 1, p.maxSentinels);
        }
    }
}
