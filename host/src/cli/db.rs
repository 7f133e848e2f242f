//! `pos-host db encrypt|rekey|prune`: encrypting a plain customer database, changing the key
//! of an encrypted one (`pos_host::store::encryption`), applying the retention policy.

use super::PolicyArgs;
use anyhow::bail;
use pos_host::Policy;
use pos_host::caps::Headless;
use pos_host::caps::SecretSource;
use pos_host::store::encryption::{self, Protection};
use pos_host::store::retention;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Subcommand)]
pub enum DbCommand {
    /// Encrypt the plain customer database with the key `host.database-key` names (without
    /// it: the key file in the host's state directory); a key file that does not exist yet is
    /// made, with a new random key. Stop the host first.
    Encrypt,
    /// Encrypt the customer database with a new random key, which then replaces the old one
    /// in the key file. Stop the host first.
    Rekey {
        /// Use the key in this environment variable instead, and leave the key file alone:
        /// the one way when `host.database-key` reads the environment. Point the policy at
        /// the new key afterwards.
        #[arg(long)]
        new_key_env: Option<String>,
    },
    /// Apply `host.retention` now, as `serve` does every hour: audit entries past their time
    /// lose their personal data, ERP customers only looked up past theirs leave the till.
    Prune,
}

pub async fn run(command: DbCommand, args: &PolicyArgs) -> anyhow::Result<ExitCode> {
    match command {
        DbCommand::Encrypt => encrypt(args).await,
        DbCommand::Rekey { new_key_env } => rekey(args, new_key_env).await,
        DbCommand::Prune => prune(args).await,
    }
}

/// Where the policy's database key is read from; a plain database has none.
fn key_source(policy: &Policy) -> anyhow::Result<SecretSource> {
    match encryption::source_of(&policy.host.database_key).map_err(anyhow::Error::msg)? {
        Some(source) => Ok(source),
        None => bail!(
            "{}: the policy's `host.database-key` is \"none\": name where the key comes from ({{ file = \"...\" }} or {{ env = \"...\" }}), or remove the setting to use the key file in the host's state directory",
            policy.path.display()
        ),
    }
}

async fn encrypt(args: &PolicyArgs) -> anyhow::Result<ExitCode> {
    let policy = args.load().await?;
    let (path, source) = (args.database(&policy), key_source(&policy)?);
    let key = encryption::read_or_make_key(&source).map_err(anyhow::Error::msg)?;
    let done = encryption::encrypt(&path, &key)?;
    println!(
        "encrypted {} ({} bytes) with the key from {source}. Keep a copy of the key away from the till: without it the database cannot be read.",
        path.display(),
        done.bytes
    );
    Ok(ExitCode::SUCCESS)
}

async fn rekey(args: &PolicyArgs, new_key_env: Option<String>) -> anyhow::Result<ExitCode> {
    let policy = args.load().await?;
    let (path, source) = (args.database(&policy), key_source(&policy)?);
    let current = encryption::protection(&path, &policy.host.database_key)?;
    if matches!(current, Protection::Plain) {
        bail!("the customer database {} is not encrypted: `pos-host db encrypt` encrypts it", path.display());
    }
    match (new_key_env, &source) {
        (Some(variable), _) => {
            let new = SecretSource::Env(variable);
            let key = encryption::read_key(&new).map_err(anyhow::Error::msg)?;
            encryption::rekey(&path, &current, &key)?;
            println!(
                "{} is now encrypted with the key from {new}; point `host.database-key` at it: {source} holds the old one",
                path.display()
            );
        }
        (None, SecretSource::File(file)) => {
            encryption::rekey_file(&path, &current, file)?;
            println!("{} is now encrypted with a new key, kept in {}", path.display(), file.display());
        }
        (None, SecretSource::Env(variable)) => bail!(
            "the key comes from the environment variable {variable}: put the new key in another variable and give its name with --new-key-env"
        ),
    }
    Ok(ExitCode::SUCCESS)
}

async fn prune(args: &PolicyArgs) -> anyhow::Result<ExitCode> {
    let host = args.command_host(Arc::new(Headless)).await?;
    let pruned = host.apply_retention().await?;
    let retention = host.policy().host.retention;
    println!(
        "audit entries older than {}: {} lost their personal data\nERP customers only looked up more than {} ago: {} removed\nrecordings of plugin calls older than {}: {} removed",
        retention::span(retention.audit_personal_days),
        pruned.audit_pseudonymized,
        retention::span(retention.looked_up_days),
        pruned.looked_up_removed,
        retention::span(retention.recordings_days),
        pruned.recordings_removed
    );
    Ok(ExitCode::SUCCESS)
}
