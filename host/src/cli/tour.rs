//! `pos-host tour`: load the policy's plugins and show every seed decision as the operator
//! would meet it, in the policy's locale.

use super::PolicyArgs;
use pos_host::bindings::erp::ErpError;
use pos_host::bindings::merge::{LocalChange, Plan, WebChange};
use pos_host::bindings::search::{
    ErpFound, ErpSearchOutcome, LocalSearchOutcome, ResultList, RetrieveAction, SearchButton,
};
use pos_host::bindings::{Customer, Message, Notice, Origin, SearchQuery, Severity};
use pos_host::caps::{Capabilities, InMemoryCustomers};
use pos_host::slots::web_merge_rules::reason_message;
use pos_host::{Decided, Plugins, Runtime, Source};
use std::process::ExitCode;
use std::sync::Arc;

pub async fn run(args: &PolicyArgs) -> anyhow::Result<ExitCode> {
    let policy = args.load().await?;
    let caps =
        Capabilities { local_db: Arc::new(InMemoryCustomers::new(sample_customers())), ..Capabilities::default() };
    let runtime = Runtime::new(caps.clone(), args.cache_dir(Some(&policy)))?;
    let started = std::time::Instant::now();
    let plugins = match Plugins::load(&runtime, &policy).await {
        Ok(plugins) => plugins,
        Err(errors) => {
            for line in errors.iter().flat_map(|error| policy.explain(error)) {
                eprintln!("error: {line}");
            }
            return Ok(ExitCode::FAILURE);
        }
    };
    let locale = policy.host.locale.as_str();
    println!(
        "Loaded the plugins of {} in {:.1} ms (locale {locale}):",
        policy.path.display(),
        started.elapsed().as_secs_f64() * 1e3
    );
    for (slot, plugin) in [
        ("search-policy", plugins.search.current().map(|p| p.info.clone())),
        ("notification-texts", plugins.texts.current().map(|p| p.info.clone())),
        ("web-merge-rules", plugins.merge.current().map(|p| p.info.clone())),
    ] {
        match plugin {
            Some(info) => println!("  {slot:<19} {} ({} bytes, {:?})", info.path.display(), info.size, info.compiled),
            None => println!("  {slot:<19} built-in fallback"),
        }
    }
    let tour = Tour { plugins: &plugins, locale };

    println!("\nSeed 1: searching customers");
    let query = SearchQuery { phrase: "kowalsk".into(), filters: Vec::new(), include_inactive: false };
    for (what, count, changed) in [
        ("local search, 0 results", 0, false),
        ("criteria changed, 4 results", 4, true),
        ("criteria changed, 9 results", 9, true),
    ] {
        let outcome = LocalSearchOutcome {
            query: query.clone(),
            result_count: count,
            criteria_changed: changed,
            online_search_enabled: true,
        };
        let decided = plugins.search.after_local_search(&outcome).await;
        let button = format!("[Search] {}", button(decided.value.search_button));
        tour.line(what, &decided, decided.value.notice.as_ref(), &button).await;
    }
    for (what, outcome) in [
        ("[Search], no connection", ErpSearchOutcome::Failed(ErpError::Unavailable("connection refused".into()))),
        ("[Search], 5 ERP results", ErpSearchOutcome::Found(ErpFound { count: 5, has_more: false })),
        ("[Search], 7 ERP results", ErpSearchOutcome::Found(ErpFound { count: 7, has_more: true })),
        ("[Search], no ERP results", ErpSearchOutcome::Found(ErpFound { count: 0, has_more: false })),
        ("[Search], cancelled", ErpSearchOutcome::Failed(ErpError::Cancelled)),
    ] {
        let decided = plugins.search.after_erp_search(&query, &outcome).await;
        let list = format!("list: {}", list(decided.value.show));
        tour.line(what, &decided, decided.value.notice.as_ref(), &list).await;
    }
    let decided = plugins.search.after_erp_retrieve_failed(RetrieveAction::Select, &ErpError::Timeout).await;
    let list = format!("clear ERP list: {}", decided.value.clear_erp_results);
    tour.line("selecting, connection lost", &decided, decided.value.notice.as_ref(), &list).await;

    println!("\nSeed 2: web shop customers");
    let web = Customer {
        number: None,
        web_id: Some("W-1001".into()),
        first_name: "Anna".into(),
        last_name: "Kowalska-Nowak".into(),
        email: Some("anna@example.pl".into()),
        origin: Origin::Web,
        ..sample_customers()[0].clone()
    };
    let candidates =
        plugins.merge.candidates(&*caps.local_db, &Customer { last_name: "Kowalska".into(), ..web.clone() }).await;
    match &candidates.value {
        Ok(found) => {
            for candidate in found {
                let mut reasons = Vec::new();
                for reason in &candidate.reasons {
                    reasons.push(tour.text(&reason_message(*reason)).await);
                }
                println!(
                    "  candidate {} {} {} (score {}): {}",
                    candidate.customer.number.as_deref().unwrap_or("-"),
                    candidate.customer.first_name,
                    candidate.customer.last_name,
                    candidate.score,
                    reasons.join(", ")
                );
            }
        }
        Err(error) => println!("  candidates failed: {error:?}"),
    }
    let local = sample_customers()[0].clone();
    tour.plan("Take over local info", plugins.merge.take_over_local(&web, &local).await).await;
    tour.plan("Take over internet info", plugins.merge.take_over_web(&web).await).await;
    tour.plan(
        "Take over local info (local edit)",
        plugins.merge.push_local(&local, &Customer { number: local.number.clone(), ..web.clone() }).await,
    )
    .await;
    Ok(ExitCode::SUCCESS)
}

struct Tour<'a> {
    plugins: &'a Plugins,
    locale: &'a str,
}

impl Tour<'_> {
    async fn text(&self, message: &Message) -> String {
        self.plugins.texts.render(message, self.locale).await.value
    }

    async fn line<T>(&self, what: &str, decided: &Decided<T>, notice: Option<&Notice>, detail: &str) {
        let text = match notice {
            Some(notice) => format!("{}: \"{}\"", severity(notice.severity), self.text(&notice.message).await),
            None => "no notice".to_owned(),
        };
        println!("  {what:<30} {detail:<24} {text}{}", source(&decided.source));
    }

    async fn plan(&self, action: &str, decided: Decided<Plan>) {
        let plan = &decided.value;
        println!("  {action}{}: {}", source(&decided.source), self.text(&plan.summary).await);
        for confirmation in &plan.confirmations {
            println!(
                "    asks ({}): \"{}\"",
                severity(confirmation.notice.severity),
                self.text(&confirmation.notice.message).await
            );
        }
        match &plan.local {
            LocalChange::Keep => println!("    local: unchanged"),
            LocalChange::Create(c) => println!("    local: add {} {}", c.first_name, c.last_name),
            LocalChange::Update(c) => println!(
                "    local: {} becomes {} {} (web id {})",
                c.number.as_deref().unwrap_or("-"),
                c.first_name,
                c.last_name,
                c.web_id.as_deref().unwrap_or("-")
            ),
        }
        match &plan.web {
            WebChange::Keep => println!("    web: unchanged"),
            WebChange::Update(c) => println!(
                "    web: {} becomes {} {} (number {})",
                c.web_id.as_deref().unwrap_or("-"),
                c.first_name,
                c.last_name,
                c.number.as_deref().unwrap_or("-")
            ),
        }
    }
}

fn button(button: SearchButton) -> &'static str {
    match button {
        SearchButton::Hidden => "hidden",
        SearchButton::Available => "available",
        SearchButton::Suggested => "suggested",
    }
}

fn list(list: ResultList) -> &'static str {
    match list {
        ResultList::Local => "local",
        ResultList::Erp => "ERP",
    }
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "info",
        Severity::Warning => "warning",
        Severity::Error => "error",
    }
}

fn source(source: &Source) -> String {
    match source {
        Source::Plugin(_) => String::new(),
        Source::NoPlugin => " [built-in]".to_owned(),
        Source::Compiling(plugin) => format!(" [built-in: {plugin} is being compiled]"),
        Source::Fallback { failure, .. } => format!(" [built-in: plugin {failure}]"),
    }
}

fn sample_customers() -> Vec<Customer> {
    let customer = |number: &str, first: &str, last: &str, city: &str| Customer {
        number: Some(number.into()),
        web_id: None,
        first_name: first.into(),
        last_name: last.into(),
        company: None,
        tax_id: None,
        email: None,
        phone: None,
        street: None,
        postal_code: None,
        city: Some(city.into()),
        country: Some("PL".into()),
        active: true,
        origin: Origin::Local,
        version: 1,
        updated_at: 0,
        previewable: true,
        editable: true,
    };
    vec![
        customer("K-000117", "Anna", "Kowalska", "Kraków"),
        customer("K-000342", "Zofia", "KOWALSKA", "Łódź"),
        customer("K-000501", "Jan", "Nowak", "Gdańsk"),
    ]
}
