//! Sharing commands: STIX export and import, publishing to TAXII collections, partners and
//! their tokens, the audit log.

use crate::{exit, load_config, open_existing, open_store, print_json, Cli};
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use havenwatch_core::Tlp;
use havenwatch_store::{AuditEntry, AuditQuery, Store};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum ExportCommand {
    /// Write the picture as a STIX 2.1 bundle: groups as threat actors, findings as
    /// relationships, claims as notes, documents as reports, each with its TLP 2.0 marking.
    Stix {
        /// Only what this partner (from havenwatch.toml) may see; recorded in the audit log.
        #[arg(long = "for", conflicts_with = "tlp")]
        partner: Option<String>,
        /// Only what a reader cleared for this level may see (default: red, everything).
        #[arg(long)]
        tlp: Option<Tlp>,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Read partners' STIX 2.1 bundles: actors, places, relationships and havenwatch claim
    /// notes become entities and claims attributed to the partner, markings kept. Every object
    /// not imported is listed with its type and reason.
    Stix {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Who sent them (default: each bundle's file name).
        #[arg(long)]
        partner: Option<String>,
        /// Marking of objects that carry none (default: `[sharing] default_tlp`, else amber).
        #[arg(long)]
        tlp: Option<Tlp>,
    },
}

#[derive(Subcommand)]
pub enum PartnerCommand {
    /// Add a partner to the configuration file with a new API token, printed once.
    Add {
        name: String,
        /// The strictest marking it may read.
        #[arg(long)]
        max_tlp: Tlp,
        /// TAXII collections it may read (default: every level up to --max-tlp).
        #[arg(long, value_delimiter = ',')]
        read: Vec<String>,
        /// Collections it may write (e.g. inbox).
        #[arg(long, value_delimiter = ',')]
        write: Vec<String>,
    },
    /// List partners and what they may do.
    List,
}

pub fn export(cli: &Cli, cmd: &ExportCommand) -> Result<u8> {
    let ExportCommand::Stix { partner, tlp, out } = cmd;
    let config = load_config(cli)?;
    let mut store = open_existing(cli)?;
    let (audience, who) = match (partner, tlp) {
        (Some(name), _) => {
            let p = config
                .partner(name)
                .with_context(|| format!("no partner `{name}` in the configuration"))?;
            (p.max_tlp, p.name.clone())
        }
        (None, Some(t)) => (*t, "analyst".to_string()),
        (None, None) => (Tlp::Red, "analyst".to_string()),
    };
    let now = havenwatch_store::taxii_now();
    let bundle = havenwatch_stix::export(&mut store, &config, audience, &now)?;
    let text = serde_json::to_string_pretty(&bundle.to_json())?;
    match out {
        Some(path) => std::fs::write(path, text + "\n")
            .with_context(|| format!("writing {}", path.display()))?,
        None => crate::out!("{text}"),
    }
    store.record_audit(&[AuditEntry {
        at: now,
        partner: who,
        action: "export stix".into(),
        target: out
            .as_ref()
            .map_or("(standard output)".into(), |p| p.display().to_string()),
        status: 0,
    }])?;
    if !cli.quiet {
        let s = bundle.summary();
        let types: Vec<String> = s.by_type.iter().map(|(t, n)| format!("{n} {t}")).collect();
        eprintln!(
            "exported {} objects for {} ({}): {}",
            s.objects,
            audience.label(),
            out.as_ref()
                .map_or("stdout".into(), |p| p.display().to_string()),
            types.join(", ")
        );
    }
    Ok(exit::OK)
}

pub fn import(cli: &Cli, cmd: &ImportCommand) -> Result<u8> {
    let ImportCommand::Stix {
        files,
        partner,
        tlp,
    } = cmd;
    let config = load_config(cli)?;
    let mut store = open_store(cli)?;
    let default_tlp = tlp.unwrap_or(config.default_tlp);
    let mut failed = Vec::new();
    let mut reports = Vec::new();
    for file in files {
        let name = file.display().to_string();
        let outcome = (|| -> Result<havenwatch_stix::ImportReport> {
            let text = std::fs::read_to_string(file).with_context(|| name.clone())?;
            let who = partner.clone().unwrap_or_else(|| {
                file.file_stem()
                    .map_or("partner".into(), |s| s.to_string_lossy().into_owned())
            });
            let resolve = |n: &str| {
                store
                    .find_entity(n)
                    .ok()
                    .flatten()
                    .map(|e| (e.id, e.entity_type))
            };
            let (docs, report) =
                havenwatch_stix::import(&text, &name, &who, default_tlp, &resolve)?;
            // One transaction: a bundle is stored whole or not at all.
            store.write_batch(&docs)?;
            Ok(report)
        })();
        match outcome {
            Ok(report) => reports.push((name, report)),
            Err(e) => {
                eprintln!("error: {}", crate::one_line(&e));
                failed.push(name);
            }
        }
    }
    if cli.json {
        #[derive(serde::Serialize)]
        struct Out<'a> {
            imported: Vec<serde_json::Value>,
            failed: &'a [String],
        }
        let imported = reports
            .iter()
            .map(|(f, r)| serde_json::json!({"file": f, "report": r}))
            .collect();
        print_json(&Out {
            imported,
            failed: &failed,
        })?;
    } else {
        for (file, r) in &reports {
            let types: Vec<String> = r.imported.iter().map(|(t, n)| format!("{n} {t}")).collect();
            crate::out!(
                "{file}: {} objects; imported {} -> {} documents, {} entities, {} claims; skipped {}",
                r.objects,
                if types.is_empty() { "nothing".into() } else { types.join(", ") },
                r.documents,
                r.entities,
                r.claims,
                r.skipped.len()
            );
            for s in &r.skipped {
                crate::out!("  skipped {} ({}): {}", s.id, s.object_type, s.reason);
            }
        }
        for f in &failed {
            crate::out!("{f}: failed, nothing stored");
        }
    }
    Ok(match (failed.is_empty(), reports.is_empty()) {
        (true, _) => exit::OK,
        (false, false) => exit::PARTIAL,
        (false, true) => exit::ERROR,
    })
}

pub fn publish(cli: &Cli) -> Result<u8> {
    let config = load_config(cli)?;
    let mut store = open_existing(cli)?;
    let now = havenwatch_store::taxii_now();
    let publications = havenwatch_stix::publish(&mut store, &config, &now)?;
    if cli.json {
        print_json(&publications)?;
    } else {
        for p in &publications {
            crate::out!(
                "collection {:<13} {:>7} objects, {:>6} new versions, {:>7} unchanged",
                p.collection,
                p.objects,
                p.added,
                p.unchanged
            );
        }
    }
    Ok(exit::OK)
}

/// The configuration file partner commands edit: --config, else ./havenwatch.toml.
fn config_path(cli: &Cli) -> PathBuf {
    cli.config
        .clone()
        .unwrap_or_else(|| PathBuf::from("havenwatch.toml"))
}

pub fn partner(cli: &Cli, cmd: &PartnerCommand) -> Result<u8> {
    match cmd {
        PartnerCommand::Add {
            name,
            max_tlp,
            read,
            write,
        } => {
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                bail!("partner name `{name}`: use letters, digits, - and _");
            }
            let path = config_path(cli);
            let existing = if path.exists() {
                std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?
            } else {
                String::new()
            };
            let config =
                havenwatch_analyze::Config::from_toml(&path.display().to_string(), &existing)?;
            if config.partner(name).is_some() {
                bail!("{}: partner `{name}` exists already", path.display());
            }
            let token = new_token()?;
            let read: Vec<String> = if read.is_empty() {
                Tlp::ALL
                    .iter()
                    .filter(|t| **t <= *max_tlp)
                    .map(|t| t.as_str().to_string())
                    .collect()
            } else {
                read.clone()
            };
            let list = |v: &[String]| {
                v.iter()
                    .map(|s| format!("{s:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let section = format!(
                "\n[partners.{name}]\ntoken_sha256 = \"{}\"\nmax_tlp = \"{}\"\nread = [{}]\nwrite = [{}]\n",
                havenwatch_analyze::config::token_hash(&token),
                max_tlp.as_str(),
                list(&read),
                list(write)
            );
            let updated = format!("{existing}{section}");
            // Refuse to write a file the next run could not read.
            havenwatch_analyze::Config::from_toml(&path.display().to_string(), &updated)?;
            std::fs::write(&path, updated)
                .with_context(|| format!("writing {}", path.display()))?;
            if cli.json {
                print_json(&serde_json::json!({"partner": name, "token": token, "config": path}))?;
            } else {
                crate::out!("{token}");
                if !cli.quiet {
                    eprintln!(
                        "added partner `{name}` ({}) to {}; the token above is shown once: only its hash is kept",
                        max_tlp.label(),
                        path.display()
                    );
                }
            }
            Ok(exit::OK)
        }
        PartnerCommand::List => {
            let config = load_config(cli)?;
            if cli.json {
                print_json(&config.partners)?;
            } else {
                for p in &config.partners {
                    crate::out!(
                        "{:<24} {:<16} read {:<32} write {}",
                        p.name,
                        p.max_tlp.label(),
                        p.read.join(","),
                        p.write.join(",")
                    );
                }
            }
            Ok(exit::OK)
        }
    }
}

/// 32 random bytes from the operating system, as hex.
fn new_token() -> Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .context("reading /dev/urandom for a token")?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

pub fn audit(cli: &Cli, partner: Option<&str>, since: Option<&str>, limit: usize) -> Result<u8> {
    let store = open_existing(cli)?;
    let entries = store.audit(&AuditQuery {
        partner: partner.map(str::to_string),
        since: since.map(str::to_string),
        limit,
    })?;
    if cli.json {
        print_json(&entries)?;
    } else {
        for e in &entries {
            crate::out!(
                "{}  {:<20} {:>3}  {}  {}",
                e.at,
                e.partner,
                e.status,
                e.action,
                e.target
            );
        }
    }
    Ok(if entries.is_empty() {
        exit::NOT_FOUND
    } else {
        exit::OK
    })
}

pub fn serve(
    cli: &Cli,
    addr: std::net::SocketAddr,
    publish_first: bool,
    max_body: usize,
) -> Result<u8> {
    let config = load_config(cli)?;
    if config.partners.is_empty() {
        bail!(
            "no partners in the configuration: nobody could use the server (add one with `havenwatch partner add NAME --max-tlp LEVEL`)"
        );
    }
    let gazetteer = crate::load_gazetteer(cli)?;
    if publish_first {
        let mut store = open_store(cli)?;
        let now = havenwatch_store::taxii_now();
        for p in havenwatch_stix::publish(&mut store, &config, &now)? {
            if !cli.quiet {
                eprintln!(
                    "published {} objects to `{}` ({} new versions)",
                    p.objects, p.collection, p.added
                );
            }
        }
    }
    let limits = havenwatch_server::Limits {
        max_body,
        ..Default::default()
    };
    let server = havenwatch_server::Server::new(config, &cli.db, gazetteer, limits)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(havenwatch_server::serve(server, addr))?;
    Ok(exit::OK)
}
