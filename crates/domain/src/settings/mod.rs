//! Dictionaries, numbering rules and the working calendar (SYS-7).

mod calendar;
mod dictionary;
mod numbering;

pub use calendar::{parse_hhmm, HolidayKind, WorkWeek};
pub use dictionary::{DictionaryType, DICTIONARIES};
pub use numbering::{NumberingRule, ResetPeriod, NUMBERING_DEFAULTS};
