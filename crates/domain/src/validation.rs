//! Field-level validation errors shared by every form and API.

use std::collections::BTreeMap;

/// Errors keyed by field name, each with a Chinese message meant to be shown
/// beside the field.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the first error of a field; later errors of the same field are
    /// dropped so the user sees one clear message at a time.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_string()).or_insert_with(|| message.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter()
    }

    /// The same errors with `from` reported on `to`, for a page that shows
    /// one input for what the API takes as another field (a picker filling
    /// hidden ids).
    pub fn moved(mut self, from: &str, to: &str) -> Self {
        if let Some(m) = self.0.remove(from) {
            self.add(to, m);
        }
        self
    }

    /// `Ok(())` when nothing was recorded, the errors otherwise.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }

    /// Checks a required text field and returns it trimmed.
    pub fn required(&mut self, field: &str, label: &str, value: &str) -> String {
        let trimmed = value.trim().to_string();
        if trimmed.is_empty() {
            self.add(field, format!("请填写{label}"));
        }
        trimmed
    }

    /// Reads an optional `YYYY-MM-DD` date (full-width digits allowed); a
    /// garbled one is an error beside the field.
    pub fn date(&mut self, field: &str, label: &str, text: &str) -> Option<chrono::NaiveDate> {
        let t = normalize_text(text);
        if t.is_empty() {
            return None;
        }
        let d = chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok();
        if d.is_none() {
            self.add(field, format!("{label}格式应为 2026-11-22"));
        }
        d
    }

    /// Reads a required `YYYY-MM-DD` date.
    pub fn required_date(&mut self, field: &str, label: &str, text: &str) -> Option<chrono::NaiveDate> {
        if normalize_text(text).is_empty() {
            self.add(field, format!("请选择{label}"));
            return None;
        }
        self.date(field, label, text)
    }

    /// Checks a maximum length counted in characters (not bytes), so Chinese
    /// text gets the same limit as Latin text.
    pub fn max_chars(&mut self, field: &str, label: &str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.add(field, format!("{label}不能超过 {max} 个字"));
        }
    }
}

/// Mainland mobile numbers: 11 digits starting with 1[3-9].
pub fn is_mobile_phone(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && b.iter().all(u8::is_ascii_digit)
}

/// Mainland landlines (`0755-12345678`, `075512345678`, with optional
/// extension) or mobiles; what a front desk types as a contact number.
pub fn is_phone(s: &str) -> bool {
    if is_mobile_phone(s) {
        return true;
    }
    let (main, ext) = match s.split_once(['-', '转']) {
        Some((area, rest)) if area.starts_with('0') && (3..=4).contains(&area.len()) => {
            let (number, ext) = rest.split_once(['-', '转']).unwrap_or((rest, ""));
            (format!("{area}{number}"), ext.to_string())
        }
        _ => (s.to_string(), String::new()),
    };
    let digits_ok = |t: &str| !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit());
    (10..=12).contains(&main.len()) && main.starts_with('0') && digits_ok(&main) && (ext.is_empty() || (digits_ok(&ext) && ext.len() <= 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_error_of_a_field_wins() {
        let mut e = FieldErrors::new();
        e.add("name", "请填写名称");
        e.add("name", "名称过长");
        assert_eq!(e.get("name"), Some("请填写名称"));
        assert!(e.into_result().is_err());
    }

    #[test]
    fn required_trims_and_reports() {
        let mut e = FieldErrors::new();
        assert_eq!(e.required("name", "名称", "  君林  "), "君林");
        assert!(e.is_empty());
        e.required("code", "编码", "   ");
        assert_eq!(e.get("code"), Some("请填写编码"));
    }

    #[test]
    fn dates() {
        let mut e = FieldErrors::new();
        assert_eq!(e.date("d", "日期", "２０２６-１１-２２"), chrono::NaiveDate::from_ymd_opt(2026, 11, 22));
        assert_eq!(e.date("d", "日期", ""), None);
        assert!(e.is_empty());
        assert_eq!(e.date("d", "交付日期", "2026/11/22"), None);
        assert_eq!(e.get("d"), Some("交付日期格式应为 2026-11-22"));
        e.required_date("r", "迁入日期", " ");
        assert_eq!(e.get("r"), Some("请选择迁入日期"));
    }

    #[test]
    fn max_chars_counts_characters() {
        let mut e = FieldErrors::new();
        e.max_chars("n", "名称", "管家管家", 4);
        assert!(e.is_empty());
        e.max_chars("n", "名称", "管家管家管", 4);
        assert!(!e.is_empty());
    }

    #[test]
    fn phones() {
        assert!(is_mobile_phone("13812345678"));
        assert!(!is_mobile_phone("12812345678"));
        assert!(!is_mobile_phone("1381234567"));
        assert!(is_phone("0755-12345678"));
        assert!(is_phone("010-1234567-88"));
        assert!(is_phone("13912345678"));
        assert!(!is_phone("12345"));
        assert!(!is_phone("0755-abc"));
    }
}

/// A plausible e-mail address: one `@`, a dot in the domain, no spaces.
pub fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(' ')
                && !domain.contains('@')
        }
        None => false,
    }
}

/// Normalises typed or imported text: full-width ASCII (Ａ１－) becomes
/// half-width, the ideographic space a plain one, and the ends are trimmed.
/// Chinese characters are left alone.
pub fn normalize_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// A phone as stored: normalised, with spaces and dashes between digit
/// groups of a mobile number removed (`138 0013 8000` → `13800138000`).
pub fn normalize_phone(s: &str) -> String {
    let t = normalize_text(s);
    let digits: String = t.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if is_mobile_phone(&digits) {
        digits
    } else {
        t
    }
}

#[cfg(test)]
mod normalize_tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(is_email("li.jing@anju.cn"));
        assert!(!is_email("li.jing"));
        assert!(!is_email("a@b"));
        assert!(!is_email("a b@c.cn"));
        assert!(!is_email("@c.cn"));
    }

    #[test]
    fn full_width_and_spaces() {
        assert_eq!(normalize_text("　Ｃ３－０３０１ "), "C3-0301");
        assert_eq!(normalize_text("张　伟"), "张 伟");
        assert_eq!(normalize_phone("１３８ ００１３ ８０００"), "13800138000");
        assert_eq!(normalize_phone("0755-12345678"), "0755-12345678");
    }
}
