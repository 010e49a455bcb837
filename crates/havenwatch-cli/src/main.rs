//! `havenwatch`: turn a stream of reports on armed groups into a sourced, queryable picture.

mod sharing;
mod table;

/// mimalloc: ingest and the server allocate many short strings across threads, where glibc's
/// allocator spent a fifth of the time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use havenwatch_core::{EntityStatus, EntityType};
use havenwatch_extract::Gazetteer;
use havenwatch_ingest::pipeline::Input;
use havenwatch_ingest::{IngestOptions, IngestSummary};
use havenwatch_store::{DocumentQuery, EntityQuery, SqliteStore, Store, StoreError, StoreStats};
use serde::Serialize;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use table::Table;

/// `println!` that ends the process quietly when the reader of standard output has gone
/// (`havenwatch ... | head`), instead of panicking.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

/// `print!` counterpart of [`out!`].
macro_rules! outp {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = write!(std::io::stdout(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

/// Exit codes, as documented in `--help` and the README.
mod exit {
    pub const OK: u8 = 0;
    pub const ERROR: u8 = 1;
    // 2 is clap's: bad usage.
    pub const PARTIAL: u8 = 3;
    pub const NOT_FOUND: u8 = 4;
}

#[derive(Parser)]
#[command(
    name = "havenwatch",
    version,
    about = "A sourced, verifiable picture of armed groups from a stream of reports.",
    after_help = "Exit codes: 0 success; 1 error; 2 bad usage; 3 ingest finished but some inputs failed; 4 not found."
)]
struct Cli {
    /// The store file.
    #[arg(
        long,
        global = true,
        env = "HAVENWATCH_DB",
        default_value = "havenwatch.db"
    )]
    db: PathBuf,
    /// Extra gazetteer files (TOML) layered over the built-in one; repeatable.
    #[arg(
        long = "gazetteer",
        global = true,
        env = "HAVENWATCH_GAZETTEER",
        value_delimiter = ','
    )]
    gazetteers: Vec<PathBuf>,
    /// Analyst settings (source reliability grades, periods); default ./havenwatch.toml if it
    /// exists.
    #[arg(long, global = true, env = "HAVENWATCH_CONFIG")]
    config: Option<PathBuf>,
    /// Machine-readable JSON on standard output.
    #[arg(long, global = true)]
    json: bool,
    /// No progress bar and no summary chatter on standard error.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read reports (files, folders, `-` for stdin) into the store and resolve their entities.
    ///
    /// Formats by extension: .txt, .md (front matter: title, publisher, published, url),
    /// .html, .jsonl (one document per line: text, title, publisher, published, url),
    /// .rss/.atom/.xml feeds. Folders are read recursively. Content already stored is skipped.
    Ingest(IngestArgs),
    /// Extract the claims of stored documents: those ingested with `--defer-claims`, or with
    /// `--all` every document again (after the claim rules, lexicons or gazetteer changed),
    /// replacing the claims each had. Mentions stay as stored; findings are folded again when
    /// next read.
    Reextract {
        /// Every stored document, not only those whose claims were deferred.
        #[arg(long)]
        all: bool,
        /// Documents per transaction.
        #[arg(long, default_value_t = 512)]
        batch_size: usize,
    },
    /// An overview of the store: documents, entities by type, most-mentioned groups.
    Summary,
    /// List documents, newest first.
    Documents {
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Only this publisher.
        #[arg(long)]
        publisher: Option<String>,
    },
    /// Print one document (id or a prefix of at least 6 hex digits).
    Document { id: String },
    /// List entities with their mention counts, most mentioned first.
    Entities {
        /// armed_group, authority, state, agency, publication, person, location
        #[arg(long = "type")]
        entity_type: Option<EntityType>,
        /// known, provisional, confirmed
        #[arg(long)]
        status: Option<EntityStatus>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Show an entity (any alias or spelling) with its mentions in context.
    Show {
        name: String,
        /// Mentions to show.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Full-text search (SQLite FTS5 syntax: words, "phrases", AND/OR/NOT, prefix*).
    Search {
        #[arg(required = true)]
        query: Vec<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// List claims with their evidence, document, attribution chain, modality and negation.
    Claims {
        /// Claims whose subject is this entity (any alias).
        #[arg(long)]
        subject: Option<String>,
        /// operates_in, supports, cooperates_with, hostile_to, attacks, has_strength,
        /// maintains_infrastructure, threatens, acts_against, shelters, designates
        #[arg(long)]
        predicate: Option<havenwatch_core::Predicate>,
        /// Claims whose object is this entity (any alias).
        #[arg(long)]
        object: Option<String>,
        /// Who asserts them: an entity (any alias) or a name such as "officials".
        #[arg(long)]
        source: Option<String>,
        /// asserted, reported, alleged, assessed, denied, speculative
        #[arg(long)]
        modality: Option<havenwatch_core::Modality>,
        /// Only documents published on or after this date (YYYY, YYYY-MM or YYYY-MM-DD).
        #[arg(long)]
        since: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Findings: claims about one proposition folded together, with their independent
    /// origins and Admiralty grade.
    Findings {
        /// Findings about this entity (subject or object; any alias).
        #[arg(long)]
        about: Option<String>,
        #[arg(long)]
        predicate: Option<havenwatch_core::Predicate>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Recompute every finding instead of only those whose claims changed since.
        #[arg(long)]
        rebuild: bool,
    },
    /// Fighter and member counts of a group over time, per source, with a fused estimate per
    /// period.
    Strength { name: String },
    /// The network of support, cooperation and hostility between groups and authorities.
    Network {
        /// Only the ego network of this entity.
        #[arg(long)]
        around: Option<String>,
        /// Hops from --around.
        #[arg(long, default_value_t = 1)]
        depth: usize,
        /// table, json, dot or graphml (--json means json).
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// The infrastructure register: camps, safe houses, networks per group and place, with
    /// their reported status over time.
    Infrastructure {
        /// Only this group's.
        #[arg(long)]
        group: Option<String>,
    },
    /// An authority's scorecard per period: verified action, claimed action, persistence.
    Scorecard {
        name: String,
        /// month, quarter or year (default: the configuration's).
        #[arg(long)]
        period: Option<String>,
    },
    /// Groups threatening a country from the territory next to it, with an explained score
    /// (neighbours and weights from the configuration).
    Threat { country: String },
    /// A sourced brief on a group, authority or country.
    Brief {
        name: String,
        /// md or html.
        #[arg(long, default_value = "md")]
        format: String,
    },
    /// Manage entities: confirm, merge, unmerge, alias, history.
    #[command(subcommand)]
    Entity(EntityCommand),
    /// Build or check gazetteer files.
    #[command(subcommand)]
    Gazetteer(GazetteerCommand),
    /// Print the claims of one text without storing anything (for trying rules).
    Extract {
        /// A text file, or `-` for standard input.
        file: String,
        /// The publisher, who asserts what the text says in its own voice.
        #[arg(long)]
        publisher: Option<String>,
    },
    /// Score claim extraction against a gold file (JSON Lines, `corpus/SCHEMA.md`).
    Eval {
        #[arg(long)]
        gold: PathBuf,
        /// List each missed, spurious and mis-attributed claim with its sentence.
        #[arg(long)]
        explain: bool,
    },
    /// Print every attribution in a text (source, cue, content), without storing anything.
    Attributions {
        /// A text file, or `-` for standard input.
        file: String,
    },
    /// Learn attribution cues from a folder in the PolNeAR layout (its train split) and write
    /// the learned lexicon (committed as crates/havenwatch-extract/data/attribution-learned.toml).
    TrainAttribution {
        /// Folder with `text/*.txt` and `attributions/*.ann`.
        #[arg(long)]
        polnear: PathBuf,
        #[arg(long)]
        out: Option<PathBuf>,
        /// Phrases annotated as cues fewer times than this are left out.
        #[arg(long, default_value_t = 3)]
        min_count: usize,
        /// Learned cues less often cues than this where they occur are not used.
        #[arg(long, default_value_t = 0.3)]
        min_probability: f64,
        /// Learned cues at least this often cues are accepted anywhere.
        #[arg(long, default_value_t = 0.6)]
        strong_probability: f64,
    },
    /// Score attribution extraction against a folder in the PolNeAR layout.
    EvalAttribution {
        /// Folder with `text/*.txt` and `attributions/*.ann`.
        #[arg(long)]
        polnear: PathBuf,
    },
    /// Share the picture in a standard format.
    #[command(subcommand)]
    Export(sharing::ExportCommand),
    /// Read what partners shared.
    #[command(subcommand)]
    Import(sharing::ImportCommand),
    /// Publish the picture into the TAXII collections the server serves: one per TLP level,
    /// each holding exactly what a reader at that level may see.
    Publish,
    /// Partners: who may read and write what through the server.
    #[command(subcommand)]
    Partner(sharing::PartnerCommand),
    /// Serve the REST API and TAXII 2.1 to partners (tokens and rights from havenwatch.toml).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Publish the current picture into the TAXII collections before serving.
        #[arg(long)]
        publish: bool,
        /// Largest request body accepted, in bytes (suffixes KB, MB).
        #[arg(long, default_value = "10MB", value_parser = parse_size)]
        max_body: usize,
    },
    /// Who read or wrote what, and when (server requests and exports).
    Audit {
        #[arg(long)]
        partner: Option<String>,
        /// Entries at or after this time (e.g. 2026-11 or 2026-11-26T10:00).
        #[arg(long)]
        since: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
}

#[derive(Args)]
struct IngestArgs {
    /// Files, folders, or `-` for standard input.
    #[arg(required = true)]
    paths: Vec<String>,
    /// Largest document accepted, in bytes (suffixes KB, MB).
    #[arg(long, default_value = "5MB", value_parser = parse_size)]
    max_doc_size: usize,
    /// Documents per transaction.
    #[arg(long, default_value_t = 512)]
    batch_size: usize,
    /// TLP 2.0 marking of documents that carry none of their own (front matter or JSON
    /// `tlp`): clear, green, amber, amber+strict or red. Default: `[sharing] default_tlp` in
    /// havenwatch.toml, else amber.
    #[arg(long)]
    tlp: Option<havenwatch_core::Tlp>,
    /// Set the claim indexes and the full-text feed aside while loading and build
    /// them once at the end, several times faster than row by row. `auto`: when the input is
    /// at least 64 MB and larger than the store. Queries by other processes during such a load
    /// are slower, and search sees its documents when it ends; a load that dies leaves the
    /// indexes to be rebuilt when the store is next opened.
    #[arg(long, value_enum, default_value_t = BulkMode::Auto)]
    bulk: BulkMode,
    /// Store documents with their entities and mentions now and extract their claims later
    /// with `havenwatch reextract` (an archive loads at the speed of entity resolution; claims,
    /// findings and what depends on them are missing for these documents until then).
    #[arg(long)]
    defer_claims: bool,
}

/// Whether an ingest sets indexes aside while it loads (see `ingest --bulk`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum BulkMode {
    Auto,
    On,
    Off,
}

/// Inputs this large, and larger than the store, are loaded with indexes set aside.
const BULK_AUTO_MIN_BYTES: u64 = 64 * 1024 * 1024;

impl BulkMode {
    /// Whether to set indexes aside for `input` bytes into a store of `stored` bytes: building
    /// them once costs in proportion to the store after the load, keeping them up to date in
    /// proportion to the input; the first wins when the input outweighs what is stored.
    fn wanted(self, input: u64, stored: u64) -> bool {
        match self {
            BulkMode::On => true,
            BulkMode::Off => false,
            BulkMode::Auto => input >= BULK_AUTO_MIN_BYTES && input > stored,
        }
    }
}

#[derive(Subcommand)]
enum EntityCommand {
    /// Confirm a provisional (discovered) entity.
    Confirm { name: String },
    /// Merge SOURCE into TARGET (reversible; recorded with when and why).
    Merge {
        source: String,
        target: String,
        #[arg(long)]
        reason: String,
    },
    /// Undo the merge of NAME (the entity that was merged away).
    Unmerge {
        name: String,
        #[arg(long)]
        reason: String,
    },
    /// Add an alias to an entity.
    Alias { name: String, alias: String },
    /// Every merge an entity took part in, undone ones included.
    History { name: String },
}

#[derive(Subcommand)]
enum GazetteerCommand {
    /// Generate the gazetteer from the UN Security Council Consolidated List (XML).
    Build {
        /// The consolidated list, e.g. ../shared/data/sanctions/un-consolidated-2024-09-26.xml
        #[arg(long)]
        sanctions: PathBuf,
        /// Where to write (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Load the built-in gazetteer and any --gazetteer files, and report what they hold.
    Check,
}

fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim().to_ascii_uppercase();
    let (num, mult) = if let Some(n) = t.strip_suffix("MB") {
        (n, 1024 * 1024)
    } else if let Some(n) = t.strip_suffix("KB") {
        (n, 1024)
    } else if let Some(n) = t.strip_suffix('B') {
        (n, 1)
    } else {
        (t.as_str(), 1)
    };
    num.trim()
        .parse::<usize>()
        .map(|n| n * mult)
        .map_err(|_| format!("`{s}` is not a size (e.g. 5MB, 512KB, 10000)"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("havenwatch: {}", one_line(&e));
            let not_found = e
                .downcast_ref::<StoreError>()
                .is_some_and(|s| matches!(s, StoreError::UnknownEntity(_)));
            ExitCode::from(if not_found {
                exit::NOT_FOUND
            } else {
                exit::ERROR
            })
        }
    }
}

/// The error and its causes on one line.
fn one_line(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let s = cause.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    parts.join(": ").replace('\n', " ")
}

fn load_gazetteer(cli: &Cli) -> Result<Gazetteer> {
    let mut g = Gazetteer::builtin();
    for path in &cli.gazetteers {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("gazetteer {}", path.display()))?;
        g.add_toml(&path.display().to_string(), &text)?;
    }
    Ok(g)
}

fn open_store(cli: &Cli) -> Result<SqliteStore> {
    Ok(SqliteStore::open(&cli.db)?)
}

/// Opens an existing store for a query; a missing file is an error, not a new empty store.
fn open_existing(cli: &Cli) -> Result<SqliteStore> {
    if !cli.db.exists() {
        bail!(
            "no store at {} (run `havenwatch ingest PATH` first, or pass --db)",
            cli.db.display()
        );
    }
    let store = open_store(cli)?;
    store.tune_for_reads()?;
    Ok(store)
}

fn print_json<T: Serialize>(value: &T) -> Result<()> {
    out!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

fn run(cli: &Cli) -> Result<u8> {
    match &cli.command {
        Command::Ingest(args) => ingest(cli, args),
        Command::Reextract { all, batch_size } => reextract(cli, *all, *batch_size),
        Command::Summary => {
            let store = open_existing(cli)?;
            let overview = overview(&store)?;
            if cli.json {
                print_json(&overview)?;
            } else {
                print_overview(&overview);
            }
            Ok(exit::OK)
        }
        Command::Documents { limit, publisher } => {
            let store = open_existing(cli)?;
            let docs = store.documents(&DocumentQuery {
                limit: *limit,
                publisher: publisher.clone(),
            })?;
            if cli.json {
                print_json(&docs)?;
            } else {
                let mut t = Table::new(["id", "published", "publisher", "title", "mentions"]);
                for d in &docs {
                    t.row([
                        d.id.short().to_string(),
                        d.published.clone().unwrap_or_default(),
                        d.publisher.clone().unwrap_or_default(),
                        d.title.clone().unwrap_or_default(),
                        d.mentions.to_string(),
                    ]);
                }
                outp!("{}", t.render(&[0, 0, 24, 60, 0]));
            }
            Ok(exit::OK)
        }
        Command::Document { id } => {
            let store = open_existing(cli)?;
            let Some(doc) = store.document(id)? else {
                eprintln!("havenwatch: no document with id `{id}`");
                return Ok(exit::NOT_FOUND);
            };
            if cli.json {
                print_json(&doc)?;
            } else {
                out!("id:        {}", doc.id);
                for (k, v) in [
                    ("title", &doc.meta.title),
                    ("publisher", &doc.meta.publisher),
                    ("published", &doc.meta.published),
                    ("url", &doc.meta.url),
                ] {
                    if let Some(v) = v {
                        out!("{:<10} {v}", format!("{k}:"));
                    }
                }
                out!("\n{}", doc.text);
            }
            Ok(exit::OK)
        }
        Command::Entities {
            entity_type,
            status,
            limit,
        } => {
            let store = open_existing(cli)?;
            let list = store.entities(&EntityQuery {
                entity_type: *entity_type,
                status: *status,
                limit: *limit,
            })?;
            if cli.json {
                print_json(&list)?;
            } else {
                let mut t = Table::new(["name", "type", "status", "mentions", "docs", "id"]);
                for e in &list {
                    t.row([
                        e.entity.name.clone(),
                        e.entity.entity_type.to_string(),
                        e.entity.status.to_string(),
                        e.mentions.to_string(),
                        e.documents.to_string(),
                        e.entity.id.to_string(),
                    ]);
                }
                outp!("{}", t.render(&[48, 0, 0, 0, 0, 0]));
            }
            Ok(exit::OK)
        }
        Command::Show { name, limit } => show(cli, name, *limit),
        Command::Search { query, limit } => {
            let store = open_existing(cli)?;
            let hits = store.search(&query.join(" "), *limit)?;
            if cli.json {
                print_json(&hits)?;
            } else if hits.is_empty() {
                eprintln!("no matches");
                return Ok(exit::NOT_FOUND);
            } else {
                for h in &hits {
                    out!(
                        "{}  {}  {}  {}",
                        h.id.short(),
                        h.published.as_deref().unwrap_or("-"),
                        h.publisher.as_deref().unwrap_or("-"),
                        h.title.as_deref().unwrap_or("(untitled)")
                    );
                    out!("    {}", h.snippet.replace('\n', " "));
                }
            }
            Ok(exit::OK)
        }
        Command::Claims {
            subject,
            predicate,
            object,
            source,
            modality,
            since,
            limit,
        } => {
            let store = open_existing(cli)?;
            let resolve = |name: &Option<String>| -> Result<Option<String>> {
                match name {
                    None => Ok(None),
                    Some(n) => match resolve_entity(cli, &store, n)? {
                        Some(e) => Ok(Some(e.id.0)),
                        None => bail!("no entity named `{n}` in {}", cli.db.display()),
                    },
                }
            };
            if let Some(d) = since {
                if havenwatch_ingest::formats::normalize_date(d).is_none() {
                    bail!("--since `{d}` is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)");
                }
            }
            let found = store.claims(&havenwatch_store::ClaimQuery {
                subject: resolve(subject)?,
                object: resolve(object)?,
                about: None,
                predicate: *predicate,
                source: source.clone(),
                modality: *modality,
                since: since.clone(),
                limit: *limit,
            })?;
            if cli.json {
                print_json(&found)?;
            } else {
                for c in &found {
                    print_stored_claim(c, "");
                }
                if found.is_empty() {
                    eprintln!("no claims match");
                    return Ok(exit::NOT_FOUND);
                }
            }
            Ok(exit::OK)
        }
        Command::Findings {
            about,
            predicate,
            limit,
            rebuild,
        } => findings(cli, about.as_deref(), *predicate, *limit, *rebuild),
        Command::Strength { name } => strength(cli, name),
        Command::Network {
            around,
            depth,
            format,
        } => network(cli, around.as_deref(), *depth, format),
        Command::Infrastructure { group } => infrastructure(cli, group.as_deref()),
        Command::Scorecard { name, period } => scorecard(cli, name, period.as_deref()),
        Command::Threat { country } => threat(cli, country),
        Command::Brief { name, format } => brief(cli, name, format),
        Command::Entity(cmd) => entity_command(cli, cmd),
        Command::Gazetteer(cmd) => gazetteer_command(cli, cmd),
        Command::Export(cmd) => sharing::export(cli, cmd),
        Command::Import(cmd) => sharing::import(cli, cmd),
        Command::Publish => sharing::publish(cli),
        Command::Serve {
            addr,
            publish,
            max_body,
        } => sharing::serve(cli, *addr, *publish, *max_body),
        Command::Partner(cmd) => sharing::partner(cli, cmd),
        Command::Audit {
            partner,
            since,
            limit,
        } => sharing::audit(cli, partner.as_deref(), since.as_deref(), *limit),
        Command::Attributions { file } => attributions(cli, file),
        Command::Extract { file, publisher } => extract(cli, file, publisher.as_deref()),
        Command::Eval { gold, explain } => eval(cli, gold, *explain),
        Command::EvalAttribution { polnear } => eval_attribution(cli, polnear),
        Command::TrainAttribution {
            polnear,
            out,
            min_count,
            min_probability,
            strong_probability,
        } => {
            let articles = read_polnear(polnear)?;
            let cues: Vec<(String, havenwatch_extract::polnear::GoldSpans)> = articles
                .into_iter()
                .map(|(_, text, gold)| (text, gold))
                .collect();
            let learned = havenwatch_extract::polnear::learn_cues(&cues, *min_count);
            let mut toml = format!(
                "# GENERATED by `havenwatch train-attribution --polnear {} --min-count {min_count} --min-probability {min_probability} --strong-probability {strong_probability}`: do not edit.\n\
                 # Source: PolNeAR v1.0.0 (networkdynamics/PolNeAR, commit c3eee833), train split, {} articles;\n\
                 # Newell, Margolin and Ruths, LREC 2018. For each phrase: times annotated as a cue, and\n\
                 # times it occurs as whole words. Phrases only, no text of the articles.\n\n\
                 min_probability = {min_probability}\nstrong_probability = {strong_probability}\n",
                polnear.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                cues.len()
            );
            for c in &learned {
                toml.push_str(&format!(
                    "\n[[cue]]\nphrase = {:?}\ncue = {}\noccurrences = {}\n",
                    c.phrase, c.cue, c.occurrences
                ));
            }
            // The cue model: an averaged perceptron judging learned phrases in context.
            let hand = havenwatch_extract::attribution::AttributionExtractor::from_toml(
                include_str!("../../havenwatch-extract/data/attribution.toml"),
            )?;
            let candidates =
                havenwatch_extract::attribution::AttributionExtractor::candidates(&toml, &hand);
            let examples = havenwatch_extract::polnear::cue_examples(&cues, &candidates);
            let model = havenwatch_extract::cue_model::CueModel::train(&examples, 5);
            let model_json = serde_json::to_string_pretty(&model)?;
            match out {
                Some(path) => {
                    std::fs::write(path, &toml).with_context(|| path.display().to_string())?;
                    let model_path = path.with_file_name("attribution-model.json");
                    std::fs::write(&model_path, format!("{model_json}\n"))
                        .with_context(|| model_path.display().to_string())?;
                    if !cli.quiet {
                        eprintln!(
                            "learned {} cue phrases from {} articles into {}, and a cue model ({} weights from {} examples) into {}",
                            learned.len(),
                            cues.len(),
                            path.display(),
                            model.weights.len(),
                            examples.len(),
                            model_path.display()
                        );
                    }
                }
                None => outp!("{toml}"),
            }
            Ok(exit::OK)
        }
    }
}

fn extract(cli: &Cli, file: &str, publisher: Option<&str>) -> Result<u8> {
    use havenwatch_ingest::formats::{self, Format};
    let raw = read_input(file)?;
    // Read the file as ingest would (front matter, HTML, feeds); the document's publisher
    // speaks unless --publisher says otherwise.
    let format = if file == "-" {
        Format::sniff(raw.as_bytes())
    } else {
        Format::from_path(std::path::Path::new(file)).unwrap_or(Format::Text)
    };
    let docs: Vec<formats::RawDocument> =
        havenwatch_ingest::pipeline::parse_whole(raw.as_bytes(), format, file, usize::MAX)
            .into_iter()
            .collect::<Result<_, _>>()?;
    let gazetteer = load_gazetteer(cli)?;
    let mentions = havenwatch_extract::MentionExtractor::new(&gazetteer);
    let claims = havenwatch_extract::claims::ClaimExtractor::for_resolver(mentions.resolver());
    let mut found = Vec::new();
    let mut texts = Vec::new();
    for doc in &docs {
        let refs = havenwatch_extract::evaluate::mention_refs(&mentions, &doc.text);
        let who = publisher.or(doc.meta.publisher.as_deref());
        let headline = havenwatch_extract::claims::headline_source(
            &mentions,
            doc.meta.title.as_deref(),
            doc.meta.url.as_deref(),
            &refs,
        );
        for c in claims.extract_with_headline(&doc.text, who, &refs, headline) {
            found.push(c);
            texts.push(doc.text.as_str());
        }
    }
    if cli.json {
        #[derive(Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            claim: &'a havenwatch_core::Claim,
            evidence_text: &'a str,
        }
        let out: Vec<Out> = found
            .iter()
            .zip(&texts)
            .map(|(c, text)| Out {
                claim: c,
                evidence_text: &text[c.evidence.start..c.evidence.end],
            })
            .collect();
        print_json(&out)?;
    } else {
        for (c, text) in found.iter().zip(&texts) {
            out!("{}", describe_claim(c));
            out!("    \"{}\"", &text[c.evidence.start..c.evidence.end]);
        }
        if found.is_empty() {
            eprintln!("no claims found");
        }
    }
    Ok(exit::OK)
}

/// A stored claim and, under it, its document and evidence sentence.
fn print_stored_claim(c: &havenwatch_store::StoredClaim, indent: &str) {
    out!("{indent}{}", describe_claim(&c.claim));
    out!(
        "{indent}    {} {} {}: \"{}\"",
        c.document.short(),
        c.published.as_deref().unwrap_or("-"),
        c.publisher.as_deref().unwrap_or("-"),
        c.evidence_text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    );
}

/// One line for a claim: subject predicate object [qualifiers] — source (chain), modality.
fn describe_claim(c: &havenwatch_core::Claim) -> String {
    let mut q = Vec::new();
    let qs = &c.qualifiers;
    if !qs.support_type.is_empty() {
        q.push(qs.support_type.join(", "));
    }
    if let Some(k) = &qs.kind {
        q.push(k.clone());
    }
    if qs.low.is_some() || qs.high.is_some() {
        let n = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_else(|| "?".into());
        q.push(format!(
            "{}-{} {}",
            n(qs.low),
            n(qs.high),
            qs.unit.as_deref().unwrap_or("")
        ));
    }
    if let Some(k) = qs.killed {
        q.push(format!("{k} killed"));
    }
    let chain: Vec<&str> = c.via.iter().map(|s| s.name.as_str()).collect();
    format!(
        "{}{} {} {}{} -- {}{}, {}",
        if c.negated { "NOT " } else { "" },
        c.subject.name,
        c.predicate,
        c.object.as_ref().map(|o| o.name.as_str()).unwrap_or(""),
        if q.is_empty() {
            String::new()
        } else {
            format!(" [{}]", q.join("; "))
        },
        c.source.name,
        if chain.is_empty() {
            String::new()
        } else {
            format!(" (via {})", chain.join(" > "))
        },
        c.modality
    )
}

fn eval(cli: &Cli, gold: &std::path::Path, explain: bool) -> Result<u8> {
    let text = std::fs::read_to_string(gold).with_context(|| gold.display().to_string())?;
    let mut paragraphs = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let p: havenwatch_extract::evaluate::GoldParagraph =
            serde_json::from_str(line).with_context(|| format!("{}:{}", gold.display(), n + 1))?;
        paragraphs.push(p);
    }
    let gazetteer = load_gazetteer(cli)?;
    let mentions = havenwatch_extract::MentionExtractor::new(&gazetteer);
    let claims = havenwatch_extract::claims::ClaimExtractor::for_resolver(mentions.resolver());
    let ev = havenwatch_extract::evaluate::evaluate(&mentions, &claims, &paragraphs);
    let prf = ev.overall.prf();
    if cli.json {
        let per: serde_json::Map<String, serde_json::Value> = ev
            .per_predicate
            .iter()
            .map(|(k, c)| (k.clone(), serde_json::json!({"precision": c.prf().precision, "recall": c.prf().recall, "f1": c.prf().f1, "gold": c.gold, "predicted": c.predicted, "matched": c.matched})))
            .collect();
        let mut report = serde_json::json!({
            "paragraphs": ev.paragraphs,
            "claims": {"precision": prf.precision, "recall": prf.recall, "f1": prf.f1, "gold": ev.overall.gold, "predicted": ev.overall.predicted, "matched": ev.overall.matched},
            "per_predicate": per,
            "source_accuracy": ev.source_accuracy(),
            "modality_accuracy": ev.modality_accuracy(),
            "negation_accuracy": ev.negation_accuracy(),
        });
        if explain {
            report["missed"] = serde_json::to_value(&ev.missed)?;
            report["spurious"] = serde_json::to_value(&ev.spurious)?;
        }
        print_json(&report)?;
        return Ok(exit::OK);
    }
    out!(
        "{} paragraphs: {} gold claims, {} predicted, {} matched",
        ev.paragraphs,
        ev.overall.gold,
        ev.overall.predicted,
        ev.overall.matched
    );
    out!(
        "claims     precision {:.3}  recall {:.3}  F1 {:.3}",
        prf.precision,
        prf.recall,
        prf.f1
    );
    out!(
        "on matched claims: source accuracy {:.3}, modality accuracy {:.3}, negation accuracy {:.3}",
        ev.source_accuracy(),
        ev.modality_accuracy(),
        ev.negation_accuracy()
    );
    let mut t = Table::new(["predicate", "gold", "predicted", "matched", "P", "R", "F1"]);
    for (k, c) in &ev.per_predicate {
        let p = c.prf();
        t.row([
            k.clone(),
            c.gold.to_string(),
            c.predicted.to_string(),
            c.matched.to_string(),
            format!("{:.2}", p.precision),
            format!("{:.2}", p.recall),
            format!("{:.2}", p.f1),
        ]);
    }
    outp!("{}", t.render(&[]));
    if explain {
        let show = |c: &havenwatch_extract::evaluate::Scored| {
            format!(
                "{} {} {} -- {} {}{}",
                c.subject,
                c.predicate,
                c.object.as_deref().unwrap_or("-"),
                c.source,
                c.modality,
                if c.negated { " negated" } else { "" }
            )
        };
        for (label, list) in [("missed", &ev.missed), ("spurious", &ev.spurious)] {
            out!("\n{label} ({}):", list.len());
            for m in list {
                out!(
                    "  [{}] {}\n      \"{}\"",
                    m.paragraph,
                    show(&m.claim),
                    m.claim.evidence
                );
            }
        }
        out!(
            "\nmatched, but source, modality or negation differ ({}):",
            ev.mismatched.len()
        );
        for (g, p) in &ev.mismatched {
            out!(
                "  [{}] gold {}\n      got  {}",
                g.paragraph,
                show(&g.claim),
                show(p)
            );
        }
    }
    Ok(exit::OK)
}

/// The analyst's configuration: `--config`, else ./havenwatch.toml if present, else defaults.
fn load_config(cli: &Cli) -> Result<havenwatch_analyze::Config> {
    let path = match &cli.config {
        Some(p) => p.clone(),
        None if std::path::Path::new("havenwatch.toml").exists() => {
            PathBuf::from("havenwatch.toml")
        }
        None => return Ok(havenwatch_analyze::Config::default()),
    };
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("config {}", path.display()))?;
    Ok(havenwatch_analyze::Config::from_toml(
        &path.display().to_string(),
        &text,
    )?)
}

/// Findings as kept in the store, brought up to date first (only what ingests touched since,
/// unless the settings changed); a progress bar on a terminal when there is much to do.
fn kept_findings(
    cli: &Cli,
    store: &mut SqliteStore,
    config: &havenwatch_analyze::Config,
    query: &havenwatch_store::FindingQuery,
) -> Result<Vec<havenwatch_analyze::Finding>> {
    let bar = if !cli.quiet && !cli.json && std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} updating findings: {pos} done")
                .expect("valid template"),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    havenwatch_analyze::kept::refresh(store, config, &|n| bar.inc(n as u64))?;
    bar.finish_and_clear();
    Ok(havenwatch_analyze::kept::kept(store, query)?)
}

fn findings(
    cli: &Cli,
    about: Option<&str>,
    predicate: Option<havenwatch_core::Predicate>,
    limit: usize,
    rebuild: bool,
) -> Result<u8> {
    let config = load_config(cli)?;
    let mut store = open_existing(cli)?;
    if rebuild {
        // Reset under the current settings, so the refresh below does not reset again.
        store.reset_findings(&config.findings_fingerprint())?;
    }
    let about = match about {
        Some(n) => Some(
            resolve_entity(cli, &store, n)?
                .ok_or_else(|| anyhow::anyhow!("no entity named `{n}` in {}", cli.db.display()))?
                .id
                .0,
        ),
        None => None,
    };
    let found = kept_findings(
        cli,
        &mut store,
        &config,
        &havenwatch_store::FindingQuery {
            about,
            predicate,
            limit,
        },
    )?;
    if cli.json {
        print_json(&found)?;
        return Ok(exit::OK);
    }
    if found.is_empty() {
        eprintln!("no findings");
        return Ok(exit::NOT_FOUND);
    }
    for f in &found {
        out!(
            "{} {} {}  [{}] {}{}",
            f.subject,
            f.predicate,
            f.object.as_deref().unwrap_or(""),
            f.grade,
            f.tally(),
            if f.circular {
                " (CIRCULAR: one origin echoed)"
            } else {
                ""
            }
        );
        out!("    {}; {}", f.explanation, f.estimative);
        out!(
            "    origins: {}{}; seen {} to {}",
            havenwatch_analyze::independence::names(&f.origins),
            if f.contradicting_origins.is_empty() {
                String::new()
            } else {
                format!(
                    "; contradicted by {}",
                    havenwatch_analyze::independence::names(&f.contradicting_origins)
                )
            },
            f.first_seen.as_deref().unwrap_or("?"),
            f.last_seen.as_deref().unwrap_or("?")
        );
    }
    Ok(exit::OK)
}

/// Every claim in the store, for analyses over the whole picture.
fn all_claims(store: &SqliteStore) -> Result<Vec<havenwatch_store::StoredClaim>> {
    Ok(store.claims(&havenwatch_store::ClaimQuery::default())?)
}

fn require_entity(cli: &Cli, store: &SqliteStore, name: &str) -> Result<havenwatch_core::Entity> {
    resolve_entity(cli, store, name)?
        .ok_or_else(|| anyhow::anyhow!("no entity named `{name}` in {}", cli.db.display()))
}

fn network(cli: &Cli, around: Option<&str>, depth: usize, format: &str) -> Result<u8> {
    let config = load_config(cli)?;
    let mut store = open_existing(cli)?;
    let center = around.map(|n| require_entity(cli, &store, n)).transpose()?;
    let findings = kept_findings(cli, &mut store, &config, &Default::default())?;
    let net = havenwatch_analyze::network::network(
        &findings,
        center.as_ref().map(|e| e.id.0.as_str()),
        depth,
    );
    match (cli.json, format) {
        (true, _) | (_, "json") => print_json(&net)?,
        (_, "dot") => outp!("{}", net.to_dot()),
        (_, "graphml") => outp!("{}", net.to_graphml()),
        (_, "table") => {
            let mut t = Table::new(["from", "relation", "to", "grade", "origins", "weight"]);
            let name = |id: &str| {
                net.nodes
                    .iter()
                    .find(|n| n.id == id)
                    .map_or(id.to_string(), |n| n.name.clone())
            };
            for e in &net.edges {
                t.row([
                    name(&e.source),
                    e.relation.to_string(),
                    name(&e.target),
                    e.grade.clone(),
                    e.independent_origins.to_string(),
                    format!("{:.2}", e.weight),
                ]);
            }
            outp!("{}", t.render(&[36, 0, 36, 0, 0, 0]));
            out!("\ncentrality (degree, weighted):");
            let mut nodes = net.nodes.clone();
            nodes.sort_by(|a, b| b.weighted_degree.total_cmp(&a.weighted_degree));
            for n in nodes.iter().take(10) {
                out!(
                    "  {:<40} {:>3} {:>6.2}",
                    n.name,
                    n.degree,
                    n.weighted_degree
                );
            }
        }
        (_, other) => bail!("--format `{other}`: use table, json, dot or graphml"),
    }
    Ok(exit::OK)
}

fn infrastructure(cli: &Cli, group: Option<&str>) -> Result<u8> {
    let store = open_existing(cli)?;
    let mut claims = all_claims(&store)?;
    if let Some(g) = group {
        let e = require_entity(cli, &store, g)?;
        claims.retain(|c| {
            c.claim.subject.id == e.id || c.claim.object.as_ref().is_some_and(|o| o.id == e.id)
        });
    }
    let register = havenwatch_analyze::register::register(&claims);
    if cli.json {
        print_json(&register)?;
        return Ok(exit::OK);
    }
    for r in &register {
        out!(
            "{} -- {} -- {}: {}",
            r.group,
            r.place.as_deref().unwrap_or("(place not given)"),
            if r.kinds.is_empty() {
                "infrastructure".into()
            } else {
                r.kinds.join(", ")
            },
            r.status
        );
        for rep in &r.reports {
            out!(
                "    {} {} ({}, {}): \"{}\"",
                rep.date.as_deref().unwrap_or("-"),
                rep.status,
                rep.source,
                rep.modality,
                rep.evidence
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            );
        }
    }
    Ok(if register.is_empty() {
        exit::NOT_FOUND
    } else {
        exit::OK
    })
}

fn scorecard(cli: &Cli, name: &str, period: Option<&str>) -> Result<u8> {
    let mut config = load_config(cli)?;
    if let Some(p) = period {
        config.period = match p {
            "month" => havenwatch_analyze::config::Period::Month,
            "quarter" => havenwatch_analyze::config::Period::Quarter,
            "year" => havenwatch_analyze::config::Period::Year,
            other => bail!("--period `{other}`: use month, quarter or year"),
        };
    }
    let store = open_existing(cli)?;
    let entity = require_entity(cli, &store, name)?;
    let cards = havenwatch_analyze::scorecard::scorecard(
        &all_claims(&store)?,
        &entity.id.0,
        &entity.name,
        &config,
    );
    if cli.json {
        print_json(
            &serde_json::json!({"authority": entity.name, "id": entity.id, "period": cards}),
        )?;
        return Ok(exit::OK);
    }
    out!("Scorecard: {} ({})", entity.name, entity.id);
    for c in &cards {
        out!(
            "\n{}  groups present: {}",
            c.period,
            if c.groups_present.is_empty() {
                "-".into()
            } else {
                c.groups_present.join(", ")
            }
        );
        for (label, items) in [
            ("verified action", &c.verified),
            ("claimed, unverified", &c.claimed),
            ("persistence", &c.persistence),
        ] {
            for i in items {
                out!(
                    "  [{label}] {}: {} (sources: {})",
                    i.group,
                    i.what,
                    i.sources.join(", ")
                );
            }
        }
    }
    Ok(exit::OK)
}

fn threat(cli: &Cli, country: &str) -> Result<u8> {
    let config = load_config(cli)?;
    let mut store = open_existing(cli)?;
    let entity = require_entity(cli, &store, country)?;
    let claims = all_claims(&store)?;
    let findings = kept_findings(cli, &mut store, &config, &Default::default())?;
    let ranked = havenwatch_analyze::threat::threat(&entity.name, &findings, &claims, &config);
    if cli.json {
        print_json(&serde_json::json!({"country": entity.name, "ranking": ranked}))?;
        return Ok(exit::OK);
    }
    if config.neighbours_of(&entity.name).is_empty() {
        eprintln!(
            "note: no [neighbours] for {} in the configuration: only attacks and threats count",
            entity.name
        );
    }
    for (i, r) in ranked.iter().enumerate() {
        out!("{}. {}  score {:.2}", i + 1, r.group, r.score);
        for t in &r.terms {
            out!(
                "     {:<15} {:>6.2} x {:<4} = {:>6.2}  {}",
                t.name,
                t.value,
                t.weight,
                t.contribution,
                t.why
            );
        }
    }
    Ok(if ranked.is_empty() {
        exit::NOT_FOUND
    } else {
        exit::OK
    })
}

fn brief(cli: &Cli, name: &str, format: &str) -> Result<u8> {
    let format = match format {
        "md" | "markdown" => havenwatch_analyze::brief::Format::Markdown,
        "html" => havenwatch_analyze::brief::Format::Html,
        other => bail!("--format `{other}`: use md or html"),
    };
    let config = load_config(cli)?;
    let mut store = open_existing(cli)?;
    let entity = require_entity(cli, &store, name)?;
    outp!(
        "{}",
        havenwatch_analyze::brief::for_entity(&mut store, &config, &entity, format)?
    );
    Ok(exit::OK)
}

fn strength(cli: &Cli, name: &str) -> Result<u8> {
    let config = load_config(cli)?;
    let store = open_existing(cli)?;
    let entity = resolve_entity(cli, &store, name)?
        .ok_or_else(|| anyhow::anyhow!("no entity named `{name}` in {}", cli.db.display()))?;
    let claims = store.claims(&havenwatch_store::ClaimQuery {
        subject: Some(entity.id.0.clone()),
        predicate: Some(havenwatch_core::Predicate::HasStrength),
        ..Default::default()
    })?;
    let (estimates, fused) = havenwatch_analyze::strength::strength(&claims, &config);
    if cli.json {
        print_json(&serde_json::json!({
            "entity": entity.name,
            "id": entity.id,
            "estimates": estimates,
            "fused": fused,
        }))?;
        return Ok(exit::OK);
    }
    out!("{} ({})", entity.name, entity.id);
    if estimates.is_empty() {
        out!("no strength estimates");
        return Ok(exit::NOT_FOUND);
    }
    let n = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_else(|| "?".into());
    let mut t = Table::new(["date", "source", "low", "high", "unit", "modality"]);
    for e in &estimates {
        t.row([
            e.date.clone().unwrap_or_default(),
            e.source.clone(),
            n(e.low),
            n(e.high),
            e.unit.clone(),
            e.modality.clone(),
        ]);
    }
    outp!("{}", t.render(&[0, 40, 0, 0, 0, 0]));
    out!("\nfused ({}):", fused.first().map_or("", |f| f.method));
    for f in &fused {
        out!(
            "  {}: {}-{} (all estimates {}-{}; {} estimate{}; from {})",
            f.period,
            f.low,
            f.high,
            f.spread.0,
            f.spread.1,
            f.estimates,
            if f.estimates == 1 { "" } else { "s" },
            f.sources.join(", ")
        );
    }
    Ok(exit::OK)
}

/// Reads a text file, or standard input for `-`.
fn read_input(file: &str) -> Result<String> {
    if file == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).context("standard input")?;
        Ok(s)
    } else {
        std::fs::read_to_string(file).with_context(|| file.to_string())
    }
}

fn attributions(cli: &Cli, file: &str) -> Result<u8> {
    let text = read_input(file)?;
    let found = havenwatch_extract::attribution::AttributionExtractor::builtin().extract(&text);
    let chars = havenwatch_extract::polnear::predicted_spans(&text, &found);
    #[derive(Serialize)]
    struct SpanOut<'a> {
        start: usize,
        end: usize,
        text: &'a str,
    }
    #[derive(Serialize)]
    struct Out<'a> {
        source: Option<SpanOut<'a>>,
        cue: SpanOut<'a>,
        content: SpanOut<'a>,
        class: havenwatch_extract::attribution::CueClass,
    }
    let mut source_chars = chars.source.iter();
    let out: Vec<Out> = found
        .iter()
        .enumerate()
        .map(|(i, a)| Out {
            source: a.source.map(|(x, y)| {
                let c = source_chars.next().copied().unwrap_or((0, 0));
                SpanOut {
                    start: c.0,
                    end: c.1,
                    text: &text[x..y],
                }
            }),
            cue: SpanOut {
                start: chars.cue[i].0,
                end: chars.cue[i].1,
                text: &text[a.cue.0..a.cue.1],
            },
            content: SpanOut {
                start: chars.content[i].0,
                end: chars.content[i].1,
                text: &text[a.content.0..a.content.1],
            },
            class: a.class,
        })
        .collect();
    if cli.json {
        print_json(&out)?;
    } else {
        for a in &out {
            out!(
                "[{}] {} | {} | {}",
                a.cue.start,
                a.source.as_ref().map_or("(no source)", |s| s.text),
                a.cue.text,
                a.content.text
            );
        }
    }
    Ok(exit::OK)
}

/// The articles of a PolNeAR-layout folder that have an annotation file: (name, text, gold).
/// One annotation file per article: the first in name order (`<stem>_<annotator>.ann`).
fn read_polnear(
    dir: &std::path::Path,
) -> Result<Vec<(String, String, havenwatch_extract::polnear::GoldSpans)>> {
    let texts = dir.join("text");
    let anns = dir.join("attributions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&texts)
        .with_context(|| format!("{} (expected the PolNeAR layout)", texts.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut ann_files: Vec<PathBuf> = std::fs::read_dir(&anns)
        .with_context(|| anns.display().to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ann"))
        .collect();
    ann_files.sort();
    let mut out = Vec::new();
    for txt in &files {
        let stem = txt
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let Some(ann) = ann_files.iter().find(|a| {
            a.file_stem()
                .map(|s| s.to_string_lossy())
                .and_then(|s| s.rsplit_once('_').map(|(base, _)| base == stem))
                .unwrap_or(false)
        }) else {
            continue;
        };
        let text = std::fs::read_to_string(txt).with_context(|| txt.display().to_string())?;
        let ann_text = std::fs::read_to_string(ann).with_context(|| ann.display().to_string())?;
        let gold = havenwatch_extract::polnear::parse_ann(&ann_text)
            .map_err(|e| anyhow::anyhow!("{}: {e}", ann.display()))?;
        out.push((stem, text, gold));
    }
    if out.is_empty() {
        bail!("{}: no article has an annotation file", dir.display());
    }
    Ok(out)
}

fn eval_attribution(cli: &Cli, dir: &std::path::Path) -> Result<u8> {
    use havenwatch_extract::polnear::{predicted_spans, RoleCounts};
    let extractor = havenwatch_extract::attribution::AttributionExtractor::builtin();
    let (mut source, mut cue, mut content) = (
        RoleCounts::default(),
        RoleCounts::default(),
        RoleCounts::default(),
    );
    let mut articles = 0;
    for (_, text, gold) in read_polnear(dir)? {
        let predicted = predicted_spans(&text, &extractor.extract(&text));
        source.add(&gold.source, &predicted.source);
        cue.add(&gold.cue, &predicted.cue);
        content.add(&gold.content, &predicted.content);
        articles += 1;
    }

    let role = |c: &RoleCounts| serde_json::json!({"exact": c.exact(), "overlap": c.overlap(), "gold": c.gold, "predicted": c.predicted});
    let report = serde_json::json!({
        "articles": articles,
        "source": role(&source),
        "cue": role(&cue),
        "content": role(&content),
    });
    if cli.json {
        print_json(&report)?;
    } else {
        out!("{articles} articles");
        out!(
            "{:<8} {:>22} {:>22}",
            "",
            "exact P / R / F1",
            "overlap P / R / F1"
        );
        for (name, c) in [("source", &source), ("cue", &cue), ("content", &content)] {
            let (e, o) = (c.exact(), c.overlap());
            out!(
                "{name:<8} {:>6.3} {:>6.3} {:>6.3}     {:>6.3} {:>6.3} {:>6.3}",
                e.precision,
                e.recall,
                e.f1,
                o.precision,
                o.recall,
                o.f1
            );
        }
    }
    Ok(exit::OK)
}

fn ingest(cli: &Cli, args: &IngestArgs) -> Result<u8> {
    let gazetteer = load_gazetteer(cli)?;
    let mut store = open_store(cli)?;
    let inputs: Vec<Input> = args.paths.iter().map(|p| Input::parse(p)).collect();
    let (files, _) = havenwatch_ingest::pipeline::expand(&inputs);
    let total: u64 = files.iter().map(|(_, n)| n).sum();
    let show_bar = !cli.quiet && !cli.json && std::io::stderr().is_terminal();
    let bar = if show_bar {
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} ingesting [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let config = load_config(cli)?;
    let options = IngestOptions {
        max_doc_bytes: args.max_doc_size,
        batch_size: args.batch_size.max(1),
        default_tlp: args.tlp.unwrap_or(config.default_tlp),
        extract_claims: !args.defer_claims,
    };
    let started = std::time::Instant::now();
    let stored_bytes: u64 = ["", "-wal"]
        .iter()
        .filter_map(|suffix| {
            std::fs::metadata(format!("{}{suffix}", cli.db.display()))
                .ok()
                .map(|m| m.len())
        })
        .sum();
    let bulk = args.bulk.wanted(total, stored_bytes) && store.begin_bulk_load()?;
    let summary =
        havenwatch_ingest::ingest(&inputs, &mut store, &gazetteer, &options, &|n| bar.inc(n))?;
    let loading_seconds = started.elapsed().as_secs_f64();
    if bulk {
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} building indexes {elapsed}")
                .expect("valid template"),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        store.end_bulk_load()?;
    }
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    let overview = overview(&store)?;
    if cli.json {
        #[derive(Serialize)]
        struct Out<'a> {
            db: String,
            seconds: f64,
            /// Whether indexes were set aside during the load and built at its end.
            bulk: bool,
            /// Of `seconds`, the reading, analysing and storing of documents; the rest is
            /// building what a bulk load set aside.
            loading_seconds: f64,
            #[serde(flatten)]
            summary: &'a IngestSummary,
            store: &'a Overview,
        }
        print_json(&Out {
            db: cli.db.display().to_string(),
            seconds,
            bulk,
            loading_seconds,
            summary: &summary,
            store: &overview,
        })?;
    } else {
        for e in &summary.errors {
            eprintln!("error: {e}");
        }
        if !cli.quiet {
            out!(
                "ingested into {}: {} added, {} duplicate, {} failed; {} mentions, {} claims, {} new entities ({:.1} MB in {:.1}s)",
                cli.db.display(),
                summary.added,
                summary.duplicate,
                summary.failed,
                summary.mentions,
                summary.claims,
                summary.new_entities,
                summary.bytes as f64 / 1e6,
                seconds
            );
            out!();
            print_overview(&overview);
        }
    }
    Ok(if summary.failed > 0 {
        exit::PARTIAL
    } else {
        exit::OK
    })
}

fn reextract(cli: &Cli, all: bool, batch_size: usize) -> Result<u8> {
    let gazetteer = load_gazetteer(cli)?;
    if !cli.db.exists() {
        bail!(
            "no store at {} (run `havenwatch ingest PATH` first, or pass --db)",
            cli.db.display()
        );
    }
    let mut store = open_store(cli)?;
    let total = store.count_documents_for_claims(!all)?;
    let bar = if !cli.quiet && !cli.json && std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(total as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} extracting claims [{bar:30}] {pos}/{len} documents, eta {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let started = std::time::Instant::now();
    let summary =
        havenwatch_ingest::reextract(&mut store, &gazetteer, !all, batch_size, &|n| bar.inc(n))?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    if cli.json {
        #[derive(Serialize)]
        struct Out<'a> {
            db: String,
            seconds: f64,
            #[serde(flatten)]
            summary: &'a havenwatch_ingest::ReextractSummary,
        }
        print_json(&Out {
            db: cli.db.display().to_string(),
            seconds,
            summary: &summary,
        })?;
    } else if !cli.quiet {
        out!(
            "extracted the claims of {} documents in {}: {} claims ({} before), {seconds:.1}s",
            summary.documents,
            cli.db.display(),
            summary.added,
            summary.removed
        );
    }
    Ok(exit::OK)
}

#[derive(Serialize)]
struct Overview {
    #[serde(flatten)]
    stats: StoreStats,
    top_groups: Vec<TopEntity>,
    provisional_groups: Vec<TopEntity>,
}

#[derive(Serialize)]
struct TopEntity {
    name: String,
    id: String,
    mentions: usize,
    documents: usize,
}

fn overview(store: &SqliteStore) -> Result<Overview> {
    let top = |status: Option<EntityStatus>| -> Result<Vec<TopEntity>> {
        Ok(store
            .entities(&EntityQuery {
                entity_type: Some(EntityType::ArmedGroup),
                status,
                limit: 10,
            })?
            .into_iter()
            .map(|e| TopEntity {
                name: e.entity.name,
                id: e.entity.id.0,
                mentions: e.mentions,
                documents: e.documents,
            })
            .collect())
    };
    Ok(Overview {
        stats: store.stats()?,
        top_groups: top(None)?,
        provisional_groups: top(Some(EntityStatus::Provisional))?,
    })
}

fn print_overview(o: &Overview) {
    out!(
        "{} documents, {} mentions, {} claims",
        o.stats.documents,
        o.stats.mentions,
        o.stats.claims
    );
    if o.stats.claims_pending > 0 {
        out!(
            "claims not yet extracted from {} documents (ingested with --defer-claims): run `havenwatch reextract`",
            o.stats.claims_pending
        );
    }
    let types: Vec<String> = o
        .stats
        .entities_by_type
        .iter()
        .map(|(t, n)| format!("{n} {t}"))
        .collect();
    out!("entities by type: {}", types.join(", "));
    if !o.top_groups.is_empty() {
        out!("\nmost-mentioned armed groups:");
        let mut t = Table::new(["group", "mentions", "documents"]);
        for g in &o.top_groups {
            t.row([
                g.name.clone(),
                g.mentions.to_string(),
                g.documents.to_string(),
            ]);
        }
        outp!("{}", t.render(&[48, 0, 0]));
    }
    if !o.provisional_groups.is_empty() {
        out!(
            "\ngroups discovered in the text, awaiting review ({} provisional entities; `havenwatch entity confirm|merge`):",
            o.stats.provisional
        );
        let mut t = Table::new(["group", "mentions", "id"]);
        for g in &o.provisional_groups {
            t.row([g.name.clone(), g.mentions.to_string(), g.id.clone()]);
        }
        outp!("{}", t.render(&[48, 0, 0]));
    }
}

/// Finds an entity by any alias the store knows, then by the gazetteer's spelling variants.
fn resolve_entity(
    cli: &Cli,
    store: &SqliteStore,
    name: &str,
) -> Result<Option<havenwatch_core::Entity>> {
    if let Some(e) = store.find_entity(name)? {
        return Ok(Some(e));
    }
    let gazetteer = load_gazetteer(cli)?;
    let resolver = havenwatch_extract::EntityResolver::new(&gazetteer);
    match resolver.lookup(name) {
        Some(i) => Ok(store.find_entity(&resolver.entity(i).id)?),
        None => Ok(None),
    }
}

fn show(cli: &Cli, name: &str, limit: usize) -> Result<u8> {
    let store = open_existing(cli)?;
    let entity = resolve_entity(cli, &store, name)?;
    let Some(entity) = entity else {
        eprintln!(
            "havenwatch: no entity named `{name}` in {}",
            cli.db.display()
        );
        return Ok(exit::NOT_FOUND);
    };
    let mentions = store.mentions(&entity.id.0, limit)?;
    let history = store.merge_history(&entity.id.0)?;
    // Per predicate, in the schema's order: how many claims, and the newest `limit`.
    let about = havenwatch_store::ClaimQuery {
        about: Some(entity.id.0.clone()),
        ..Default::default()
    };
    let counts_by_predicate = store.claim_counts(&about)?;
    let mut by_predicate: Vec<(
        havenwatch_core::Predicate,
        usize,
        Vec<havenwatch_store::StoredClaim>,
    )> = Vec::new();
    for (p, n) in &counts_by_predicate {
        let newest = store.claims(&havenwatch_store::ClaimQuery {
            predicate: Some(*p),
            limit,
            ..about.clone()
        })?;
        by_predicate.push((*p, *n, newest));
    }
    let total_claims: usize = counts_by_predicate.iter().map(|(_, n)| n).sum();
    let counts = store.entity_counts(&entity.id.0)?;
    if cli.json {
        #[derive(Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            entity: &'a havenwatch_core::Entity,
            mention_count: usize,
            document_count: usize,
            merged: Vec<String>,
            mentions: &'a [havenwatch_store::MentionInContext],
            merge_history: &'a [havenwatch_store::MergeRecord],
            /// The newest `--limit` claims per predicate.
            claims: std::collections::BTreeMap<&'static str, &'a [havenwatch_store::StoredClaim]>,
            /// How many claims per predicate in all.
            claim_counts: std::collections::BTreeMap<&'static str, usize>,
        }
        print_json(&Out {
            entity: &entity,
            mention_count: counts.mentions,
            document_count: counts.documents,
            merged: counts.merged.clone(),
            mentions: &mentions,
            merge_history: &history,
            claims: by_predicate
                .iter()
                .map(|(p, _, g)| (p.as_str(), g.as_slice()))
                .collect(),
            claim_counts: by_predicate
                .iter()
                .map(|(p, n, _)| (p.as_str(), *n))
                .collect(),
        })?;
        return Ok(exit::OK);
    }
    out!(
        "{}  ({}, {})",
        entity.name,
        entity.entity_type,
        entity.status
    );
    out!("id: {}", entity.id);
    if !entity.external_ids.is_empty() {
        let ids: Vec<String> = entity
            .external_ids
            .iter()
            .map(|x| format!("{}:{}", x.scheme, x.value))
            .collect();
        out!("external ids: {}", ids.join(", "));
    }
    if !entity.aliases.is_empty() {
        out!("aliases: {}", entity.aliases.join("; "));
    }
    out!(
        "{} mentions in {} documents",
        counts.mentions,
        counts.documents
    );
    if !counts.merged.is_empty() {
        out!("merged into it: {}", counts.merged.join(", "));
    }
    if !history.is_empty() {
        out!("\nmerge history:");
        for m in &history {
            let state = match &m.undone_at {
                Some(at) => format!("undone {at} ({})", m.undo_reason.as_deref().unwrap_or("")),
                None => "active".into(),
            };
            out!(
                "  #{} {} -> {} on {}: {} [{state}]",
                m.id,
                m.source,
                m.target,
                m.merged_at,
                m.reason
            );
        }
    }
    if !by_predicate.is_empty() {
        out!("\nclaims ({total_claims}):");
        for (p, n, group) in &by_predicate {
            if *n > group.len() {
                out!("  {p} ({n}, newest {limit} shown; `havenwatch claims` lists all)");
            } else {
                out!("  {p} ({n})");
            }
            for c in group {
                print_stored_claim(c, "    ");
            }
        }
    }
    if !mentions.is_empty() {
        out!("\nmentions (newest first):");
        let mut last_doc = None;
        for m in &mentions {
            if last_doc != Some(&m.document) {
                out!(
                    "  {}  {}  {}  {}",
                    m.document.short(),
                    m.published.as_deref().unwrap_or("-"),
                    m.publisher.as_deref().unwrap_or("-"),
                    m.title.as_deref().unwrap_or("(untitled)")
                );
                last_doc = Some(&m.document);
            }
            let rule = if m.rule == "gazetteer" {
                String::new()
            } else {
                format!(" [{}]", m.rule)
            };
            out!("      {}{rule}", m.context);
        }
    }
    Ok(exit::OK)
}

fn entity_command(cli: &Cli, cmd: &EntityCommand) -> Result<u8> {
    let mut store = open_existing(cli)?;
    match cmd {
        EntityCommand::Confirm { name } => {
            store.confirm_entity(name)?;
            let e = store.find_entity(name)?.context("entity vanished")?;
            report(cli, &e, &format!("confirmed {} ({})", e.name, e.id))?;
        }
        EntityCommand::Merge {
            source,
            target,
            reason,
        } => {
            let m = store.merge_entities(source, target, reason)?;
            report(
                cli,
                &m,
                &format!(
                    "merged {} into {} (merge #{}; undo with `havenwatch entity unmerge {} --reason ...`)",
                    m.source, m.target, m.id, m.source
                ),
            )?;
        }
        EntityCommand::Unmerge { name, reason } => {
            let m = store.unmerge_entity(name, reason)?;
            report(
                cli,
                &m,
                &format!(
                    "undid merge #{}: {} is separate from {} again",
                    m.id, m.source, m.target
                ),
            )?;
        }
        EntityCommand::Alias { name, alias } => {
            store.add_alias(name, alias)?;
            let e = store.find_entity(name)?.context("entity vanished")?;
            report(
                cli,
                &e,
                &format!("`{alias}` is now an alias of {} ({})", e.name, e.id),
            )?;
        }
        EntityCommand::History { name } => {
            let h = store.merge_history(name)?;
            if cli.json {
                print_json(&h)?;
            } else if h.is_empty() {
                out!("no merges involve `{name}`");
            } else {
                for m in &h {
                    out!(
                        "#{} {} -> {} on {}: {}{}",
                        m.id,
                        m.source,
                        m.target,
                        m.merged_at,
                        m.reason,
                        m.undone_at
                            .as_ref()
                            .map(|at| format!(
                                " [undone {at}: {}]",
                                m.undo_reason.as_deref().unwrap_or("")
                            ))
                            .unwrap_or_default()
                    );
                }
            }
        }
    }
    Ok(exit::OK)
}

fn report<T: Serialize>(cli: &Cli, value: &T, text: &str) -> Result<()> {
    if cli.json {
        print_json(value)
    } else {
        out!("{text}");
        Ok(())
    }
}

fn gazetteer_command(cli: &Cli, cmd: &GazetteerCommand) -> Result<u8> {
    match cmd {
        GazetteerCommand::Build { sanctions, out } => {
            use sha2::{Digest, Sha256};
            let bytes = std::fs::read(sanctions)
                .with_context(|| format!("sanctions list {}", sanctions.display()))?;
            let xml = std::str::from_utf8(&bytes)
                .with_context(|| format!("sanctions list {}: not UTF-8", sanctions.display()))?;
            let report = havenwatch_extract::sanctions::parse_consolidated_list(xml)
                .with_context(|| format!("sanctions list {}", sanctions.display()))?;
            let digest: String = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let file_name = sanctions
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut header = format!(
                "GENERATED by `havenwatch gazetteer build --sanctions {file_name}`: do not edit; extend it in curated.toml.\n\
                 Source: United Nations Security Council Consolidated List (dateGenerated {}), file {file_name}, sha256 {digest}.\n\
                 Kept {} entities of armed-group regimes as armed_group; skipped {} (individuals are never taken):\n",
                report.date_generated,
                report.kept.len(),
                report.skipped.len()
            );
            let mut by_reason: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
            for (e, why) in &report.skipped {
                by_reason.entry(why).or_default().push(&e.reference);
            }
            for (why, refs) in by_reason {
                header.push_str(&format!("  {why}: {}\n", refs.join(" ")));
            }
            let toml = havenwatch_extract::sanctions::to_gazetteer_toml(&report, &header);
            // Check it loads before writing anything.
            let mut check = Gazetteer::default();
            check.add_toml("generated", &toml)?;
            match out {
                Some(path) => {
                    std::fs::write(path, &toml)
                        .with_context(|| format!("writing {}", path.display()))?;
                    if !cli.quiet {
                        eprintln!(
                            "wrote {} entities to {} ({} skipped)",
                            report.kept.len(),
                            path.display(),
                            report.skipped.len()
                        );
                    }
                }
                None => outp!("{toml}"),
            }
            Ok(exit::OK)
        }
        GazetteerCommand::Check => {
            let g = load_gazetteer(cli)?;
            let resolver = havenwatch_extract::EntityResolver::new(&g);
            let mut by_type: std::collections::BTreeMap<&str, usize> = Default::default();
            for e in g.entries() {
                *by_type.entry(e.entity_type.as_str()).or_default() += 1;
            }
            if cli.json {
                print_json(&serde_json::json!({
                    "entities": g.len(),
                    "names": resolver.pattern_count(),
                    "by_type": by_type,
                }))?;
            } else {
                out!(
                    "{} entities, {} distinct names; {}",
                    g.len(),
                    resolver.pattern_count(),
                    by_type
                        .iter()
                        .map(|(t, n)| format!("{n} {t}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            Ok(exit::OK)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_loading_is_chosen_for_large_inputs_into_smaller_stores() {
        let mb = 1024 * 1024;
        assert!(BulkMode::Auto.wanted(80 * mb, 0));
        assert!(BulkMode::Auto.wanted(80 * mb, 70 * mb));
        assert!(
            !BulkMode::Auto.wanted(80 * mb, 500 * mb),
            "a small top-up of a big store"
        );
        assert!(!BulkMode::Auto.wanted(mb, 0), "a small input");
        assert!(BulkMode::On.wanted(1, 500 * mb));
        assert!(!BulkMode::Off.wanted(500 * mb, 0));
    }
}
