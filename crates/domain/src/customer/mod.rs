//! Customer rules (CUS-1): identity documents, phones, input normalisation.

mod id_number;

pub use id_number::{check_id_number, Gender, IdCard, IdType};

/// A rename order (CUS-7, 客户更名单): pending until a permitted user other
/// than the requester approves or rejects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenameStatus {
    Pending,
    Approved,
    Rejected,
}

impl RenameStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    pub fn from_code(code: &str) -> Self {
        match code {
            "approved" => Self::Approved,
            "rejected" => Self::Rejected,
            _ => Self::Pending,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "待审批",
            Self::Approved => "已批准",
            Self::Rejected => "已驳回",
        }
    }

    /// Deciding an order: only a pending one, never by its requester.
    pub fn decide(self, approve: bool, requester: i32, decider: i32) -> Result<Self, &'static str> {
        if self != Self::Pending {
            return Err("该更名单已处理，不能重复审批");
        }
        if requester == decider {
            return Err("不能审批自己提交的更名单");
        }
        Ok(if approve { Self::Approved } else { Self::Rejected })
    }
}

#[cfg(test)]
mod rename_tests {
    use super::RenameStatus::*;

    #[test]
    fn decisions() {
        assert_eq!(Pending.decide(true, 1, 2), Ok(Approved));
        assert_eq!(Pending.decide(false, 1, 2), Ok(Rejected));
        assert!(Pending.decide(true, 1, 1).is_err());
        assert!(Approved.decide(false, 1, 2).is_err());
        assert!(Rejected.decide(true, 1, 2).is_err());
    }
}
