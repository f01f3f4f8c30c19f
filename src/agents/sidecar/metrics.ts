/** The sidecar's Prometheus metrics (`healnet_sidecar_*`), counters at zero from the start. */
import type { Counter, Gauge, Registry } from "../common/metrics.js";

export interface SidecarMetrics {
  heartbeats: Counter;
  lastHeartbeatAge: Gauge;
  nodeHeight: Gauge;
  peers: Gauge;
}

export function registerSidecarMetrics(registry: Registry): SidecarMetrics {
  return {
    heartbeats: registry.labelledCounter("healnet_sidecar_heartbeats_total", "Heartbeats by result", [
      { result: "sent" },
      { result: "relayed" },
      { result: "failed" },
      { result: "node_unreadable" },
      { result: "stale_head" },
    ]),
    lastHeartbeatAge: registry.gauge(
      "healnet_sidecar_last_heartbeat_age_seconds",
      "Chain seconds since the last confirmed or relayed heartbeat",
    ),
    nodeHeight: registry.gauge("healnet_sidecar_node_height", "The node's head block number"),
    peers: registry.gauge("healnet_sidecar_node_peers", "The node's peer count"),
  };
}
