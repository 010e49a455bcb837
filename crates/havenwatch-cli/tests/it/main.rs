//! The `havenwatch` binary, run for real over temporary directories and SQLite files.

mod sharing;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_havenwatch");

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn db(&self) -> PathBuf {
        self.dir.path().join("test.db")
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
        p
    }
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--db").arg(self.db()).args(args);
        c.env_remove("HAVENWATCH_DB")
            .env_remove("HAVENWATCH_GAZETTEER");
        c
    }
    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }
    /// Ingests the demo corpus with the demo gazetteer; returns the ingest's JSON summary.
    fn ingest_demo(&self) -> Value {
        let corpus = repo_root().join("demo/corpus");
        let gaz = repo_root().join("demo/gazetteer.toml");
        self.json(&[
            "ingest",
            corpus.to_str().unwrap(),
            "--gazetteer",
            gaz.to_str().unwrap(),
        ])
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.push("--json");
        let out = self.run(&a);
        assert!(
            out.status.success() || out.status.code() == Some(3),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?}: not JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn every_format_is_read_with_its_metadata() {
    let env = Env::new();
    env.write(
        "in/a.txt",
        "Plain headline\n\nThe Tarvik Front met al-Qaeda envoys in Kunar.",
    );
    env.write(
        "in/b.md",
        "---\ntitle: MD title\npublisher: Test Outlet\npublished: 2024-02-03\nurl: https://x.example/b\n---\n# Heading\n\nTTP fighters crossed into Khost.\n",
    );
    env.write(
        "in/c.html",
        "<html><head><title>HTML title</title><meta property=\"og:site_name\" content=\"Web Outlet\"><meta property=\"article:published_time\" content=\"2024-05-06T10:00:00Z\"><script>var ISKP = 1;</script></head><body><nav>Menu ISIL-K</nav><article><p>ISKP claimed the attack in Kabul.</p></article><footer>Footer AQ</footer></body></html>",
    );
    env.write(
        "in/d.jsonl",
        "{\"text\": \"Al-Shabaab attacked Mogadishu.\", \"title\": \"J1\", \"publisher\": \"Wire\", \"published\": \"2024-01-01\", \"url\": \"https://w.example/1\"}\n\n{\"text\": \"Boko Haram was active in Borno.\", \"title\": \"J2\"}\n",
    );
    env.write(
        "in/e.rss",
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed Outlet</title><item><title>R1</title><link>https://f.example/1</link><pubDate>Tue, 05 Mar 2024 10:00:00 +0000</pubDate><description>&lt;p&gt;JNIM struck in Mali.&lt;/p&gt;</description></item></channel></rss>",
    );
    env.write(
        "in/f.atom",
        "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Atom Outlet</title><entry><title>A1</title><link href=\"https://a.example/1\"/><published>2024-07-08T00:00:00Z</published><content type=\"html\">&lt;p&gt;The Haqqani Network met in Paktia.&lt;/p&gt;</content></entry></feed>",
    );
    env.write("in/ignored.bin", [0u8, 1, 2]);
    let out = env.json(&["ingest", env.path("in").to_str().unwrap()]);
    assert_eq!(out["added"], 7, "{out}");
    assert_eq!(out["failed"], 0, "{out}");
    let docs = env.json(&["documents"]);
    let by_title = |t: &str| -> Value {
        docs.as_array()
            .unwrap()
            .iter()
            .find(|d| d["title"] == t)
            .unwrap_or_else(|| panic!("no document titled {t}: {docs}"))
            .clone()
    };
    assert_eq!(by_title("Plain headline")["mentions"], 3);
    let md = by_title("MD title");
    assert_eq!(md["publisher"], "Test Outlet");
    assert_eq!(md["published"], "2024-02-03");
    assert_eq!(md["url"], "https://x.example/b");
    let html = by_title("HTML title");
    assert_eq!(html["publisher"], "Web Outlet");
    assert_eq!(html["published"], "2024-05-06");
    assert_eq!(
        html["mentions"], 2,
        "script, nav and footer are not text: {html}"
    );
    assert_eq!(by_title("J1")["published"], "2024-01-01");
    assert_eq!(by_title("J2")["publisher"], Value::Null);
    let rss = by_title("R1");
    assert_eq!(rss["publisher"], "Feed Outlet");
    assert_eq!(rss["published"], "2024-03-05");
    let atom = by_title("A1");
    assert_eq!(atom["publisher"], "Atom Outlet");
    assert_eq!(atom["url"], "https://a.example/1");

    // Standard input, sniffed as JSON Lines.
    let mut child = env
        .cmd(&["ingest", "-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"text\": \"Lashkar-e-Taiba was named.\"}\n")
        .unwrap();
    let out: Value = serde_json::from_slice(&child.wait_with_output().unwrap().stdout).unwrap();
    assert_eq!(out["added"], 1);
}

#[test]
fn bad_inputs_are_reported_one_line_each_and_the_batch_goes_on() {
    let env = Env::new();
    env.write("in/good.txt", "Good document about TTP.");
    env.write("in/bad-utf8.txt", b"first line\nsecond \xff\xfe line\n");
    env.write(
        "in/lines.jsonl",
        "{\"text\": \"line one is fine\"}\n{\"text\": broken\n{\"title\": \"no text\"}\n{\"text\": \"dated\", \"published\": \"someday\"}\n{\"text\": \"line five is fine\"}\n",
    );
    env.write(
        "in/big.md",
        format!("---\ntitle: big\n---\n{}", "x".repeat(3000)),
    );
    env.write("in/open.md", "---\ntitle: never closed\n\nbody\n");
    let missing = env.path("does-not-exist.txt");
    let out = env.run(&[
        "ingest",
        env.path("in").to_str().unwrap(),
        missing.to_str().unwrap(),
        "--max-doc-size",
        "2KB",
    ]);
    assert_eq!(out.status.code(), Some(3), "partial failure exit code");
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(lines.len(), 7, "{err}");
    let expect = [
        "bad-utf8.txt:2: invalid UTF-8",
        "lines.jsonl:2: malformed JSON",
        "lines.jsonl:3: missing field `text`",
        "lines.jsonl:4: field `published`: `someday` is not a date",
        "big.md: file is 3019 bytes, over the limit of 2048 (--max-doc-size)",
        "open.md:1: front matter opened with `---` is never closed",
        "does-not-exist.txt: cannot read",
    ];
    for e in expect {
        assert!(
            lines.iter().any(|l| l.contains(e)),
            "missing `{e}` in:\n{err}"
        );
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("3 added, 0 duplicate, 7 failed"),
        "{stdout}"
    );
    let docs = env.json(&["documents"]);
    assert_eq!(docs.as_array().unwrap().len(), 3);
}

#[test]
fn reingesting_adds_nothing() {
    let env = Env::new();
    let corpus = repo_root().join("demo/corpus");
    let gaz = repo_root().join("demo/gazetteer.toml");
    let args = [
        "ingest",
        corpus.to_str().unwrap(),
        "--gazetteer",
        gaz.to_str().unwrap(),
    ];
    let first = env.json(&args);
    let added = first["added"].as_u64().unwrap();
    assert!(added >= 25, "{first}");
    let mentions = first["mentions"].as_u64().unwrap();
    let second = env.json(&args);
    assert_eq!(second["added"], 0);
    assert_eq!(second["duplicate"].as_u64().unwrap(), added);
    assert_eq!(second["store"]["documents"].as_u64().unwrap(), added);
    assert_eq!(second["store"]["mentions"].as_u64().unwrap(), mentions);
}

#[test]
fn demo_corpus_queries_and_entity_management() {
    let env = Env::new();
    env.ingest_demo();

    // The most-mentioned group, and the groups found in the text.
    let groups = env.json(&["entities", "--type", "armed_group"]);
    assert_eq!(groups[0]["name"], "Tarvik Liberation Front", "{groups}");
    let provisional = env.json(&["entities", "--status", "provisional"]);
    let names: Vec<&str> = provisional
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Coastal Martyrs Brigade"), "{names:?}");
    assert!(names.contains(&"Serrat Mountain Army"), "{names:?}");

    // `show` resolves aliases and spellings, including ones only the text used.
    let by_acronym = env.json(&["show", "TLF"]);
    assert_eq!(by_acronym["id"], "demo:tlf");
    assert!(by_acronym["mention_count"].as_u64().unwrap() > 20);
    let m = &by_acronym["mentions"][0];
    assert!(m["context"].as_str().unwrap().contains('«'), "{m}");
    let cmb = env.json(&["show", "CMB"]);
    assert_eq!(cmb["id"], "prov:coastal-martyrs-brigade");
    let out = env.run(&["show", "No Such Group"]);
    assert_eq!(out.status.code(), Some(4));

    // Search.
    let hits = env.json(&["search", "explosives", "experts"]);
    assert!(hits.as_array().unwrap().len() >= 4, "{hits}");
    let hits = env.json(&["search", "\"Serrat Mountain\" AND anniversary"]);
    assert_eq!(hits.as_array().unwrap().len(), 0, "asides are not text");

    // Confirm, merge, unmerge: reversible, with history.
    let c = env.json(&["entity", "confirm", "Serrat Mountain Army"]);
    assert_eq!(c["status"], "confirmed");
    let jnj_before = env.json(&["show", "JNJ"])["mention_count"]
        .as_u64()
        .unwrap();
    let cmb_count = cmb["mention_count"].as_u64().unwrap();
    let m = env.json(&[
        "entity",
        "merge",
        "CMB",
        "Jamaat Nur al-Jabal",
        "--reason",
        "analyst judges CMB a front",
    ]);
    assert_eq!(m["source"], "prov:coastal-martyrs-brigade");
    let merged = env.json(&["show", "Coastal Martyrs Brigade"]);
    assert_eq!(merged["id"], "demo:jnj", "aliases follow the merge");
    assert_eq!(
        merged["mention_count"].as_u64().unwrap(),
        jnj_before + cmb_count
    );
    let u = env.json(&["entity", "unmerge", "CMB", "--reason", "new evidence"]);
    assert_eq!(u["undo_reason"], "new evidence");
    assert_eq!(
        env.json(&["show", "CMB"])["id"],
        "prov:coastal-martyrs-brigade"
    );
    assert_eq!(
        env.json(&["show", "JNJ"])["mention_count"]
            .as_u64()
            .unwrap(),
        jnj_before
    );
    let history = env.json(&["entity", "history", "JNJ"]);
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert_eq!(history[0]["reason"], "analyst judges CMB a front");
    assert!(history[0]["undone_at"].is_string());

    // An analyst's alias resolves.
    env.json(&["entity", "alias", "Serrat Mountain Army", "SMA"]);
    assert_eq!(
        env.json(&["show", "sma"])["id"],
        "prov:serrat-mountain-army"
    );
}

#[test]
fn a_bad_gazetteer_file_is_one_line_naming_file_and_line() {
    let env = Env::new();
    let g = env.write(
        "mine.toml",
        "[[entity]]\nid = \"x\"\nname = \"X Front\"\ntype = \"gang\"\n",
    );
    env.write("a.txt", "text");
    let out = env.run(&[
        "ingest",
        env.path("a.txt").to_str().unwrap(),
        "--gazetteer",
        g.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("mine.toml:2: entity #1 (id `x`): unknown entity type `gang`"),
        "{err}"
    );
    assert!(
        !env.db().exists(),
        "nothing is written when the gazetteer is bad"
    );
}

#[test]
fn queries_on_a_missing_store_fail_clearly() {
    let env = Env::new();
    let out = env.run(&["documents"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no store at"), "{}", stderr(&out));
}

/// Kills an ingest with SIGKILL while it writes, reruns it, and checks that every document is
/// stored exactly once and that the file is sound.
#[test]
fn an_ingest_killed_mid_run_resumes_with_every_document_once() {
    killed_ingest_resumes(&[]);
}

/// The same with the indexes set aside for a bulk load: the kill leaves them unbuilt, and the
/// rerun's open builds them before it loads the rest.
#[test]
fn a_bulk_ingest_killed_mid_run_resumes_and_gets_its_indexes_back() {
    let env = killed_ingest_resumes(&["--bulk", "on"]);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let pending: i64 = conn
        .query_row("SELECT count(*) FROM deferred_indexes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(pending, 0);
    for index in havenwatch_store::BULK_DEFERRED_INDEXES {
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = ?1",
                [index],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "index {index} is back");
    }
    let found: i64 = conn
        .query_row(
            "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'Khost'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(found, 40_000, "full-text search sees every document");
    // The index was rebuilt in one pass at the load's end: it matches the documents exactly.
    conn.execute_batch("INSERT INTO documents_fts(documents_fts) VALUES('integrity-check')")
        .expect("the full-text index matches its documents");
    drop(conn);
    // And the trigger is back: a document ingested the usual way is found at once.
    let one = env.write("one.txt", "A lone report from Quillmarsh.");
    let out = env.run(&["ingest", one.to_str().unwrap(), "--bulk", "off", "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let hits = env.json(&["search", "Quillmarsh"]);
    assert_eq!(hits.as_array().unwrap().len(), 1, "{hits}");
}

fn killed_ingest_resumes(extra: &[&str]) -> Env {
    let env = Env::new();
    let n = 40_000;
    let mut jsonl = String::with_capacity(n * 200);
    for i in 0..n {
        jsonl.push_str(&format!(
            "{{\"text\": \"Report {i}: fighters of the TTP and al-Qaeda were seen near Khost, officials said; item {i}.\", \"publisher\": \"Crash Wire\"}}\n"
        ));
    }
    let input = env.write("big.jsonl", jsonl);
    let mut args = vec![
        "ingest",
        input.to_str().unwrap(),
        "--batch-size",
        "200",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    let mut child = env
        .cmd(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until some batches are committed, then kill.
    let started = std::time::Instant::now();
    loop {
        let stored = count_documents(&env.db());
        if stored > 0 || started.elapsed().as_secs() > 60 {
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let partial = count_documents(&env.db());
    assert!(
        partial < n as i64,
        "the kill came too late to test anything ({partial} stored)"
    );
    if extra.contains(&"--bulk") {
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        let pending: i64 = conn
            .query_row("SELECT count(*) FROM deferred_indexes", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            pending as usize,
            havenwatch_store::BULK_DEFERRED_INDEXES.len(),
            "the kill came during the bulk load"
        );
    }

    let out = env.run(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let total: i64 = conn
        .query_row("SELECT count(*) FROM documents", [], |r| r.get(0))
        .unwrap();
    let distinct: i64 = conn
        .query_row("SELECT count(DISTINCT id) FROM documents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(total, n as i64);
    assert_eq!(distinct, n as i64);
    let orphans: i64 = conn
        .query_row(
            "SELECT count(*) FROM mentions WHERE doc_key NOT IN (SELECT doc_key FROM documents)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
    let per_doc: i64 = conn
        .query_row(
            "SELECT count(*) FROM documents d WHERE (SELECT count(*) FROM mentions m WHERE m.doc_key = d.doc_key) != 3",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(per_doc, 0, "every document has exactly its three mentions");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    assert_eq!(foreign_key_violations(&env.db()), 0);
    env
}

/// Rows whose references lead nowhere (`PRAGMA foreign_key_check`): the batch writer keeps
/// them itself, with SQLite's checks off.
fn foreign_key_violations(db: &Path) -> usize {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare("PRAGMA foreign_key_check").unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok(format!(
                "{}:{}",
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?.unwrap_or(0)
            ))
        })
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    assert!(rows.len() < 1000, "dangling references: {:?}", &rows[..5]);
    rows.len()
}

/// A store's claims as comparable rows (document, span, subject, predicate, object, source,
/// modality, negation), sorted; and its kept claim counts.
fn claims_and_counts(db: &Path) -> (Vec<String>, Vec<String>) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let rows = |q: &str| -> Vec<String> {
        let mut stmt = conn.prepare(q).unwrap();
        let mut v = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        v.sort();
        v
    };
    (
        rows(
            "SELECT d.id || ' ' || c.evidence_start || '-' || c.evidence_end || ' ' || c.subject
                    || ' ' || c.predicate || ' ' || coalesce(c.object, '-') || ' '
                    || c.source_name || ' ' || c.modality || ' ' || c.negated
             FROM claims c JOIN documents d ON d.doc_key = c.doc_key",
        ),
        rows(
            "SELECT entity_id || ' ' || side || ' ' || predicate || ' ' || tlp || ' ' || claims
             FROM claim_stats",
        ),
    )
}

/// `ingest --defer-claims` stores documents and mentions without claims; `reextract` then
/// extracts them. `reextract --all` on a store ingested the usual way replaces every claim,
/// with its kept counts and its findings (kept before, folded again): both stores end equal.
#[test]
fn deferred_claims_are_extracted_later_and_reextract_replaces_claims() {
    let corpus = repo_root().join("demo/corpus");
    let gaz = repo_root().join("demo/gazetteer.toml");
    let config = repo_root().join("demo/havenwatch.toml");
    let (corpus, gaz, config) = (
        corpus.to_str().unwrap(),
        gaz.to_str().unwrap(),
        config.to_str().unwrap(),
    );
    let direct = Env::new();
    let first = direct.json(&["ingest", corpus, "--gazetteer", gaz]);
    let direct_claims = first["claims"].as_u64().unwrap();
    assert!(direct_claims > 50, "{first}");
    assert_eq!(first["store"]["claims_pending"], 0);
    // Findings are kept now, so replacing their claims must fold them again.
    let before = direct.json(&["--config", config, "findings"]);
    assert!(!before.as_array().unwrap().is_empty());

    let deferred = Env::new();
    let loaded = deferred.json(&["ingest", corpus, "--gazetteer", gaz, "--defer-claims"]);
    let documents = loaded["added"].as_u64().unwrap();
    assert_eq!(loaded["claims"], 0, "{loaded}");
    assert_eq!(loaded["store"]["claims"], 0);
    assert_eq!(loaded["store"]["claims_pending"].as_u64(), Some(documents));
    assert_eq!(
        loaded["mentions"], first["mentions"],
        "mentions are stored as usual"
    );
    let summary = deferred.run(&["summary"]);
    assert!(
        String::from_utf8_lossy(&summary.stdout).contains("havenwatch reextract"),
        "the overview says what to run"
    );
    assert!(deferred
        .json(&["claims", "--limit", "0"])
        .as_array()
        .unwrap()
        .is_empty());

    let extracted = deferred.json(&["reextract", "--gazetteer", gaz]);
    assert_eq!(extracted["documents"].as_u64(), Some(documents));
    assert_eq!(extracted["removed"], 0);
    // The store's own entities (groups discovered in one report) are now matched in every
    // report, as they are for any later ingest: at least the claims of the direct ingest.
    let added = extracted["added"].as_u64().unwrap();
    assert!(added >= direct_claims, "{added} < {direct_claims}");
    let again = deferred.json(&["reextract", "--gazetteer", gaz]);
    assert_eq!(again["documents"], 0, "nothing is pending any more");
    assert_eq!(deferred.json(&["summary"])["claims_pending"], 0);

    let replaced = direct.json(&["reextract", "--all", "--gazetteer", gaz]);
    assert_eq!(replaced["documents"].as_u64(), Some(documents));
    assert_eq!(replaced["removed"].as_u64(), Some(direct_claims));
    assert_eq!(replaced["added"].as_u64(), Some(added));

    assert_eq!(
        claims_and_counts(&direct.db()),
        claims_and_counts(&deferred.db())
    );
    assert_eq!(
        direct.json(&["--config", config, "findings"]),
        deferred.json(&["--config", config, "findings"]),
        "kept findings folded again equal those folded once"
    );
    for env in [&direct, &deferred] {
        assert_eq!(foreign_key_violations(&env.db()), 0);
    }
    // No store: a clear error, and no empty store left behind.
    let none = Env::new();
    let out = none.run(&["reextract"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no store at"), "{}", stderr(&out));
    assert!(!none.db().exists());
}

fn count_documents(db: &Path) -> i64 {
    if !db.exists() {
        return 0;
    }
    let Ok(conn) =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return 0;
    };
    conn.query_row("SELECT count(*) FROM documents", [], |r| r.get(0))
        .unwrap_or(0)
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["ingest", "--help"],
        vec!["reextract", "--help"],
        vec!["summary", "--help"],
        vec!["documents", "--help"],
        vec!["document", "--help"],
        vec!["entities", "--help"],
        vec!["show", "--help"],
        vec!["search", "--help"],
        vec!["entity", "merge", "--help"],
        vec!["entity", "unmerge", "--help"],
        vec!["gazetteer", "build", "--help"],
        vec!["export", "stix", "--help"],
        vec!["import", "stix", "--help"],
        vec!["publish", "--help"],
        vec!["serve", "--help"],
        vec!["partner", "add", "--help"],
        vec!["audit", "--help"],
    ] {
        let out = Command::new(BIN).args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

#[test]
fn gazetteer_build_reproduces_the_committed_file() {
    let xml = repo_root().join("../shared/data/sanctions/un-consolidated-2024-09-26.xml");
    assert!(
        xml.exists(),
        "../shared is missing beside the checkout (expected {})",
        xml.display()
    );
    let out = Command::new(BIN)
        .args(["gazetteer", "build", "--sanctions", xml.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let committed = std::fs::read_to_string(
        repo_root().join("crates/havenwatch-extract/data/un-sanctions.toml"),
    )
    .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout) == committed,
        "the committed gazetteer differs from a fresh build: rerun `havenwatch gazetteer build`"
    );
}

#[test]
fn claims_are_stored_queried_and_shown_by_predicate() {
    let env = Env::new();
    let out = env.ingest_demo();
    assert!(out["claims"].as_u64().unwrap() >= 40, "{out}");

    // Filters: subject by alias, predicate, modality, source, since.
    let supports = env.json(&["claims", "--subject", "JNJ", "--predicate", "supports"]);
    let supports = supports.as_array().unwrap();
    assert!(!supports.is_empty());
    for c in supports {
        assert_eq!(c["subject"]["id"], "demo:jnj");
        assert_eq!(c["predicate"], "supports");
        assert!(c["evidence_text"].as_str().unwrap().len() > 20);
        assert!(c["document"].as_str().unwrap().len() == 64);
    }
    let denied = env.json(&["claims", "--modality", "denied"]);
    assert!(
        denied
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["source"]["entity"] == "demo:via" && c["predicate"] == "shelters"),
        "{denied}"
    );
    let chain = env.json(&[
        "claims",
        "--source",
        "Kestrian National Security Bureau",
        "--subject",
        "TLF",
    ]);
    assert!(
        chain
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["via"].as_array().unwrap().len() == 2
                && c["via"][0]["name"] == "UN Panel of Experts on Varenia"),
        "{chain}"
    );
    let recent = env.json(&["claims", "--since", "2024-12"]);
    assert!(recent
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["published"].as_str().unwrap() >= "2024-12"));
    let none = env.run(&["claims", "--subject", "Nobody At All"]);
    assert_eq!(none.status.code(), Some(1));
    let bad = env.run(&["claims", "--since", "soon"]);
    assert!(stderr(&bad).contains("--since `soon` is not a date"));

    // `show` groups an entity's claims by predicate.
    let shown = env.json(&["show", "Tarvik Liberation Front"]);
    let groups = shown["claims"].as_object().unwrap();
    for p in [
        "operates_in",
        "has_strength",
        "maintains_infrastructure",
        "acts_against",
    ] {
        assert!(
            groups.contains_key(p),
            "no {p} in {:?}",
            groups.keys().collect::<Vec<_>>()
        );
    }
    // Strength estimates that change over time are all there, with their ranges.
    let strength: Vec<(u64, u64)> = groups["has_strength"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["qualifiers"]["low"].as_u64().unwrap(),
                c["qualifiers"]["high"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(strength.contains(&(3000, 3500)), "{strength:?}");
    assert!(strength.contains(&(2000, 2500)), "{strength:?}");
}

#[test]
fn extract_prints_claims_without_storing() {
    let env = Env::new();
    let article = repo_root().join("demo/corpus/reports/2024-12-panel-final-report.md");
    let gaz = repo_root().join("demo/gazetteer.toml");
    let out = env.json(&[
        "extract",
        article.to_str().unwrap(),
        "--publisher",
        "The Halden Courier",
        "--gazetteer",
        gaz.to_str().unwrap(),
    ]);
    let claims = out.as_array().unwrap();
    assert!(claims.len() >= 12, "{out}");
    assert!(claims.iter().any(|c| c["modality"] == "denied"));
    assert!(claims.iter().any(|c| c["negated"] == true));
    assert!(!env.db().exists(), "extract stores nothing");
    let text = env.run(&[
        "extract",
        article.to_str().unwrap(),
        "--gazetteer",
        gaz.to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&text.stdout)
        .contains("via UN Panel of Experts on Varenia > Kestrian National Security Bureau"));
}

/// The measured quality must not fall below the bars, which this version reaches (see
/// the README). Reads the shared gold corpus and PolNeAR's dev folder.
#[test]
fn evaluation_reports_and_does_not_regress() {
    let shared = repo_root().join("../shared");
    assert!(shared.exists(), "../shared is missing beside the checkout");
    let env = Env::new();
    let gold = shared.join("corpus/dev.jsonl");
    let ev = env.json(&["eval", "--gold", gold.to_str().unwrap()]);
    for key in [
        "claims",
        "per_predicate",
        "source_accuracy",
        "modality_accuracy",
        "negation_accuracy",
    ] {
        assert!(ev.get(key).is_some(), "no {key} in {ev}");
    }
    assert!(ev["claims"]["f1"].as_f64().unwrap() >= 0.80, "{ev}");
    assert!(ev["source_accuracy"].as_f64().unwrap() >= 0.90, "{ev}");
    assert!(ev["modality_accuracy"].as_f64().unwrap() >= 0.90, "{ev}");
    let explained = env.json(&["eval", "--gold", gold.to_str().unwrap(), "--explain"]);
    assert!(explained["missed"].as_array().is_some());

    let polnear = shared.join("data/polnear/dev");
    let pn = env.json(&["eval-attribution", "--polnear", polnear.to_str().unwrap()]);
    for role in ["source", "cue", "content"] {
        for kind in ["exact", "overlap"] {
            for m in ["precision", "recall", "f1"] {
                assert!(
                    pn[role][kind][m].is_f64(),
                    "{role}.{kind}.{m} missing in {pn}"
                );
            }
        }
    }
    assert!(
        pn["source"]["overlap"]["f1"].as_f64().unwrap() >= 0.70,
        "{pn}"
    );
    assert!(
        pn["content"]["overlap"]["f1"].as_f64().unwrap() >= 0.75,
        "{pn}"
    );
}

#[test]
fn attributions_prints_character_spans() {
    let env = Env::new();
    let f = env.write(
        "a.txt",
        "Café owners said that the road was closed. According to the police, it reopened.",
    );
    let out = env.json(&["attributions", f.to_str().unwrap()]);
    let a = &out[0];
    assert_eq!(a["source"]["text"], "Café owners");
    assert_eq!(a["source"]["start"], 0);
    assert_eq!(a["source"]["end"], 11, "character offsets, not bytes");
    assert_eq!(a["cue"]["text"], "said");
    assert_eq!(a["content"]["text"], "that the road was closed");
    assert_eq!(out[1]["source"]["text"], "the police");
}

#[test]
fn findings_collapse_echoes_grade_sources_and_strength_fuses() {
    let env = Env::new();
    env.ingest_demo();
    let config = repo_root().join("demo/havenwatch.toml");
    let cfg = config.to_str().unwrap();

    let findings = env.json(&["findings", "--config", cfg, "--limit", "500"]);
    let all = findings.as_array().unwrap();
    for key in [
        "subject",
        "predicate",
        "object",
        "reports",
        "independent_origins",
        "origins",
        "grade",
        "confidence",
        "first_seen",
        "last_seen",
        "circular",
    ] {
        assert!(all[0].get(key).is_some(), "no {key} in {}", all[0]);
    }
    let find = |s: &str, p: &str, o: &str| -> Value {
        all.iter()
            .find(|f| f["subject"] == s && f["predicate"] == p && f["object"] == o)
            .unwrap_or_else(|| panic!("no finding {s} {p} {o}"))
            .clone()
    };
    // The wire story echoed by four outlets rests on the Panel's assessment: one origin.
    let echoed = find("Jamaat Nur al-Jabal", "supports", "Tarvik Liberation Front");
    assert!(echoed["reports"].as_u64().unwrap() >= 6, "{echoed}");
    assert!(
        echoed["independent_origins"].as_u64().unwrap() <= 2,
        "{echoed}"
    );
    let names: Vec<&str> = echoed["origins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"UN Panel of Experts on Varenia"),
        "{names:?}"
    );
    assert!(
        echoed["grade"].as_str().unwrap().starts_with('A'),
        "the Panel is graded A: {echoed}"
    );
    // The authority's own word is contradicted by the Panel.
    let acts = find(
        "Varenian Interim Authority",
        "acts_against",
        "Tarvik Liberation Front",
    );
    assert!(acts["contradicting"].as_u64().unwrap() >= 1, "{acts}");
    assert!(
        acts["explanation"]
            .as_str()
            .unwrap()
            .contains("contradicted"),
        "{acts}"
    );
    let confidence = acts["confidence"].as_u64().unwrap();
    assert!(confidence <= 100);

    let strength = env.json(&["strength", "TLF", "--config", cfg]);
    let estimates = strength["estimates"].as_array().unwrap();
    assert!(estimates.len() >= 6);
    for key in ["source", "date", "low", "high", "unit"] {
        assert!(
            estimates[0].get(key).is_some(),
            "no {key} in {}",
            estimates[0]
        );
    }
    let fused = strength["fused"].as_array().unwrap();
    let last = fused.last().unwrap();
    assert_eq!(last["period"], "2024-Q4");
    assert_eq!(
        (last["low"].as_u64(), last["high"].as_u64()),
        (Some(3000), Some(3500))
    );

    // A bad configuration is one line naming file, line and key; nothing runs.
    let bad = env.write(
        "bad.toml",
        "[sources]\ndefault = \"F\"\n\"Somebody\" = \"Q\"\n",
    );
    let out = env.run(&["findings", "--config", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("bad.toml:3: sources.Somebody: `Q` is not a reliability grade"),
        "{err}"
    );
    let unknown = env.write("unknown.toml", "[analysis]\nperiod = \"week\"\n");
    let err = stderr(&env.run(&["findings", "--config", unknown.to_str().unwrap()]));
    assert!(err.contains("unknown.toml:2: analysis.period"), "{err}");
}

#[test]
fn network_register_scorecard_threat_and_brief_on_the_demo() {
    let env = Env::new();
    env.ingest_demo();
    let config = repo_root().join("demo/havenwatch.toml");
    let cfg = config.to_str().unwrap();

    let net = env.json(&["network", "--config", cfg, "--around", "JNJ"]);
    assert!(
        net["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["source"] == "demo:jnj"
                && e["target"] == "demo:tlf"
                && e["relation"] == "supports"),
        "{net}"
    );
    let dot = env.run(&["network", "--config", cfg, "--format", "dot"]);
    assert!(String::from_utf8_lossy(&dot.stdout).starts_with("digraph havenwatch {"));
    let graphml = env.run(&["network", "--config", cfg, "--format", "graphml"]);
    assert!(String::from_utf8_lossy(&graphml.stdout).contains("<graphml"));

    let register = env.json(&["infrastructure", "--group", "TLF"]);
    let lenz = register
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["place"] == "Lenz District")
        .unwrap_or_else(|| panic!("no Lenz entry: {register}"));
    assert!(lenz["reports"].as_array().unwrap().len() >= 3);

    let card = env.json(&[
        "scorecard",
        "Varenian Interim Authority",
        "--config",
        cfg,
        "--period",
        "year",
    ]);
    let periods = card["period"].as_array().unwrap();
    let y2023 = periods
        .iter()
        .find(|p| p["period"] == "2023")
        .expect("2023");
    for key in ["verified", "claimed", "persistence"] {
        assert!(y2023[key].is_array(), "{key}");
    }
    // The May 2023 raid: the authority's word, confirmed by residents the Courier spoke to.
    assert!(!y2023["verified"].as_array().unwrap().is_empty(), "{y2023}");
    assert!(!y2023["persistence"].as_array().unwrap().is_empty());

    let threat = env.json(&["threat", "Kestria", "--config", cfg]);
    let first = &threat["ranking"][0];
    assert_eq!(first["group"], "Tarvik Liberation Front", "{threat}");
    assert_eq!(first["terms"].as_array().unwrap().len(), 6);

    let md = env.run(&["brief", "TLF", "--config", cfg]);
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(md.starts_with("# Brief: Tarvik Liberation Front"));
    assert!(
        md.lines()
            .filter(|l| l.starts_with("- "))
            .all(|l| l.contains("[^")),
        "every statement footnoted"
    );
    let html = env.run(&["brief", "TLF", "--config", cfg, "--format", "html"]);
    let html = String::from_utf8_lossy(&html.stdout);
    assert!(html.contains("<svg") && html.contains("</html>"));
}

#[test]
fn train_attribution_reproduces_the_committed_lexicon_and_model() {
    let train = repo_root().join("../shared/data/polnear/train");
    assert!(
        train.exists(),
        "../shared is missing beside the checkout (expected {})",
        train.display()
    );
    let env = Env::new();
    let out = env.path("attribution-learned.toml");
    let run = env.run(&[
        "train-attribution",
        "--polnear",
        train.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--min-count",
        "2",
        "--min-probability",
        "0.2",
        "--strong-probability",
        "0.3",
        "--quiet",
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let data = repo_root().join("crates/havenwatch-extract/data");
    for file in ["attribution-learned.toml", "attribution-model.json"] {
        let fresh = std::fs::read_to_string(env.path(file)).unwrap();
        let committed = std::fs::read_to_string(data.join(file)).unwrap();
        assert!(
            fresh == committed,
            "{file} differs from a fresh `havenwatch train-attribution`"
        );
    }
}

/// A headline that names the reporting party ("Panel of Experts: ...") is what the body's
/// "the report" means when the body names no source before it; without such a headline the
/// source stays "report" as written.
#[test]
fn the_report_of_a_headline_is_the_party_the_headline_names() {
    let env = Env::new();
    let gaz = repo_root().join("demo/gazetteer.toml");
    let body = "The report also finds that the Tarvik Liberation Front operates in Lenz District.";
    env.write(
        "docs/titled.md",
        format!(
            "---\ntitle: \"Panel of Experts: the TLF keeps camps in Osmar\"\npublisher: Meridian Post\n---\n{body}\n"
        ),
    );
    env.write(
        "docs/untitled.md",
        format!("---\npublisher: Kestria Today\n---\n{body} It adds little.\n"),
    );
    env.json(&[
        "ingest",
        env.path("docs").to_str().unwrap(),
        "--gazetteer",
        gaz.to_str().unwrap(),
    ]);
    let claims = env.json(&["claims", "--subject", "TLF", "--predicate", "operates_in"]);
    let by_publisher = |p: &str| {
        claims
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["publisher"] == p)
            .unwrap_or_else(|| panic!("no claim from {p}: {claims}"))
            .clone()
    };
    assert_eq!(
        by_publisher("Meridian Post")["source"]["entity"],
        "demo:un-panel"
    );
    assert_eq!(by_publisher("Kestria Today")["source"]["name"], "report");
}
