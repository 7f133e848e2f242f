//! The seed-2 merge rules: which local customers may be a web customer, the warning when
//! last names differ, and what each side becomes for every operator action. The rules are
//! `pos_seed_rules::merge` (shared with the host's fallback); this crate reads the config
//! and puts them in the slot's WIT types.
//!
//! Config (all optional):
//! - `max-candidates` (1..=200, default 50): the most candidates proposed;
//! - `name-prefixes` (array of strings): the last-name prefixes set aside ("van", "in 't"),
//!   replacing the default list;
//! - `gendered-suffixes` (array of `"masculine:feminine"`, such as `"ski:ska"`): the endings
//!   of the two forms of a surname, replacing the default `ski:ska`, `cki:cka`, `dzki:dzka`;
//! - `match-email`, `match-tax-id` (booleans, default true): whether the same e-mail address
//!   or tax id proposes a customer;
//! - `min-score` (0..=100, default 1): candidates scoring less are not proposed.

use pos_plugin_sdk::local_db::DbError;
use pos_plugin_sdk::seed;
use pos_plugin_sdk::types::{ConfigEntry, ConfigError, Customer};
use pos_plugin_sdk::web_merge_rules::{Candidate, Guest, Plan};
use pos_plugin_sdk::{Config, ConfigErrors};
use pos_seed_rules::merge::{self as rules, AsPerson, MAX_CANDIDATES_LIMIT, MatchConfig};
use pos_seed_rules::names::{self, DEFAULT_GENDERED_SUFFIXES, DEFAULT_PREFIXES, NameRules};

struct WebMergeRules;

const KEYS: [&str; 6] =
    ["max-candidates", "name-prefixes", "gendered-suffixes", "match-email", "match-tax-id", "min-score"];

/// Reads the config, recording every problem in `errors`; a bad value gives its default.
fn match_config(config: &Config, errors: &mut ConfigErrors) -> MatchConfig {
    let default = MatchConfig::default();
    config.reject_unknown(&KEYS, &[], errors);
    let prefixes: Vec<&str> = match config.text_list("name-prefixes", errors) {
        Some(items) => {
            let bad: Vec<String> = items.iter().filter_map(|p| names::check_prefix(p).err()).collect();
            if bad.is_empty() {
                items.iter().map(String::as_str).collect()
            } else {
                errors.push("name-prefixes", bad.join("; "));
                DEFAULT_PREFIXES.to_vec()
            }
        }
        None => DEFAULT_PREFIXES.to_vec(),
    };
    let suffixes: Vec<(&str, &str)> = match config.text_list("gendered-suffixes", errors) {
        Some(items) => {
            let parsed: Vec<Result<(&str, &str), String>> =
                items.iter().map(|pair| names::parse_suffix_pair(pair)).collect();
            let bad: Vec<&str> = parsed.iter().filter_map(|p| p.as_ref().err()).map(String::as_str).collect();
            if bad.is_empty() {
                parsed.into_iter().flatten().collect()
            } else {
                errors.push("gendered-suffixes", bad.join("; "));
                DEFAULT_GENDERED_SUFFIXES.to_vec()
            }
        }
        None => DEFAULT_GENDERED_SUFFIXES.to_vec(),
    };
    MatchConfig {
        max_candidates: config.u32_in("max-candidates", default.max_candidates, 1..=MAX_CANDIDATES_LIMIT, errors),
        names: NameRules::new(prefixes, suffixes),
        match_email: config.boolean("match-email", default.match_email, errors),
        match_tax_id: config.boolean("match-tax-id", default.match_tax_id, errors),
        min_score: config.u32_in("min-score", default.min_score.into(), 0..=100, errors) as u8,
    }
}

impl Guest for WebMergeRules {
    fn candidates(web: Customer) -> Result<Vec<Candidate>, DbError> {
        // The host validated the config at load.
        seed::candidates(&match_config(&Config::load(), &mut ConfigErrors::default()), &web)
    }

    fn take_over_local(web: Customer, local: Customer) -> Plan {
        seed::plan(rules::take_over_local(&web.person(), &local.person()), &web, Some(&local))
    }

    fn take_over_web(web: Customer) -> Plan {
        seed::plan(rules::take_over_web(&web.person()), &web, None)
    }

    fn push_local(local: Customer, web: Customer) -> Plan {
        seed::plan(rules::push_local(&local.person(), &web.person()), &web, Some(&local))
    }

    fn validate_config(config: Vec<ConfigEntry>) -> Result<(), Vec<ConfigError>> {
        let mut errors = ConfigErrors::default();
        match_config(&Config::new(config), &mut errors);
        errors.into_result()
    }
}

pos_plugin_sdk::web_merge_rules::export!(WebMergeRules);
