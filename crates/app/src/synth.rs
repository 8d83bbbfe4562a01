//! Deterministic synthetic data for the demo and the data generator
//! (`gen-data`): one small seeded generator, and Chinese names, mobile
//! numbers and ID numbers that pass the same checks as typed ones. The same
//! seed always gives the same data, so benchmarks compare like with like.

use chrono::{Duration, NaiveDate};

/// A linear congruential generator: tiny, fast and stable across releases
/// (a library generator may change its sequence between versions).
pub struct Rng(pub u64);

impl Rng {
    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A duration of `lo..hi` minutes.
    pub fn minutes(&mut self, lo: i64, hi: i64) -> Duration {
        Duration::minutes(lo + self.below((hi - lo).max(1) as u64) as i64)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// A surname and a common given name (1,600 combinations, as in the demo).
    pub fn name(&mut self) -> String {
        format!("{}{}", self.pick(SURNAMES), self.pick(GIVEN))
    }

    /// A name from a wider pool: common surnames more often, and given names
    /// of one or two characters, so a large register has few exact twins.
    pub fn full_name(&mut self) -> String {
        // Squaring a uniform index favours the front of the list, where the
        // commonest surnames are.
        let n = SURNAMES.len() as u64;
        let surname = SURNAMES[(self.below(n) * self.below(n) / n) as usize];
        let given =
            if self.chance(30) { self.pick(GIVEN).to_string() } else { format!("{}{}", self.pick(GIVEN_CHARS), self.pick(GIVEN_CHARS)) };
        format!("{surname}{given}")
    }

    /// An 11-digit mainland mobile number.
    pub fn phone(&mut self) -> String {
        let prefix = ["138", "139", "137", "136", "135", "150", "151", "158", "186", "188", "177", "199"][self.below(12) as usize];
        format!("{prefix}{:08}", self.below(100_000_000))
    }

    /// A valid mainland ID number of someone born 1950–2000, registered in
    /// the six-digit administrative `region`.
    pub fn id_number(&mut self, region: &str) -> String {
        let birth = NaiveDate::from_ymd_opt(1950, 1, 1).expect("date") + Duration::days(self.below(18_000) as i64);
        domain::customer::IdCard::with_check_digit(&format!("{region}{}{:03}", birth.format("%Y%m%d"), self.below(1000)))
    }
}

/// Surnames, the commonest first.
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高", "郑", "梁",
    "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "潘", "袁", "蔡", "蒋", "余",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英",
    "华", "玉兰", "文", "辉", "鑫", "婷", "宇", "浩", "子涵", "欣怡", "梓萱", "一诺", "俊杰", "晓东", "海燕", "建华", "志强", "雪梅",
];
const GIVEN_CHARS: &[&str] = &[
    "伟", "芳", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚", "华", "文", "辉", "鑫",
    "婷", "宇", "浩", "晓", "东", "海", "燕", "建", "志", "雪", "梅", "思", "雨", "嘉", "佳", "欣", "怡", "子", "轩", "博", "睿", "泽",
    "晨", "阳", "凯", "鹏", "飞", "琳", "颖", "倩", "慧", "玲", "秀", "春", "国", "庆", "红", "斌",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_people_and_they_pass_the_checks() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        let (mut a, mut b) = (Rng(42), Rng(42));
        for _ in 0..500 {
            let (name, phone, id) = (a.full_name(), a.phone(), a.id_number("440305"));
            assert_eq!((name.clone(), phone.clone(), id.clone()), (b.full_name(), b.phone(), b.id_number("440305")));
            assert!((2..=3).contains(&name.chars().count()), "{name}");
            assert!(domain::validation::is_phone(&phone), "{phone}");
            assert!(domain::customer::IdCard::parse(&id, today).is_ok(), "{id}");
        }
    }
}
