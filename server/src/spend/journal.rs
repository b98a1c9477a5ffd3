//! The spend journal: every settled request is appended to a file before it is queued for the
//! database, so the ledger's last batch (up to `ledger.flush_ms` of requests) survives a crash
//! of the process. A write reaches the kernel's page cache, which outlives the process (a
//! SIGKILL, an out-of-memory kill, a panic), though not the machine; on Kubernetes the
//! directory lives in the pod's emptyDir, which a restarted container finds again.
//!
//! Files are segments, `<n>.jsonl`, one event per line. The writer seals the current segment
//! before each batch; once everything queued before the seal is in the database, the sealed
//! segments are deleted. At start, leftover segments are read back and what has no row yet is
//! written (see `schema::spend::unrecorded`). An exclusive lock on the directory keeps a second
//! process from replaying a journal that is still being written.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::SpendEvent;

/// The journal of one process.
pub struct Journal {
    dir: PathBuf,
    current: Mutex<Segment>,
    /// Held for the process's lifetime: the directory's lock.
    _lock: File,
}

struct Segment {
    number: u64,
    file: File,
    /// The line being written, reused.
    line: Vec<u8>,
}

/// Why the journal cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("cannot use the spend journal in {dir}: {source}")]
    Io { dir: String, source: std::io::Error },
    #[error(
        "another switchyard process holds the spend journal in {0}; give every process its own \
         data_dir"
    )]
    Busy(String),
}

impl Journal {
    /// Opens (or creates) the journal in `dir` and returns what earlier processes left in it,
    /// in the order it was written. Lines that do not parse (the last one, cut by a crash)
    /// are skipped with a warning.
    pub fn open(dir: &Path) -> Result<(Self, Vec<SpendEvent>), JournalError> {
        let failed = |source| JournalError::Io {
            dir: dir.display().to_string(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(failed)?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("lock"))
            .map_err(failed)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(JournalError::Busy(dir.display().to_string()));
            }
            Err(std::fs::TryLockError::Error(source)) => return Err(failed(source)),
        }
        let segments = segments(dir).map_err(failed)?;
        let mut left = Vec::new();
        for (_, path) in &segments {
            read_segment(path, &mut left).map_err(failed)?;
        }
        let number = segments.last().map_or(0, |(n, _)| n + 1);
        let segment = Segment::create(dir, number).map_err(failed)?;
        Ok((
            Self {
                dir: dir.to_owned(),
                current: Mutex::new(segment),
                _lock: lock,
            },
            left,
        ))
    }

    /// Appends `event`, then runs `queue` while the segment is still held, so that an event
    /// is always queued before the segment holding it can be sealed. A failed write is logged
    /// and the event still queued: the database is the record, the journal only its backup.
    pub fn append<T>(&self, event: SpendEvent, queue: impl FnOnce(SpendEvent) -> T) -> T {
        let Ok(mut segment) = self.current.lock() else {
            return queue(event);
        };
        let Segment { file, line, .. } = &mut *segment;
        line.clear();
        event.write_json(line);
        line.push(b'\n');
        if let Err(error) = file.write_all(line) {
            tracing::error!(%error, "cannot append to the spend journal; the event is queued in memory only");
        }
        queue(event)
    }

    /// Starts a new segment and returns the number of the one it replaces: every event in
    /// that segment or an earlier one has been queued.
    pub fn seal(&self) -> Option<u64> {
        let mut segment = self.current.lock().ok()?;
        let sealed = segment.number;
        match Segment::create(&self.dir, sealed + 1) {
            Ok(next) => *segment = next,
            // Keep appending to the current one; it is sealed at a later tick.
            Err(error) => {
                tracing::warn!(%error, "cannot start a new spend journal segment");
                return sealed.checked_sub(1);
            }
        }
        Some(sealed)
    }

    /// Deletes segments up to and including `sealed`: their events are in the database.
    pub fn forget_through(&self, sealed: u64) {
        let Ok(found) = segments(&self.dir) else {
            return;
        };
        for (number, path) in found {
            if number <= sealed
                && let Err(error) = std::fs::remove_file(&path)
            {
                tracing::warn!(%error, path = %path.display(), "cannot delete a spend journal segment");
            }
        }
    }
}

impl Segment {
    fn create(dir: &Path, number: u64) -> std::io::Result<Self> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join(format!("{number:020}.jsonl")))?;
        Ok(Self {
            number,
            file,
            line: Vec::with_capacity(512),
        })
    }
}

/// The segments in `dir`, oldest first.
fn segments(dir: &Path) -> std::io::Result<Vec<(u64, PathBuf)>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let number = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".jsonl"))
            .and_then(|n| n.parse::<u64>().ok());
        if let Some(number) = number {
            found.push((number, path));
        }
    }
    found.sort_unstable();
    Ok(found)
}

fn read_segment(path: &Path, into: &mut Vec<SpendEvent>) -> std::io::Result<()> {
    for line in BufReader::new(File::open(path)?).split(b'\n') {
        let line = line?;
        if line.is_empty() {
            continue;
        }
        match serde_json::from_slice(&line) {
            Ok(event) => into.push(event),
            Err(error) => tracing::warn!(
                %error, path = %path.display(),
                "skipping an unreadable spend journal line (cut short by a crash)"
            ),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use chrono::Utc;

    use super::*;
    use crate::spend::Outcome;

    fn event(id: &str) -> SpendEvent {
        SpendEvent {
            request_id: id.into(),
            key_id: None,
            key_hash: Some("abc".into()),
            user_id: None,
            model: "m".into(),
            deployment_id: None,
            cluster: Some("east".into()),
            call_type: Cow::Borrowed("chat"),
            prompt_tokens: 3,
            completion_tokens: 4,
            estimated: false,
            cost_nanos: 70,
            outcome: Outcome::Success,
            http_status: 200,
            started_at: Utc::now(),
            ended_at: Utc::now(),
            ttft_ms: Some(1),
            duration_ms: 2,
            guardrail: None,
        }
    }

    fn ids(events: &[SpendEvent]) -> Vec<&str> {
        events.iter().map(|e| e.request_id.as_str()).collect()
    }

    #[test]
    fn what_was_not_forgotten_comes_back_in_order_after_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (journal, left) = Journal::open(dir.path()).unwrap();
            assert!(left.is_empty());
            journal.append(event("a"), drop);
            let sealed = journal.seal().unwrap();
            journal.append(event("b"), drop);
            journal.forget_through(sealed);
            journal.append(event("c"), drop);
            // Dropped without sealing: the process "crashes" here.
        }
        // A line cut short by the crash is skipped.
        let last = segments(dir.path()).unwrap().pop().unwrap().1;
        let mut file = OpenOptions::new().append(true).open(last).unwrap();
        file.write_all(b"{\"request_id\":\"d\",\"ke").unwrap();
        let (_journal, left) = Journal::open(dir.path()).unwrap();
        assert_eq!(ids(&left), ["b", "c"]);
        assert_eq!(left[0].call_type, "chat");
        assert_eq!(left[0].outcome, Outcome::Success);
        assert_eq!(left[0].cluster.as_deref(), Some("east"));
    }

    #[test]
    fn a_second_process_cannot_take_a_journal_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let (_first, _) = Journal::open(dir.path()).unwrap();
        assert!(matches!(
            Journal::open(dir.path()),
            Err(JournalError::Busy(_))
        ));
    }

    #[test]
    fn sealed_segments_are_deleted_and_the_current_one_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (journal, _) = Journal::open(dir.path()).unwrap();
        journal.append(event("a"), drop);
        let sealed = journal.seal().unwrap();
        journal.forget_through(sealed);
        let numbers: Vec<u64> = segments(dir.path())
            .unwrap()
            .into_iter()
            .map(|(number, _)| number)
            .collect();
        assert_eq!(numbers, [sealed + 1]);
    }
}
