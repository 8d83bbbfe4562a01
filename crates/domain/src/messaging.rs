//! Messaging rules. Announcements to staff (SYS-8) for now.

use serde::Serialize;

/// Draft → published → withdrawn (a withdrawn one may be published again).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AnnouncementStatus {
    Draft,
    Published,
    Withdrawn,
}

impl AnnouncementStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn from_code(code: &str) -> Self {
        match code {
            "published" => Self::Published,
            "withdrawn" => Self::Withdrawn,
            _ => Self::Draft,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Published => "已发布",
            Self::Withdrawn => "已撤回",
        }
    }

    /// The one transition function of announcements.
    pub fn transition(self, publish: bool) -> Result<Self, &'static str> {
        match (self, publish) {
            (Self::Draft | Self::Withdrawn, true) => Ok(Self::Published),
            (Self::Published, false) => Ok(Self::Withdrawn),
            (Self::Published, true) => Err("公告已发布"),
            (Self::Draft | Self::Withdrawn, false) => Err("只有已发布的公告可以撤回"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AnnouncementStatus::*;

    #[test]
    fn transitions() {
        assert_eq!(Draft.transition(true), Ok(Published));
        assert_eq!(Published.transition(false), Ok(Withdrawn));
        assert_eq!(Withdrawn.transition(true), Ok(Published));
        assert!(Published.transition(true).is_err());
        assert!(Draft.transition(false).is_err());
    }
}
