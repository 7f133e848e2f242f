// The seed-1 search decisions, in JavaScript, written from the WIT alone: when to offer the
// ERP search, and what follows it. The same decisions, config keys and config checks as the
// Rust plugin in plugins/search-thresholds (its rules are plugins/seed-rules/src/search.rs).
//
// Built against the shipped `search-policy` world of wit/v0.2.0 as it is: the world imports
// only `log` and `config`, so the component needs no grant.
//
// Config (all optional): `offer-erp-at-most` (1..=99, default 6), `erp-show-at-most`
// (1..=99, default 6), `waiting-window-after-ms` (0..=60000, default 700).

import { get } from "pos:plugin/config@0.2.0";

/** Each threshold: its seed value and the values a config may give it. */
const THRESHOLDS = new Map([
  ["offer-erp-at-most", { seed: 6, min: 1, max: 99 }],
  ["erp-show-at-most", { seed: 6, min: 1, max: 99 }],
  ["waiting-window-after-ms", { seed: 700, min: 0, max: 60000 }],
]);

/** The TOML type of a config value, as the Rust plugin names it in its problems. */
const KINDS = { boolean: "a boolean", integer: "an integer", float: "a float", text: "a string", "text-list": "an array" };

/** The problem with `value` for threshold `key`, if any. */
function problem(key, value) {
  const { min, max } = THRESHOLDS.get(key);
  if (value.tag !== "integer") {
    return `must be an integer, found ${KINDS[value.tag]}`;
  }
  if (value.val < BigInt(min) || value.val > BigInt(max)) {
    return `must be between ${min} and ${max}, found ${value.val}`;
  }
  return undefined;
}

/** The thresholds of the running call; the host validated them at load. */
function thresholds() {
  const read = {};
  for (const [key, { seed }] of THRESHOLDS) {
    const value = get(key);
    read[key] = value === undefined || problem(key, value) !== undefined ? seed : Number(value.val);
  }
  return read;
}

function notice(severity, key) {
  return { severity, message: { key, args: [] } };
}

/** The `pos:plugin/search-decisions` interface. */
export const searchDecisions = {
  afterLocalSearch(outcome) {
    const t = thresholds();
    let shown;
    if (!outcome.onlineSearchEnabled) {
      shown = { notice: undefined, searchButton: "hidden" };
    } else if (outcome.resultCount === 0) {
      shown = { notice: notice("info", "local-no-results"), searchButton: "suggested" };
    } else if (outcome.criteriaChanged && outcome.resultCount <= t["offer-erp-at-most"]) {
      shown = { notice: notice("info", "local-no-exact-results"), searchButton: "suggested" };
    } else {
      shown = { notice: undefined, searchButton: "available" };
    }
    return {
      ...shown,
      erpLimit: t["erp-show-at-most"] + 1,
      waitingWindowAfterMs: t["waiting-window-after-ms"],
    };
  },

  afterErpSearch(_query, outcome) {
    if (outcome.tag === "failed") {
      return outcome.val.tag === "cancelled"
        ? { show: "local", notice: undefined }
        : { show: "local", notice: notice("error", "erp-connection-failed") };
    }
    const { count, hasMore } = outcome.val;
    if (count === 0 && !hasMore) {
      return { show: "local", notice: notice("info", "erp-no-results") };
    }
    if (hasMore || count > thresholds()["erp-show-at-most"]) {
      return { show: "local", notice: notice("warning", "erp-too-many-results") };
    }
    return { show: "erp", notice: undefined };
  },

  afterErpRetrieveFailed(_action, error) {
    return error.tag === "cancelled"
      ? { clearErpResults: false, notice: undefined }
      : { clearErpResults: true, notice: notice("error", "erp-retrieve-failed") };
  },

  validateConfig(config) {
    const errors = [];
    const known = [...THRESHOLDS.keys()];
    for (const { key, value } of config) {
      const why = THRESHOLDS.has(key)
        ? problem(key, value)
        : `unknown key; expected one of ${known.map((k) => `\`${k}\``).join(", ")}`;
      if (why !== undefined) {
        errors.push({ key, message: why });
      }
    }
    // A thrown list (not an `Error`) is the `err` of the result.
    if (errors.length > 0) {
      throw errors;
    }
  },
};
