//! Document formats: bytes in, [`RawDocument`]s or one-line [`InputError`]s out.

use havenwatch_core::DocumentMeta;
use quick_xml::events::Event;
use scraper::{ElementRef, Html, Node};
use std::fmt;
use std::path::Path;

/// A document read from an input, not yet analysed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawDocument {
    pub meta: DocumentMeta,
    pub text: String,
    /// `path`, `path:line` (JSON Lines) or `path#item` (feeds).
    pub origin: String,
}

/// Why an input (a file, a line, a feed item) could not be read. Displays as one line:
/// `path:line: message`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct InputError {
    pub path: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path, line, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl InputError {
    pub fn new(path: &str, line: Option<usize>, message: impl Into<String>) -> Self {
        InputError {
            path: path.to_string(),
            line,
            message: message.into(),
        }
    }
}

/// The formats havenwatch reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Html,
    JsonLines,
    /// RSS 2.0 or Atom, told apart by the root element.
    Feed,
}

impl Format {
    /// The format a file's extension says, if any.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "txt" | "text" => Format::Text,
            "md" | "markdown" => Format::Markdown,
            "html" | "htm" | "xhtml" => Format::Html,
            "jsonl" | "ndjson" => Format::JsonLines,
            "rss" | "atom" | "xml" => Format::Feed,
            _ => return None,
        })
    }

    /// Guesses a format from the first bytes (for standard input).
    pub fn sniff(head: &[u8]) -> Format {
        let head = String::from_utf8_lossy(&head[..head.len().min(2048)]).to_ascii_lowercase();
        let trimmed = head.trim_start_matches('\u{feff}').trim_start();
        if trimmed.starts_with('{') {
            Format::JsonLines
        } else if trimmed.starts_with("---") {
            Format::Markdown
        } else if trimmed.starts_with('<') {
            if trimmed.contains("<rss") || trimmed.contains("<feed") {
                Format::Feed
            } else {
                Format::Html
            }
        } else {
            Format::Text
        }
    }
}

/// Decodes bytes as UTF-8, or says where they stop being UTF-8.
pub fn decode<'a>(bytes: &'a [u8], path: &str, first_line: usize) -> Result<&'a str, InputError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = first_line + bytes[..at].iter().filter(|&&b| b == b'\n').count();
        InputError::new(path, Some(line), format!("invalid UTF-8 at byte {at}"))
    })
}

/// Normalises a date to `YYYY-MM-DD` (from ISO 8601, RFC 3339 or RFC 2822). Reports often
/// give only a month or a year: `YYYY-MM` and `YYYY` are kept at that precision.
pub fn normalize_date(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let b = raw.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() == 4 && digits(0..4) {
        return Some(raw.to_string());
    }
    if b.len() == 7
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && (1..=12).contains(&raw[5..7].parse::<u32>().unwrap_or(0))
    {
        return Some(raw.to_string());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return Some(d.format("%Y-%m-%d").to_string());
    }
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Some(d.date_naive().format("%Y-%m-%d").to_string());
    }
    if let Ok(d) = chrono::DateTime::parse_from_rfc2822(raw) {
        return Some(d.date_naive().format("%Y-%m-%d").to_string());
    }
    if let Ok(d) = chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S") {
        return Some(d.date().format("%Y-%m-%d").to_string());
    }
    None
}

fn set_date(
    meta: &mut DocumentMeta,
    raw: &str,
    path: &str,
    line: Option<usize>,
) -> Result<(), InputError> {
    if raw.trim().is_empty() {
        return Ok(());
    }
    meta.published = Some(normalize_date(raw).ok_or_else(|| {
        InputError::new(
            path,
            line,
            format!(
                "field `published`: `{}` is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)",
                raw.trim()
            ),
        )
    })?);
    Ok(())
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn check_text(
    doc: RawDocument,
    max: usize,
    path: &str,
    line: Option<usize>,
) -> Result<RawDocument, InputError> {
    if doc.text.trim().is_empty() {
        return Err(InputError::new(path, line, "no text"));
    }
    if doc.text.len() > max {
        return Err(InputError::new(
            path,
            line,
            format!(
                "document is {} bytes, over the limit of {max} (--max-doc-size)",
                doc.text.len()
            ),
        ));
    }
    Ok(doc)
}

/// Plain text: the first line, if short, doubles as the title.
pub fn parse_text(text: &str, path: &str, max: usize) -> Result<RawDocument, InputError> {
    let title = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .filter(|l| l.len() <= 200)
        .map(str::to_string);
    check_text(
        RawDocument {
            meta: DocumentMeta {
                title,
                ..Default::default()
            },
            text: text.trim().to_string(),
            origin: path.to_string(),
        },
        max,
        path,
        None,
    )
}

/// Markdown with optional front matter (`---` / `key: value` lines / `---`).
pub fn parse_markdown(text: &str, path: &str, max: usize) -> Result<RawDocument, InputError> {
    let mut meta = DocumentMeta::default();
    let mut body = text;
    let stripped = text.trim_start_matches('\u{feff}');
    if stripped.starts_with("---") && stripped[3..].starts_with(['\n', '\r']) {
        let rest = &stripped[3..];
        let end = rest
            .match_indices("\n---")
            .find(|(i, _)| rest[i + 4..].starts_with(['\n', '\r']) || rest.len() == i + 4)
            .map(|(i, _)| i)
            .ok_or_else(|| {
                InputError::new(
                    path,
                    Some(1),
                    "front matter opened with `---` is never closed",
                )
            })?;
        for (n, line) in rest[..end].lines().enumerate() {
            let line_no = n + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = line.split_once(':').ok_or_else(|| {
                InputError::new(
                    path,
                    Some(line_no),
                    format!("front matter line `{line}` is not `key: value`"),
                )
            })?;
            let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
            match key.trim() {
                "title" => meta.title = non_empty(value),
                "publisher" | "source" | "outlet" => meta.publisher = non_empty(value),
                "url" | "link" => meta.url = non_empty(value),
                "published" | "date" => set_date(&mut meta, value, path, Some(line_no))?,
                "language" | "lang" => meta.language = non_empty(value),
                "tlp" | "marking" => meta.tlp = Some(parse_tlp(value, path, Some(line_no))?),
                _ => {} // other keys (tags, notes) are the author's own business
            }
        }
        body = &rest[end + 4..];
    }
    let body = body.trim();
    if meta.title.is_none() {
        meta.title = body
            .lines()
            .find(|l| l.starts_with('#'))
            .map(|l| l.trim_start_matches('#').trim().to_string());
    }
    check_text(
        RawDocument {
            meta,
            text: body.to_string(),
            origin: path.to_string(),
        },
        max,
        path,
        None,
    )
}

/// Tags whose content is never article text.
const SKIPPED_TAGS: [&str; 12] = [
    "script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template", "svg",
    "iframe", "button",
];
const BLOCK_TAGS: [&str; 20] = [
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "blockquote",
    "br",
    "tr",
    "table",
    "figcaption",
    "pre",
];

fn collect_text(el: ElementRef<'_>, out: &mut String) {
    for child in el.children() {
        match child.value() {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) => {
                let name = e.name();
                if SKIPPED_TAGS.contains(&name) {
                    continue;
                }
                let block = BLOCK_TAGS.contains(&name);
                if block {
                    out.push_str("\n\n");
                }
                if let Some(child_el) = ElementRef::wrap(child) {
                    collect_text(child_el, out);
                }
                if block {
                    out.push_str("\n\n");
                }
            }
            _ => {}
        }
    }
}

/// Tidies extracted text: spaces collapsed inside paragraphs, one blank line between them.
fn tidy(raw: &str) -> String {
    raw.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The readable text of an HTML fragment (feed descriptions).
pub fn html_fragment_text(html: &str) -> String {
    let doc = Html::parse_fragment(html);
    let mut out = String::new();
    collect_text(doc.root_element(), &mut out);
    tidy(&out)
}

/// HTML: the main text (`<article>`, else `<main>`, else `<body>`) without scripts and
/// navigation; title, publisher, date and URL from the usual meta tags.
pub fn parse_html(html: &str, path: &str, max: usize) -> Result<RawDocument, InputError> {
    let doc = Html::parse_document(html);
    let sel = |s: &str| scraper::Selector::parse(s).expect("valid selector");
    let meta_content = |query: &str| -> Option<String> {
        doc.select(&sel(query))
            .next()
            .and_then(|e| e.value().attr("content").or_else(|| e.value().attr("href")))
            .and_then(non_empty)
    };
    let mut meta = DocumentMeta {
        title: meta_content("meta[property='og:title']").or_else(|| {
            doc.select(&sel("title"))
                .next()
                .and_then(|t| non_empty(&t.text().collect::<String>()))
        }),
        publisher: meta_content("meta[property='og:site_name']")
            .or_else(|| meta_content("meta[name='publisher']")),
        url: meta_content("link[rel='canonical']")
            .or_else(|| meta_content("meta[property='og:url']")),
        language: doc
            .select(&sel("html"))
            .next()
            .and_then(|h| h.value().attr("lang"))
            .and_then(non_empty),
        ..Default::default()
    };
    let date = meta_content("meta[property='article:published_time']")
        .or_else(|| meta_content("meta[name='date']"))
        .or_else(|| {
            doc.select(&sel("time[datetime]"))
                .next()
                .and_then(|t| t.value().attr("datetime").map(str::to_string))
        });
    if let Some(d) = date {
        set_date(&mut meta, &d, path, None)?;
    }
    let root = ["article", "main", "body"]
        .iter()
        .find_map(|s| doc.select(&sel(s)).next())
        .unwrap_or_else(|| doc.root_element());
    let mut raw = String::new();
    collect_text(root, &mut raw);
    check_text(
        RawDocument {
            meta,
            text: tidy(&raw),
            origin: path.to_string(),
        },
        max,
        path,
        None,
    )
}

#[derive(serde::Deserialize)]
struct JsonDocument {
    text: Option<String>,
    title: Option<String>,
    publisher: Option<String>,
    published: Option<String>,
    url: Option<String>,
    language: Option<String>,
    tlp: Option<String>,
}

/// A document's own TLP marking (front matter `tlp:` or a JSON `tlp` field).
fn parse_tlp(
    value: &str,
    path: &str,
    line: Option<usize>,
) -> Result<havenwatch_core::Tlp, InputError> {
    value
        .trim()
        .trim_matches('"')
        .parse()
        .map_err(|e: havenwatch_core::ParseEnumError| {
            InputError::new(path, line, format!("tlp: {e}"))
        })
}

/// One JSON Lines record: `text` required; `title`, `publisher`, `published`, `url`,
/// `language`, `tlp` optional; other fields ignored.
pub fn parse_json_line(
    line: &str,
    path: &str,
    line_no: usize,
    max: usize,
) -> Result<RawDocument, InputError> {
    let rec: JsonDocument = serde_json::from_str(line)
        .map_err(|e| InputError::new(path, Some(line_no), format!("malformed JSON: {e}")))?;
    let text = rec
        .text
        .ok_or_else(|| InputError::new(path, Some(line_no), "missing field `text`"))?;
    let mut meta = DocumentMeta {
        title: rec.title.as_deref().and_then(non_empty),
        publisher: rec.publisher.as_deref().and_then(non_empty),
        url: rec.url.as_deref().and_then(non_empty),
        language: rec.language.as_deref().and_then(non_empty),
        ..Default::default()
    };
    if let Some(p) = rec.published {
        set_date(&mut meta, &p, path, Some(line_no))?;
    }
    if let Some(t) = rec.tlp {
        meta.tlp = Some(parse_tlp(&t, path, Some(line_no))?);
    }
    check_text(
        RawDocument {
            meta,
            text: text.trim().to_string(),
            origin: format!("{path}:{line_no}"),
        },
        max,
        path,
        Some(line_no),
    )
}

/// A minimal XML element tree for feeds.
#[derive(Debug, Default)]
struct XmlElement {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<XmlElement>,
}

impl XmlElement {
    fn child(&self, name: &str) -> Option<&XmlElement> {
        self.children.iter().find(|c| c.name == name)
    }
    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a XmlElement> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    fn child_text(&self, name: &str) -> Option<String> {
        self.child(name).and_then(|c| non_empty(&c.text))
    }
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn parse_xml(xml: &str, path: &str) -> Result<XmlElement, InputError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<XmlElement> = vec![XmlElement::default()];
    let line_at = |pos: u64| xml[..(pos as usize).min(xml.len())].matches('\n').count() + 1;
    loop {
        let pos = reader.buffer_position();
        let event = reader.read_event().map_err(|e| {
            InputError::new(path, Some(line_at(pos)), format!("malformed XML: {e}"))
        })?;
        match event {
            Event::Start(ref s) | Event::Empty(ref s) => {
                let name = String::from_utf8_lossy(s.local_name().as_ref()).into_owned();
                let attrs = s
                    .attributes()
                    .flatten()
                    .map(|a| {
                        (
                            String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned(),
                            a.unescape_value()
                                .map(|v| v.into_owned())
                                .unwrap_or_default(),
                        )
                    })
                    .collect();
                let el = XmlElement {
                    name,
                    attrs,
                    ..Default::default()
                };
                if matches!(event, Event::Empty(_)) {
                    stack.last_mut().expect("root").children.push(el);
                } else {
                    stack.push(el);
                }
            }
            Event::Text(t) => {
                let s = t.unescape().map_err(|e| {
                    InputError::new(path, Some(line_at(pos)), format!("malformed XML: {e}"))
                })?;
                stack.last_mut().expect("root").text.push_str(&s);
            }
            Event::CData(t) => stack
                .last_mut()
                .expect("root")
                .text
                .push_str(&String::from_utf8_lossy(&t)),
            Event::End(_) => {
                let el = stack.pop().expect("balanced");
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => {
                        return Err(InputError::new(
                            path,
                            Some(line_at(pos)),
                            "malformed XML: unbalanced end tag",
                        ))
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err(InputError::new(
            path,
            None,
            "malformed XML: the document ends inside an element",
        ));
    }
    let root = stack.pop().expect("root");
    root.children
        .into_iter()
        .next()
        .ok_or_else(|| InputError::new(path, None, "empty XML document"))
}

/// RSS 2.0 or Atom: one document per item or entry; the channel's or feed's title is the
/// publisher. Item errors are returned in place, so the other items still count.
pub fn parse_feed(
    xml: &str,
    path: &str,
    max: usize,
) -> Result<Vec<Result<RawDocument, InputError>>, InputError> {
    let root = parse_xml(xml, path)?;
    let mut out = Vec::new();
    match root.name.as_str() {
        "rss" => {
            let channel = root
                .child("channel")
                .ok_or_else(|| InputError::new(path, None, "RSS feed has no <channel>"))?;
            let publisher = channel.child_text("title");
            for (n, item) in channel.children("item").enumerate() {
                let origin = format!("{path}#item{}", n + 1);
                let body = item
                    .child_text("encoded")
                    .or_else(|| item.child_text("description"))
                    .unwrap_or_default();
                let mut meta = DocumentMeta {
                    title: item.child_text("title"),
                    publisher: publisher.clone(),
                    url: item.child_text("link").or_else(|| item.child_text("guid")),
                    ..Default::default()
                };
                let result = item
                    .child_text("pubDate")
                    .map_or(Ok(()), |d| set_date(&mut meta, &d, &origin, None))
                    .and_then(|_| {
                        check_text(
                            RawDocument {
                                meta,
                                text: html_fragment_text(&body),
                                origin: origin.clone(),
                            },
                            max,
                            &origin,
                            None,
                        )
                    });
                out.push(result);
            }
        }
        "feed" => {
            let publisher = root.child_text("title");
            for (n, entry) in root.children("entry").enumerate() {
                let origin = format!("{path}#entry{}", n + 1);
                let body = entry
                    .child("content")
                    .or_else(|| entry.child("summary"))
                    .map(|c| {
                        if matches!(c.attr("type"), Some("html") | Some("xhtml")) {
                            html_fragment_text(&c.text)
                        } else {
                            c.text.trim().to_string()
                        }
                    })
                    .unwrap_or_default();
                let url = entry
                    .children("link")
                    .find(|l| matches!(l.attr("rel"), None | Some("alternate")))
                    .and_then(|l| l.attr("href"))
                    .and_then(non_empty);
                let mut meta = DocumentMeta {
                    title: entry.child_text("title"),
                    publisher: entry
                        .child("source")
                        .and_then(|s| s.child_text("title"))
                        .or_else(|| publisher.clone()),
                    url,
                    ..Default::default()
                };
                let date = entry
                    .child_text("published")
                    .or_else(|| entry.child_text("updated"));
                let result = date
                    .map_or(Ok(()), |d| set_date(&mut meta, &d, &origin, None))
                    .and_then(|_| {
                        check_text(
                            RawDocument {
                                meta,
                                text: body,
                                origin: origin.clone(),
                            },
                            max,
                            &origin,
                            None,
                        )
                    });
                out.push(result);
            }
        }
        other => {
            return Err(InputError::new(
                path,
                None,
                format!("not a feed: root element is <{other}>, expected <rss> or <feed>"),
            ))
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_normalise() {
        assert_eq!(normalize_date("2024-03-05").as_deref(), Some("2024-03-05"));
        assert_eq!(
            normalize_date("2024-03-05T10:00:00Z").as_deref(),
            Some("2024-03-05")
        );
        assert_eq!(
            normalize_date("Tue, 05 Mar 2024 10:00:00 +0000").as_deref(),
            Some("2024-03-05")
        );
        assert_eq!(normalize_date("2024-07").as_deref(), Some("2024-07"));
        assert_eq!(normalize_date("2024").as_deref(), Some("2024"));
        assert_eq!(normalize_date("2024-13"), None);
        assert_eq!(normalize_date("last week"), None);
    }

    #[test]
    fn sniffing() {
        assert_eq!(Format::sniff(b"  {\"text\": 1}"), Format::JsonLines);
        assert_eq!(Format::sniff(b"<?xml version='1.0'?><rss>"), Format::Feed);
        assert_eq!(Format::sniff(b"<!doctype html><html>"), Format::Html);
        assert_eq!(Format::sniff(b"---\ntitle: x\n---\n"), Format::Markdown);
        assert_eq!(Format::sniff(b"Plain words."), Format::Text);
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let err = decode(b"ok\nstill ok\nbad \xff here", "f.txt", 1).unwrap_err();
        assert_eq!(err.to_string(), "f.txt:3: invalid UTF-8 at byte 16");
    }
}
