/**
 * The scenario of a chaos simulation: the fleet, the chain's timing parameters, the agents and the faults.
 *
 * A scenario file (`npm start -- --scenario file.json`) is JSON checked against `SCENARIO_SCHEMA` (a JSON
 * Schema, draft 2020-12 subset, checked by `validateAgainstSchema` below) and then against the rules no schema
 * can express (a minority partition must be a minority, keeper faults may not take every keeper down at once,
 * faults must start inside the run, ...). Every error names the field at fault, e.g.
 * `scenario.faults[2].duration: must be ≥ 1 (got 0)`.
 *
 * Omitted fields take the defaults: the default scenario is 21 validators, 5 backups, guardians 3-of-5, one
 * simulated hour with one fault of each kind.
 */

export const FAULT_TYPES = [
  "crash",
  "stall",
  "flap",
  "latency",
  "partition",
  "correlated-outage",
  "double-sign",
  "keeper-crash",
  "rpc-outage",
  "byzantine-proposer",
  "sentinel-outage",
] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

/** Faults that hit validators' nodes (the others hit the agents). */
export const VALIDATOR_FAULTS: readonly FaultType[] = [
  "crash",
  "stall",
  "flap",
  "latency",
  "partition",
  "correlated-outage",
  "double-sign",
  "byzantine-proposer",
];
export const AGENT_FAULTS: readonly FaultType[] = ["keeper-crash", "rpc-outage"];
/**
 * Faults that hit the sentinel pool (the read-only nodes recovering nodes resync from): laid over a stall, so
 * that a resync happens while sentinels are down.
 */
export const SENTINEL_FAULTS: readonly FaultType[] = ["sentinel-outage"];

/** The contract's hard cap on the active set (IValidatorSet.Parameters.maxActive bounds). */
export const MAX_ACTIVE_CAP = 128;

export interface FaultSpec {
  type: FaultType;
  /** Seconds after the start of the run; omitted: placed by the seeded schedule. */
  at?: number;
  /** Seconds the fault lasts (double-sign: ignored; stall: until remediated, at most this). */
  duration?: number;
  /** partition: how many validators are cut off (a minority); sentinel-outage: how many sentinels go silent. */
  count?: number;
  /** correlated-outage: share of the active set that goes down at once (0 < share < 1). */
  share?: number;
  /** Index in the initial active set (0 = highest stake); omitted: chosen by the seed among healthy ones. */
  validator?: number;
  /** keeper-crash / rpc-outage: which keeper (0-based). */
  keeper?: number;
  /** latency: the node's RPC latency during the spike, in ms. */
  latencyMs?: number;
  /**
   * stall: the node's data is corrupted — a restart brings it back still stuck at the same height; only a
   * wipe and resync from a final snapshot (or a reprovision) cures it. Default false.
   */
  corrupted?: boolean;
}

export interface ChainParameters {
  heartbeatInterval: number;
  gracePeriod: number;
  /** Blocks behind the best height before a report counts as lagging. */
  maxHeightLag: number;
  stallReports: number;
  appealWindow: number;
  jailDuration: number;
  stallEscalationDelay: number;
  minActive: number;
  correlatedFaultBps: number;
  minUptimeBps: number;
}

export interface Scenario {
  name: string;
  seed: string;
  /** Validators that want an active seat (the active set holds min(validators, 128)). */
  validators: number;
  /** Extra candidates in the backup pool. */
  backups: number;
  /** Simulated seconds. */
  duration: number;
  /** Seconds per block of the simulated validator network, and the engine's step. */
  blockTime: number;
  guardians: { count: number; threshold: number };
  /** Keepers running at once (at least 2, so one can crash). */
  keepers: number;
  /** Seconds a simulated node needs to come back after a restart. */
  restartTime: number;
  parameters: ChainParameters;
  /**
   * The sentinel pool (SentinelRegistry): `count` read-only nodes heartbeating through the relay like validators,
   * and the registry's `minSentinels`. Omitted: DEFAULT_SENTINELS.
   */
  sentinels?: { count: number; min: number };
  faults: FaultSpec[];
  /**
   * The "upgrade during faults" step: at `at` seconds (default: half the run), or at the first step after it
   * with a fault active (at the latest at three quarters of the run), `contract` is upgraded to its V2
   * through its ProxyAdmin, and the run checks that nothing was lost. "none" skips it.
   */
  upgrade: UpgradeSpec;
}

export interface UpgradeSpec {
  contract: "NodeHealth" | "StakeManager" | "none";
  at?: number;
}

export const DEFAULT_SENTINELS = { count: 3, min: 2 };

export const DEFAULT_PARAMETERS: ChainParameters = {
  heartbeatInterval: 30,
  gracePeriod: 30,
  maxHeightLag: 12,
  stallReports: 2,
  appealWindow: 3_600,
  jailDuration: 600,
  stallEscalationDelay: 300,
  minActive: 4,
  correlatedFaultBps: 3_300,
  minUptimeBps: 5_000,
};

/** One of each fault; times are placed by the seeded schedule. */
export const DEFAULT_FAULTS: FaultSpec[] = [
  { type: "crash", duration: 600 },
  { type: "stall", duration: 900, corrupted: true },
  { type: "flap", duration: 240 },
  { type: "latency", duration: 240, latencyMs: 4_000 },
  { type: "partition", duration: 150, count: 2 },
  { type: "correlated-outage", duration: 180, share: 0.4 },
  { type: "double-sign" },
  { type: "keeper-crash", duration: 240, keeper: 0 },
  { type: "rpc-outage", duration: 180, keeper: 1 },
  { type: "byzantine-proposer" },
  { type: "sentinel-outage", duration: 300, count: 2 },
];

export const DEFAULT_SCENARIO: Scenario = {
  name: "default",
  seed: "1",
  validators: 21,
  backups: 5,
  duration: 3_600,
  blockTime: 5,
  guardians: { count: 5, threshold: 3 },
  keepers: 2,
  restartTime: 20,
  parameters: DEFAULT_PARAMETERS,
  sentinels: DEFAULT_SENTINELS,
  faults: DEFAULT_FAULTS,
  upgrade: { contract: "NodeHealth" },
};

/** Default duration per fault type, when a fault gives none. */
export const DEFAULT_FAULT_DURATION: Record<FaultType, number> = {
  crash: 600,
  stall: 900,
  flap: 240,
  latency: 240,
  partition: 150,
  "correlated-outage": 180,
  "double-sign": 0,
  "keeper-crash": 240,
  "rpc-outage": 180,
  "byzantine-proposer": 0,
  "sentinel-outage": 300,
};

// ------------------------------------------------------------------------------------------------ schema

type JsonSchema = {
  type?: "object" | "array" | "integer" | "number" | "string" | "boolean";
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxItems?: number;
  enum?: readonly (string | number)[];
  anyOf?: JsonSchema[];
  description?: string;
};

const int = (minimum: number, maximum: number, description: string): JsonSchema => ({
  type: "integer",
  minimum,
  maximum,
  description,
});

/** The scenario file's JSON Schema (draft 2020-12 keywords; every field optional). */
export const SCENARIO_SCHEMA: JsonSchema & { $schema: string; title: string } = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "healnet chaos simulation scenario",
  type: "object",
  additionalProperties: false,
  properties: {
    $schema: { type: "string" },
    name: { type: "string", minLength: 1, description: "shown in the report" },
    seed: {
      anyOf: [{ type: "string", minLength: 1 }, { type: "integer" }],
      description: "same seed, same incidents and figures",
    },
    validators: int(1, 1_000, "validators wanting an active seat (the set holds at most 128)"),
    backups: int(0, 1_000, "extra candidates in the backup pool"),
    duration: int(1, 7 * 86_400, "simulated seconds"),
    blockTime: int(1, 60, "seconds per block, and the engine's step"),
    guardians: {
      type: "object",
      additionalProperties: false,
      properties: { count: int(1, 20, "guardians"), threshold: int(1, 20, "approvals needed (M)") },
    },
    keepers: int(2, 8, "keepers running at once"),
    restartTime: int(0, 3_600, "seconds a node needs to come back after a restart"),
    sentinels: {
      type: "object",
      additionalProperties: false,
      properties: {
        count: int(1, 64, "sentinels in the pool"),
        min: int(1, 64, "minSentinels: fewer served and the guardians are told"),
      },
    },
    parameters: {
      type: "object",
      additionalProperties: false,
      properties: {
        heartbeatInterval: int(5, 86_400, "s"),
        gracePeriod: int(0, 86_400, "s"),
        maxHeightLag: int(1, 1_000_000, "blocks"),
        stallReports: int(1, 255, "reports"),
        appealWindow: int(3_600, 3 * 86_400, "s (contract bounds: 1 h .. 3 days)"),
        jailDuration: int(60, 30 * 86_400, "s"),
        stallEscalationDelay: int(60, 86_400, "s"),
        minActive: int(1, MAX_ACTIVE_CAP, "floor of the active set"),
        correlatedFaultBps: int(1_000, 10_000, "bps"),
        minUptimeBps: int(0, 10_000, "bps"),
      },
    },
    upgrade: {
      type: "object",
      additionalProperties: false,
      properties: {
        contract: {
          type: "string",
          enum: ["NodeHealth", "StakeManager", "none"],
          description: "proxy upgraded mid-run (none: no upgrade)",
        },
        at: int(0, 7 * 86_400, "seconds after the start (default: half the run, while a fault is active)"),
      },
    },
    faults: {
      type: "array",
      maxItems: 1_000,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["type"],
        properties: {
          type: { type: "string", enum: FAULT_TYPES },
          at: int(0, 7 * 86_400, "seconds after the start"),
          duration: int(1, 7 * 86_400, "seconds"),
          count: int(1, 1_000, "partition: validators cut off; sentinel-outage: sentinels silent"),
          share: {
            type: "number",
            exclusiveMinimum: 0,
            exclusiveMaximum: 1,
            description: "correlated share",
          },
          validator: int(0, 1_000, "index in the initial active set"),
          keeper: int(0, 7, "keeper index"),
          latencyMs: int(1, 60_000, "ms"),
          corrupted: { type: "boolean", description: "stall: only a resync from a snapshot cures it" },
        },
      },
    },
  },
};

/** A scenario (file or options) that cannot run; the message names the field. */
export class ScenarioError extends Error {
  override readonly name = "ScenarioError";
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function fmt(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Errors of `value` against `schema`, each "path: problem". Supports the keywords SCENARIO_SCHEMA uses. */
export function validateAgainstSchema(value: unknown, schema: JsonSchema, path: string): string[] {
  if (schema.anyOf) {
    const all = schema.anyOf.map((s) => validateAgainstSchema(value, s, path));
    if (all.some((e) => e.length === 0)) return [];
    const types = schema.anyOf.map((s) => s.type).join(" or ");
    return [`${path}: must be ${types} (got ${fmt(value)})`];
  }
  const actual = typeOf(value);
  if (schema.type !== undefined) {
    const ok =
      schema.type === "number" ? actual === "number" || actual === "integer" : actual === schema.type;
    if (!ok)
      return [
        `${path}: must be ${schema.type === "integer" ? "an integer" : `a ${schema.type}`} (got ${fmt(value)})`,
      ];
  }
  const errors: string[] = [];
  if (schema.enum && !schema.enum.includes(value as string | number)) {
    errors.push(`${path}: must be one of ${schema.enum.join(", ")} (got ${fmt(value)})`);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum)
      errors.push(`${path}: must be ≥ ${schema.minimum} (got ${value})`);
    if (schema.maximum !== undefined && value > schema.maximum)
      errors.push(`${path}: must be ≤ ${schema.maximum} (got ${value})`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum)
      errors.push(`${path}: must be > ${schema.exclusiveMinimum} (got ${value})`);
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum)
      errors.push(`${path}: must be < ${schema.exclusiveMaximum} (got ${value})`);
  }
  if (typeof value === "string" && schema.minLength !== undefined && value.length < schema.minLength) {
    errors.push(`${path}: must not be empty`);
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      errors.push(`${path}: at most ${schema.maxItems} items (got ${value.length})`);
    if (schema.items)
      value.forEach((item, i) => errors.push(...validateAgainstSchema(item, schema.items!, `${path}[${i}]`)));
  }
  if (actual === "object") {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!(key in object)) errors.push(`${path}.${key}: is required`);
    }
    for (const [key, child] of Object.entries(object)) {
      const sub = schema.properties?.[key];
      if (sub === undefined) {
        if (schema.additionalProperties === false) {
          const known = Object.keys(schema.properties ?? {}).filter((k) => k !== "$schema");
          errors.push(`${path}.${key}: unknown field (known: ${known.join(", ")})`);
        }
        continue;
      }
      errors.push(...validateAgainstSchema(child, sub, `${path}.${key}`));
    }
  }
  return errors;
}

/** Overrides from the command line; they win over the file. */
export interface ScenarioOverrides {
  validators?: number;
  backups?: number;
  duration?: number;
  seed?: string;
}

/**
 * Builds a scenario from a parsed JSON document (or `{}`) and command-line overrides, and checks it.
 * Throws ScenarioError with every problem found, one per line, each naming its field.
 */
export function resolveScenario(document: unknown, overrides: ScenarioOverrides = {}): Scenario {
  const errors = validateAgainstSchema(document, SCENARIO_SCHEMA, "scenario");
  if (errors.length > 0) throw new ScenarioError(errors.join("\n"));
  const file = document as Partial<Omit<Scenario, "seed" | "parameters" | "guardians" | "sentinels">> & {
    sentinels?: Partial<NonNullable<Scenario["sentinels"]>>;
    seed?: string | number;
    parameters?: Partial<ChainParameters>;
    guardians?: Partial<Scenario["guardians"]>;
  };
  const scenario: Scenario = {
    name: file.name ?? (file.faults === undefined ? DEFAULT_SCENARIO.name : "custom"),
    seed: String(overrides.seed ?? file.seed ?? DEFAULT_SCENARIO.seed),
    validators: overrides.validators ?? file.validators ?? DEFAULT_SCENARIO.validators,
    backups: overrides.backups ?? file.backups ?? DEFAULT_SCENARIO.backups,
    duration: overrides.duration ?? file.duration ?? DEFAULT_SCENARIO.duration,
    blockTime: file.blockTime ?? DEFAULT_SCENARIO.blockTime,
    guardians: { ...DEFAULT_SCENARIO.guardians, ...file.guardians },
    keepers: file.keepers ?? DEFAULT_SCENARIO.keepers,
    restartTime: file.restartTime ?? DEFAULT_SCENARIO.restartTime,
    parameters: { ...DEFAULT_PARAMETERS, ...file.parameters },
    sentinels: { ...DEFAULT_SENTINELS, ...file.sentinels },
    faults: (file.faults ?? DEFAULT_FAULTS).map((f) => ({ ...f })),
    upgrade: { ...DEFAULT_SCENARIO.upgrade, ...file.upgrade },
  };
  checkScenario(scenario);
  return scenario;
}

/** The rules a schema cannot express. Throws ScenarioError listing every violation. */
export function checkScenario(s: Scenario): void {
  const errors: string[] = [];
  const p = s.parameters;
  const need = (cond: boolean, message: string) => {
    if (!cond) errors.push(message);
  };
  need(
    Number.isInteger(s.duration) && s.duration > 0,
    `scenario.duration: must be a positive number of seconds (got ${s.duration})`,
  );
  need(
    Number.isInteger(s.validators) && s.validators >= 1,
    `scenario.validators: must be a positive integer (got ${s.validators})`,
  );
  need(
    Number.isInteger(s.backups) && s.backups >= 0,
    `scenario.backups: must be an integer ≥ 0 (got ${s.backups})`,
  );
  const seats = Math.min(s.validators, MAX_ACTIVE_CAP);
  need(
    p.minActive <= seats,
    `scenario.parameters.minActive: ${p.minActive} is more than the active set (${seats} validators)`,
  );
  const pool = s.sentinels ?? DEFAULT_SENTINELS;
  need(
    pool.min <= pool.count,
    `scenario.sentinels.min: ${pool.min} is more than the ${pool.count} sentinels`,
  );
  need(
    s.guardians.threshold <= s.guardians.count,
    `scenario.guardians.threshold: ${s.guardians.threshold} is more than the ${s.guardians.count} guardians`,
  );
  need(
    p.heartbeatInterval >= 2 * s.blockTime,
    `scenario.parameters.heartbeatInterval: ${p.heartbeatInterval} s must be at least two blocks (${2 * s.blockTime} s)`,
  );
  need(
    s.duration >= 2 * (p.heartbeatInterval + p.gracePeriod),
    `scenario.duration: ${s.duration} s is shorter than two liveness windows (${2 * (p.heartbeatInterval + p.gracePeriod)} s)`,
  );

  let victims = 0;
  s.faults.forEach((f, i) => {
    const at = `scenario.faults[${i}]`;
    if (f.at !== undefined)
      need(f.at < s.duration, `${at}.at: ${f.at} s is not inside the run (duration ${s.duration} s)`);
    if (f.validator !== undefined)
      need(
        f.validator < seats,
        `${at}.validator: index ${f.validator} but the active set has ${seats} validators`,
      );
    if (f.keeper !== undefined)
      need(f.keeper < s.keepers, `${at}.keeper: index ${f.keeper} but there are ${s.keepers} keepers`);
    if (f.count !== undefined)
      need(
        f.type === "partition" || f.type === "sentinel-outage",
        `${at}.count: only a partition or a sentinel-outage takes a count`,
      );
    if (f.type === "sentinel-outage") {
      const pool = s.sentinels ?? DEFAULT_SENTINELS;
      need(
        (f.count ?? 1) <= pool.count,
        `${at}.count: ${f.count ?? 1} sentinels silent but the pool has ${pool.count}`,
      );
    }
    if (f.share !== undefined)
      need(f.type === "correlated-outage", `${at}.share: only a correlated-outage takes a share`);
    if (f.latencyMs !== undefined)
      need(f.type === "latency", `${at}.latencyMs: only a latency fault takes latencyMs`);
    if (f.corrupted !== undefined) need(f.type === "stall", `${at}.corrupted: only a stall can be corrupted`);
    if (f.keeper !== undefined)
      need(AGENT_FAULTS.includes(f.type), `${at}.keeper: only keeper-crash and rpc-outage take a keeper`);
    if (f.validator !== undefined)
      need(
        VALIDATOR_FAULTS.includes(f.type) && f.type !== "correlated-outage" && f.type !== "partition",
        `${at}.validator: a ${f.type} fault does not take a single validator`,
      );
    if (f.type === "latency") {
      const max = Math.max(0, (p.gracePeriod - 2 * s.blockTime) * 1_000);
      need(
        (f.latencyMs ?? 4_000) <= max,
        `${at}.latencyMs: ${f.latencyMs ?? 4_000} ms does not fit in the grace period (at most ${max} ms: gracePeriod − 2 blocks)`,
      );
    }
    if (f.type === "partition") {
      const count = f.count ?? 2;
      need(
        count * 3 < seats,
        `${at}.count: a partition of ${count} of ${seats} validators is not a minority (must be < 1/3)`,
      );
      victims += count;
    } else if (f.type === "correlated-outage") {
      const share = f.share ?? 0.4;
      need(
        share * 10_000 > p.correlatedFaultBps,
        `${at}.share: ${share} is not above correlatedFaultBps (${p.correlatedFaultBps / 10_000}): that is not a correlated outage`,
      );
      need(
        Math.ceil(share * seats) < seats,
        `${at}.share: ${share} of ${seats} validators takes down the whole set`,
      );
    } else if (VALIDATOR_FAULTS.includes(f.type)) {
      victims += 1;
    }
  });
  need(
    victims <= seats,
    `scenario.faults: ${victims} validators are hit by faults but there are only ${seats} validators`,
  );

  // Keeper faults may not take every keeper down at once (then nobody heals anything).
  const agentFaults = s.faults
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => AGENT_FAULTS.includes(f.type) && f.at !== undefined);
  for (const a of agentFaults) {
    const down = new Set<number>();
    for (const b of agentFaults) {
      const aStart = a.f.at ?? 0;
      const bStart = b.f.at ?? 0;
      const bEnd = bStart + (b.f.duration ?? DEFAULT_FAULT_DURATION[b.f.type]);
      if (bStart <= aStart && aStart < bEnd) down.add(b.f.keeper ?? 0);
    }
    need(down.size < s.keepers, `scenario.faults[${a.i}]: at ${a.f.at} s every keeper would be down at once`);
  }
  if (errors.length > 0) throw new ScenarioError(errors.join("\n"));
}

/** Active seats for a scenario: the contract caps the active set at 128. */
export function activeSeats(s: Scenario): number {
  return Math.min(s.validators, MAX_ACTIVE_CAP);
}
