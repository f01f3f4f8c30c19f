/**
 * The fault schedule and the injectors.
 *
 * `scheduleFaults` places every fault of the scenario in simulated time: faults with an explicit `at` stay
 * there; the others are laid out one after another in a seeded random order with seeded gaps, each given
 * the room it needs to be detected and healed (its footprint), so one fault's verdict is not confused with
 * the next one's. Agent faults (keeper crash, RPC outage) are laid over a validator fault, so a keeper is
 * down while there is work to do, and never over each other.
 *
 * `injectFault` applies a due fault to the fleet at its time, choosing its victims with the seeded PRNG among
 * active validators whose nodes are healthy (the same seed and the same chain give the same victims).
 */
import type { Fleet, SimNode } from "./fleet.js";
import { Rng } from "./rng.js";
import {
  AGENT_FAULTS,
  SENTINEL_FAULTS,
  DEFAULT_FAULT_DURATION,
  type FaultSpec,
  type FaultType,
  type Scenario,
  ScenarioError,
} from "./scenario.js";

export interface ScheduledFault {
  /** 1-based, in schedule order. */
  id: number;
  type: FaultType;
  /** Seconds after the start. */
  at: number;
  duration: number;
  spec: FaultSpec;
}

/** A fault as it was applied: its victims are known. */
export interface InjectedFault extends ScheduledFault {
  /** Absolute simulated time (unix seconds) it was injected and ends (the node is fixed, the link back...). */
  injectedAt: number;
  endsAt: number;
  /** Validators hit (empty for agent faults). */
  validators: string[];
  /** Node labels of the victims, for the report. */
  nodes: string[];
  /** Agent faults: the keeper hit. */
  keeper?: number;
}

/** Seconds a fault needs, from injection, before the next one should start. */
export function footprint(type: FaultType, duration: number, s: Scenario): number {
  const p = s.parameters;
  const window = p.heartbeatInterval + p.gracePeriod + 2 * s.blockTime;
  switch (type) {
    case "crash":
      return window + 60;
    case "stall": {
      const detect = (p.maxHeightLag + 1) * s.blockTime + (p.stallReports + 1) * p.heartbeatInterval;
      return Math.min(duration, detect + p.stallEscalationDelay + window) + 30;
    }
    case "flap":
    case "latency":
      return duration + 30;
    case "partition":
      return duration + window + 30;
    case "correlated-outage":
      return duration + window + 60;
    case "double-sign":
      return 60;
    case "byzantine-proposer":
      // The lie is posted at the next honest batch slot at the latest, and proven in the block after.
      return 90;
    case "keeper-crash":
    case "rpc-outage":
    case "sentinel-outage":
      return 0;
  }
}

/** Places the scenario's faults in time (seconds after the start). Deterministic for a seed. */
export function scheduleFaults(s: Scenario): ScheduledFault[] {
  const rng = Rng.derive(s.seed, "schedule");
  const p = s.parameters;
  const warmup = Math.min(120, Math.floor(s.duration / 10));
  const tail = p.heartbeatInterval + p.gracePeriod + 4 * s.blockTime;
  const entries = s.faults.map((spec, i) => ({
    spec,
    index: i,
    type: spec.type,
    duration:
      spec.type === "double-sign" || spec.type === "byzantine-proposer"
        ? 0
        : (spec.duration ?? DEFAULT_FAULT_DURATION[spec.type]),
    at: spec.at,
  }));
  const validatorFaults = entries.filter(
    (e) => !AGENT_FAULTS.includes(e.type) && !SENTINEL_FAULTS.includes(e.type),
  );
  const agentFaults = entries.filter((e) => AGENT_FAULTS.includes(e.type));
  const sentinelFaults = entries.filter((e) => SENTINEL_FAULTS.includes(e.type));

  // Validator faults without a time: one after another in a seeded order, after the fixed ones' slots.
  const floating = rng.shuffle(validatorFaults.filter((e) => e.at === undefined));
  const fixedEnd = Math.max(
    warmup,
    ...validatorFaults
      .filter((e) => e.at !== undefined)
      .map((e) => (e.at ?? 0) + footprint(e.type, e.duration, s)),
  );
  const needed = floating.reduce((sum, e) => sum + footprint(e.type, e.duration, s), 0);
  const room = s.duration - tail - (floating.length > 0 ? fixedEnd : 0);
  if (floating.length > 0 && needed > room) {
    throw new ScenarioError(
      `scenario.duration: ${s.duration} s is too short for ${floating.length} faults without a time ` +
        `(they need about ${needed + tail + fixedEnd} s); give a longer duration, fewer faults, or "at" times`,
    );
  }
  let slack = room - needed;
  let t = fixedEnd;
  const slots: { start: number; end: number; type: FaultType }[] = [];
  for (const e of floating) {
    const gap = floating.length > 0 ? rng.int(0, Math.floor(slack / Math.max(1, floating.length))) : 0;
    slack -= gap;
    // Align to a block, so the fault lands on a step.
    const start = Math.ceil((t + gap) / s.blockTime) * s.blockTime;
    e.at = start;
    const end = start + footprint(e.type, e.duration, s);
    slots.push({ start, end, type: e.type });
    t = end;
  }
  for (const e of validatorFaults) {
    if (e.at !== undefined && !slots.some((x) => x.start === e.at))
      slots.push({ start: e.at, end: e.at + footprint(e.type, e.duration, s), type: e.type });
  }

  // Agent faults without a time: over a validator fault's slot, never over another agent fault.
  const taken: { start: number; end: number }[] = agentFaults
    .filter((e) => e.at !== undefined)
    .map((e) => ({ start: e.at ?? 0, end: (e.at ?? 0) + e.duration }));
  const candidates = rng.shuffle(slots);
  for (const e of agentFaults.filter((x) => x.at === undefined)) {
    const slot =
      candidates.find((c) => {
        const start = Math.max(warmup, c.start - 2 * s.blockTime);
        return (
          start + e.duration < s.duration && !taken.some((x) => start < x.end && x.start < start + e.duration)
        );
      }) ?? null;
    let start: number;
    if (slot !== null) {
      start = Math.max(warmup, slot.start - 2 * s.blockTime);
    } else {
      // No validator fault to lay it over: after every other agent fault.
      start = Math.max(warmup, ...taken.map((x) => x.end + s.blockTime));
      if (start + e.duration >= s.duration)
        throw new ScenarioError(`scenario.faults[${e.index}]: no room for a ${e.type} of ${e.duration} s`);
    }
    e.at = Math.ceil(start / s.blockTime) * s.blockTime;
    taken.push({ start: e.at, end: e.at + e.duration });
  }

  // Sentinel outages without a time: over a stall (whose ladder reaches the resync while sentinels are down),
  // else over any validator fault, else after the warm-up. They may overlap agent faults.
  const stallSlots = slots.filter((x) => x.type === "stall").sort((a, b) => a.start - b.start);
  const anySlots = [...slots].sort((a, b) => a.start - b.start);
  sentinelFaults
    .filter((e) => e.at === undefined)
    .forEach((e, k) => {
      const slot = stallSlots[k] ?? anySlots[k];
      let at = slot === undefined ? warmup : Math.max(warmup, slot.start - 2 * s.blockTime);
      if (at + e.duration >= s.duration) at = Math.max(0, s.duration - e.duration - tail);
      e.at = Math.ceil(at / s.blockTime) * s.blockTime;
    });

  return entries
    .map((e) => ({ type: e.type, at: e.at ?? 0, duration: e.duration, spec: e.spec, index: e.index }))
    .sort((a, b) => a.at - b.at || a.index - b.index)
    .map((e, i) => ({ id: i + 1, type: e.type, at: e.at, duration: e.duration, spec: e.spec }));
}

export interface InjectionContext {
  fleet: Fleet;
  /** Absolute time now. */
  now: number;
  /** Active validators now (on-chain), in the set's order. */
  active: readonly string[];
  /** Validators in the initial active set (index → address), for `spec.validator`. */
  initialActive: readonly string[];
  /** Validators already hit by an earlier fault (not chosen again while others are healthy). */
  hit: Set<string>;
  rng: Rng;
}

/** Healthy active nodes, preferring ones not hit before. */
function candidates(ctx: InjectionContext): SimNode[] {
  const nodes = ctx.active
    .map((v) => ctx.fleet.byValidator(v))
    .filter((n): n is SimNode => n !== undefined && n.condition(ctx.now) === "ok");
  const fresh = nodes.filter((n) => !ctx.hit.has(n.validator));
  return fresh.length > 0 ? fresh : nodes;
}

function pickOne(fault: ScheduledFault, ctx: InjectionContext): SimNode[] {
  if (fault.spec.validator !== undefined) {
    const v = ctx.initialActive[fault.spec.validator];
    const node = v === undefined ? undefined : ctx.fleet.byValidator(v);
    if (node !== undefined) return [node];
  }
  const pool = candidates(ctx);
  return pool.length === 0 ? [] : [ctx.rng.pick(pool)];
}

/** Applies a due fault to the fleet. Agent faults are applied by the engine (it owns the keepers). */
export function injectFault(fault: ScheduledFault, ctx: InjectionContext, start: number): InjectedFault {
  const t = ctx.now;
  const until = t + fault.duration;
  let victims: SimNode[] = [];
  switch (fault.type) {
    case "crash":
      victims = pickOne(fault, ctx);
      for (const n of victims) n.crashedUntil = until;
      break;
    case "stall":
      victims = pickOne(fault, ctx);
      for (const n of victims) {
        n.freeze();
        n.stalledUntil = until;
        n.corrupted = fault.spec.corrupted === true;
      }
      break;
    case "flap":
      victims = pickOne(fault, ctx);
      for (const n of victims) n.flappingUntil = until;
      break;
    case "latency":
      victims = pickOne(fault, ctx);
      for (const n of victims) {
        n.slowUntil = until;
        n.latencyMs = fault.spec.latencyMs ?? 4_000;
      }
      break;
    case "partition": {
      const pool = candidates(ctx);
      victims = ctx.rng.sample(pool, Math.min(pool.length, fault.spec.count ?? 2));
      for (const n of victims) {
        n.freeze();
        n.partitionedUntil = until;
      }
      break;
    }
    case "correlated-outage": {
      const share = fault.spec.share ?? 0.4;
      const want = Math.ceil(share * ctx.active.length);
      const pool = candidates(ctx);
      const others = ctx.active
        .map((v) => ctx.fleet.byValidator(v))
        .filter((n): n is SimNode => n !== undefined && n.condition(t) === "ok" && !pool.includes(n));
      victims = [...ctx.rng.sample(pool, Math.min(pool.length, want))];
      if (victims.length < want)
        victims.push(...ctx.rng.sample(others, Math.min(others.length, want - victims.length)));
      for (const n of victims) n.outageUntil = until;
      break;
    }
    case "double-sign":
      victims = pickOne(fault, ctx);
      for (const n of victims) n.equivocatedAt = t;
      break;
    case "byzantine-proposer":
      // The engine's proposer agent for this validator posts the lie (the node itself stays live).
      victims = pickOne(fault, ctx);
      break;
    case "keeper-crash":
    case "rpc-outage":
    case "sentinel-outage":
      // Applied by the engine (it owns the keepers and the sentinels).
      break;
  }
  for (const n of victims) ctx.hit.add(n.validator);
  const injected: InjectedFault = {
    ...fault,
    at: t - start,
    injectedAt: t,
    endsAt: fault.type === "double-sign" || fault.type === "byzantine-proposer" ? t : until,
    validators: victims.map((n) => n.validator),
    nodes: victims.map((n) => n.label),
  };
  if (AGENT_FAULTS.includes(fault.type)) injected.keeper = fault.spec.keeper ?? 0;
  return injected;
}
