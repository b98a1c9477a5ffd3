//! WCAG 2 contrast for the branding colours: an administrator picks a brand colour, and
//! PatternFly puts text on it (primary buttons). The portal writes that text in whichever of
//! PatternFly's two on-brand text colours reads better ([`text_on`]); the branding page warns
//! when even that one is below WCAG AA ([`AA_TEXT`]).

/// The contrast WCAG 2 level AA asks of normal-size text (success criterion 1.4.3).
pub const AA_TEXT: f64 = 4.5;

/// PatternFly 6's text on brand fills in the light theme: `--pf-t--global--text--color--on-brand--default`
/// → `--pf-t--global--text--color--inverse` in `:root` of
/// `@patternfly/patternfly/patternfly-base.css` (`#ffffff`).
pub const ON_BRAND_LIGHT_THEME: &str = "#ffffff";
/// The same token in the dark theme (`:root:where(.pf-v6-theme-dark)`, `#1f1f1f`).
pub const ON_BRAND_DARK_THEME: &str = "#1f1f1f";

/// A colour's red, green and blue, 0–255.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb` (either case), or nothing.
    pub fn parse(hex: &str) -> Option<Self> {
        let digits = hex.strip_prefix('#')?;
        if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let channel = |at: usize| u8::from_str_radix(&digits[at..at + 2], 16).ok();
        Some(Self(channel(0)?, channel(2)?, channel(4)?))
    }

    /// WCAG 2's relative luminance: 0 for black, 1 for white.
    pub fn luminance(self) -> f64 {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }
}

/// The contrast ratio of two colours, 1 (none) to 21 (black on white), either order.
pub fn ratio(a: Rgb, b: Rgb) -> f64 {
    let (a, b) = (a.luminance(), b.luminance());
    let (light, dark) = if a > b { (a, b) } else { (b, a) };
    (light + 0.05) / (dark + 0.05)
}

/// The text colour (one of PatternFly's on-brand colours) that reads better on `fill`, and
/// its contrast ratio.
pub fn text_on(fill: Rgb) -> (&'static str, f64) {
    [ON_BRAND_LIGHT_THEME, ON_BRAND_DARK_THEME]
        .into_iter()
        .filter_map(|text| Some((text, ratio(Rgb::parse(text)?, fill))))
        .fold(
            ("", 0.0),
            |best, next| if next.1 > best.1 { next } else { best },
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 0.01
    }

    #[test]
    fn known_pairs_have_their_published_ratios() {
        let white = Rgb::parse("#ffffff").unwrap();
        assert!(close(ratio(Rgb::parse("#000000").unwrap(), white), 21.0));
        // The lightest grey that passes AA on white, the usual worked example.
        assert!(close(ratio(Rgb::parse("#767676").unwrap(), white), 4.54));
        assert!(close(ratio(white, Rgb::parse("#0066CC").unwrap()), 5.57));
        assert!(close(ratio(white, white), 1.0));
    }

    #[test]
    fn only_hex_colours_parse() {
        assert_eq!(Rgb::parse("#0a0B0c"), Some(Rgb(10, 11, 12)));
        for bad in ["0a0b0c", "#0a0b0", "#0a0b0c0", "#gggggg", "red", ""] {
            assert_eq!(Rgb::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn text_on_a_fill_is_the_more_readable_of_patternflys_two() {
        assert_eq!(
            text_on(Rgb::parse("#0066cc").unwrap()).0,
            ON_BRAND_LIGHT_THEME
        );
        assert_eq!(
            text_on(Rgb::parse("#ffd700").unwrap()).0,
            ON_BRAND_DARK_THEME
        );
        // Pure red is mid-grey in luminance: neither text reaches AA.
        let (_, best) = text_on(Rgb::parse("#ff0000").unwrap());
        assert!(best < AA_TEXT, "{best}");
    }
}
