//! The permission catalogue (SYS-3): a point per module and action, covering
//! every module of the specification — also the ones built later — so roles
//! defined today need no redoing when a module lands.

/// A module of the product as roles see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PermissionModule {
    pub code: &'static str,
    pub label: &'static str,
}

/// One permission point, e.g. `customer.edit` — 客户资料 · 编辑.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permission {
    pub code: &'static str,
    pub module: &'static str,
    pub label: &'static str,
}

macro_rules! catalogue {
    ($( $module:literal, $mlabel:literal => [ $( $action:literal : $alabel:literal ),* $(,)? ] );* $(;)?) => {
        pub const MODULES: &[PermissionModule] = &[
            $( PermissionModule { code: $module, label: $mlabel } ),*
        ];
        pub const PERMISSIONS: &[Permission] = &[
            $( $( Permission { code: concat!($module, ".", $action), module: $module, label: $alabel } ),* ),*
        ];
    };
}

catalogue! {
    "org", "组织架构" => ["view": "查看", "create": "新增", "edit": "编辑", "delete": "删除", "export": "导出"];
    "user", "用户" => ["view": "查看", "create": "新增", "edit": "编辑", "reset_password": "重置密码", "export": "导出"];
    "role", "角色权限" => ["view": "查看", "create": "新增", "edit": "编辑", "export": "导出"];
    "audit", "审计日志" => ["view": "查看", "export": "导出"];
    "settings", "辅助资料与参数" => ["view": "查看", "configure": "配置", "export": "导出"];
    "announcement", "公告" => ["view": "查看", "create": "新增", "edit": "编辑", "publish": "发布", "export": "导出"];
    "api_token", "接口令牌" => ["manage": "管理本人令牌"];
    "property", "房产资料" => ["view": "查看", "create": "新增", "edit": "编辑", "import": "导入", "export": "导出"];
    "customer", "客户资料" => ["view": "查看", "create": "新增", "edit": "编辑", "disable": "禁用/启用", "import": "导入", "export": "导出"];
    "rename", "客户更名" => ["create": "申请", "approve": "审批"];
    "occupancy", "入伙与迁入迁出" => ["view": "查看", "create": "登记", "void": "作废", "export": "导出"];
    "workorder", "服务派工" => ["view": "查看", "create": "新增", "edit": "编辑", "dispatch": "派工", "handle": "处理", "void": "作废", "export": "导出", "configure": "配置"];
    "complaint", "客户信息与投诉" => ["view": "查看", "create": "登记", "edit": "编辑", "assign": "分解分配", "void": "作废", "approve": "赔付审批", "export": "导出", "configure": "配置"];
    "visit", "回访与问卷" => ["view": "查看", "create": "回访登记", "edit": "编辑", "export": "导出", "configure": "问卷配置"];
    "billing", "收费" => ["view": "查看", "configure": "收费标准", "bill_run": "生成应收", "collect": "收款", "void": "作废", "refund": "退款审批", "export": "导出"];
    "messaging", "短信平台" => ["view": "查看", "send": "发送", "configure": "模板配置", "export": "导出"];
    "delivery", "交付验房" => ["view": "查看", "create": "新增", "edit": "编辑", "export": "导出"];
    "renovation", "装修与出入证" => ["view": "查看", "create": "新增", "approve": "审批", "edit": "编辑", "export": "导出"];
    "report", "工作台与报表" => ["view": "查看", "export": "导出"];
    "cti", "语音服务" => ["view": "查看", "handle": "接听处理"];
    "sales", "售楼" => ["view": "查看", "create": "新增", "edit": "编辑"];
    "club", "客户会" => ["view": "查看", "create": "新增", "edit": "编辑"];
}

pub fn module_label(code: &str) -> &'static str {
    MODULES.iter().find(|m| m.code == code).map(|m| m.label).unwrap_or("")
}

impl Permission {
    pub fn find(code: &str) -> Option<&'static Permission> {
        PERMISSIONS.iter().find(|p| p.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_belong_to_a_module() {
        let mut seen = HashSet::new();
        for p in PERMISSIONS {
            assert!(seen.insert(p.code), "duplicate {}", p.code);
            assert!(MODULES.iter().any(|m| m.code == p.module));
            assert!(p.code.starts_with(p.module));
        }
    }

    #[test]
    fn every_spec_module_is_covered() {
        for m in [
            "org",
            "user",
            "role",
            "audit",
            "settings",
            "announcement",
            "property",
            "customer",
            "occupancy",
            "workorder",
            "complaint",
            "visit",
            "billing",
            "messaging",
            "delivery",
            "renovation",
            "report",
            "cti",
        ] {
            assert!(PERMISSIONS.iter().any(|p| p.module == m), "module {m} has no permission");
        }
        assert_eq!(Permission::find("customer.view").unwrap().label, "查看");
        assert_eq!(module_label("billing"), "收费");
    }
}
