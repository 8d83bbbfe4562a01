//! Money as integer fen (BIL-7): no floating point near money. Quantities
//! carry three decimals; an amount is rounded once, half up, to the fen.

use std::{fmt, ops::Add};

/// An amount in fen (1/100 yuan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize, serde::Deserialize)]
pub struct Fen(pub i64);

impl Fen {
    /// Parses `12`, `12.5`, `12.50`, `¥1,234.56` (at most two decimals).
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let t: String = s.trim().chars().filter(|c| *c != ',').collect();
        let (neg, t) = t.strip_prefix('-').map_or((false, t.as_str()), |r| (true, r));
        let t = t.trim_start_matches('¥');
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || (!frac.is_empty() && !digits(frac)) || frac.len() > 2 || whole.len() > 13 {
            return Err("金额应为最多两位小数的数字，如 128.50");
        }
        let fen = whole.parse::<i64>().map_err(|_| "金额过大")? * 100 + format!("{frac:0<2}").parse::<i64>().unwrap_or(0);
        Ok(Self(if neg { -fen } else { fen }))
    }

    /// `¥1,234.56`, as shown right-aligned in lists.
    pub fn display(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let yuan = (abs / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in yuan.chars().enumerate() {
            if i > 0 && (yuan.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{sign}¥{grouped}.{:02}", abs % 100)
    }
}

impl Add for Fen {
    type Output = Fen;
    fn add(self, o: Fen) -> Fen {
        Fen(self.0 + o.0)
    }
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

/// A quantity in thousandths (`1.5` 米 is `Qty(1500)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Qty(pub i64);

impl Qty {
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let t = s.trim();
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || (!frac.is_empty() && !digits(frac)) || frac.len() > 3 || whole.len() > 9 {
            return Err("数量应为最多三位小数的正数");
        }
        Ok(Self(whole.parse::<i64>().map_err(|_| "数量过大")? * 1000 + format!("{frac:0<3}").parse::<i64>().unwrap_or(0)))
    }

    /// quantity × unit price, rounded once, half up, to the fen.
    pub fn times(self, price: Fen) -> Fen {
        let product = i128::from(self.0) * i128::from(price.0);
        let rounded = if product >= 0 { (product + 500) / 1000 } else { (product - 500) / 1000 };
        Fen(rounded as i64)
    }
}

/// The fee of a paid order (SVC-4): each material line rounded once, plus labour.
pub fn order_total(materials: &[(Qty, Fen)], labour: Fen) -> Fen {
    materials.iter().map(|(q, p)| q.times(*p)).fold(labour, |a, b| a + b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parse_and_display() {
        assert_eq!(Fen::parse("128.5"), Ok(Fen(12850)));
        assert_eq!(Fen::parse("¥1,234.56"), Ok(Fen(123456)));
        assert_eq!(Fen::parse("-3"), Ok(Fen(-300)));
        assert!(Fen::parse("1.234").is_err() && Fen::parse("abc").is_err() && Fen::parse("").is_err());
        assert_eq!(Fen(123456).display(), "¥1,234.56");
        assert_eq!(Fen(5).display(), "¥0.05");
        assert_eq!(Fen(-123456789).display(), "-¥1,234,567.89");
    }

    #[test]
    fn paid_order_totals_are_exact() {
        // 1.5 m of pipe at ¥12.35 = 18.525 → ¥18.53 (half up); 3 washers at ¥0.33; labour ¥50.
        let materials = [(Qty::parse("1.5").unwrap(), Fen(1235)), (Qty::parse("3").unwrap(), Fen(33))];
        assert_eq!(order_total(&materials, Fen(5000)), Fen(1853 + 99 + 5000));
        assert_eq!(order_total(&[], Fen(0)), Fen(0));
        assert_eq!(Qty::parse("0.001").unwrap().times(Fen(1)), Fen(0), "0.001 fen rounds to nothing");
        assert!(Qty::parse("1.2345").is_err() && Qty::parse("-1").is_err());
    }

    proptest! {
        #[test]
        fn whole_quantities_multiply_exactly(q in 0i64..10_000, p in 0i64..10_000_000) {
            prop_assert_eq!(Qty(q * 1000).times(Fen(p)), Fen(q * p));
        }

        #[test]
        fn display_round_trips(f in -10_000_000_000i64..10_000_000_000) {
            prop_assert_eq!(Fen::parse(&Fen(f).display()), Ok(Fen(f)));
        }
    }
}
