//! A `web-merge-rules` plugin: which local customers may be a web shop customer, and what
//! each side becomes when the operator merges them.
//!
//! `candidates` proposes the local customers with the web customer's number or last name
//! (asked from the `local-db` capability, which the policy must grant), best first. The three
//! plans say what the local and the web record become for each of the operator's actions,
//! and which confirmations the operator gives first.
//!
//! Config (all optional): `max-candidates` (1..=200, default 20): the most candidates
//! proposed; `match-first-name` (default true): the same first name adds to a candidate's score.

use pos_plugin_sdk::local_db::{self, DbError};
use pos_plugin_sdk::types::{ConfigEntry, ConfigError, ConfigValue, Customer, Notice, Severity};
use pos_plugin_sdk::ui::Choice;
use pos_plugin_sdk::web_merge_rules::{Candidate, Confirmation, Guest, LocalChange, MatchReason, Plan, WebChange};
use pos_plugin_sdk::{Config, ConfigErrors, message};

/// What the config says.
struct Settings {
    max_candidates: u32,
    match_first_name: bool,
}

/// Reads the config, recording every problem in `errors`.
fn settings(config: &Config, errors: &mut ConfigErrors) -> Settings {
    config.reject_unknown(&["max-candidates", "match-first-name"], &[], errors);
    let match_first_name = match config.get("match-first-name") {
        None => true,
        Some(ConfigValue::Boolean(value)) => *value,
        Some(_) => {
            errors.push("match-first-name", "must be true or false");
            true
        }
    };
    Settings { max_candidates: config.u32_in("max-candidates", 20, 1..=200, errors), match_first_name }
}

/// Whether two names are the same, case aside.
fn same(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Ranks the customers `found` for `web`: the same number scores 100, the same last name 60,
/// the same first name adds 15; best first, each customer once, at most `max-candidates`.
fn rank(web: &Customer, found: Vec<Customer>, settings: &Settings) -> Vec<Candidate> {
    let mut candidates: Vec<Candidate> = Vec::new();
    for customer in found {
        if customer.number.is_none() || candidates.iter().any(|c| c.customer.number == customer.number) {
            continue;
        }
        let mut reasons = Vec::new();
        if web.number.is_some() && customer.number == web.number {
            reasons.push(MatchReason::SameNumber);
        }
        if same(&customer.last_name, &web.last_name) {
            reasons.push(MatchReason::SameLastName);
        }
        let Some(strongest) = reasons.first() else { continue };
        let mut score: u8 = if *strongest == MatchReason::SameNumber { 100 } else { 60 };
        if settings.match_first_name && !web.first_name.is_empty() && same(&customer.first_name, &web.first_name) {
            reasons.push(MatchReason::SameFirstName);
            score = score.saturating_add(15).min(100);
        }
        candidates.push(Candidate { customer, reasons, score });
    }
    // A stable sort: among equal scores, the order the database answered in.
    candidates.sort_by_key(|candidate| std::cmp::Reverse(candidate.score));
    candidates.truncate(settings.max_candidates as usize);
    candidates
}

/// `target` with the person's data of `source`: number, names, company, tax id and contact.
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

fn take_over_local(web: &Customer, local: &Customer) -> Plan {
    let mut confirmations = Vec::new();
    if !same(&web.last_name, &local.last_name) {
        // A wrong pick, or a real difference (a company contact, a maiden name): ask first.
        let args = [("web-last-name", web.last_name.as_str()), ("local-last-name", local.last_name.as_str())];
        confirmations.push(Confirmation {
            notice: Notice { severity: Severity::Warning, message: message("existing-customer-overwritten", args) },
            choices: vec![
                Choice { id: "cancel".into(), label: message("action-cancel", []) },
                Choice { id: "continue".into(), label: message("action-continue", []) },
            ],
            proceed: "continue".into(),
        });
    }
    let web_id = web.web_id.as_deref().unwrap_or_default();
    let number = local.number.as_deref().unwrap_or_default();
    Plan {
        local: LocalChange::Update(Customer { web_id: web.web_id.clone(), ..local.clone() }),
        web: WebChange::Update(with_person_of(web, local)),
        confirmations,
        summary: message("merge-linked-to-local", [("web-id", web_id), ("number", number)]),
    }
}

fn take_over_web(web: &Customer) -> Plan {
    let web_id = web.web_id.as_deref().unwrap_or_default();
    Plan {
        // A `None` number: the host assigns the next free one, and gives it to the web side too.
        local: LocalChange::Create(web.clone()),
        web: WebChange::Update(web.clone()),
        confirmations: Vec::new(),
        summary: message("merge-added-from-web", [("web-id", web_id)]),
    }
}

fn push_local(local: &Customer, web: &Customer) -> Plan {
    let number = local.number.as_deref().unwrap_or_default();
    Plan {
        local: LocalChange::Keep,
        web: WebChange::Update(with_person_of(web, local)),
        confirmations: Vec::new(),
        summary: message("merge-pushed-to-web", [("number", number)]),
    }
}

struct Plugin;

impl Guest for Plugin {
    fn candidates(web: Customer) -> Result<Vec<Candidate>, DbError> {
        // The host refuses a config that `validate_config` refuses, so no problem is left here.
        let settings = settings(&Config::load(), &mut ConfigErrors::default());
        let mut found = Vec::new();
        if let Some(number) = &web.number {
            found.extend(local_db::get(number)?);
        }
        found.extend(local_db::find_by_last_name(&web.last_name, settings.max_candidates)?);
        Ok(rank(&web, found, &settings))
    }

    fn take_over_local(web: Customer, local: Customer) -> Plan {
        take_over_local(&web, &local)
    }

    fn take_over_web(web: Customer) -> Plan {
        take_over_web(&web)
    }

    fn push_local(local: Customer, web: Customer) -> Plan {
        push_local(&local, &web)
    }

    fn validate_config(config: Vec<ConfigEntry>) -> Result<(), Vec<ConfigError>> {
        let mut errors = ConfigErrors::default();
        settings(&Config::new(config), &mut errors);
        errors.into_result()
    }
}

pos_plugin_sdk::web_merge_rules::export!(Plugin);

// The logic above is plain Rust: these tests run natively with `cargo test`, without the
// host. Calling a hook itself needs the host (`candidates` asks it for local customers); that
// is what `pos-host plugin test` does with cases.toml.
#[cfg(test)]
mod tests {
    use super::*;
    use pos_plugin_sdk::types::Origin;

    fn customer(number: Option<&str>, first_name: &str, last_name: &str) -> Customer {
        Customer {
            number: number.map(String::from),
            web_id: None,
            first_name: first_name.into(),
            last_name: last_name.into(),
            company: None,
            tax_id: None,
            email: None,
            phone: None,
            street: None,
            postal_code: None,
            city: None,
            country: None,
            active: true,
            origin: Origin::Local,
            version: 1,
            updated_at: 0,
            previewable: true,
            editable: true,
        }
    }

    fn web(first_name: &str, last_name: &str) -> Customer {
        Customer { web_id: Some("W-1".into()), origin: Origin::Web, ..customer(None, first_name, last_name) }
    }

    #[test]
    fn ranks_the_same_first_name_first() {
        let settings = Settings { max_candidates: 20, match_first_name: true };
        let found = vec![customer(Some("K-2"), "Jan", "Nowak"), customer(Some("K-1"), "Anna", "nowak")];
        let ranked = rank(&web("Anna", "Nowak"), found, &settings);
        let numbers: Vec<(Option<&str>, u8)> = ranked.iter().map(|c| (c.customer.number.as_deref(), c.score)).collect();
        assert_eq!(numbers, [(Some("K-1"), 75), (Some("K-2"), 60)]);
        assert_eq!(ranked[0].reasons, [MatchReason::SameLastName, MatchReason::SameFirstName]);
    }

    #[test]
    fn asks_before_overwriting_a_different_last_name() {
        let local = customer(Some("K-1"), "Anna", "Kowalska");
        assert!(take_over_local(&web("Anna", "Kowalska"), &local).confirmations.is_empty());
        let plan = take_over_local(&web("Anna", "Nowak"), &local);
        assert_eq!(plan.confirmations[0].notice.message.key, "existing-customer-overwritten");
        let WebChange::Update(web_side) = plan.web else { panic!("the web side changes") };
        assert_eq!((web_side.number.as_deref(), web_side.last_name.as_str()), (Some("K-1"), "Kowalska"));
    }

    #[test]
    fn refuses_a_bad_config() {
        let entry = |key: &str, value| ConfigEntry { key: key.into(), value };
        assert!(Plugin::validate_config(vec![entry("max-candidates", ConfigValue::Integer(5))]).is_ok());
        let errors = Plugin::validate_config(vec![entry("match-first-name", ConfigValue::Text("yes".into()))]);
        assert_eq!(errors.unwrap_err()[0].key, "match-first-name");
    }
}
