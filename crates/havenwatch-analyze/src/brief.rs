//! Sourced briefs: every sentence of a brief is a finding, footnoted to the origins and
//! documents behind it, with its grade and estimative wording. Nothing in a brief is unsourced.

use crate::findings::Finding;
use crate::independence::names;
use crate::strength::Fused;
use havenwatch_core::Predicate;
use havenwatch_store::DocumentSummary;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Output format of a brief.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
}

struct Line {
    section: &'static str,
    text: String,
    footnote: usize,
}

fn phrase(f: &Finding) -> String {
    let negated = f.supporting == 0;
    let object = f.object.as_deref().unwrap_or("");
    let p = match (f.predicate, negated) {
        (Predicate::OperatesIn, _) => format!("operates in {object}"),
        (Predicate::Supports, _) => format!("supports {object}"),
        (Predicate::CooperatesWith, _) => format!("cooperates with {object}"),
        (Predicate::HostileTo, _) => format!("is hostile to {object}"),
        (Predicate::Attacks, _) => format!("has attacked {object}"),
        (Predicate::HasStrength, _) => "has the strength shown below".to_string(),
        (Predicate::MaintainsInfrastructure, _) if object.is_empty() => {
            "maintains infrastructure".to_string()
        }
        (Predicate::MaintainsInfrastructure, _) => format!("maintains infrastructure in {object}"),
        (Predicate::Threatens, _) => format!("threatens {object}"),
        (Predicate::ActsAgainst, _) => format!("acts against {object}"),
        (Predicate::Shelters, _) => format!("shelters {object}"),
        (Predicate::Designates, _) => format!("has designated {object}"),
    };
    if negated {
        format!("is reported not to hold that it {p}")
    } else {
        p
    }
}

fn section(p: Predicate) -> &'static str {
    match p {
        Predicate::OperatesIn | Predicate::HasStrength => "Presence",
        Predicate::Supports | Predicate::CooperatesWith => "Support and cooperation",
        Predicate::HostileTo | Predicate::Attacks | Predicate::Threatens => {
            "Hostility, attacks and threats"
        }
        Predicate::MaintainsInfrastructure => "Infrastructure",
        Predicate::ActsAgainst | Predicate::Shelters | Predicate::Designates => {
            "Action by authorities"
        }
    }
}

/// The brief on an entity, read from a store: the analyst's (RED) brief from the kept findings
/// (updated first), anyone else's from the claims its clearance lets it see.
pub fn for_entity(
    store: &mut dyn havenwatch_store::Store,
    config: &crate::Config,
    entity: &havenwatch_core::Entity,
    format: Format,
) -> Result<String, havenwatch_store::StoreError> {
    let findings = if store.clearance() == havenwatch_core::Tlp::Red {
        crate::kept::refresh(store, config, &|_| {})?;
        crate::kept::kept(
            store,
            &havenwatch_store::FindingQuery {
                about: Some(entity.id.0.clone()),
                ..Default::default()
            },
        )?
    } else {
        let claims = store.claims(&havenwatch_store::ClaimQuery {
            about: Some(entity.id.0.clone()),
            ..Default::default()
        })?;
        crate::build_findings(&claims, config)
    };
    let strength_claims = store.claims(&havenwatch_store::ClaimQuery {
        subject: Some(entity.id.0.clone()),
        predicate: Some(Predicate::HasStrength),
        ..Default::default()
    })?;
    let (_, fused) = crate::strength::strength(&strength_claims, config);
    let documents = store.documents_by_id(&footnote_documents(&findings))?;
    Ok(brief(&entity.name, &findings, &documents, &fused, format))
}

/// Documents a footnote names per finding; the rest are counted.
pub const FOOTNOTE_DOCUMENTS: usize = 10;

/// The documents a brief's footnotes name: for each finding, its first
/// [`FOOTNOTE_DOCUMENTS`] documents (by id), for the caller to look up.
pub fn footnote_documents(findings: &[Finding]) -> Vec<String> {
    let mut ids: Vec<String> = findings
        .iter()
        .flat_map(|f| f.documents.iter().take(FOOTNOTE_DOCUMENTS).cloned())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Writes the brief on `name` from its findings, with the documents
/// [`footnote_documents`] names (looked up by the caller) for the footnotes.
pub fn brief(
    name: &str,
    findings: &[Finding],
    documents: &[DocumentSummary],
    fused: &[Fused],
    format: Format,
) -> String {
    let docs: BTreeMap<&str, &DocumentSummary> =
        documents.iter().map(|d| (d.id.0.as_str(), d)).collect();
    let mut lines: Vec<Line> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for f in findings
        .iter()
        .filter(|f| f.predicate != Predicate::HasStrength)
    {
        let subject = &f.subject;
        let text = format!(
            "{subject} {} {} ({}; {}{}).",
            f.estimative,
            phrase(f),
            f.explanation,
            f.tally(),
            if f.circular {
                "; one origin echoed"
            } else {
                ""
            }
        );
        let mut note = format!("Origins: {}", names(&f.origins));
        if !f.contradicting_origins.is_empty() {
            let _ = write!(
                note,
                "; contradicted by {}",
                names(&f.contradicting_origins)
            );
        }
        note.push_str(". Documents: ");
        let mut list: Vec<String> = f
            .documents
            .iter()
            .take(FOOTNOTE_DOCUMENTS)
            .map(|d| match docs.get(d.as_str()) {
                Some(c) => format!(
                    "{} ({}, {}, {})",
                    c.title.as_deref().unwrap_or("untitled"),
                    c.publisher.as_deref().unwrap_or("unknown publisher"),
                    c.published.as_deref().unwrap_or("undated"),
                    &d[..12.min(d.len())]
                ),
                None => d[..12.min(d.len())].to_string(),
            })
            .collect();
        if f.document_count > FOOTNOTE_DOCUMENTS {
            list.push(format!(
                "and {} more",
                f.document_count - FOOTNOTE_DOCUMENTS
            ));
        }
        note.push_str(&list.join("; "));
        note.push('.');
        notes.push(note);
        lines.push(Line {
            section: section(f.predicate),
            text,
            footnote: notes.len(),
        });
    }
    let strength_note = (!fused.is_empty()).then(|| {
        let sources: Vec<String> = fused
            .iter()
            .flat_map(|f| f.sources.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        notes.push(format!(
            "Strength estimates from: {}. Fused per period as the {}.",
            sources.join(", "),
            fused[0].method
        ));
        notes.len()
    });
    let sections = [
        "Presence",
        "Support and cooperation",
        "Hostility, attacks and threats",
        "Infrastructure",
        "Action by authorities",
    ];
    let mut out = String::new();
    match format {
        Format::Markdown => {
            let _ = writeln!(out, "# Brief: {name}\n");
            let _ = writeln!(out, "_Written by havenwatch from {} documents. Every statement is a finding with its NATO Admiralty grade (source reliability A-F, credibility 1-6) and footnotes to its origins and documents._\n", docs.len());
            for s in sections {
                let here: Vec<&Line> = lines.iter().filter(|l| l.section == s).collect();
                if here.is_empty() {
                    continue;
                }
                let _ = writeln!(out, "## {s}\n");
                for l in here {
                    let _ = writeln!(out, "- {}[^{}]", l.text, l.footnote);
                }
                out.push('\n');
            }
            if let Some(n) = strength_note {
                let _ = writeln!(out, "## Strength over time\n\n| period | fused range | all estimates | estimates |\n|---|---|---|---|");
                for f in fused {
                    let _ = writeln!(
                        out,
                        "| {} | {}-{} | {}-{} | {} |",
                        f.period, f.low, f.high, f.spread.0, f.spread.1, f.estimates
                    );
                }
                let _ = writeln!(out, "\nSource of the table.[^{n}]\n");
            }
            for (i, n) in notes.iter().enumerate() {
                let _ = writeln!(out, "[^{}]: {}", i + 1, n);
            }
        }
        Format::Html => {
            let esc = |s: &str| {
                s.replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
            };
            let _ = writeln!(out, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Brief: {}</title></head><body>", esc(name));
            let _ = writeln!(out, "<h1>Brief: {}</h1>\n<p><em>Written by havenwatch from {} documents. Every statement is a finding with its NATO Admiralty grade and footnotes to its origins and documents.</em></p>", esc(name), docs.len());
            for s in sections {
                let here: Vec<&Line> = lines.iter().filter(|l| l.section == s).collect();
                if here.is_empty() {
                    continue;
                }
                let _ = writeln!(out, "<h2>{s}</h2>\n<ul>");
                for l in here {
                    let _ = writeln!(
                        out,
                        "<li>{}<sup><a href=\"#fn{n}\" id=\"ref{n}\">{n}</a></sup></li>",
                        esc(&l.text),
                        n = l.footnote
                    );
                }
                let _ = writeln!(out, "</ul>");
            }
            if let Some(n) = strength_note {
                let _ = writeln!(out, "<h2>Strength over time</h2>\n{}<p>Source of the chart.<sup><a href=\"#fn{n}\">{n}</a></sup></p>", strength_svg(fused));
            }
            let _ = writeln!(out, "<h2>Notes</h2>\n<ol>");
            for (i, n) in notes.iter().enumerate() {
                let _ = writeln!(out, "<li id=\"fn{}\">{}</li>", i + 1, esc(n));
            }
            let _ = writeln!(out, "</ol>\n</body></html>");
        }
    }
    out
}

/// Fused strength ranges as bars per period, in SVG.
pub fn strength_svg(fused: &[Fused]) -> String {
    let (w, h, pad) = (640.0, 240.0, 40.0);
    let max = fused
        .iter()
        .map(|f| f.spread.1.max(f.high))
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let step = (w - 2.0 * pad) / fused.len().max(1) as f64;
    let y = |v: u64| h - pad - (v as f64 / max) * (h - 2.0 * pad);
    let mut svg = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"strength over time\">\n<line x1=\"{pad}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"black\"/>\n<text x=\"4\" y=\"{}\" font-size=\"10\">{}</text>\n", h - pad, w - pad, h - pad, pad, max as u64);
    for (i, f) in fused.iter().enumerate() {
        let x = pad + step * i as f64 + step * 0.2;
        let bw = step * 0.6;
        let _ = writeln!(svg, "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" fill=\"#ccd\"><title>all estimates {}-{}</title></rect>", y(f.spread.1), (y(f.spread.0) - y(f.spread.1)).max(1.0), f.spread.0, f.spread.1);
        let _ = writeln!(svg, "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#446\"><title>{}: {}-{}</title></rect>", x + bw * 0.25, y(f.high), bw * 0.5, (y(f.low) - y(f.high)).max(2.0), f.period, f.low, f.high);
        let _ = writeln!(
            svg,
            "<text x=\"{x:.1}\" y=\"{}\" font-size=\"10\">{}</text>",
            h - pad + 14.0,
            f.period
        );
    }
    svg.push_str("</svg>");
    svg
}
