//! The seed rules (`pos-seed-rules`, plain Rust shared with the host's fallbacks) in the
//! WIT types of the slots, for plugins that build on the seed behaviour and change only
//! part of it: the seed-1 search rules of the `search-policy` slot, and the seed-2 matching
//! and plans of the `web-merge-rules` slot. Enabled by the `seed-rules` feature.

use crate::erp::ErpError;
use crate::local_db::{self, DbError};
use crate::search_policy::{ErpDecision, ErpSearchOutcome, LocalDecision, ResultList, RetrieveDecision, SearchButton};
use crate::types::{Customer, Field, Filter, Message, Notice, SearchQuery, Severity};
use crate::ui::Choice;
use crate::web_merge_rules::{Candidate, Confirmation, LocalChange, MatchReason, Plan, WebChange};
use pos_seed_rules::merge::{
    self, AsPerson, FilterField, LocalSpec, Lookup, MatchConfig, MessageSpec, PERSON_FIELDS, Person, PersonField,
    PlanSpec, Reason, WebSpec,
};
use pos_seed_rules::search::{self as rules, Button, ErpOutcome, List, Thresholds};

fn severity(severity: rules::Severity) -> Severity {
    match severity {
        rules::Severity::Info => Severity::Info,
        rules::Severity::Warning => Severity::Warning,
        rules::Severity::Error => Severity::Error,
    }
}

/// A seed notice as the WIT notice.
pub fn notice(rule: Option<rules::Notice>) -> Option<Notice> {
    rule.map(|rule| crate::notice(severity(rule.severity), rule.key))
}

/// A seed decision after a local search as the WIT decision.
pub fn local_decision(decision: rules::LocalDecision) -> LocalDecision {
    LocalDecision {
        notice: notice(decision.notice),
        search_button: match decision.button {
            Button::Hidden => SearchButton::Hidden,
            Button::Available => SearchButton::Available,
            Button::Suggested => SearchButton::Suggested,
        },
        erp_limit: decision.erp_limit,
        waiting_window_after_ms: decision.waiting_window_after_ms,
    }
}

/// The seed's decision after an ERP search.
pub fn after_erp_search(thresholds: &Thresholds, outcome: ErpSearchOutcome) -> ErpDecision {
    let outcome = match outcome {
        ErpSearchOutcome::Found(found) => ErpOutcome::Found { count: found.count, has_more: found.has_more },
        ErpSearchOutcome::Failed(ErpError::Cancelled) => ErpOutcome::Cancelled,
        ErpSearchOutcome::Failed(_) => ErpOutcome::Failed,
    };
    let (list, rule) = rules::after_erp_search(thresholds, outcome);
    ErpDecision {
        show: match list {
            List::Local => ResultList::Local,
            List::Erp => ResultList::Erp,
        },
        notice: notice(rule),
    }
}

/// The seed's decision after retrieving an ERP customer failed.
pub fn after_erp_retrieve_failed(error: &ErpError) -> RetrieveDecision {
    let (clear, rule) = rules::after_retrieve_failed(matches!(error, ErpError::Cancelled));
    RetrieveDecision { clear_erp_results: clear, notice: notice(rule) }
}

// ----- web-merge-rules -----

impl AsPerson for Customer {
    fn person(&self) -> Person<'_> {
        Person {
            number: self.number.as_deref(),
            web_id: self.web_id.as_deref(),
            first_name: &self.first_name,
            last_name: &self.last_name,
            email: self.email.as_deref(),
            tax_id: self.tax_id.as_deref(),
        }
    }
}

/// A seed match reason as the WIT reason.
pub fn match_reason(reason: Reason) -> MatchReason {
    match reason {
        Reason::SameNumber => MatchReason::SameNumber,
        Reason::SameTaxId => MatchReason::SameTaxId,
        Reason::SameEmail => MatchReason::SameEmail,
        Reason::SameLastName => MatchReason::SameLastName,
        Reason::SameLastNameWithoutPrefix => MatchReason::SameLastNameWithoutPrefix,
        Reason::GenderedLastName => MatchReason::GenderedLastName,
        Reason::LastNamePart => MatchReason::LastNamePart,
        Reason::SameFirstName => MatchReason::SameFirstName,
    }
}

/// A seed search request as the WIT query: inactive customers included.
pub fn search_query(search: &merge::Search) -> SearchQuery {
    SearchQuery {
        phrase: search.phrase.clone(),
        filters: search
            .filters
            .iter()
            .map(|(field, value)| Filter {
                field: match field {
                    FilterField::Email => Field::Email,
                    FilterField::TaxId => Field::TaxId,
                },
                value: value.clone(),
            })
            .collect(),
        include_inactive: true,
    }
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
    Ok(config
        .rank(&person, found)
        .into_iter()
        .map(|ranked| Candidate {
            customer: ranked.customer,
            reasons: ranked.reasons.into_iter().map(match_reason).collect(),
            score: ranked.score,
        })
        .collect())
}

/// `target` with the [`PERSON_FIELDS`] of `source`.
pub fn with_person_of(target: &Customer, source: &Customer) -> Customer {
    let mut customer = target.clone();
    for field in PERSON_FIELDS {
        match field {
            PersonField::Number => customer.number = source.number.clone(),
            PersonField::FirstName => customer.first_name = source.first_name.clone(),
            PersonField::LastName => customer.last_name = source.last_name.clone(),
            PersonField::Company => customer.company = source.company.clone(),
            PersonField::TaxId => customer.tax_id = source.tax_id.clone(),
            PersonField::Email => customer.email = source.email.clone(),
            PersonField::Phone => customer.phone = source.phone.clone(),
            PersonField::Street => customer.street = source.street.clone(),
            PersonField::PostalCode => customer.postal_code = source.postal_code.clone(),
            PersonField::City => customer.city = source.city.clone(),
            PersonField::Country => customer.country = source.country.clone(),
        }
    }
    customer
}

fn message_of(spec: &MessageSpec) -> Message {
    crate::message(spec.key, spec.args.iter().map(|(name, value)| (*name, value.as_str())))
}

/// A seed plan as the WIT plan, for the web customer `web` and the local customer `local`
/// (`None` when the action has none: the web customer stands in).
pub fn plan(spec: PlanSpec, web: &Customer, local: Option<&Customer>) -> Plan {
    let local = local.unwrap_or(web);
    Plan {
        local: match spec.local {
            LocalSpec::Keep => LocalChange::Keep,
            LocalSpec::CreateFromWeb => LocalChange::Create(web.clone()),
            LocalSpec::LinkToWeb => LocalChange::Update(Customer { web_id: web.web_id.clone(), ..local.clone() }),
        },
        web: match spec.web {
            WebSpec::Keep => WebChange::Keep,
            WebSpec::AsIs => WebChange::Update(web.clone()),
            WebSpec::PersonOfLocal => WebChange::Update(with_person_of(web, local)),
        },
        confirmations: spec
            .confirmations
            .iter()
            .map(|confirmation| Confirmation {
                notice: Notice {
                    severity: severity(confirmation.severity),
                    message: message_of(&confirmation.message),
                },
                choices: confirmation
                    .choices
                    .iter()
                    .map(|choice| Choice { id: choice.id.to_owned(), label: message_of(&choice.label) })
                    .collect(),
                proceed: confirmation.proceed.to_owned(),
            })
            .collect(),
        summary: message_of(&spec.summary),
    }
}
