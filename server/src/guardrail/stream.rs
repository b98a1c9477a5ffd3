//! Masking a streamed answer: each choice's text is held back just long enough that a match
//! split across chunks is still found whole. A chunk's text is sent once no match can begin
//! in it that the next chunk could complete: the last few characters (the longest prefix any
//! pattern needs before it matches) and any match that still runs to the end of what came
//! are held until more text or the choice's end arrives.

use super::{Blocked, Hit, Masked, Scanner};

/// The post-call guardrails of one stream, and the text each choice holds back.
#[derive(Debug)]
pub struct StreamMasker {
    scanner: Scanner,
    /// Characters held back at the end of each choice's text.
    hold: usize,
    /// Text received and not yet sent, by choice index.
    pending: Vec<(u64, String)>,
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
        let at = match self.pending.iter().position(|(index, _)| *index == choice) {
            Some(at) => at,
            None => {
                self.pending.push((choice, String::new()));
                self.pending.len() - 1
            }
        };
        &mut self.pending[at].1
    }

    /// Takes the next text of choice `choice`; gives what may be sent now (masked).
    pub fn push(&mut self, choice: u64, text: &str) -> Result<String, Blocked> {
        self.pending(choice).push_str(text);
        self.release(choice, false)
    }

    /// Gives the rest of choice `choice` (masked), at its end.
    pub fn finish(&mut self, choice: u64) -> Result<String, Blocked> {
        let rest = self.release(choice, true);
        self.pending.retain(|(index, _)| *index != choice);
        rest
    }

    /// The choices that still hold text.
    pub fn held(&self) -> Vec<u64> {
        self.pending
            .iter()
            .filter(|(_, text)| !text.is_empty())
            .map(|(index, _)| *index)
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
        let Some((_, text)) = pending.iter_mut().find(|(index, _)| *index == choice) else {
            return Ok(String::new());
        };
        let hits = scanner.hits(text);
        let cut = cut(text, &hits, hold, last);
        let released: Vec<Hit> = hits.into_iter().filter(|hit| hit.end <= cut).collect();
        if let Some(blocked) = scanner.blocked(&released) {
            return Err(blocked);
        }
        let out = scanner.masked(&text[..cut], &released, masked);
        text.drain(..cut);
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
