//! The spend journal: every settled request is appended to a file before it is queued for the
//! database, so the ledger's last batch (up to `ledger.flush_ms` of requests) survives a crash
//! of the process. A write reaches the kernel's page cache, which outlives the process (a
//! SIGKILL, an out-of-memory kill, a panic), though not the machine; on Kubernetes the
//! directory lives in the pod's emptyDir, which a restarted container finds again.
//!
//! Files are segments, `<n>-<shard>.jsonl`, one event per line. Each request thread appends to
//! a shard of its own: with one file for all, the threads waited for each other's write, a
//! futex call on about one request in ten (BENCHMARKS.md). The writer seals the current
//! segment of every shard before each batch; once everything queued before the seal is in the
//! database, the sealed segments are deleted. At start, leftover segments are read back and
//! what has no row yet is written (see `schema::spend::unrecorded`). An exclusive lock on the
//! directory keeps a second process from replaying a journal that is still being written.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::SpendEvent;

/// The journal of one process.
pub struct Journal {
    dir: PathBuf,
    /// The current segment of each shard; all have the same number.
    shards: Box<[Mutex<Segment>]>,
    /// Held for the process's lifetime: the directory's lock.
    _lock: File,
}

/// One shard's current segment.
struct Segment {
    number: u64,
    shard: usize,
    /// Opened by the segment's first event: a shard no thread wrote to leaves no file.
    file: Option<File>,
    /// The line being written, reused.
    line: Vec<u8>,
}

/// Most shards: one per core the runtime has a worker thread for, up to this.
const MOST_SHARDS: usize = 64;

/// The shard the calling thread appends to: threads take turns at their first event, so the
/// runtime's worker threads (as many as the shards) each have one of their own.
fn own_shard(shards: usize) -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static OWN: usize = NEXT.fetch_add(1, Ordering::Relaxed);
    }
    OWN.with(|own| own % shards.max(1))
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
        let count = std::thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .min(MOST_SHARDS);
        Self::open_sharded(dir, count)
    }

    /// [`Journal::open`] with `count` shards.
    fn open_sharded(dir: &Path, count: usize) -> Result<(Self, Vec<SpendEvent>), JournalError> {
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
        let number = segments.last().map_or(0, |((n, _), _)| n + 1);
        let shards = (0..count.max(1))
            .map(|shard| Mutex::new(Segment::new(number, shard)))
            .collect();
        Ok((
            Self {
                dir: dir.to_owned(),
                shards,
                _lock: lock,
            },
            left,
        ))
    }

    /// Appends `event`, then runs `queue` while the segment is still held, so that an event
    /// is always queued before the segment holding it can be sealed. A failed write is logged
    /// and the event still queued: the database is the record, the journal only its backup.
    pub fn append<T>(&self, event: SpendEvent, queue: impl FnOnce(SpendEvent) -> T) -> T {
        self.append_to(own_shard(self.shards.len()), event, queue)
    }

    /// [`Journal::append`] to shard `shard`.
    fn append_to<T>(
        &self,
        shard: usize,
        event: SpendEvent,
        queue: impl FnOnce(SpendEvent) -> T,
    ) -> T {
        let Some(Ok(mut segment)) = self.shards.get(shard).map(Mutex::lock) else {
            return queue(event);
        };
        if let Err(error) = segment.append(&self.dir, &event) {
            tracing::error!(%error, "cannot append to the spend journal; the event is queued in memory only");
        }
        queue(event)
    }

    /// Starts a new segment in every shard and returns the number of the ones it replaces:
    /// every event in those segments or earlier ones has been queued.
    pub fn seal(&self) -> Option<u64> {
        // Every shard held at once, so that all move to the next number together.
        let mut held = Vec::with_capacity(self.shards.len());
        for shard in &self.shards {
            held.push(shard.lock().ok()?);
        }
        let sealed = held.first()?.number;
        for segment in &mut held {
            segment.number = sealed + 1;
            segment.file = None;
        }
        Some(sealed)
    }

    /// Deletes segments up to and including `sealed`: their events are in the database.
    pub fn forget_through(&self, sealed: u64) {
        let Ok(found) = segments(&self.dir) else {
            return;
        };
        for ((number, _), path) in found {
            if number <= sealed
                && let Err(error) = std::fs::remove_file(&path)
            {
                tracing::warn!(%error, path = %path.display(), "cannot delete a spend journal segment");
            }
        }
    }
}

impl Segment {
    fn new(number: u64, shard: usize) -> Self {
        Self {
            number,
            shard,
            file: None,
            line: Vec::with_capacity(512),
        }
    }

    /// Writes `event` as one line, opening the segment's file first when this is its first.
    fn append(&mut self, dir: &Path, event: &SpendEvent) -> std::io::Result<()> {
        let file = match &mut self.file {
            Some(file) => file,
            None => {
                let name = format!("{:020}-{}.jsonl", self.number, self.shard);
                let file = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(dir.join(name))?;
                self.file.insert(file)
            }
        };
        self.line.clear();
        event.write_json(&mut self.line);
        self.line.push(b'\n');
        file.write_all(&self.line)
    }
}

/// The segments in `dir` by (number, shard), oldest first. A segment an earlier release
/// wrote, `<n>.jsonl`, is shard 0 of its number.
fn segments(dir: &Path) -> std::io::Result<Vec<((u64, u64), PathBuf)>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let order = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".jsonl"))
            .and_then(|n| {
                let (number, shard) = n.split_once('-').unwrap_or((n, "0"));
                Some((number.parse::<u64>().ok()?, shard.parse::<u64>().ok()?))
            });
        if let Some(order) = order {
            found.push((order, path));
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
        journal.append(event("b"), drop);
        journal.forget_through(sealed);
        let numbers: Vec<u64> = segments(dir.path())
            .unwrap()
            .into_iter()
            .map(|((number, _), _)| number)
            .collect();
        assert_eq!(numbers, [sealed + 1]);
    }

    #[test]
    fn shards_write_files_of_their_own_and_a_seal_covers_them_all() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (journal, _) = Journal::open_sharded(dir.path(), 3).unwrap();
            journal.append_to(0, event("sealed-0"), drop);
            journal.append_to(2, event("sealed-2"), drop);
            let sealed = journal.seal().unwrap();
            journal.append_to(1, event("kept-1"), drop);
            journal.append_to(2, event("kept-2"), drop);
            let orders: Vec<(u64, u64)> = segments(dir.path())
                .unwrap()
                .into_iter()
                .map(|(order, _)| order)
                .collect();
            // Shard 1 had nothing before the seal: no file.
            assert_eq!(
                orders,
                [(sealed, 0), (sealed, 2), (sealed + 1, 1), (sealed + 1, 2)]
            );
            journal.forget_through(sealed);
        }
        let (_journal, left) = Journal::open(dir.path()).unwrap();
        assert_eq!(ids(&left), ["kept-1", "kept-2"]);
    }

    #[test]
    fn a_thread_keeps_its_shard() {
        let shard = own_shard(4);
        assert!(shard < 4);
        assert_eq!(own_shard(4), shard);
        let other = std::thread::spawn(|| (own_shard(4), own_shard(4)))
            .join()
            .unwrap();
        assert_eq!(other.0, other.1);
        assert_eq!(own_shard(1), 0);
    }

    #[test]
    fn an_earlier_releases_segment_is_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut line = Vec::new();
        event("earlier").write_json(&mut line);
        line.push(b'\n');
        std::fs::write(dir.path().join(format!("{:020}.jsonl", 7)), &line).unwrap();
        let (journal, left) = Journal::open(dir.path()).unwrap();
        assert_eq!(ids(&left), ["earlier"]);
        journal.append(event("later"), drop);
        let found = segments(dir.path()).unwrap();
        let orders: Vec<(u64, u64)> = found.iter().map(|(order, _)| *order).collect();
        assert_eq!(orders.first(), Some(&(7, 0)), "{found:?}");
        assert!(
            orders.iter().skip(1).all(|(number, _)| *number == 8),
            "{found:?}"
        );
    }
}
