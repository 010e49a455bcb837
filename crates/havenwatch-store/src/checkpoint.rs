//! Copying the write-ahead log back into the store file on a thread of its own.
//!
//! In WAL mode every committed page is written twice: appended to `<file>-wal`, then copied
//! into the file by a checkpoint, which ends with an `fsync` of the file. SQLite runs the
//! checkpoint in the connection whose commit crossed `wal_autocheckpoint`: during a bulk load
//! that is the writer, which then waits for the disk (about 0.7 s per 320 MB checkpoint here)
//! while the extractors' queue fills. A [`BackgroundCheckpointer`] takes that work to a
//! connection of its own: its `PASSIVE` checkpoints never block the writer, which keeps
//! appending to the log meanwhile, and the disk is flushed as often as before, so a power
//! cut loses no more than it would have.

use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

/// How long the checkpointer rests when the log has nothing left to copy.
const IDLE: Duration = Duration::from_millis(50);

/// A thread that checkpoints one store file until stopped (or dropped).
#[derive(Debug)]
pub(crate) struct BackgroundCheckpointer {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<CheckpointTally>>,
}

/// What a checkpointer did, for tests and for the curious.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct CheckpointTally {
    /// Checkpoints that copied at least one page.
    pub checkpoints: u64,
    /// Log frames copied into the file.
    pub frames: u64,
}

impl BackgroundCheckpointer {
    /// Opens a second connection to `path` and starts checkpointing it.
    pub(crate) fn start(path: &str) -> rusqlite::Result<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // It reads log frames and writes file pages; it needs no cache of its own.
        conn.pragma_update(None, "cache_size", -1024)?;
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("havenwatch-checkpoint".into())
            .spawn(move || run(conn, &flag))
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        Ok(BackgroundCheckpointer {
            stop,
            thread: Some(thread),
        })
    }

    /// Runs a last checkpoint, stops the thread and says what it did.
    pub(crate) fn stop(mut self) -> CheckpointTally {
        self.halt()
    }

    fn halt(&mut self) -> CheckpointTally {
        let (lock, wake) = &*self.stop;
        *lock.lock().unwrap_or_else(|e| e.into_inner()) = true;
        wake.notify_all();
        self.thread
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default()
    }
}

impl Drop for BackgroundCheckpointer {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.halt();
        }
    }
}

/// The checkpointer's loop: checkpoint, and when the log was fully copied, rest a little
/// (woken early to stop). A checkpoint that fails (the file busy, say) is tried again on the
/// next round: the writer's own autocheckpoint stays as a bound on the log's size.
fn run(conn: Connection, stop: &(Mutex<bool>, Condvar)) -> CheckpointTally {
    let mut tally = CheckpointTally::default();
    // Frames copied so far from the log as it is now (it starts again from its first frame
    // once fully copied, when the writer next commits).
    let mut copied_before = 0;
    loop {
        let stopping = *stop.0.lock().unwrap_or_else(|e| e.into_inner());
        // (busy, frames in the log, frames of it copied)
        let round = conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
            })
            .ok();
        let mut progressed = false;
        if let Some((log, copied)) = round {
            if copied < copied_before {
                copied_before = 0;
            }
            if copied > copied_before {
                tally.checkpoints += 1;
                tally.frames += (copied - copied_before) as u64;
                progressed = copied < log;
            }
            copied_before = copied;
        }
        if stopping {
            return tally;
        }
        if progressed {
            // The writer outran this round: go again at once.
            continue;
        }
        let guard = stop.0.lock().unwrap_or_else(|e| e.into_inner());
        if !*guard {
            let _ = stop.1.wait_timeout(guard, IDLE);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new file in log (WAL) mode in `dir`: its path and a connection to it.
    fn wal_file(dir: &tempfile::TempDir, name: &str) -> (String, Connection) {
        let path = dir.path().join(name).to_str().unwrap().to_string();
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        (path, conn)
    }

    /// What a writer that never checkpoints leaves in the log, the checkpointer copies into
    /// the file: the file grows to hold the rows, and a reader opening the file alone (the
    /// log deleted) would find them.
    #[test]
    fn copies_a_writers_log_into_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let (path, writer) = wal_file(&dir, "c.db");
        let path = path.as_str();
        writer.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        writer
            .execute_batch("CREATE TABLE t (x TEXT NOT NULL)")
            .unwrap();
        let checkpointer = BackgroundCheckpointer::start(path).unwrap();
        let file_before = std::fs::metadata(path).unwrap().len();
        for batch in 0..20 {
            let tx = writer.unchecked_transaction().unwrap();
            for i in 0..200 {
                tx.execute(
                    "INSERT INTO t VALUES (?1)",
                    [format!("{batch}-{i}-{}", "x".repeat(200))],
                )
                .unwrap();
            }
            tx.commit().unwrap();
        }
        let tally = checkpointer.stop();
        assert!(tally.frames > 0, "{tally:?}");
        assert!(tally.checkpoints > 0, "{tally:?}");
        let file_after = std::fs::metadata(path).unwrap().len();
        assert!(
            file_after > file_before + 4000 * 200,
            "the file holds the rows: {file_before} -> {file_after} bytes"
        );
        // Everything is copied: a checkpoint now finds nothing left.
        let (log, copied): (i64, i64) = writer
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                Ok((r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(log, copied);
        let n: i64 = writer
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 4000);
    }

    /// Dropped without `stop` (a load that fails midway), the thread still ends.
    #[test]
    fn a_dropped_checkpointer_stops_its_thread() {
        let dir = tempfile::tempdir().unwrap();
        let (path, _conn) = wal_file(&dir, "d.db");
        let checkpointer = BackgroundCheckpointer::start(&path).unwrap();
        let stop = Arc::clone(&checkpointer.stop);
        drop(checkpointer);
        assert!(*stop.0.lock().unwrap());
        assert_eq!(Arc::strong_count(&stop), 1, "the thread's handle is gone");
    }
}
