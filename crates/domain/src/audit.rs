//! What the operation log records about a change (SYS-6).

/// The kind of change written to the operation log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    Create,
    Update,
    Delete,
    Disable,
    Enable,
    Move,
    ResetPassword,
    ChangePassword,
    Unlock,
    Publish,
    Withdraw,
    IssueToken,
    RevokeToken,
}

impl AuditAction {
    pub const ALL: [AuditAction; 13] = [
        Self::Create,
        Self::Update,
        Self::Delete,
        Self::Disable,
        Self::Enable,
        Self::Move,
        Self::ResetPassword,
        Self::ChangePassword,
        Self::Unlock,
        Self::Publish,
        Self::Withdraw,
        Self::IssueToken,
        Self::RevokeToken,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Disable => "disable",
            Self::Enable => "enable",
            Self::Move => "move",
            Self::ResetPassword => "reset_password",
            Self::ChangePassword => "change_password",
            Self::Unlock => "unlock",
            Self::Publish => "publish",
            Self::Withdraw => "withdraw",
            Self::IssueToken => "issue_token",
            Self::RevokeToken => "revoke_token",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Create => "新增",
            Self::Update => "修改",
            Self::Delete => "删除",
            Self::Disable => "禁用",
            Self::Enable => "启用",
            Self::Move => "移动",
            Self::ResetPassword => "重置密码",
            Self::ChangePassword => "修改密码",
            Self::Unlock => "解锁",
            Self::Publish => "发布",
            Self::Withdraw => "撤回",
            Self::IssueToken => "签发令牌",
            Self::RevokeToken => "吊销令牌",
        }
    }

    pub fn label_of(code: &str) -> &'static str {
        Self::ALL.into_iter().find(|a| a.code() == code).map(Self::label).unwrap_or("")
    }
}

/// Entities written to the operation log, with their Chinese names.
pub const AUDITED_ENTITIES: &[(&str, &str)] = &[
    ("org_unit", "组织"),
    ("project", "项目"),
    ("user", "用户"),
    ("role", "角色"),
    ("dict_item", "辅助资料"),
    ("numbering_rule", "编号规则"),
    ("calendar", "工作日历"),
    ("holiday", "节假日"),
    ("announcement", "公告"),
    ("api_token", "接口令牌"),
];

pub fn entity_label(code: &str) -> &'static str {
    AUDITED_ENTITIES.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::label_of(a.code()), a.label());
        }
        assert_eq!(entity_label("user"), "用户");
    }
}
