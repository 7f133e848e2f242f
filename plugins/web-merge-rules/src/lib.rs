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
//! - `transliterations` (array of `"letter=spelling"`, such as `"ü=ue"`): how a letter is
//!   spelled where it cannot be written, so that "Müller" matches "Mueller" as well as
//!   "Muller"; replacing the default `ä=ae`, `ö=oe`, `ü=ue`, `ß=ss` (`[]`: none);
//! - `match-email`, `match-tax-id` (booleans, default true): whether the same e-mail address
//!   or tax id proposes a customer;
//! - `min-score` (0..=100, default 1): candidates scoring less are not proposed.

use pos_plugin_sdk::local_db::DbError;
use pos_plugin_sdk::seed;
use pos_plugin_sdk::types::{ConfigEntry, ConfigError, Customer};
use pos_plugin_sdk::web_merge_rules::{Candidate, Guest, Plan};
use pos_plugin_sdk::{Config, ConfigErrors};
use pos_seed_rules::config::Ignore;
use pos_seed_rules::merge::{self as rules, AsPerson, MATCH_KEYS, MatchConfig};

struct WebMergeRules;

/// Reads the config, recording every problem in `errors`; a bad value gives its default.
fn match_config(config: &Config, errors: &mut ConfigErrors) -> MatchConfig {
    config.reject_unknown(&MATCH_KEYS, &[], errors);
    MatchConfig::read(config, errors)
}

impl Guest for WebMergeRules {
    fn candidates(web: Customer) -> Result<Vec<Candidate>, DbError> {
        // The host validated the config at load.
        seed::candidates(&MatchConfig::read(&Config::load(), &mut Ignore), &web)
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
