//! The seed rules in the WIT types of the slots, written once for the two crates that have
//! those types: the host, whose fallbacks decide with them (wasmtime's bindings), and the
//! guest SDK, whose plugins build on them (wit-bindgen's). The two sets of types are
//! generated from the same WIT, so they share their names and fields but not their Rust
//! types: [`crate::seed_in_wit_types!`] is expanded in each crate, in a module where the WIT types
//! are in scope by their WIT names.

/// Defines, in the module where it is expanded, the conversions between the seed rules and
/// the WIT types (which must be in scope: `Customer`, `Message`, `Argument`, `Notice`,
/// `Severity`, `SearchQuery`, `Filter`, `Field`, `ErpError`, `Choice`; the search-policy
/// slot's `LocalDecision`, `SearchButton`, `ErpSearchOutcome`, `ErpDecision`, `ResultList`,
/// `RetrieveDecision`; the web-merge-rules slot's `MatchReason`, `Candidate`, `Plan`,
/// `LocalChange`, `WebChange`, `Confirmation`):
///
/// - search-policy: `notice`, `local_decision`, `erp_decision`, `retrieve_decision`;
/// - web-merge-rules: `AsPerson` for `Customer`, `match_reason`, `search_query`,
///   `candidates_of`, `with_person_of`, `plan`.
#[macro_export]
macro_rules! seed_in_wit_types {
    () => {
        fn severity(severity: $crate::search::Severity) -> Severity {
            match severity {
                $crate::search::Severity::Info => Severity::Info,
                $crate::search::Severity::Warning => Severity::Warning,
                $crate::search::Severity::Error => Severity::Error,
            }
        }

        /// A seed notice as the WIT notice.
        pub fn notice(rule: Option<$crate::search::Notice>) -> Option<Notice> {
            rule.map(|rule| Notice {
                severity: severity(rule.severity),
                message: Message { key: rule.key.into(), args: Vec::new() },
            })
        }

        /// A seed decision after a local search as the WIT decision.
        pub fn local_decision(decision: $crate::search::LocalDecision) -> LocalDecision {
            LocalDecision {
                notice: notice(decision.notice),
                search_button: match decision.button {
                    $crate::search::Button::Hidden => SearchButton::Hidden,
                    $crate::search::Button::Available => SearchButton::Available,
                    $crate::search::Button::Suggested => SearchButton::Suggested,
                },
                erp_limit: decision.erp_limit,
                waiting_window_after_ms: decision.waiting_window_after_ms,
            }
        }

        /// The seed's decision after an ERP search, with `thresholds`.
        pub fn erp_decision(thresholds: &$crate::search::Thresholds, outcome: &ErpSearchOutcome) -> ErpDecision {
            let outcome = match outcome {
                ErpSearchOutcome::Found(found) => {
                    $crate::search::ErpOutcome::Found { count: found.count, has_more: found.has_more }
                }
                ErpSearchOutcome::Failed(ErpError::Cancelled) => $crate::search::ErpOutcome::Cancelled,
                ErpSearchOutcome::Failed(_) => $crate::search::ErpOutcome::Failed,
            };
            let (list, rule) = $crate::search::after_erp_search(thresholds, outcome);
            ErpDecision {
                show: match list {
                    $crate::search::List::Local => ResultList::Local,
                    $crate::search::List::Erp => ResultList::Erp,
                },
                notice: notice(rule),
            }
        }

        /// The seed's decision after retrieving an ERP customer failed with `error`.
        pub fn retrieve_decision(error: &ErpError) -> RetrieveDecision {
            let (clear, rule) = $crate::search::after_retrieve_failed(matches!(error, ErpError::Cancelled));
            RetrieveDecision { clear_erp_results: clear, notice: notice(rule) }
        }

        /// A customer as the seed rules read it.
        impl $crate::merge::AsPerson for Customer {
            fn person(&self) -> $crate::merge::Person<'_> {
                $crate::merge::Person {
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
        pub fn match_reason(reason: $crate::merge::Reason) -> MatchReason {
            use $crate::merge::Reason;
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
        pub fn search_query(search: &$crate::merge::Search) -> SearchQuery {
            SearchQuery {
                phrase: search.phrase.clone(),
                filters: search
                    .filters
                    .iter()
                    .map(|(field, value)| Filter {
                        field: match field {
                            $crate::merge::FilterField::Email => Field::Email,
                            $crate::merge::FilterField::TaxId => Field::TaxId,
                        },
                        value: value.clone(),
                    })
                    .collect(),
                include_inactive: true,
            }
        }

        /// Ranked seed candidates as the WIT candidates.
        pub fn candidates_of(ranked: Vec<$crate::merge::Ranked<Customer>>) -> Vec<Candidate> {
            ranked
                .into_iter()
                .map(|ranked| Candidate {
                    customer: ranked.customer,
                    reasons: ranked.reasons.into_iter().map(match_reason).collect(),
                    score: ranked.score,
                })
                .collect()
        }

        /// `target` with the person's data of `source` (`PERSON_FIELDS`).
        pub fn with_person_of(target: &Customer, source: &Customer) -> Customer {
            use $crate::merge::PersonField;
            let mut customer = target.clone();
            for field in $crate::merge::PERSON_FIELDS {
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

        fn message_of(spec: &$crate::merge::MessageSpec) -> Message {
            Message {
                key: spec.key.into(),
                args: spec
                    .args
                    .iter()
                    .map(|(name, value)| Argument { name: (*name).into(), value: value.clone() })
                    .collect(),
            }
        }

        /// A seed plan as the WIT plan, for the web customer `web` and the local customer
        /// `local` (`None` when the action has none: the web customer stands in).
        pub fn plan(spec: $crate::merge::PlanSpec, web: &Customer, local: Option<&Customer>) -> Plan {
            use $crate::merge::{LocalSpec, WebSpec};
            let local = local.unwrap_or(web);
            Plan {
                local: match spec.local {
                    LocalSpec::Keep => LocalChange::Keep,
                    LocalSpec::CreateFromWeb => LocalChange::Create(web.clone()),
                    LocalSpec::LinkToWeb => {
                        LocalChange::Update(Customer { web_id: web.web_id.clone(), ..local.clone() })
                    }
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
                            .map(|choice| Choice { id: choice.id.into(), label: message_of(&choice.label) })
                            .collect(),
                        proceed: confirmation.proceed.into(),
                    })
                    .collect(),
                summary: message_of(&spec.summary),
            }
        }
    };
}
