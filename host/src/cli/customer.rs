//! `pos-host customer show|select|edit`: opening one customer as the operator does; an
//! ERP customer is retrieved and saved locally, as the seed requires. `export`: everything
//! the till holds about one person, for an access request.

use super::PolicyArgs;
use super::screen;
use pos_host::bindings::search::RetrieveAction;
use pos_host::caps::Headless;
use pos_host::flows::local_changes;
use pos_host::serve::wire::{CustomerJson, HoldingsJson, ScreenJson};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Subcommand)]
pub enum CustomerCommand {
    /// Preview the customer's form.
    Show { number: String },
    /// Select the customer on a document.
    Select { number: String },
    /// Edit the customer's form: each --set changes one field; the change is saved and
    /// queued for the ERP.
    Edit {
        number: String,
        /// `field=value` (first-name, last-name, company, tax-id, email, phone, street,
        /// postal-code, city, country); an empty value clears an optional field.
        #[arg(long = "set", value_parser = parse_set)]
        set: Vec<(String, String)>,
    },
    /// Print everything this till holds about one person as JSON: the customer record, the
    /// web and local edit lists' entries, the changes waiting for the ERP and the web shop,
    /// and every decision of the audit trail about them. Reads the till only.
    Export {
        /// A customer number, or the web id of a web shop registration.
        key: String,
    },
    /// Erase everything this till holds about one person: the record, the edit lists'
    /// entries, the changes not sent yet; the audit keeps each decision without their
    /// personal data. The ERP and the web shop keep their own records.
    Erase {
        /// A customer number, or the web id of a web shop registration.
        key: String,
        /// Confirms the erasure, which cannot be undone.
        #[arg(long)]
        yes: bool,
    },
}

fn parse_set(text: &str) -> Result<(String, String), String> {
    let (field, value) = text.split_once('=').ok_or_else(|| format!("expected `field=value`, got `{text}`"))?;
    Ok((field.trim().to_owned(), value.to_owned()))
}

pub async fn run(
    command: CustomerCommand,
    locale: Option<String>,
    json: bool,
    args: &PolicyArgs,
) -> anyhow::Result<ExitCode> {
    let host = args.command_host(Arc::new(Headless)).await?;
    let shown_in = locale.clone().unwrap_or_else(|| host.policy().host.locale.clone());
    let mut session = host.search(locale);
    let (number, action) = match &command {
        CustomerCommand::Show { number } => (number, RetrieveAction::Preview),
        CustomerCommand::Select { number } => (number, RetrieveAction::Select),
        CustomerCommand::Edit { number, .. } => (number, RetrieveAction::Edit),
        CustomerCommand::Export { key } => return export(&host, key).await,
        CustomerCommand::Erase { key, yes } => return erase(&host, key, *yes).await,
    };
    let opened = match session.open(number, action).await? {
        Ok(opened) => opened,
        Err(screen) => {
            if json {
                println!("{}", serde_json::to_string_pretty(&ScreenJson::from(&screen))?);
            } else if let Some(notice) = &screen.notice {
                screen::print_notice(notice);
            }
            return Ok(ExitCode::FAILURE);
        }
    };
    let customer = match &command {
        CustomerCommand::Edit { set, .. } => {
            let mut changes = local_changes::CustomerChanges::default();
            for (field, value) in set {
                changes.set(field, value).map_err(|error| anyhow::anyhow!("--set {field}: {error}"))?;
            }
            host.edit_customer(number, changes).await?
        }
        _ => opened.customer,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&CustomerJson::from(&customer))?);
    } else {
        screen::details(&customer, &shown_in);
    }
    Ok(ExitCode::SUCCESS)
}

async fn export(host: &pos_host::Host, key: &str) -> anyhow::Result<ExitCode> {
    let holdings = host.holdings(key).await?;
    if holdings.is_empty() {
        anyhow::bail!("this till holds nothing about {key}");
    }
    let json = HoldingsJson::new(key, &host.settings().workstation, holdings);
    println!("{}", serde_json::to_string_pretty(&json)?);
    Ok(ExitCode::SUCCESS)
}

async fn erase(host: &pos_host::Host, key: &str, yes: bool) -> anyhow::Result<ExitCode> {
    if !yes {
        anyhow::bail!("erasing {key} cannot be undone: pass --yes to erase it");
    }
    let Some(erased) = host.erase(key).await? else {
        anyhow::bail!("this till holds nothing about {key}");
    };
    println!("{}", serde_json::to_string_pretty(&erased)?);
    Ok(ExitCode::SUCCESS)
}
