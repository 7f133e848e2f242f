//! The API's JSON shapes: `snake_case` fields and `kebab-case` values throughout, and every
//! message already in words in the operator's locale. `pos-host --json` prints the same
//! shapes, so that a script reads one spelling whichever way it asks.

use crate::bindings::merge::{Candidate, MatchReason};
use crate::bindings::search::{ResultList, SearchButton};
use crate::bindings::{Customer, Field, Filter, Message, Origin, SearchQuery, Severity};
use crate::embed::{Host, Prompt};
use crate::flows::search::{Screen, ShownNotice};
use crate::flows::web::{Candidates, Decision, LocalEditView, Refreshed, WebList};
use crate::store::holdings::{Holdings, OutboxChange};
use crate::store::web::{AuditEntry, WebEdit};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct CustomerJson {
    pub number: Option<String>,
    pub web_id: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub company: Option<String>,
    pub tax_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub active: bool,
    pub origin: OriginJson,
    pub version: u64,
    pub updated_at: i64,
    pub previewable: bool,
    pub editable: bool,
}

impl From<&Customer> for CustomerJson {
    fn from(c: &Customer) -> CustomerJson {
        CustomerJson {
            number: c.number.clone(),
            web_id: c.web_id.clone(),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            company: c.company.clone(),
            tax_id: c.tax_id.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            street: c.street.clone(),
            postal_code: c.postal_code.clone(),
            city: c.city.clone(),
            country: c.country.clone(),
            active: c.active,
            origin: match c.origin {
                Origin::Local => OriginJson::Local,
                Origin::Erp => OriginJson::Erp,
                Origin::Web => OriginJson::Web,
            },
            version: c.version,
            updated_at: c.updated_at,
            previewable: c.previewable,
            editable: c.editable,
        }
    }
}

pub fn customers(list: &[Customer]) -> Vec<CustomerJson> {
    list.iter().map(CustomerJson::from).collect()
}

/// Where a customer was made: here, in the ERP, or on the web shop.
#[derive(Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OriginJson {
    Local,
    Erp,
    Web,
}

#[derive(Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SeverityJson {
    Info,
    Warning,
    Error,
}

fn severity(severity: Severity) -> SeverityJson {
    match severity {
        Severity::Info => SeverityJson::Info,
        Severity::Warning => SeverityJson::Warning,
        Severity::Error => SeverityJson::Error,
    }
}

#[derive(Serialize, ToSchema)]
pub struct NoticeJson {
    pub severity: SeverityJson,
    pub key: String,
    pub text: String,
}

impl From<&ShownNotice> for NoticeJson {
    fn from(notice: &ShownNotice) -> NoticeJson {
        NoticeJson { severity: severity(notice.severity), key: notice.key.clone(), text: notice.text.clone() }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ScreenJson {
    pub list: ListJson,
    pub customers: Vec<CustomerJson>,
    pub notice: Option<NoticeJson>,
    pub search_button: SearchButtonJson,
    /// More customers match than `customers` holds: the list was cut.
    pub more: bool,
}

impl From<&Screen> for ScreenJson {
    fn from(screen: &Screen) -> ScreenJson {
        ScreenJson {
            list: match screen.list {
                ResultList::Local => ListJson::Local,
                ResultList::Erp => ListJson::Erp,
            },
            customers: customers(&screen.customers),
            notice: screen.notice.as_ref().map(NoticeJson::from),
            search_button: match screen.search_button {
                SearchButton::Hidden => SearchButtonJson::Hidden,
                SearchButton::Available => SearchButtonJson::Available,
                SearchButton::Suggested => SearchButtonJson::Suggested,
            },
            more: screen.more,
        }
    }
}

/// Which list the screen shows.
#[derive(Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ListJson {
    Local,
    Erp,
}

/// How the screen shows the button that searches the ERP.
#[derive(Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SearchButtonJson {
    Hidden,
    Available,
    Suggested,
}

/// The fields a filter may name, by their API names.
const FILTER_FIELDS: [(&str, Field); 11] = [
    ("number", Field::Number),
    ("first-name", Field::FirstName),
    ("last-name", Field::LastName),
    ("company", Field::Company),
    ("tax-id", Field::TaxId),
    ("email", Field::Email),
    ("phone", Field::Phone),
    ("street", Field::Street),
    ("postal-code", Field::PostalCode),
    ("city", Field::City),
    ("country", Field::Country),
];

/// How long a phrase or a filter value may be, in characters.
pub const MAX_PHRASE: usize = 200;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryJson {
    pub phrase: String,
    #[serde(default)]
    pub filters: Vec<FilterJson>,
    #[serde(default)]
    pub include_inactive: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilterJson {
    pub field: String,
    pub value: String,
}

impl QueryJson {
    /// The query, or a `422` naming the field that is wrong.
    pub fn check(self) -> Result<SearchQuery, super::error::ApiError> {
        use super::error::ApiError;
        let text = |field: &str, value: &str| {
            if value.chars().count() > MAX_PHRASE {
                return Err(ApiError::invalid(field, format!("is longer than {MAX_PHRASE} characters")));
            }
            if value.chars().any(char::is_control) {
                return Err(ApiError::invalid(field, "contains control characters"));
            }
            Ok(())
        };
        text("phrase", &self.phrase)?;
        if self.filters.len() > FILTER_FIELDS.len() {
            return Err(ApiError::invalid("filters", format!("at most {} filters", FILTER_FIELDS.len())));
        }
        let mut filters = Vec::new();
        for (i, filter) in self.filters.into_iter().enumerate() {
            let field =
                FILTER_FIELDS.iter().find(|(name, _)| *name == filter.field).map(|(_, f)| *f).ok_or_else(|| {
                    let names: Vec<&str> = FILTER_FIELDS.iter().map(|(n, _)| *n).collect();
                    ApiError::invalid(
                        &format!("filters[{i}].field"),
                        format!("unknown field `{}`; expected one of {}", filter.field, names.join(", ")),
                    )
                })?;
            text(&format!("filters[{i}].value"), &filter.value)?;
            filters.push(Filter { field, value: filter.value });
        }
        Ok(SearchQuery { phrase: self.phrase, filters, include_inactive: self.include_inactive })
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReasonJson {
    pub reason: String,
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct CandidateJson {
    pub customer: CustomerJson,
    pub score: u8,
    pub reasons: Vec<ReasonJson>,
}

/// The local candidates for one web customer, and the customers the operator's search found.
#[derive(Serialize, ToSchema)]
pub struct CandidatesJson {
    pub web: CustomerJson,
    pub candidates: Vec<CandidateJson>,
    pub search: Vec<CustomerJson>,
    pub decided_by: String,
}

pub async fn candidates(host: &Host, found: &Candidates, locale: &str) -> CandidatesJson {
    CandidatesJson {
        web: (&found.web).into(),
        candidates: ranked(host, &found.candidates, locale).await,
        search: customers(&found.search),
        decided_by: found.decided_by.clone(),
    }
}

/// The candidates, each reason's text rendered once for all of them: a render is a plugin
/// call, and fifty candidates share a handful of reasons.
async fn ranked(host: &Host, candidates: &[Candidate], locale: &str) -> Vec<CandidateJson> {
    let mut texts: Vec<(MatchReason, String, String)> = Vec::new();
    for reason in candidates.iter().flat_map(|c| &c.reasons) {
        if !texts.iter().any(|(known, ..)| known == reason) {
            let message = crate::slots::web_merge_rules::reason_message(*reason);
            let text = host.render(&message, Some(locale)).await;
            texts.push((*reason, message.key.trim_start_matches("reason-").to_owned(), text));
        }
    }
    let reason = |reason: &MatchReason| {
        let (_, name, text) = texts.iter().find(|(known, ..)| known == reason).expect("rendered above");
        ReasonJson { reason: name.clone(), text: text.clone() }
    };
    candidates
        .iter()
        .map(|c| CandidateJson {
            customer: (&c.customer).into(),
            score: c.score,
            reasons: c.reasons.iter().map(reason).collect(),
        })
        .collect()
}

#[derive(Serialize, ToSchema)]
pub struct WebEditJson {
    pub customer: CustomerJson,
    pub state: crate::store::web::WebEditState,
    pub listed_at: i64,
}

impl From<&WebEdit> for WebEditJson {
    fn from(entry: &WebEdit) -> WebEditJson {
        WebEditJson { customer: (&entry.customer).into(), state: entry.state, listed_at: entry.listed_at }
    }
}

/// The web edit list, and what reading the feed did or why it failed.
#[derive(Serialize, ToSchema)]
pub struct WebListJson {
    pub entries: Vec<WebEditJson>,
    pub refreshed: Option<Refreshed>,
    pub refresh_error: Option<String>,
}

impl From<&WebList> for WebListJson {
    fn from(list: &WebList) -> WebListJson {
        WebListJson {
            entries: list.entries.iter().map(WebEditJson::from).collect(),
            refreshed: list.refreshed.as_ref().ok().cloned(),
            refresh_error: list.refreshed.as_ref().err().cloned(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LocalEditJson {
    pub edit: LocalEditEntry,
    pub web: Option<CustomerJson>,
    pub web_error: Option<String>,
    /// The web customer as "Take over local info" would leave it.
    pub sends: Option<CustomerJson>,
}

#[derive(Serialize, ToSchema)]
pub struct LocalEditEntry {
    pub customer: CustomerJson,
    pub web_id: String,
    pub changed_at: i64,
    pub web_version: Option<u64>,
}

impl From<&LocalEditView> for LocalEditJson {
    fn from(view: &LocalEditView) -> LocalEditJson {
        let (web, web_error) = match &view.web {
            Ok(web) => (web.as_ref().map(CustomerJson::from), None),
            Err(error) => (None, Some(error.clone())),
        };
        LocalEditJson {
            edit: LocalEditEntry {
                customer: (&view.edit.customer).into(),
                web_id: view.edit.web_id.clone(),
                changed_at: view.edit.changed_at,
                web_version: view.edit.web_version,
            },
            web,
            web_error,
            sends: view.sends.as_ref().map(CustomerJson::from),
        }
    }
}

/// A message by key and arguments, as `POST /api/texts` takes it.
#[derive(Serialize, ToSchema)]
pub struct MessageJson {
    pub key: String,
    pub args: std::collections::BTreeMap<String, String>,
}

impl From<&Message> for MessageJson {
    fn from(message: &Message) -> Self {
        MessageJson {
            key: message.key.clone(),
            args: message.args.iter().map(|a| (a.name.clone(), a.value.clone())).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DecisionJson {
    pub action: crate::flows::web::Action,
    pub outcome: DecisionOutcomeJson,
    pub web_id: Option<String>,
    pub number: Option<String>,
    /// The plan's summary in words.
    pub summary: Option<String>,
    /// The summary as a message (`POST /api/texts` renders it again in another locale).
    pub summary_message: Option<MessageJson>,
    pub web: Option<CustomerJson>,
    pub local: Option<CustomerJson>,
    pub decided_by: String,
    pub audit_id: i64,
    pub resumed: bool,
}

/// Whether the plan was carried out or the operator stopped it.
#[derive(Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DecisionOutcomeJson {
    Applied,
    Cancelled,
}

pub async fn decision(host: &Host, decision: &Decision, locale: &str) -> DecisionJson {
    let summary = match &decision.summary {
        Some(message) => Some(host.render(message, Some(locale)).await),
        None => None,
    };
    DecisionJson {
        action: decision.action,
        outcome: match decision.outcome {
            crate::flows::web::Outcome::Applied => DecisionOutcomeJson::Applied,
            crate::flows::web::Outcome::Cancelled => DecisionOutcomeJson::Cancelled,
        },
        web_id: decision.web_id.clone(),
        number: decision.number.clone(),
        summary,
        summary_message: decision.summary.as_ref().map(MessageJson::from),
        web: decision.web.as_ref().map(CustomerJson::from),
        local: decision.local.as_ref().map(CustomerJson::from),
        decided_by: decision.decided_by.clone(),
        audit_id: decision.audit_id,
        resumed: decision.resumed,
    }
}

#[derive(Serialize, ToSchema)]
pub struct ChoiceJson {
    pub id: String,
    pub label: String,
}

#[derive(Serialize, ToSchema)]
pub struct PromptJson {
    pub id: u64,
    pub severity: SeverityJson,
    pub key: String,
    pub text: String,
    pub choices: Vec<ChoiceJson>,
    pub asked_at: u64,
    pub expires_at: u64,
}

pub async fn prompt(host: &Host, prompt: &Prompt, locale: &str) -> PromptJson {
    let mut choices = Vec::new();
    for choice in &prompt.choices {
        choices.push(ChoiceJson { id: choice.id.clone(), label: host.render(&choice.label, Some(locale)).await });
    }
    PromptJson {
        id: prompt.id,
        severity: severity(prompt.notice.severity),
        key: prompt.notice.message.key.clone(),
        text: host.render(&prompt.notice.message, Some(locale)).await,
        choices,
        asked_at: prompt.asked_at_ms,
        expires_at: prompt.expires_at_ms,
    }
}

/// The customers of an audit entry's `before` or `after` (`{ "web": …, "local": … }`, as
/// stored) in the API's shape; anything else as it is.
fn audited(records: Option<serde_json::Value>) -> Option<serde_json::Value> {
    let serde_json::Value::Object(records) = records? else { return None };
    let shaped = records.into_iter().map(|(side, record)| match serde_json::from_value::<Customer>(record.clone()) {
        Ok(customer) => (side, serde_json::to_value(CustomerJson::from(&customer)).unwrap_or(record)),
        Err(_) => (side, record),
    });
    Some(serde_json::Value::Object(shaped.collect()))
}

/// Everything the till holds about one person (`GET /api/customers/{key}/export`, `pos-host
/// customer export`), its records in the API's shape.
#[derive(Serialize, ToSchema)]
pub struct HoldingsJson {
    /// The customer number or web id asked for.
    pub key: String,
    pub workstation: String,
    /// Milliseconds since the Unix epoch.
    pub exported_at: i64,
    pub customer: Option<CustomerJson>,
    pub web_edit: Option<WebEditJson>,
    pub local_edit: Option<LocalEditRecordJson>,
    pub outbox: Vec<OutboxChange>,
    pub web_write: Option<serde_json::Value>,
    pub audit: Vec<AuditEntry>,
}

/// A local edit list entry; its customer is the export's.
#[derive(Serialize, ToSchema)]
pub struct LocalEditRecordJson {
    pub web_id: String,
    pub changed_at: i64,
    pub web_version: Option<u64>,
}

impl HoldingsJson {
    pub fn new(key: &str, workstation: &str, holdings: Holdings) -> HoldingsJson {
        HoldingsJson {
            key: key.to_owned(),
            workstation: workstation.to_owned(),
            exported_at: crate::runtime::now_ms() as i64,
            customer: holdings.customer.as_ref().map(CustomerJson::from),
            web_edit: holdings.web_edit.as_ref().map(WebEditJson::from),
            local_edit: holdings.local_edit.map(|edit| LocalEditRecordJson {
                web_id: edit.web_id,
                changed_at: edit.changed_at,
                web_version: edit.web_version,
            }),
            outbox: holdings.outbox,
            web_write: holdings.web_write,
            audit: holdings.audit.into_iter().map(audit_entry).collect(),
        }
    }
}

/// An audit entry, its records in the API's shape.
pub fn audit_entry(mut entry: AuditEntry) -> AuditEntry {
    entry.before = audited(entry.before.take());
    entry.after = audited(entry.after.take());
    entry
}
