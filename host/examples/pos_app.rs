//! A point-of-sale application embedding the host: where a POS written in Rust starts.
//!
//! It builds a [`Host`] from a policy, a customer database and its own bridge to the
//! operator's screen, then walks both workflows the way the till's screens would call them.
//! Against the simulator (`cargo run -p pos-tests --bin pos-sim`):
//!
//! ```sh
//! cargo run -p pos-host --example pos_app -- policies/demo.toml /tmp/till.sqlite Kowal
//! ```

use async_trait::async_trait;
use pos_host::bindings::Choice;
use pos_host::bindings::{Notice, SearchQuery};
use pos_host::caps::Operator;
use pos_host::embed::{Host, SearchButton};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// The till's screen. A real POS shows a dialog; this one prints, and answers questions
/// with the first choice that is not the proceeding one: the safe answer.
struct Screen;

#[async_trait]
impl Operator for Screen {
    async fn notify(&self, notice: &Notice) {
        println!("[notice] {}", notice.message.key);
    }

    async fn confirm(&self, notice: &Notice, choices: &[Choice]) -> Option<String> {
        println!("[question] {} -> answering {}", notice.message.key, choices.first()?.id);
        choices.first().map(|choice| choice.id.clone())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let policy = args.next().unwrap_or_else(|| "policies/demo.toml".into());
    let database = args.next().unwrap_or_else(|| "till.sqlite".into());
    let phrase = args.next().unwrap_or_else(|| "Kowal".into());

    // The host follows the policy and its plugins: edit either and the next call uses it.
    let host = Host::builder().policy_file(policy).database(database).operator(Arc::new(Screen)).build().await?;
    if host.settings().erp {
        let synchronized = host.sync(|_| {}).await?;
        println!("synchronized: {synchronized:?}");
    }

    // Seed 1: the local search, then [Search] in the ERP when the policy offers it.
    let mut search = host.search(None);
    let query = SearchQuery { phrase, filters: Vec::new(), include_inactive: false };
    let mut screen = search.search(query).await?;
    println!("{} local customers; notice: {:?}", screen.customers.len(), screen.notice.as_ref().map(|n| &n.text));
    if screen.search_button != SearchButton::Hidden && host.settings().erp {
        // A real till wires `cancel` to the waiting window's [Cancel].
        let cancel = CancellationToken::new();
        screen = search.search_erp(&cancel, || println!("(the waiting window opens)")).await;
        println!("{} ERP customers; notice: {:?}", screen.customers.len(), screen.notice.as_ref().map(|n| &n.text));
    }

    // Seed 2: the web edit list and the candidates for its first entry.
    if host.settings().webshop {
        let web = host.web()?;
        let list = web.check().await?;
        println!("{} web customers to check", list.entries.len());
        if let Some(first) = list.entries.first().and_then(|entry| entry.customer.web_id.clone()) {
            let candidates = web.candidates(&first, None).await?;
            for candidate in candidates.candidates.iter().take(3) {
                println!("  {first}: candidate {:?} scored {}", candidate.customer.number, candidate.score);
            }
        }
    }
    Ok(())
}
