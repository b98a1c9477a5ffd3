//! The prebuilt patterns of the content filter (LiteLLM's names), each a regular expression,
//! a check the regular expression cannot express (a credit card's Luhn digit, an SSN's
//! unassigned ranges), and how much of a stream to hold back so a match split across chunks
//! is still found.

/// A prebuilt pattern.
pub(super) struct Prebuilt {
    pub name: &'static str,
    pub regex: &'static str,
    pub valid: fn(&str) -> bool,
    /// The longest text that can begin a match before the expression matches at all.
    pub hold: usize,
}

fn any(_: &str) -> bool {
    true
}

/// The prebuilt patterns, by the names LiteLLM gives them.
pub(super) const PREBUILT: &[Prebuilt] = &[
    Prebuilt {
        name: "us_ssn",
        regex: r"\b\d{3}-\d{2}-\d{4}\b",
        valid: assigned_ssn,
        hold: 11,
    },
    Prebuilt {
        name: "credit_card",
        regex: r"\b(?:\d[ -]?){12,18}\d\b",
        valid: luhn,
        hold: 24,
    },
    Prebuilt {
        name: "email",
        regex: r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b",
        valid: any,
        hold: 96,
    },
    Prebuilt {
        name: "aws_access_key",
        regex: r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b",
        valid: any,
        hold: 20,
    },
    Prebuilt {
        name: "github_token",
        regex: r"\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,255})\b",
        valid: any,
        hold: 48,
    },
    Prebuilt {
        // The whole block; a block whose end has not come (yet) runs to the end of the text,
        // so a stream holds it back until the end marker or the stream's end.
        name: "private_key",
        regex: r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|[\s\S]*)",
        valid: any,
        hold: 40,
    },
];

/// Whether `name` is a prebuilt pattern.
pub(super) fn prebuilt(name: &str) -> Option<&'static Prebuilt> {
    PREBUILT.iter().find(|p| p.name == name)
}

/// Whether an SSN-shaped match could be assigned: no area 000, 666 or 9xx, no group 00, no
/// serial 0000.
fn assigned_ssn(text: &str) -> bool {
    let mut parts = text.split('-');
    let (Some(area), Some(group), Some(serial)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    area != "000" && area != "666" && !area.starts_with('9') && group != "00" && serial != "0000"
}

/// Whether the digits of `text` (13 to 19 of them) pass the Luhn check card numbers carry.
fn luhn(text: &str) -> bool {
    let digits: Vec<u32> = text.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_numbers_need_their_check_digit() {
        assert!(luhn("4111 1111 1111 1111"));
        assert!(luhn("5500-0000-0000-0004"));
        assert!(luhn("378282246310005"));
        assert!(!luhn("4111 1111 1111 1112"));
        assert!(!luhn("1234"));
    }

    #[test]
    fn unassigned_ssns_are_not_ssns() {
        assert!(assigned_ssn("123-45-6789"));
        assert!(!assigned_ssn("000-45-6789"));
        assert!(!assigned_ssn("666-45-6789"));
        assert!(!assigned_ssn("912-45-6789"));
        assert!(!assigned_ssn("123-00-6789"));
        assert!(!assigned_ssn("123-45-0000"));
    }

    #[test]
    fn every_prebuilt_pattern_compiles_and_finds_its_example() {
        let examples = [
            ("us_ssn", "My SSN is 123-45-6789."),
            ("credit_card", "card 4111-1111-1111-1111 ok"),
            ("email", "write to ada@example.org today"),
            ("aws_access_key", "key AKIAIOSFODNN7EXAMPLE here"),
            (
                "github_token",
                "token ghp_abcdefghijklmnopqrstuvwxyz0123456789 here",
            ),
            (
                "private_key",
                "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----",
            ),
        ];
        for (name, text) in examples {
            let pattern = prebuilt(name).expect("a prebuilt pattern");
            let regex = regex::Regex::new(pattern.regex).expect("it compiles");
            let found = regex.find(text).expect("it matches its example");
            assert!((pattern.valid)(found.as_str()), "{name}");
        }
        assert_eq!(PREBUILT.len(), examples.len());
    }
}
