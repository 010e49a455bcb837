//! The full-text index of a bulk load, built on two cores.
//!
//! FTS5 builds an index on one connection, so a `rebuild` after a large load keeps one core
//! busy for a quarter of the load's time with the other idle. Here the writer indexes the
//! documents up to a key into the store's own index while a second thread indexes the rest
//! into an index of the same shape in a scratch file; the scratch index's segments are then
//! added to the store's: its pages copied under new segment ids, its per-document sizes
//! copied, and the two indexes' segment lists and totals combined in FTS5's structure and
//! averages records. Those records are part of FTS5's file format, which SQLite keeps readable
//! across releases; a record in a form this module does not know (a version 2 structure, a
//! merge in progress) is refused, and the index is then built in one pass.
//!
//! Crash safety: the trigger that feeds the index and the `deferred_indexes` row that stands
//! for it change only in the transaction that adds the scratch segments. A load that dies
//! before it leaves the row, and the next open rebuilds the index whole.

use crate::{sql, Result, StoreError};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::{Path, PathBuf};

/// A segment id's shift in a `%_data` rowid (FTS5's `FTS5_DATA_PAGE_B + FTS5_DATA_HEIGHT_B +
/// FTS5_DATA_DLI_B`): rowids from `1 << SEGMENT_SHIFT` up are segment pages.
const SEGMENT_SHIFT: u32 = 37;

/// FTS5 allocates segment ids from 1 to this (`FTS5_MAX_SEGMENT`).
const MAX_SEGMENT: u64 = 2000;

/// The `%_data` rowids of the averages and structure records.
const AVERAGES_ROWID: i64 = 1;
const STRUCTURE_ROWID: i64 = 10;

/// SQLite's variable-length integer (FTS5's records use the same): big-endian 7-bit groups,
/// the ninth byte whole. Returns the value and the bytes read.
fn get_varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    for (i, &b) in bytes.iter().enumerate().take(9) {
        if i == 8 {
            return Some(((v << 8) | u64::from(b), 9));
        }
        v = (v << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

fn put_varint(out: &mut Vec<u8>, v: u64) {
    if v & (0xff00_0000_u64 << 32) != 0 {
        let mut buf = [0u8; 9];
        buf[8] = v as u8;
        let mut rest = v >> 8;
        for b in buf[..8].iter_mut().rev() {
            *b = (rest & 0x7f) as u8 | 0x80;
            rest >>= 7;
        }
        out.extend_from_slice(&buf);
        return;
    }
    let mut groups = Vec::with_capacity(9);
    let mut rest = v;
    loop {
        groups.push((rest & 0x7f) as u8 | 0x80);
        rest >>= 7;
        if rest == 0 {
            break;
        }
    }
    groups[0] &= 0x7f;
    out.extend(groups.iter().rev());
}

/// A segment in the structure record: its id and first and last leaf pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Segment {
    id: u64,
    first: u64,
    last: u64,
}

/// FTS5's structure record (version 1): the configuration cookie, a write counter, and the
/// segments of each level, oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Structure {
    cookie: [u8; 4],
    write_counter: u64,
    levels: Vec<Vec<Segment>>,
}

impl Structure {
    fn decode(bytes: &[u8]) -> Result<Structure> {
        let bad = |what: &str| StoreError::Invalid(format!("full-text structure: {what}"));
        if bytes.len() < 4 {
            return Err(bad("too short"));
        }
        let cookie = [bytes[0], bytes[1], bytes[2], bytes[3]];
        if bytes[4..].starts_with(&[0xff, 0x00, 0x00, 0x01]) {
            return Err(bad("version 2"));
        }
        let mut at = 4;
        let mut next = || -> Result<u64> {
            let (v, n) = get_varint(&bytes[at..]).ok_or_else(|| bad("cut short"))?;
            at += n;
            Ok(v)
        };
        let levels = next()?;
        let segments = next()?;
        let write_counter = next()?;
        if levels > MAX_SEGMENT || segments > MAX_SEGMENT {
            return Err(bad("too many levels or segments"));
        }
        let mut out = Vec::with_capacity(levels as usize);
        for _ in 0..levels {
            let merging = next()?;
            if merging != 0 {
                return Err(bad("a merge in progress"));
            }
            let count = next()?;
            if count > MAX_SEGMENT {
                return Err(bad("too many segments"));
            }
            let mut level = Vec::with_capacity(count as usize);
            for _ in 0..count {
                level.push(Segment {
                    id: next()?,
                    first: next()?,
                    last: next()?,
                });
            }
            out.push(level);
        }
        if out.iter().map(Vec::len).sum::<usize>() as u64 != segments {
            return Err(bad("segment count"));
        }
        Ok(Structure {
            cookie,
            write_counter,
            levels: out,
        })
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = self.cookie.to_vec();
        put_varint(&mut out, self.levels.len() as u64);
        put_varint(
            &mut out,
            self.levels.iter().map(Vec::len).sum::<usize>() as u64,
        );
        put_varint(&mut out, self.write_counter);
        for level in &self.levels {
            put_varint(&mut out, 0);
            put_varint(&mut out, level.len() as u64);
            for s in level {
                put_varint(&mut out, s.id);
                put_varint(&mut out, s.first);
                put_varint(&mut out, s.last);
            }
        }
        out
    }

    fn max_segment(&self) -> u64 {
        self.levels
            .iter()
            .flatten()
            .map(|s| s.id)
            .max()
            .unwrap_or(0)
    }

    /// This structure with `other`'s segments added, their ids moved up by `offset`, each
    /// level's after this one's (they are newer: a query takes a row's newest entry, and the
    /// two indexes hold different rows).
    fn with(&self, other: &Structure, offset: u64) -> Structure {
        let mut levels = self.levels.clone();
        levels.resize(levels.len().max(other.levels.len()), Vec::new());
        for (level, added) in levels.iter_mut().zip(&other.levels) {
            level.extend(added.iter().map(|s| Segment {
                id: s.id + offset,
                ..*s
            }));
        }
        Structure {
            cookie: self.cookie,
            write_counter: self.write_counter + other.write_counter,
            levels,
        }
    }
}

/// The averages record: rows, then tokens per column, summed.
fn add_averages(a: &[u8], b: &[u8]) -> Result<Vec<u8>> {
    let values = |bytes: &[u8]| -> Result<Vec<u64>> {
        let mut out = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let (v, n) = get_varint(&bytes[at..])
                .ok_or_else(|| StoreError::Invalid("full-text averages: cut short".to_string()))?;
            out.push(v);
            at += n;
        }
        Ok(out)
    };
    let (mut a, b) = (values(a)?, values(b)?);
    a.resize(a.len().max(b.len()), 0);
    for (x, y) in a.iter_mut().zip(&b) {
        *x += y;
    }
    let mut out = Vec::new();
    for v in a {
        put_varint(&mut out, v);
    }
    Ok(out)
}

/// The scratch file beside a store.
pub(crate) fn scratch_path(store: &str) -> PathBuf {
    PathBuf::from(format!("{store}-full-text-part"))
}

/// Removes a scratch file and what SQLite may have left beside it.
pub(crate) fn remove_scratch(scratch: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut p = scratch.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// Indexes the documents after `after` into a new index in `scratch`, on a connection of its
/// own (a read of the store beside the writer's transaction). Gives the last key indexed.
pub(crate) fn build_part(store: &str, scratch: &Path, after: i64) -> rusqlite::Result<i64> {
    remove_scratch(scratch);
    let conn = Connection::open(store)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute("ATTACH DATABASE ?1 AS part", [scratch.to_string_lossy()])?;
    // A scratch file: no journal, no flushes; a crash leaves a file the next build removes.
    // The store is only read through, once, in key order: a small cache; the index's merges
    // read back what it wrote: the larger one.
    conn.execute_batch(
        "PRAGMA part.page_size = 16384;
         PRAGMA part.journal_mode = OFF;
         PRAGMA part.synchronous = OFF;
         PRAGMA main.cache_size = -2048;
         PRAGMA part.cache_size = -32768;",
    )?;
    // The same shape as the store's index: columns, tokenizer, and its settings (page size,
    // merging).
    conn.execute_batch(
        "CREATE VIRTUAL TABLE part.fts USING fts5(
             title, text, content='', tokenize='unicode61 remove_diacritics 2'
         );",
    )?;
    let settings: Vec<(String, rusqlite::types::Value)> = conn
        .prepare("SELECT k, v FROM main.documents_fts_config WHERE k != 'version'")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (key, value) in settings {
        conn.execute(
            "INSERT INTO part.fts(fts, rank) VALUES (?1, ?2)",
            params![key, value],
        )?;
    }
    conn.execute_batch("BEGIN")?;
    let last: i64 = conn.query_row(
        "SELECT coalesce(max(doc_key), ?1) FROM main.documents",
        [after],
        |r| r.get(0),
    )?;
    conn.execute(
        "INSERT INTO part.fts(rowid, title, text)
         SELECT doc_key, title, text FROM main.documents
         WHERE doc_key > ?1 AND doc_key <= ?2 ORDER BY doc_key",
        [after, last],
    )?;
    conn.execute_batch("COMMIT")?;
    Ok(last)
}

/// Adds the index in `scratch` (documents up to `last`) to the store's, on a connection of its
/// own, and in the same transaction creates the trigger (`create_trigger`), indexes documents
/// stored after `last` meanwhile, and forgets the deferred row `deferred`.
pub(crate) fn add_part(
    store: &str,
    scratch: &Path,
    last: i64,
    create_trigger: &str,
    deferred: &str,
) -> Result<()> {
    let mut conn = Connection::open(store).map_err(sql("opening the store"))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(sql("opening the store"))?;
    conn.execute("ATTACH DATABASE ?1 AS part", [scratch.to_string_lossy()])
        .map_err(sql("attaching the scratch index"))?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(sql("starting to add the scratch index"))?;
    let record = |schema: &str, table: &str, id: i64| -> Result<Vec<u8>> {
        tx.query_row(
            &format!("SELECT block FROM {schema}.{table} WHERE id = ?1"),
            [id],
            |r| r.get(0),
        )
        .optional()
        .map_err(sql("reading a full-text record"))
        .map(Option::unwrap_or_default)
    };
    let ours = Structure::decode(&record("main", "documents_fts_data", STRUCTURE_ROWID)?)?;
    let theirs = Structure::decode(&record("part", "fts_data", STRUCTURE_ROWID)?)?;
    let offset = ours.max_segment();
    let segments = ours
        .levels
        .iter()
        .chain(&theirs.levels)
        .map(Vec::len)
        .sum::<usize>();
    if offset + theirs.max_segment() > MAX_SEGMENT || segments as u64 > MAX_SEGMENT {
        return Err(StoreError::Invalid(format!(
            "full-text segments: {segments}, ids up to {}",
            offset + theirs.max_segment()
        )));
    }
    let averages = add_averages(
        &record("main", "documents_fts_data", AVERAGES_ROWID)?,
        &record("part", "fts_data", AVERAGES_ROWID)?,
    )?;
    tx.execute(
        "INSERT INTO main.documents_fts_data (id, block)
         SELECT id + (?1 << ?2), block FROM part.fts_data WHERE id >= (1 << ?2)",
        params![offset as i64, SEGMENT_SHIFT],
    )
    .map_err(sql("copying full-text pages"))?;
    tx.execute(
        "INSERT INTO main.documents_fts_idx (segid, term, pgno)
         SELECT segid + ?1, term, pgno FROM part.fts_idx",
        [offset as i64],
    )
    .map_err(sql("copying the full-text page index"))?;
    tx.execute(
        "INSERT INTO main.documents_fts_docsize (id, sz) SELECT id, sz FROM part.fts_docsize",
        [],
    )
    .map_err(sql("copying full-text document sizes"))?;
    tx.execute(
        "INSERT OR REPLACE INTO main.documents_fts_data (id, block) VALUES (?1, ?2), (?3, ?4)",
        params![
            AVERAGES_ROWID,
            averages,
            STRUCTURE_ROWID,
            ours.with(&theirs, offset).encode()
        ],
    )
    .map_err(sql("writing the full-text structure"))?;
    tx.execute_batch(create_trigger)
        .map_err(sql("creating the full-text trigger"))?;
    // Documents another handle stored after the scratch index was read, through FTS5 itself
    // (which reads the structure just written).
    tx.execute(
        "INSERT INTO documents_fts(rowid, title, text)
         SELECT doc_key, title, text FROM documents WHERE doc_key > ?1",
        [last],
    )
    .map_err(sql("indexing documents stored meanwhile"))?;
    tx.execute("DELETE FROM deferred_indexes WHERE name = ?1", [deferred])
        .map_err(sql("forgetting the deferred trigger"))?;
    tx.commit().map_err(sql("committing the full-text index"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_at_every_length() {
        let mut values = vec![
            0u64,
            1,
            0x7f,
            0x80,
            0x3fff,
            0x4000,
            u64::MAX,
            1 << 56,
            1 << 63,
        ];
        values.extend((0..64).map(|b| (1u64 << b) - 1));
        for v in values {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            assert!(out.len() <= 9);
            assert_eq!(get_varint(&out), Some((v, out.len())), "{v:#x}");
        }
        assert_eq!(get_varint(&[0x81]), None);
    }

    /// A structure record an FTS5 rebuild of 200,000 documents wrote: two levels, 26 segments.
    const WRITTEN: &str = "00000002021ae501000e01013f02013f03013f04013f05013f06013f07013f08013f\
        09013f0a013f0b013f0c013f0d013f0e010e000c1101876312018763130187631401876215018762160187\
        621701876218018762190187611a0187611b0187621c018761";

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn a_written_structure_decodes_and_encodes_to_the_same_bytes() {
        let bytes = hex(WRITTEN);
        let s = Structure::decode(&bytes).unwrap();
        assert_eq!(s.levels.len(), 2);
        assert_eq!((s.levels[0].len(), s.levels[1].len()), (14, 12));
        assert_eq!(s.write_counter, 12_929);
        assert_eq!(
            s.levels[0][0],
            Segment {
                id: 1,
                first: 1,
                last: 0x3f
            }
        );
        assert_eq!(s.max_segment(), 28);
        assert_eq!(s.encode(), bytes);
    }

    #[test]
    fn structures_combine_level_by_level_with_moved_ids() {
        let s = Structure::decode(&hex(WRITTEN)).unwrap();
        let small = Structure {
            cookie: [0, 0, 0, 9],
            write_counter: 3,
            levels: vec![
                vec![Segment {
                    id: 2,
                    first: 1,
                    last: 5
                }];
                3
            ],
        };
        let both = s.with(&small, 28);
        assert_eq!(both.cookie, s.cookie);
        assert_eq!(both.write_counter, 12_932);
        assert_eq!(both.levels.len(), 3);
        assert_eq!(both.levels[0].len(), 15);
        assert_eq!(
            both.levels[0][14],
            Segment {
                id: 30,
                first: 1,
                last: 5
            }
        );
        assert_eq!(
            both.levels[2],
            vec![Segment {
                id: 30,
                first: 1,
                last: 5
            }]
        );
        assert_eq!(Structure::decode(&both.encode()).unwrap(), both);
    }

    #[test]
    fn unknown_structures_are_refused() {
        let mut v2 = hex(WRITTEN);
        v2.splice(4..4, [0xff, 0x00, 0x00, 0x01]);
        assert!(matches!(
            Structure::decode(&v2),
            Err(StoreError::Invalid(_))
        ));
        let mut merging = hex(WRITTEN);
        merging[8] = 0x01; // level 0 has a merge in progress
        assert!(matches!(
            Structure::decode(&merging),
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            Structure::decode(&hex(WRITTEN)[..20]),
            Err(StoreError::Invalid(_))
        ));
    }

    #[test]
    fn averages_add_up() {
        let mut a = Vec::new();
        for v in [10u64, 200, 30_000] {
            put_varint(&mut a, v);
        }
        let mut b = Vec::new();
        for v in [5u64, 1, 70_000] {
            put_varint(&mut b, v);
        }
        let sum = add_averages(&a, &b).unwrap();
        let mut want = Vec::new();
        for v in [15u64, 201, 100_000] {
            put_varint(&mut want, v);
        }
        assert_eq!(sum, want);
        assert_eq!(add_averages(&[], &b).unwrap(), b);
    }
}
