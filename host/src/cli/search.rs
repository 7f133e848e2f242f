//! `pos-host search`: the search flow as the operator meets it.

use super::PolicyArgs;
use super::labels::label;
use super::screen;
use pos_host::bindings::{Field, Filter, Message, SearchQuery};
use pos_host::caps::Headless;
use pos_host::serve::wire::ScreenJson;
use std::process::ExitCode;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Parses `field=prefix`.
pub fn parse_filter(text: &str) -> Result<Filter, String> {
    let (name, value) = text.split_once('=').ok_or_else(|| format!("expected `field=prefix`, got `{text}`"))?;
    let field = match name.trim().replace('_', "-").as_str() {
        "number" => Field::Number,
        "first-name" => Field::FirstName,
        "last-name" => Field::LastName,
        "company" => Field::Company,
        "tax-id" => Field::TaxId,
        "email" => Field::Email,
        "phone" => Field::Phone,
        "street" => Field::Street,
        "postal-code" => Field::PostalCode,
        "city" => Field::City,
        "country" => Field::Country,
        other => {
            return Err(format!(
                "unknown filter field `{other}`; expected one of city, postal-code, country, company, tax-id, email, \
                 phone, first-name, last-name, number, street"
            ));
        }
    };
    Ok(Filter { field, value: value.to_owned() })
}

pub async fn run(
    query: SearchQuery,
    erp: bool,
    locale: Option<String>,
    json: bool,
    args: &PolicyArgs,
) -> anyhow::Result<ExitCode> {
    let host = args.command_host(Arc::new(Headless)).await?;
    let mut session = host.search(locale);
    let mut screen = session.search(query).await?;
    if erp {
        if !json {
            screen::print(&screen, &session.locale());
            println!("\n> [{}]", label(&session.locale(), "search.erp"));
        }
        let waiting = Message { key: "erp-search-waiting".into(), args: Vec::new() };
        let waiting_text = host.render(&waiting, Some(&session.locale())).await;
        let cancel = CancellationToken::new();
        let on_ctrl_c = {
            let cancel = cancel.clone();
            tokio::spawn(async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    cancel.cancel();
                }
            })
        };
        let cancel_label = label(&session.locale(), "cancel").to_owned();
        screen = session.search_erp(&cancel, || eprintln!("{waiting_text} [{cancel_label}: Ctrl-C]")).await;
        on_ctrl_c.abort();
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&ScreenJson::from(&screen))?);
    } else {
        screen::print(&screen, &session.locale());
    }
    Ok(ExitCode::SUCCESS)
}
