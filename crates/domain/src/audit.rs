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
    Approve,
    Reject,
    MoveIn,
    MoveOut,
    Handover,
}

impl AuditAction {
    pub const ALL: [AuditAction; 18] = [
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
        Self::Approve,
        Self::Reject,
        Self::MoveIn,
        Self::MoveOut,
        Self::Handover,
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
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::MoveIn => "move_in",
            Self::MoveOut => "move_out",
            Self::Handover => "handover",
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
            Self::Approve => "批准",
            Self::Reject => "驳回",
            Self::MoveIn => "迁入",
            Self::MoveOut => "迁出",
            Self::Handover => "入伙",
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
    ("building", "楼栋"),
    ("room", "房间"),
    ("customer", "客户"),
    ("rename_order", "客户更名单"),
    ("occupancy", "入住关系"),
    ("handover", "入伙登记"),
    ("work_order", "工单"),
    ("return_visit", "回访记录"),
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

/// Chinese names of the fields that appear in before/after records, so the
/// operation log reads like the forms; unknown keys are shown as they are.
const FIELD_LABELS: &[(&str, &str)] = &[
    ("id", "编号"),
    ("name", "名称"),
    ("code", "编码"),
    ("kind", "类型"),
    ("parent_id", "上级组织"),
    ("path", "组织路径"),
    ("company_id", "所属公司"),
    ("org_unit_id", "所属组织"),
    ("org_unit_name", "所属组织名称"),
    ("sort_order", "排序"),
    ("enabled", "启用"),
    ("version", "版本"),
    ("created_at", "创建时间"),
    ("updated_at", "更新时间"),
    ("username", "登录名"),
    ("display_name", "姓名"),
    ("phone", "手机"),
    ("superuser", "超级管理员"),
    ("all_projects", "全部项目"),
    ("project_ids", "指定项目"),
    ("role_ids", "角色"),
    ("role_names", "角色名称"),
    ("must_change_password", "须修改密码"),
    ("locked_until", "锁定至"),
    ("last_login_at", "最近登录"),
    ("description", "说明"),
    ("permissions", "权限点"),
    ("user_count", "用户数"),
    ("address", "地址"),
    ("dict_type", "资料类别"),
    ("label", "名称"),
    ("prefix", "前缀"),
    ("reset", "重置周期"),
    ("width", "流水号位数"),
    ("doc_type", "单据"),
    ("work_days", "工作日"),
    ("work_start", "上班时间"),
    ("work_end", "下班时间"),
    ("lunch_start", "午休开始"),
    ("lunch_end", "午休结束"),
    ("day", "日期"),
    ("project_id", "项目"),
    ("building_id", "楼栋"),
    ("building_unit_id", "单元"),
    ("floor", "楼层"),
    ("no", "房号"),
    ("building_area", "建筑面积（0.01㎡）"),
    ("inner_area", "套内面积（0.01㎡）"),
    ("room_type", "房间类型"),
    ("delivery_date", "交付日期"),
    ("remarks", "备注"),
    ("floors_above", "地上层数"),
    ("floors_below", "地下层数"),
    ("total_area", "总建筑面积（0.01㎡）"),
    ("households", "总户数"),
    ("developer", "开发商"),
    ("title", "标题"),
    ("body", "正文"),
    ("status", "状态"),
    ("status_label", "状态名称"),
    ("publish_from", "开始时间"),
    ("publish_to", "结束时间"),
    ("target_unit_ids", "发布范围"),
    ("target_names", "发布范围名称"),
];

pub fn field_label(key: &str) -> &str {
    FIELD_LABELS.iter().find(|(k, _)| *k == key).map_or(key, |(_, l)| l)
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
        assert_eq!(field_label("display_name"), "姓名");
        assert_eq!(field_label("unknown_key"), "unknown_key");
    }
}
