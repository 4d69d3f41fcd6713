//! [`Usd`]: an amount of US dollars in whole micro-dollars, so sums and
//! budgets add up exactly (no float drift across a thousand jobs).

use std::{fmt, iter::Sum, ops::Add, str::FromStr};

/// Micro-dollars in a dollar.
const MICROS: u64 = 1_000_000;

/// An amount of US dollars, exact to the micro-dollar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Usd {
    micros: u64,
}

impl Usd {
    /// Nothing.
    pub const ZERO: Usd = Usd { micros: 0 };

    /// An amount in micro-dollars.
    pub const fn from_micros(micros: u64) -> Usd {
        Usd { micros }
    }

    /// The amount in micro-dollars.
    pub const fn micros(self) -> u64 {
        self.micros
    }

    /// A vendor's number of dollars, rounded to the micro-dollar; `None`
    /// for a negative, infinite or NaN number (not a price).
    pub fn from_dollars(dollars: f64) -> Option<Usd> {
        let micros = (dollars * MICROS as f64).round();
        let valid = micros.is_finite() && micros >= 0.0 && micros < u64::MAX as f64;
        valid.then_some(Usd {
            micros: micros as u64,
        })
    }

    /// The amount in dollars (for display and JSON only).
    pub fn dollars(self) -> f64 {
        self.micros as f64 / MICROS as f64
    }

    /// `self * count`, saturating.
    pub fn times(self, count: u64) -> Usd {
        Usd {
            micros: self.micros.saturating_mul(count),
        }
    }
}

impl Add for Usd {
    type Output = Usd;
    fn add(self, other: Usd) -> Usd {
        Usd {
            micros: self.micros.saturating_add(other.micros),
        }
    }
}

impl Sum for Usd {
    fn sum<I: Iterator<Item = Usd>>(iter: I) -> Usd {
        iter.fold(Usd::ZERO, Add::add)
    }
}

/// `$1.50`, `$0.04`, `$0.1234`: at least cents, more digits only when the
/// amount has them.
impl fmt::Display for Usd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.micros / MICROS;
        let fraction = format!("{:06}", self.micros % MICROS);
        let fraction = fraction.trim_end_matches('0');
        write!(f, "${whole}.{fraction:0<2}")
    }
}

/// Text that is not an amount of dollars.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{text:?} is not an amount of US dollars: expected a number such as 1.50 (at most 6 decimals)"
)]
pub struct ParseUsdError {
    /// The rejected text.
    pub text: String,
}

/// `1.50`, `$1.5`, `25`, `0.000001` (exact decimal, no float on the way).
impl FromStr for Usd {
    type Err = ParseUsdError;
    fn from_str(text: &str) -> Result<Usd, ParseUsdError> {
        let error = || ParseUsdError {
            text: text.to_owned(),
        };
        let digits = text.trim().trim_start_matches('$');
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty())
            || !all_digits(whole)
            || !all_digits(fraction)
            || fraction.len() > 6
        {
            return Err(error());
        }
        let whole: u64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| error())?
        };
        let fraction: u64 = format!("{fraction:0<6}").parse().map_err(|_| error())?;
        whole
            .checked_mul(MICROS)
            .and_then(|m| m.checked_add(fraction))
            .map(Usd::from_micros)
            .ok_or_else(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exactly_and_shows_cents() {
        assert_eq!("1.50".parse::<Usd>().unwrap().micros(), 1_500_000);
        assert_eq!("$25".parse::<Usd>().unwrap().micros(), 25_000_000);
        assert_eq!(".5".parse::<Usd>().unwrap().micros(), 500_000);
        assert_eq!("0.000001".parse::<Usd>().unwrap().micros(), 1);
        for bad in ["", ".", "-1", "1.2.3", "1e3", "0.0000001", "abc"] {
            assert!(bad.parse::<Usd>().is_err(), "{bad}");
        }
        assert_eq!(Usd::from_micros(1_500_000).to_string(), "$1.50");
        assert_eq!(Usd::from_micros(40_000).to_string(), "$0.04");
        assert_eq!(Usd::from_micros(123_400).to_string(), "$0.1234");
        assert_eq!(Usd::from_micros(0).to_string(), "$0.00");
    }

    #[test]
    fn vendor_numbers_round_to_the_micro() {
        assert_eq!(Usd::from_dollars(0.1).unwrap().micros(), 100_000);
        assert_eq!(Usd::from_dollars(0.3).unwrap().times(3).micros(), 900_000);
        assert!(Usd::from_dollars(-0.1).is_none());
        assert!(Usd::from_dollars(f64::NAN).is_none());
    }
}
