use std::fmt;

/// An area in hundredths of a square metre, exact (fees are computed from
/// areas, so no floats): `89.25 ㎡` is `Area(8925)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Area(pub i64);

impl Area {
    /// Parses `89`, `89.2`, `89.25` (at most two decimals, not negative).
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let s = s.trim();
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || (!frac.is_empty() && !digits(frac)) || frac.len() > 2 || whole.len() > 9 {
            return Err("面积应为不超过两位小数的正数，如 89.25");
        }
        let whole: i64 = whole.parse().map_err(|_| "面积过大")?;
        let frac: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
        Ok(Self(whole * 100 + frac))
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_show() {
        assert_eq!(Area::parse("89.25"), Ok(Area(8925)));
        assert_eq!(Area::parse("89.2"), Ok(Area(8920)));
        assert_eq!(Area::parse(" 120 "), Ok(Area(12000)));
        assert!(Area::parse("89.255").is_err());
        assert!(Area::parse("-3").is_err());
        assert!(Area::parse("abc").is_err());
        assert!(Area::parse("").is_err());
        assert_eq!(Area(8925).to_string(), "89.25");
        assert_eq!(Area(5).to_string(), "0.05");
    }
}
