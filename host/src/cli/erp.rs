//! `pos-host erp check`: reach the ERP the way the till does (through the policy's
//! connector, or the built-in client of the data synchronization service) and show what it
//! answers: which ERP, whether it offers online search, how many customers it lists for this
//! workstation, and one of them as the till would store it.

use super::PolicyArgs;
use pos_host::bindings::Customer;
use pos_host::bindings::erp::ErpError;
use pos_host::erp::{self, Connector, ErpClient, ErpConfig, PluginConnector};
use pos_host::{Plugins, Policy, SlotId};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub async fn check(args: &PolicyArgs) -> anyhow::Result<ExitCode> {
    let policy = args.load().await?;
    let timeout = Duration::from_millis(policy.host.erp.timeout_ms);
    // The plugins stay loaded while the connector runs: it only holds them weakly.
    let (connector, through, _plugins): (Arc<dyn Connector>, String, Option<Arc<Plugins>>) =
        match (policy.slot(SlotId::ErpConnector), &policy.host.erp.url) {
            (Some(slot), _) => {
                let runtime = super::runtime(args.cache_dir(Some(&policy)))?;
                let plugins = match Plugins::load(&runtime, &policy).await {
                    Ok(plugins) => Arc::new(plugins),
                    Err(errors) => {
                        for line in errors.iter().flat_map(|error| policy.explain(error)) {
                            eprintln!("error: {line}");
                        }
                        return Ok(ExitCode::FAILURE);
                    }
                };
                let connector = PluginConnector::new(slot.limits.timeout());
                connector.attach(&plugins);
                (Arc::new(connector), format!("the connector {}", slot.plugin.display()), Some(plugins))
            }
            (None, Some(url)) => {
                let config = ErpConfig { url: url.clone(), workstation: policy.host.workstation.clone(), timeout };
                let client = ErpClient::new(config).map_err(|e| anyhow::anyhow!("host.erp.url: {e}"))?;
                (Arc::new(client), "the built-in client of the data synchronization service".into(), None)
            }
            (None, None) => anyhow::bail!(
                "{}: the policy names no ERP: set `host.erp.url` (the data synchronization service, \
                 docs/erp-api.md) or a connector in `[slots.erp-connector]` (docs/connectors.md)",
                policy.path.display()
            ),
        };
    match report(&*connector, &policy, &through).await {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(Failed { step, error }) => {
            eprintln!("error: {step}: {}", erp::describe(&error));
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The step that failed, and how.
struct Failed {
    step: &'static str,
    error: ErpError,
}

fn at(step: &'static str) -> impl FnOnce(ErpError) -> Failed {
    move |error| Failed { step, error }
}

async fn report(connector: &dyn Connector, policy: &Policy, through: &str) -> Result<(), Failed> {
    let started = Instant::now();
    let info = connector.describe().await.map_err(at("which ERP (describe)"))?;
    println!("ERP: {} {} at {}", info.product, info.version, info.location);
    println!("reached through {through}, as workstation {}", policy.host.workstation);
    let online = connector.online_search_enabled().await.map_err(at("online search setting"))?;
    println!("online search: {}", if online { "offered" } else { "not offered" });
    let page = connector.list(None, 1).await.map_err(at("the first page of the listing"))?;
    let total = page.total.map_or_else(|| "not told".to_owned(), |total| total.to_string());
    println!("customers available here: {total}");
    match page.customers.first() {
        None => println!("the listing is empty: no customer to show"),
        Some(listed) => {
            let number = listed.number.clone().unwrap_or_default();
            println!("the first customer listed, as the till stores it:");
            print_customer(listed);
            let fetched = connector.fetch(&number).await.map_err(at("fetching the first customer"))?;
            match fetched {
                Some(fetched) if &fetched == listed => println!("fetched by its number: the same"),
                Some(fetched) => {
                    println!("fetched by its number, it differs from the listing (the till keeps the fetched one):");
                    print_customer(&fetched);
                }
                None => {
                    return Err(Failed {
                        step: "fetching the first customer",
                        error: ErpError::Rejected(format!("the ERP lists {number} but does not find it by number")),
                    });
                }
            }
        }
    }
    println!("checked in {:.0} ms", started.elapsed().as_secs_f64() * 1e3);
    Ok(())
}

fn print_customer(customer: &Customer) {
    let text = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".into());
    let fields = [
        ("number", text(&customer.number)),
        ("first name", customer.first_name.clone()),
        ("last name", customer.last_name.clone()),
        ("company", text(&customer.company)),
        ("tax id", text(&customer.tax_id)),
        ("e-mail", text(&customer.email)),
        ("phone", text(&customer.phone)),
        ("street", text(&customer.street)),
        ("postal code", text(&customer.postal_code)),
        ("city", text(&customer.city)),
        ("country", text(&customer.country)),
        ("active", customer.active.to_string()),
        ("version", customer.version.to_string()),
        ("previewable", customer.previewable.to_string()),
        ("editable", customer.editable.to_string()),
    ];
    for (name, value) in fields {
        println!("  {name:<12} {value}");
    }
}
