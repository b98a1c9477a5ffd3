//! Masking a streamed answer: each choice's text is held back just long enough that a match
//! split across chunks is still found whole. A chunk's text is sent once no match can begin
//! in it that the next chunk could complete: the last few characters (the longest prefix any
//! pattern needs before it matches) and any match that still runs to the end of what came
//! are held until more text or the choice's end arrives.

use super::{Blocked, Hit, Masked, Scanner};

/// Most text held for one choice: past it, what is held is released (a match still open,
/// such as a private key without its end, is masked whole) so one stream cannot make every
/// chunk rescan an ever longer text.
const MAX_HELD_BYTES: usize = 64 * 1024;

/// Characters of released text kept before the held text when it is scanned.
const CONTEXT_CHARS: usize = 16;

/// Characters of an open match's beginning kept when it is released before it ends.
const OPEN_CONTEXT_CHARS: usize = 128;

/// One choice's text not yet sent, and the last characters sent before it.
#[derive(Debug)]
struct Held {
    key: u64,
    text: String,
    context: String,
    /// The beginning of a match released before it ended, while it goes on.
    open: Option<String>,
}

/// The post-call guardrails of one stream, and the text each choice holds back.
#[derive(Debug)]
pub struct StreamMasker {
    scanner: Scanner,
    /// Characters held back at the end of each choice's text.
    hold: usize,
    /// Text received and not yet sent, by choice index.
    pending: Vec<Held>,
    masked: Masked,
}

impl StreamMasker {
    /// A masker for `scanner`'s guardrails, or none when no guardrail runs.
    pub fn new(scanner: Scanner) -> Option<Self> {
        if scanner.is_empty() {
            return None;
        }
        Some(Self {
            hold: scanner.hold(),
            scanner,
            pending: Vec::new(),
            masked: Masked::default(),
        })
    }

    fn pending(&mut self, choice: u64) -> &mut String {
        let at = match self.pending.iter().position(|held| held.key == choice) {
            Some(at) => at,
            None => {
                self.pending.push(Held {
                    key: choice,
                    text: String::new(),
                    context: String::new(),
                    open: None,
                });
                self.pending.len() - 1
            }
        };
        &mut self.pending[at].text
    }

    /// Takes the next text of choice `choice`; gives what may be sent now (masked).
    pub fn push(&mut self, choice: u64, text: &str) -> Result<String, Blocked> {
        self.pending(choice).push_str(text);
        self.release(choice, false)
    }

    /// Gives the rest of choice `choice` (masked), at its end.
    pub fn finish(&mut self, choice: u64) -> Result<String, Blocked> {
        let rest = self.release(choice, true);
        self.pending.retain(|held| held.key != choice);
        rest
    }

    /// The choices that still hold text.
    pub fn held(&self) -> Vec<u64> {
        self.pending
            .iter()
            .filter(|held| !held.text.is_empty())
            .map(|held| held.key)
            .collect()
    }

    /// Checks every `text` field of `value` whole, in place (a stream's events that repeat
    /// the text already streamed: a Responses API part or response when it is done).
    pub fn whole(&mut self, value: &mut serde_json::Value) -> Result<(), Blocked> {
        self.scanner.text_fields(value, &mut self.masked)
    }

    /// The guardrails that masked something so far.
    pub fn masked(&self) -> &Masked {
        &self.masked
    }

    fn release(&mut self, choice: u64, last: bool) -> Result<String, Blocked> {
        let hold = self.hold;
        let Self {
            scanner,
            pending,
            masked,
            ..
        } = self;
        let Some(held) = pending.iter_mut().find(|held| held.key == choice) else {
            return Ok(String::new());
        };
        // The released text's last characters go before the held text, so `\b` and other
        // look-behinds see what really came before it. A match released while still open (too
        // much held) keeps its beginning there instead, so what follows it is masked too.
        let context = held.open.as_deref().unwrap_or(&held.context).to_owned();
        let offset = context.len();
        let combined = format!("{context}{}", held.text);
        let mut reopened = None;
        let all: Vec<Hit> = scanner
            .all_hits(&combined)
            .into_iter()
            .filter(|hit| hit.end > offset)
            .map(|hit| {
                if hit.start < offset {
                    reopened = Some((hit.start, hit.end - offset));
                }
                Hit {
                    start: hit.start.max(offset) - offset,
                    end: hit.end - offset,
                    ..hit
                }
            })
            .collect();
        // The open match ended (or is gone): what follows is scanned as usual again.
        if reopened.is_none_or(|(_, end)| end < held.text.len()) {
            held.open = None;
        }
        let hits = Scanner::resolve(&all);
        let forced = !last && held.text.len() > MAX_HELD_BYTES;
        let cut = cut(&held.text, &hits, hold, last || forced);
        // A match still open when too much was held: its beginning stays as context.
        if let Some(open) = hits.iter().find(|hit| forced && hit.end == held.text.len()) {
            let start = if open.start == 0 {
                reopened.map_or(offset, |(start, _)| start)
            } else {
                open.start + offset
            };
            let end = combined[start..]
                .char_indices()
                .nth(OPEN_CONTEXT_CHARS)
                .map_or(combined.len(), |(at, _)| start + at);
            held.open = Some(combined[start..end].to_owned());
        }
        let reached: Vec<Hit> = all.into_iter().filter(|hit| hit.start < cut).collect();
        if let Some(blocked) = scanner.blocked(&reached) {
            return Err(blocked);
        }
        let released: Vec<Hit> = hits.into_iter().filter(|hit| hit.end <= cut).collect();
        let out = scanner.masked(&held.text[..cut], &released, masked);
        held.context.push_str(&held.text[..cut]);
        let keep = held
            .context
            .char_indices()
            .rev()
            .nth(CONTEXT_CHARS - 1)
            .map_or(0, |(at, _)| at);
        held.context.drain(..keep);
        held.text.drain(..cut);
        Ok(out)
    }
}

/// Where the text that may be sent ends: before the last `hold` characters and before a
/// match that reaches the end (it may grow), but never inside a match.
fn cut(text: &str, hits: &[Hit], hold: usize, last: bool) -> usize {
    if last {
        return text.len();
    }
    let mut cut = match hold {
        0 => text.len(),
        hold => text
            .char_indices()
            .rev()
            .nth(hold - 1)
            .map_or(0, |(at, _)| at),
    };
    if let Some(open) = hits.iter().find(|hit| hit.end == text.len()) {
        cut = cut.min(open.start);
    }
    for hit in hits {
        if hit.start < cut && cut < hit.end {
            cut = hit.end;
        }
    }
    cut
}
