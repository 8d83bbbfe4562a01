use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn code(self) -> &'static str {
        match self {
            Self::Male => "male",
            Self::Female => "female",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Male => "男",
            Self::Female => "女",
        }
    }
}

/// A mainland resident identity card number (GB 11643-1999) with what it
/// tells: birth date and gender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdCard {
    /// The 18-digit form (a 15-digit legacy number is kept as typed).
    pub number: String,
    pub birth: NaiveDate,
    pub gender: Gender,
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: &[u8; 11] = b"10X98765432";
/// Province-level codes of GB/T 2260 (first two digits), plus 81/82/83 used by
/// residence permits of Hong Kong, Macao and Taiwan residents.
const PROVINCES: &[&str] = &[
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44", "45", "46", "50",
    "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83",
];

fn check_char(first17: &str) -> char {
    let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    CHECK_CHARS[(sum % 11) as usize] as char
}

fn gender_of(digit: u8) -> Gender {
    if (digit - b'0') % 2 == 1 {
        Gender::Male
    } else {
        Gender::Female
    }
}

impl IdCard {
    /// Completes 17 digits with their check character (for generated data
    /// and tests).
    pub fn with_check_digit(first17: &str) -> String {
        format!("{first17}{}", check_char(first17))
    }

    /// Parses and checks an 18-digit number (checksum, province, birth date
    /// not after `today`) or a 15-digit legacy one (born in the 1900s).
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, &'static str> {
        let s = input.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        let (birth_text, gender_digit) = match b.len() {
            18 => {
                if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
                    return Err("身份证号应为 17 位数字加 1 位数字或 X");
                }
                (s[6..14].to_string(), b[16])
            }
            15 => {
                if !b.iter().all(u8::is_ascii_digit) {
                    return Err("15 位身份证号应全部为数字");
                }
                (format!("19{}", &s[6..12]), b[14])
            }
            _ => return Err("身份证号应为 18 位（或旧版 15 位）"),
        };
        if !PROVINCES.contains(&&s[..2]) {
            return Err("身份证号前两位不是有效的省份代码");
        }
        let birth = NaiveDate::parse_from_str(&birth_text, "%Y%m%d").map_err(|_| "身份证号中的出生日期无效")?;
        if birth > today || birth.year() < 1900 {
            return Err("身份证号中的出生日期无效");
        }
        if b.len() == 18 && check_char(&s[..17]) != b[17] as char {
            return Err("身份证号校验位不正确，请核对");
        }
        Ok(Self { number: s, birth, gender: gender_of(gender_digit) })
    }
}

/// The kind of identity document (CUS-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdType {
    /// 居民身份证
    MainlandId,
    /// 护照
    Passport,
    /// 港澳居民来往内地通行证
    HkMacauPermit,
    /// 台湾居民来往大陆通行证
    TaiwanPermit,
    /// 营业执照（统一社会信用代码）
    BusinessLicense,
    /// 其他证件
    Other,
}

impl IdType {
    pub const ALL: [IdType; 6] =
        [Self::MainlandId, Self::Passport, Self::HkMacauPermit, Self::TaiwanPermit, Self::BusinessLicense, Self::Other];

    pub fn code(self) -> &'static str {
        match self {
            Self::MainlandId => "mainland_id",
            Self::Passport => "passport",
            Self::HkMacauPermit => "hk_macau_permit",
            Self::TaiwanPermit => "taiwan_permit",
            Self::BusinessLicense => "business_license",
            Self::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::MainlandId => "居民身份证",
            Self::Passport => "护照",
            Self::HkMacauPermit => "港澳居民来往内地通行证",
            Self::TaiwanPermit => "台湾居民来往大陆通行证",
            Self::BusinessLicense => "营业执照（统一社会信用代码）",
            Self::Other => "其他证件",
        }
    }

    pub fn from_label(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.label() == label || t.label().starts_with(label))
    }
}

const CREDIT_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// 统一社会信用代码 (GB 32100-2015): 18 characters with a mod-31 check.
fn check_credit_code(s: &str) -> Result<(), &'static str> {
    let b = s.as_bytes();
    if b.len() != 18 {
        return Err("统一社会信用代码应为 18 位");
    }
    let values: Option<Vec<usize>> = b.iter().map(|c| CREDIT_CHARS.iter().position(|x| x == c)).collect();
    let values = values.ok_or("统一社会信用代码含有无效字符")?;
    let sum: usize = values[..17].iter().zip(CREDIT_WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    if values[17] == check {
        Ok(())
    } else {
        Err("统一社会信用代码校验位不正确，请核对")
    }
}

fn all_alnum(s: &str) -> bool {
    s.bytes().all(|c| c.is_ascii_alphanumeric())
}

/// Checks a document number by its type; returns the normalised number and,
/// for a mainland ID, what it tells.
pub fn check_id_number(kind: IdType, input: &str, today: NaiveDate) -> Result<(String, Option<IdCard>), &'static str> {
    let s = input.trim().to_ascii_uppercase();
    match kind {
        IdType::MainlandId => IdCard::parse(&s, today).map(|c| (c.number.clone(), Some(c))),
        IdType::Passport if (5..=20).contains(&s.len()) && all_alnum(&s) => Ok((s, None)),
        IdType::Passport => Err("护照号应为 5–20 位字母或数字"),
        IdType::HkMacauPermit => {
            let ok = matches!(s.as_bytes().first(), Some(b'H' | b'M'))
                && (s.len() == 9 || s.len() == 11)
                && s[1..].bytes().all(|c| c.is_ascii_digit());
            if ok {
                Ok((s, None))
            } else {
                Err("港澳通行证号应为 H 或 M 开头加 8 或 10 位数字")
            }
        }
        IdType::TaiwanPermit if (s.len() == 8 || s.len() == 10) && s.bytes().all(|c| c.is_ascii_digit()) => Ok((s, None)),
        IdType::TaiwanPermit => Err("台胞证号应为 8 或 10 位数字"),
        IdType::BusinessLicense => check_credit_code(&s).map(|_| (s, None)),
        IdType::Other if !s.is_empty() && s.chars().count() <= 32 => Ok((s, None)),
        IdType::Other => Err("证件号码不能超过 32 位"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn with_check(first17: &str) -> String {
        format!("{first17}{}", check_char(first17))
    }

    #[test]
    fn valid_numbers_give_birth_and_gender() {
        // The GB 11643-1999 example number.
        let c = IdCard::parse("11010519491231002X", today()).unwrap();
        assert_eq!(c.birth, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(c.gender, Gender::Female);
        let c = IdCard::parse(&with_check("44030519850612003"), today()).unwrap();
        assert_eq!(c.gender, Gender::Male);
        assert_eq!(c.birth.to_string(), "1985-06-12");
        assert!(IdCard::parse(" 11010519491231002x ", today()).is_ok(), "lower-case x and spaces");
    }

    #[test]
    fn wrong_check_digit_is_refused() {
        assert_eq!(IdCard::parse("110105194912310021", today()), Err("身份证号校验位不正确，请核对"));
    }

    #[test]
    fn bad_dates_and_shapes() {
        assert_eq!(IdCard::parse(&with_check("11010519490231002"), today()).unwrap_err(), "身份证号中的出生日期无效");
        assert_eq!(IdCard::parse(&with_check("11010520300101002"), today()).unwrap_err(), "身份证号中的出生日期无效");
        assert!(IdCard::parse("1101051949123100", today()).is_err());
        assert!(IdCard::parse("1101051949123100AX", today()).is_err());
        assert_eq!(IdCard::parse(&with_check("99010519491231002"), today()).unwrap_err(), "身份证号前两位不是有效的省份代码");
    }

    #[test]
    fn legacy_fifteen_digits() {
        let c = IdCard::parse("110105491231002", today()).unwrap();
        assert_eq!(c.birth.to_string(), "1949-12-31");
        assert_eq!(c.gender, Gender::Female);
        assert!(IdCard::parse("110105491331002", today()).is_err(), "month 13");
    }

    #[test]
    fn other_documents() {
        assert!(check_id_number(IdType::Passport, "E12345678", today()).is_ok());
        assert!(check_id_number(IdType::Passport, "E12-345", today()).is_err());
        assert!(check_id_number(IdType::HkMacauPermit, "H12345678", today()).is_ok());
        assert!(check_id_number(IdType::HkMacauPermit, "X12345678", today()).is_err());
        assert!(check_id_number(IdType::TaiwanPermit, "12345678", today()).is_ok());
        // A published sample code, and the same with its check character changed.
        assert!(check_id_number(IdType::BusinessLicense, "91350100M000100Y43", today()).is_ok());
        assert!(check_id_number(IdType::BusinessLicense, "91350100M000100Y44", today()).is_err());
        assert_eq!(IdType::from_label("护照"), Some(IdType::Passport));
    }

    proptest! {
        #[test]
        fn every_generated_valid_number_parses(area in 0usize..20, days in 0i64..30000, seq in 0u32..1000) {
            let birth = NaiveDate::from_ymd_opt(1940, 1, 1).unwrap() + chrono::Duration::days(days);
            let first17 = format!("{}0105{}{:03}", PROVINCES[area], birth.format("%Y%m%d"), seq);
            let c = IdCard::parse(&with_check(&first17), today()).unwrap();
            prop_assert_eq!(c.birth, birth);
            prop_assert_eq!(c.gender == Gender::Male, seq % 2 == 1);
        }
    }
}
