//! The seed rules (`pos-seed-rules`, plain Rust shared with the host's fallbacks) in the
//! WIT types of the slots, for plugins that build on the seed behaviour and change only
//! part of it: the seed-1 search rules of the `search-policy` slot, and the seed-2 matching
//! and plans of the `web-merge-rules` slot. Enabled by the `seed-rules` feature.

use crate::local_db::{self, DbError};
use crate::search_policy::{ErpDecision, ErpSearchOutcome, LocalDecision, ResultList, RetrieveDecision, SearchButton};
use crate::types::{Argument, Choice, Customer, ErpError, Field, Filter, Message, Notice, SearchQuery, Severity};
use crate::web_merge_rules::{Candidate, Confirmation, LocalChange, MatchReason, Plan, WebChange};
use pos_seed_rules::merge::{AsPerson, Lookup, MatchConfig};
use pos_seed_rules::search::Thresholds;

// The conversions between the seed rules and the WIT types, written once for this SDK and the
// host's fallbacks: `notice`, `local_decision`, `erp_decision`, `retrieve_decision`,
// `match_reason`, `search_query`, `candidates_of`, `with_person_of`, `plan`.
pos_seed_rules::seed_in_wit_types!();

/// The seed's decision after an ERP search.
pub fn after_erp_search(thresholds: &Thresholds, outcome: ErpSearchOutcome) -> ErpDecision {
    erp_decision(thresholds, &outcome)
}

/// The seed's decision after retrieving an ERP customer failed.
pub fn after_erp_retrieve_failed(error: &ErpError) -> RetrieveDecision {
    retrieve_decision(error)
}

/// The seed's candidates for `web`: runs [`MatchConfig::lookups`] on the `local-db`
/// capability and ranks what they found, with the name prefixes, gendered endings and
/// transliterations `config` holds ([`MatchConfig::read`] reads them from the slot's config).
pub fn candidates(config: &MatchConfig, web: &Customer) -> Result<Vec<Candidate>, DbError> {
    let person = web.person();
    let mut found = Vec::new();
    for lookup in config.lookups(&person) {
        match lookup {
            Lookup::Number(number) => found.extend(local_db::get(&number)?),
            Lookup::LastName { key, limit } => found.extend(local_db::find_by_last_name(&key, limit)?),
            Lookup::Search(search) => found.extend(local_db::search(&search_query(&search), search.limit)?),
        }
    }
    Ok(candidates_of(config.rank(&person, found)))
}
