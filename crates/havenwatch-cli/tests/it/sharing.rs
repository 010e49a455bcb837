//! Sharing, end to end with real peers: the OASIS STIX validator checks the export, the OASIS
//! TAXII client reads and writes through `havenwatch serve` on a real port, and schemathesis
//! checks every REST and TAXII operation against the OpenAPI document the server serves.
//!
//! The peers are PyPI packages installed, on first use, into a virtual environment under
//! `target/peers-venv` (pinned versions), so `cargo test --workspace` needs nothing set up
//! by hand; a machine without Python 3 or PyPI fails here with a message saying so.

use super::*;
use std::sync::OnceLock;

const PEERS: &[&str] = &[
    "stix2-validator==3.3.2",
    "taxii2-client==2.3.0",
    "schemathesis==4.32.5",
];

/// The virtual environment's `bin` folder, created once.
fn peers() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let target = std::fs::canonicalize(repo_root().join("target")).unwrap();
        let venv = target.join("peers-venv");
        let bin = venv.join("bin");
        let stamp = venv.join("installed.txt");
        if std::fs::read_to_string(&stamp).ok().as_deref() == Some(&PEERS.join("\\n")) {
            return bin;
        }
        // Build beside, then move into place: a concurrent test run never sees half a venv.
        let staging = tempfile::Builder::new()
            .prefix("peers-venv-")
            .tempdir_in(&target)
            .unwrap();
        let sv = staging.path().join("venv");
        let ok = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&sv)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(
            ok,
            "the peer tests need python3 with venv (Debian: python3-venv)"
        );
        let out = Command::new(sv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(PEERS)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "installing {PEERS:?} from PyPI failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::write(sv.join("installed.txt"), PEERS.join("\\n")).unwrap();
        let _ = std::fs::remove_dir_all(&venv);
        if std::fs::rename(&sv, &venv).is_err() {
            assert!(
                venv.join("installed.txt").exists(),
                "could not place {}",
                venv.display()
            );
        }
        // A venv's scripts name its interpreter by path: rewrite them for the final place.
        for entry in std::fs::read_dir(&bin).unwrap() {
            let path = entry.unwrap().path();
            if let Ok(text) = std::fs::read_to_string(&path) {
                let fixed = text.replace(&sv.display().to_string(), &venv.display().to_string());
                if fixed != text {
                    std::fs::write(&path, fixed).unwrap();
                }
            }
        }
        bin
    })
}

fn demo_config() -> PathBuf {
    repo_root().join("demo/havenwatch.toml")
}

impl Env {
    fn with_config(&self, args: &[&str]) -> Vec<String> {
        let mut v = vec!["--config".to_string(), demo_config().display().to_string()];
        v.extend(args.iter().map(|s| s.to_string()));
        v
    }
    fn run_c(&self, args: &[&str]) -> Output {
        let a = self.with_config(args);
        self.run(&a.iter().map(String::as_str).collect::<Vec<_>>())
    }
    fn ingest_demo_marked(&self) {
        let corpus = repo_root().join("demo/corpus");
        let gaz = repo_root().join("demo/gazetteer.toml");
        let out = self.run_c(&[
            "ingest",
            corpus.to_str().unwrap(),
            "--gazetteer",
            gaz.to_str().unwrap(),
            "-q",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
}

fn validate(file: &Path) -> String {
    let out = Command::new(peers().join("stix2_validator"))
        .arg(file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &stderr(&out);
    assert!(
        out.status.success(),
        "the OASIS validator rejects {}: {text}",
        file.display()
    );
    assert!(text.contains("STIX JSON: Valid"), "{text}");
    assert!(!text.contains("[X]"), "errors: {text}");
    text
}

#[test]
fn the_export_passes_the_oasis_validator_for_every_audience() {
    let env = Env::new();
    env.ingest_demo_marked();
    let all = env.path("all.json");
    let out = env.run_c(&["export", "stix", "--out", all.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    validate(&all);
    let green = env.path("green.json");
    let out = env.run_c(&[
        "export",
        "stix",
        "--for",
        "demo-green",
        "--out",
        green.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    validate(&green);
    let bundle: Value = serde_json::from_slice(&std::fs::read(&green).unwrap()).unwrap();
    let objects = bundle["objects"].as_array().unwrap();
    // Groups as threat actors with aliases; the demo's RED liaison note stays out.
    assert!(objects.iter().any(|o| o["type"] == "threat-actor"
        && o["threat_actor_types"][0] == "terrorist"
        && o["name"] == "Tarvik Liberation Front"));
    let text = bundle.to_string();
    assert!(
        !text.contains("Dravna Resistance Army"),
        "a RED document's group in a GREEN export"
    );
    let all_text = std::fs::read_to_string(&all).unwrap();
    assert!(all_text.contains("Dravna Resistance Army"));
    // The export is audited.
    let audit = env.json(&["audit", "--partner", "demo-green"]);
    assert_eq!(audit[0]["action"], "export stix");
}

#[test]
fn real_bundles_import_through_the_cli_and_malformed_ones_change_nothing() {
    let env = Env::new();
    let stix = repo_root().join("../shared/data/stix");
    assert!(
        stix.is_dir(),
        "../shared/data/stix is missing beside the checkout"
    );
    let apt1 = stix.join("oasis-cti-documentation/apt1.json");
    let out = env.run(&[
        "import",
        "stix",
        apt1.to_str().unwrap(),
        "--partner",
        "OASIS examples",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("skipped indicator--"), "{text}");
    let before = count_documents(&env.db());
    let bad = stix.join("oasis-cti-stix-validator-v21/invalid_braces.json");
    let out = env.run(&["import", "stix", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("invalid_braces.json:"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        count_documents(&env.db()),
        before,
        "a malformed bundle changes nothing"
    );
    let ics = stix.join("mitre-attack/ics-attack-18.1.json");
    let out = env.run(&[
        "import",
        "stix",
        ics.to_str().unwrap(),
        bad.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(3), "partial: one good, one bad");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let report = &v["imported"][0]["report"];
    assert_eq!(
        report["imported"]["intrusion-set"], 14,
        "16 intrusion sets, 2 revoked"
    );
    let imported: u64 = report["imported"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(
        imported + report["skipped"].as_array().unwrap().len() as u64,
        1826
    );
    assert_eq!(v["failed"].as_array().unwrap().len(), 1);
    let sandworm = env.json(&["show", "Sandworm Team"]);
    assert_eq!(sandworm["type"], "armed_group");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Stops the server when the test ends, however it ends.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_green_partner_reads_exactly_the_green_objects_with_the_oasis_taxii_client() {
    let env = Env::new();
    env.ingest_demo_marked();
    let out = env.run_c(&["publish"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let green = env.path("green.json");
    let out = env.run_c(&[
        "export",
        "stix",
        "--for",
        "demo-green",
        "--out",
        green.to_str().unwrap(),
        "-q",
    ]);
    assert!(out.status.success());
    let bundle: Value = serde_json::from_slice(&std::fs::read(&green).unwrap()).unwrap();
    let ids: Vec<&str> = bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    let expected = env.write("green-ids.json", serde_json::to_string(&ids).unwrap());

    let (_server, addr) = serve_demo(&env);
    let script = repo_root().join("crates/havenwatch-cli/tests/peers/taxii_client.py");
    let out = Command::new(peers().join("python"))
        .arg(&script)
        .arg(format!("http://{addr}/taxii2/"))
        .args([
            "demo-green",
            "demo-green-token",
            "demo-writer",
            "demo-writer-token",
        ])
        .arg(&expected)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "taxii2-client: {}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
    let seen: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(seen["green_objects"].as_u64().unwrap() as usize, ids.len());
    assert_eq!(seen["posted"], 3);
    // The GREEN partner sees the CLEAR and GREEN collections only.
    let names: Vec<&String> = seen["collections"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["clear", "green"]);
    drop(_server);
    // The partner's write became a claim attributed to it, and the audit log has both.
    let claims = env.json(&["claims", "--source", "demo-writer"]);
    assert_eq!(
        claims[0]["subject"]["name"], "Osmar Valley Sentinels",
        "{claims}"
    );
    let audit = env.json(&["audit", "--partner", "demo-green"]);
    assert!(audit
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"].as_str().unwrap().ends_with("/objects/")));
}

#[test]
fn partner_add_prints_a_token_once_and_keeps_only_its_hash() {
    let env = Env::new();
    let config = env.path("havenwatch.toml");
    std::fs::write(&config, "[sharing]\ndefault_tlp = \"green\"\n").unwrap();
    let c = config.to_str().unwrap();
    let out = env.run(&[
        "--config",
        c,
        "partner",
        "add",
        "kestria-ct",
        "--max-tlp",
        "amber",
        "--write",
        "inbox",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(token.len(), 64, "{token}");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(!text.contains(&token), "the token itself is never stored");
    assert!(text.contains("[partners.kestria-ct]") && text.contains("max_tlp = \"amber\""));
    let list = env.json(&["--config", c, "partner", "list"]);
    assert_eq!(list[0]["name"], "kestria-ct");
    assert_eq!(
        list[0]["read"],
        serde_json::json!(["clear", "green", "amber"])
    );
    assert_eq!(list[0]["write"], serde_json::json!(["inbox"]));
    assert!(list[0].get("token_sha256").is_none());
    // The same name twice, or a bad level, is refused and the file is unchanged.
    let again = env.run(&[
        "--config",
        c,
        "partner",
        "add",
        "kestria-ct",
        "--max-tlp",
        "red",
    ]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("exists already"));
    let bad = env.run(&[
        "--config",
        c,
        "partner",
        "add",
        "other",
        "--max-tlp",
        "orange",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), text);
}

/// Starts `havenwatch serve` with the demo configuration on a free port; the address.
fn serve_demo(env: &Env) -> (Running, String) {
    let addr = format!("127.0.0.1:{}", free_port());
    let args = env.with_config(&["serve", "--addr", &addr]);
    let mut cmd = env.cmd(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let server = Running(
        cmd.stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(
            started.elapsed().as_secs() < 30,
            "the server did not start on {addr}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    (server, addr)
}

#[test]
fn every_operation_answers_as_the_served_openapi_document_says() {
    let env = Env::new();
    env.ingest_demo_marked();
    assert!(env.run_c(&["publish", "-q"]).status.success());
    let (_server, addr) = serve_demo(&env);
    let out = Command::new(peers().join("st"))
        // schemathesis keeps a cache where it runs: the test's own folder, not the checkout.
        .current_dir(env.dir.path())
        .args(["run", &format!("http://{addr}/api/v1/openapi.json")])
        .args(["--header", "Authorization: Bearer demo-writer-token"])
        .args(["--max-examples", "5", "--seed", "1"])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &stderr(&out);
    assert!(out.status.success(), "schemathesis found failures: {text}");
    assert!(text.contains("passed"), "{text}");
}
