//! The seed-2 merge rules: which local customers may be a web customer, the warning when
//! last names differ, and what each side becomes for every operator action.
//!
//! Config (optional): `max-candidates` (1..=200, default 50).

use pos_plugin_sdk::local_db::{self, DbError};
use pos_plugin_sdk::types::{ConfigEntry, ConfigError, Customer, Severity};
use pos_plugin_sdk::ui::Choice;
use pos_plugin_sdk::web_merge_rules::{Candidate, Confirmation, Guest, LocalChange, MatchReason, Plan, WebChange};
use pos_plugin_sdk::{Config, ConfigErrors, message};
use pos_seed_rules::merge::{self as rules, MAX_CANDIDATES, Reason};

struct WebMergeRules;

fn max_candidates(config: &Config, errors: &mut ConfigErrors) -> u32 {
    config.reject_unknown(&["max-candidates"], &[], errors);
    config.u32_in("max-candidates", MAX_CANDIDATES, 1..=200, errors)
}

/// `target` with the person's data of `source`: names, company, ids and address.
fn with_person_of(target: &Customer, source: &Customer) -> Customer {
    Customer {
        number: source.number.clone(),
        first_name: source.first_name.clone(),
        last_name: source.last_name.clone(),
        company: source.company.clone(),
        tax_id: source.tax_id.clone(),
        email: source.email.clone(),
        phone: source.phone.clone(),
        street: source.street.clone(),
        postal_code: source.postal_code.clone(),
        city: source.city.clone(),
        country: source.country.clone(),
        ..target.clone()
    }
}

fn id(customer: &Customer) -> &str {
    customer.web_id.as_deref().unwrap_or("")
}

fn number(customer: &Customer) -> &str {
    customer.number.as_deref().unwrap_or("")
}

impl Guest for WebMergeRules {
    fn candidates(web: Customer) -> Result<Vec<Candidate>, DbError> {
        let limit = max_candidates(&Config::load(), &mut ConfigErrors::default());
        let mut found = Vec::new();
        if let Some(number) = web.number.as_deref().filter(|n| !n.trim().is_empty()) {
            found.extend(local_db::get(number.trim())?);
        }
        if !web.last_name.trim().is_empty() {
            found.extend(local_db::find_by_last_name(&web.last_name, limit)?);
        }
        let mut candidates: Vec<Candidate> = Vec::new();
        for local in found {
            if candidates.iter().any(|c| c.customer.number == local.number) {
                continue;
            }
            let reasons =
                rules::reasons(web.number.as_deref(), &web.last_name, local.number.as_deref(), &local.last_name);
            if reasons.is_empty() {
                continue;
            }
            let reasons = reasons
                .into_iter()
                .map(|reason| match reason {
                    Reason::SameNumber => MatchReason::SameNumber,
                    Reason::SameLastName => MatchReason::SameLastName,
                })
                .collect();
            candidates.push(Candidate { customer: local, reasons, score: 0 });
        }
        // Same-number matches first; otherwise keep the database's order.
        candidates.sort_by_key(|c| c.reasons.first() != Some(&MatchReason::SameNumber));
        candidates.truncate(limit as usize);
        Ok(candidates)
    }

    fn take_over_local(web: Customer, local: Customer) -> Plan {
        let mut confirmations = Vec::new();
        if rules::last_names_differ(&web.last_name, &local.last_name) {
            confirmations.push(Confirmation {
                notice: pos_plugin_sdk::types::Notice {
                    severity: Severity::Warning,
                    message: message(
                        "existing-customer-overwritten",
                        [("web-last-name", web.last_name.as_str()), ("local-last-name", local.last_name.as_str())],
                    ),
                },
                choices: vec![
                    Choice { id: "cancel".into(), label: message("action-cancel", []) },
                    Choice { id: "continue".into(), label: message("action-continue", []) },
                ],
                proceed: "continue".into(),
            });
        }
        let linked_local = Customer { web_id: web.web_id.clone(), ..local.clone() };
        Plan {
            summary: message("merge-linked-to-local", [("web-id", id(&web)), ("number", number(&local))]),
            web: WebChange::Update(with_person_of(&web, &local)),
            local: LocalChange::Update(linked_local),
            confirmations,
        }
    }

    fn take_over_web(web: Customer) -> Plan {
        Plan {
            summary: message("merge-added-from-web", [("web-id", id(&web))]),
            local: LocalChange::Create(web.clone()),
            web: WebChange::Update(web),
            confirmations: Vec::new(),
        }
    }

    fn push_local(local: Customer, web: Customer) -> Plan {
        Plan {
            summary: message("merge-pushed-to-web", [("number", number(&local))]),
            web: WebChange::Update(with_person_of(&web, &local)),
            local: LocalChange::Keep,
            confirmations: Vec::new(),
        }
    }

    fn validate_config(config: Vec<ConfigEntry>) -> Result<(), Vec<ConfigError>> {
        let mut errors = ConfigErrors::default();
        max_candidates(&Config::new(config), &mut errors);
        errors.into_result()
    }
}

pos_plugin_sdk::web_merge_rules::export!(WebMergeRules);
