//! The `pos:plugin` types as cases files write them (see [`super::wit`]).

use super::node::{Node, Value};
use super::wit::{Problem, Shown, Wit, enumeration, field, problem, record, variant};
use crate::bindings::erp::{ErpError, ErpPage};
use crate::bindings::local_db::DbError;
use crate::bindings::merge::{Candidate, Confirmation, LocalChange, MatchReason, Plan, WebChange};
use crate::bindings::search::{
    ErpDecision, ErpFound, ErpSearchOutcome, LocalDecision, LocalSearchOutcome, ResultList, RetrieveAction,
    RetrieveDecision, SearchButton,
};
use crate::bindings::ui::Choice;
use crate::bindings::{Argument, ConfigError, Customer, Field, Filter, Message, Notice, Origin, SearchQuery, Severity};

enumeration! {
    Origin => "origin" [Local, Erp, Web]
    Field => "field" [Number, FirstName, LastName, Company, TaxId, Email, Phone, Street, PostalCode, City, Country]
    Severity => "severity" [Info, Warning, Error]
    SearchButton => "search-button" [Hidden, Available, Suggested]
    ResultList => "result-list" [Local, Erp]
    RetrieveAction => "retrieve-action" [Select, Edit, Preview]
    MatchReason => "match-reason" [
        SameLastName, SameNumber, SameEmail, SameTaxId, SameFirstName, SameLastNameWithoutPrefix, LastNamePart,
        GenderedLastName,
    ]
}

record! {
    // A customer written in a case is an active one, as customers mostly are.
    Customer => "customer" {
        number, web_id, first_name, last_name, company, tax_id, email, phone, street, postal_code, city, country,
        active = true, origin, version, updated_at, previewable = true, editable = true,
    }
    Filter => "filter" { field, value }
    SearchQuery => "search-query" { phrase, filters, include_inactive }
    Notice => "notice" { severity, message }
    ConfigError => "config-error" { key, message }
    Choice => "choice" { id, label }
    LocalSearchOutcome => "local-search-outcome" { query, result_count, criteria_changed, online_search_enabled }
    LocalDecision => "local-decision" { notice, search_button, erp_limit, waiting_window_after_ms }
    ErpFound => "erp-found" { count, has_more }
    ErpDecision => "erp-decision" { show, notice }
    RetrieveDecision => "retrieve-decision" { clear_erp_results, notice }
    Candidate => "candidate" { customer, reasons, score }
    Confirmation => "confirmation" { notice, choices, proceed }
    Plan => "plan" { local, web, confirmations, summary }
    ErpPage => "erp-page" { customers, has_more }
}

/// A message's arguments are written as a table, `args = { count = "7" }`: a list of
/// name-value records would say the same at three times the length.
impl Wit for Message {
    fn wit() -> String {
        "message".into()
    }

    fn zero() -> Self {
        Message { key: String::new(), args: Vec::new() }
    }

    fn read(node: &Node, path: &str) -> Result<Self, Problem> {
        let entries = super::wit::record_entries(node, path, "message", &["key".into(), "args".into()])?;
        let key = field::<String>(entries, path, "key")?.unwrap_or_default();
        let args = match super::node::get(entries, "args") {
            None => Vec::new(),
            Some(entry) => {
                let args_path = super::wit::join(path, "args");
                let Some(args) = entry.node.as_table() else {
                    return Err(problem(
                        &entry.node,
                        &args_path,
                        format!("expected a table of argument names and values, found {}", entry.node.kind()),
                    ));
                };
                args.iter()
                    .map(|arg| {
                        let value = match &arg.node.value {
                            Value::Text(text) => text.clone(),
                            Value::Integer(value) => value.to_string(),
                            Value::Float(value) => value.to_string(),
                            Value::Bool(value) => value.to_string(),
                            _ => {
                                let at = super::wit::join(&args_path, &arg.key);
                                let found = arg.node.kind();
                                return Err(problem(&arg.node, &at, format!("expected a string, found {found}")));
                            }
                        };
                        Ok(Argument { name: arg.key.clone(), value })
                    })
                    .collect::<Result<_, _>>()?
            }
        };
        Ok(Message { key, args })
    }

    fn show(&self) -> Shown {
        let args = self.args.iter().map(|arg| (arg.name.clone(), Shown::Text(arg.value.clone()))).collect();
        Shown::Record(vec![("key".into(), Shown::Text(self.key.clone())), ("args".into(), Shown::Record(args))])
    }
}

impl Wit for ErpError {
    fn wit() -> String {
        "erp-error".into()
    }

    fn zero() -> Self {
        ErpError::Unavailable(String::new())
    }

    fn read(node: &Node, path: &str) -> Result<Self, Problem> {
        let (case, payload) = variant(node, path, "erp-error", &["unavailable", "timeout", "cancelled", "rejected"])?;
        Ok(match case {
            "unavailable" => ErpError::Unavailable(payload.read()?),
            "timeout" => payload.none().map(|()| ErpError::Timeout)?,
            "cancelled" => payload.none().map(|()| ErpError::Cancelled)?,
            _ => ErpError::Rejected(payload.read()?),
        })
    }

    fn show(&self) -> Shown {
        match self {
            ErpError::Unavailable(why) => Shown::case("unavailable", why.show()),
            ErpError::Timeout => Shown::case("timeout", Shown::Unit),
            ErpError::Cancelled => Shown::case("cancelled", Shown::Unit),
            ErpError::Rejected(why) => Shown::case("rejected", why.show()),
        }
    }
}

impl Wit for ErpSearchOutcome {
    fn wit() -> String {
        "erp-search-outcome".into()
    }

    fn zero() -> Self {
        ErpSearchOutcome::Found(ErpFound::zero())
    }

    fn read(node: &Node, path: &str) -> Result<Self, Problem> {
        let (case, payload) = variant(node, path, "erp-search-outcome", &["found", "failed"])?;
        Ok(match case {
            "found" => ErpSearchOutcome::Found(payload.read()?),
            _ => ErpSearchOutcome::Failed(payload.read()?),
        })
    }

    fn show(&self) -> Shown {
        match self {
            ErpSearchOutcome::Found(found) => Shown::case("found", found.show()),
            ErpSearchOutcome::Failed(error) => Shown::case("failed", error.show()),
        }
    }
}

impl Wit for DbError {
    fn wit() -> String {
        "db-error".into()
    }

    fn zero() -> Self {
        DbError::Unavailable(String::new())
    }

    fn read(node: &Node, path: &str) -> Result<Self, Problem> {
        let (case, payload) = variant(node, path, "db-error", &["unavailable", "invalid-request"])?;
        Ok(match case {
            "unavailable" => DbError::Unavailable(payload.read()?),
            _ => DbError::InvalidRequest(payload.read()?),
        })
    }

    fn show(&self) -> Shown {
        match self {
            DbError::Unavailable(why) => Shown::case("unavailable", why.show()),
            DbError::InvalidRequest(why) => Shown::case("invalid-request", why.show()),
        }
    }
}

impl Wit for LocalChange {
    fn wit() -> String {
        "local-change".into()
    }

    fn zero() -> Self {
        LocalChange::Keep
    }

    fn read(node: &Node, path: &str) -> Result<Self, Problem> {
        let (case, payload) = variant(node, path, "local-change", &["keep", "create", "update"])?;
        Ok(match case {
            "keep" => payload.none().map(|()| LocalChange::Keep)?,
            "create" => LocalChange::Create(payload.read()?),
            _ => LocalChange::Update(payload.read()?),
        })
    }

    fn show(&self) -> Shown {
        match self {
            LocalChange::Keep => Shown::case("keep", Shown::Unit),
            LocalChange::Create(customer) => Shown::case("create", customer.show()),
            LocalChange::Update(customer) => Shown::case("update", customer.show()),
        }
    }
}

impl Wit for WebChange {
    fn wit() -> String {
        "web-change".into()
    }

    fn zero() -> Self {
        WebChange::Keep
    }

    fn read(node: &Node, path: &str) -> Result<Self, Problem> {
        let (case, payload) = variant(node, path, "web-change", &["keep", "update"])?;
        Ok(match case {
            "keep" => payload.none().map(|()| WebChange::Keep)?,
            _ => WebChange::Update(payload.read()?),
        })
    }

    fn show(&self) -> Shown {
        match self {
            WebChange::Keep => Shown::case("keep", Shown::Unit),
            WebChange::Update(customer) => Shown::case("update", customer.show()),
        }
    }
}
