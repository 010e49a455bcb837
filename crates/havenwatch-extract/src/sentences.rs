//! Sentence splitting that survives abbreviations, initials, numbers and quotes.
//!
//! A sentence ends at `.`, `!` or `?` (with any closing quotes or brackets after it) followed by
//! space and a capital, a digit or an opening quote, unless the full stop belongs to an
//! abbreviation ("Gen.", "U.S."), an initial ("Seth G. Jones") or a number ("3.5"), or sits
//! inside an open double quote. A blank line always ends a sentence.

/// Abbreviations after which a full stop does not end a sentence (lowercase, without the dot).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "sgt", "adm", "cmdr",
    "sen", "rep", "gov", "pres", "amb", "st", "mt", "no", "nos", "vs", "etc", "inc", "corp", "ltd",
    "co", "jr", "sr", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "approx", "est", "fig", "vol", "e.g", "i.e", "u.s", "u.n", "u.k", "a.m", "p.m", "dept",
    "univ", "govt", "intl", "min", "max", "cf",
];

/// Byte spans `[start, end)` of the sentences of `text`, trimmed of surrounding space.
pub fn split_sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0usize;
    let mut in_quote = false;
    let mut pos = 0usize;
    // Only stops, quotes and line breaks matter: jump from one to the next (0xE2 leads the
    // curly quotes; it never continues another character, so it starts one).
    while let Some(off) = bytes[pos..]
        .iter()
        .position(|&b| matches!(b, b'.' | b'!' | b'?' | b'"' | b'\n' | 0xE2))
    {
        let i = pos + off;
        let c = text[i..].chars().next().expect("a character boundary");
        pos = i + c.len_utf8();
        match c {
            '“' => in_quote = true,
            '”' => in_quote = false,
            '"' => in_quote = !in_quote,
            '\n' if text[i + 1..].starts_with('\n') || text[i + 1..].starts_with("\r\n") => {
                push(text, start, i, &mut out);
                start = i + 1;
                in_quote = false;
                continue;
            }
            _ => {}
        }
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        // Closing quotes and brackets belong to the sentence they close.
        let mut end = i + 1;
        while let Some(n) = text[end..].chars().next() {
            if matches!(n, '"' | '”' | '’' | '\'' | ')' | ']') {
                if n == '”' || n == '"' {
                    in_quote = false;
                }
                end += n.len_utf8();
            } else {
                break;
            }
        }
        pos = end;
        let rest = &text[end..];
        let after_space = rest.trim_start_matches([' ', '\t', '\u{a0}']);
        if after_space.len() == rest.len() && !rest.starts_with('\n') && !rest.is_empty() {
            continue; // no space after: "3.5", "U.S.", "e.g."
        }
        let next_text = after_space.trim_start_matches(['\n', '\r']);
        let starts_sentence = match next_text.chars().next() {
            None => true,
            Some(n) => {
                n.is_uppercase()
                    || n.is_ascii_digit()
                    || matches!(n, '“' | '"' | '‘' | '(' | '[')
                    || next_text.starts_with("''")
            }
        };
        if !starts_sentence || (in_quote && c == '.' && end == i + 1) {
            continue;
        }
        if c == '.' && is_abbreviation(text, i) {
            continue;
        }
        push(text, start, end, &mut out);
        start = end;
    }
    push(text, start, text.len(), &mut out);
    out
}

fn push(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    let trimmed = s.trim();
    if !trimmed.is_empty() {
        out.push((start + lead, start + lead + trimmed.len()));
    }
}

/// Whether the full stop at `dot` ends an abbreviation or an initial.
fn is_abbreviation(text: &str, dot: usize) -> bool {
    let before = &text[..dot];
    let word_start = before
        .rfind(|c: char| c.is_whitespace() || matches!(c, '(' | '"' | '“'))
        .map(|p| p + before[p..].chars().next().map_or(1, char::len_utf8))
        .unwrap_or(0);
    let word = &before[word_start..];
    if word.is_empty() {
        return false;
    }
    // An initial: one capital letter ("G." in "Seth G. Jones").
    let mut chars = word.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        if c.is_uppercase() {
            return true;
        }
    }
    ABBREVIATIONS.contains(&word.to_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The character-by-character splitter this module used before, to compare with.
    fn split_sentences_reference(text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = 0usize;
        let mut in_quote = false;
        let mut iter = text.char_indices().peekable();
        while let Some((i, c)) = iter.next() {
            match c {
                '“' => in_quote = true,
                '”' => in_quote = false,
                '"' => in_quote = !in_quote,
                '\n' if text[i + 1..].starts_with('\n') || text[i + 1..].starts_with("\r\n") => {
                    push(text, start, i, &mut out);
                    start = i + 1;
                    in_quote = false;
                    continue;
                }
                _ => {}
            }
            if !matches!(c, '.' | '!' | '?') {
                continue;
            }
            // Closing quotes and brackets belong to the sentence they close.
            let mut end = i + 1;
            while let Some(&(j, n)) = iter.peek() {
                if matches!(n, '"' | '”' | '’' | '\'' | ')' | ']') {
                    if n == '”' || n == '"' {
                        in_quote = false;
                    }
                    end = j + n.len_utf8();
                    iter.next();
                } else {
                    break;
                }
            }
            let rest = &text[end..];
            let after_space = rest.trim_start_matches([' ', '\t', '\u{a0}']);
            if after_space.len() == rest.len() && !rest.starts_with('\n') && !rest.is_empty() {
                continue; // no space after: "3.5", "U.S.", "e.g."
            }
            let next_text = after_space.trim_start_matches(['\n', '\r']);
            let starts_sentence = match next_text.chars().next() {
                None => true,
                Some(n) => {
                    n.is_uppercase()
                        || n.is_ascii_digit()
                        || matches!(n, '“' | '"' | '‘' | '(' | '[')
                        || next_text.starts_with("''")
                }
            };
            if !starts_sentence || (in_quote && c == '.' && end == i + 1) {
                continue;
            }
            if c == '.' && is_abbreviation(text, i) {
                continue;
            }
            push(text, start, end, &mut out);
            start = end;
        }
        push(text, start, text.len(), &mut out);
        out
    }

    #[test]
    fn splitting_equals_the_character_by_character_splitter() {
        let pieces = [
            "The group said",
            ".",
            " ",
            "“",
            "”",
            "\"",
            "U.S.",
            "Gen.",
            "G.",
            "!",
            "?",
            "\n\n",
            "\r\n",
            "3.5",
            "''",
            ")",
            "’",
            "'",
            "It",
            "we",
            "—",
            "é",
            "\u{a0}",
            "]",
            "(",
        ];
        for text in crate::random_texts(&pieces, 16, 3_000, 5) {
            assert_eq!(
                split_sentences(&text),
                split_sentences_reference(&text),
                "{text:?}"
            );
        }
    }

    fn sentences(text: &str) -> Vec<&str> {
        split_sentences(text)
            .into_iter()
            .map(|(a, b)| &text[a..b])
            .collect()
    }

    #[test]
    fn abbreviations_initials_numbers_and_quotes_do_not_split() {
        assert_eq!(
            sentences("Gen. Smith met Seth G. Jones in the U.S. on Sept. 3. The talks took 2.5 hours. \u{201c}We will fight. We will win,\u{201d} he said. Done!"),
            vec![
                "Gen. Smith met Seth G. Jones in the U.S. on Sept. 3.",
                "The talks took 2.5 hours.",
                "\u{201c}We will fight. We will win,\u{201d} he said.",
                "Done!",
            ]
        );
    }

    #[test]
    fn blank_lines_and_closing_quotes() {
        assert_eq!(
            sentences("Headline without stop\n\nHe said \"it is over.\" Then he left. ''Not yet,'' she said."),
            vec![
                "Headline without stop",
                "He said \"it is over.\"",
                "Then he left.",
                "''Not yet,'' she said."
            ]
        );
    }
}
