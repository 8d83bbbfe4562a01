/// A kind of dictionary (辅助资料) with its Chinese default entries, seeded
/// for every new company and editable there afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DictionaryType {
    pub code: &'static str,
    pub label: &'static str,
    pub defaults: &'static [&'static str],
}

pub const DICTIONARIES: &[DictionaryType] = &[
    DictionaryType {
        code: "relation",
        label: "家庭成员关系",
        defaults: &["配偶", "子女", "父母", "兄弟姐妹", "祖父母/外祖父母", "孙子女/外孙子女", "其他亲属", "保姆", "朋友", "其他"],
    },
    DictionaryType {
        code: "service_category",
        label: "服务类别",
        defaults: &["水电", "门窗", "公共设施", "清洁", "绿化", "安防", "电梯", "管道疏通", "有偿家政", "其他"],
    },
    DictionaryType {
        code: "feedback_category", label: "客户反映类别", defaults: &["投诉", "咨询", "建议", "表扬", "报修"]
    },
    DictionaryType {
        code: "channel", label: "来源渠道", defaults: &["电话", "前台", "业主门户", "手机APP", "微信", "巡检", "内部"]
    },
    DictionaryType {
        code: "vehicle_type",
        label: "车辆类型",
        defaults: &["小型轿车", "SUV", "新能源汽车", "摩托车", "电动自行车", "货车"],
    },
    DictionaryType {
        code: "customer_tag",
        label: "客户标签",
        defaults: &["重点关注", "长期租户", "VIP", "业委会成员", "投诉敏感", "独居老人"],
    },
    DictionaryType {
        code: "customer_category", label: "客户类别", defaults: &["普通业主", "大客户", "开发商", "政府机构"]
    },
    DictionaryType {
        code: "moveout_reason", label: "迁出原因", defaults: &["房屋出售", "租约到期", "提前退租", "搬迁", "其他"]
    },
    DictionaryType {
        code: "repair_phrase",
        label: "报修常用语",
        defaults: &["水龙头漏水", "下水道堵塞", "灯具不亮", "门锁损坏", "窗户关不严", "墙面渗水", "电源跳闸", "马桶漏水"],
    },
    DictionaryType { code: "visit_method", label: "回访方式", defaults: &["电话", "上门", "短信", "微信"] },
    DictionaryType {
        code: "bank",
        label: "银行",
        defaults: &["中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "交通银行", "招商银行", "中国邮政储蓄银行"],
    },
];

impl DictionaryType {
    pub fn find(code: &str) -> Option<&'static DictionaryType> {
        DICTIONARIES.iter().find(|d| d.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionaries_named_by_spec_exist_with_defaults() {
        for code in ["relation", "service_category", "feedback_category", "channel", "vehicle_type", "customer_tag"] {
            let d = DictionaryType::find(code).expect(code);
            assert!(!d.defaults.is_empty());
        }
        assert!(DictionaryType::find("service_category").unwrap().defaults.contains(&"有偿家政"));
        assert!(DictionaryType::find("repair_phrase").unwrap().defaults.contains(&"水龙头漏水"));
    }

    #[test]
    fn each_dictionary_is_defined_once_without_repeated_defaults() {
        for (i, d) in DICTIONARIES.iter().enumerate() {
            assert!(DICTIONARIES[..i].iter().all(|e| e.code != d.code), "{} twice", d.code);
            for (j, label) in d.defaults.iter().enumerate() {
                assert!(!d.defaults[..j].contains(label), "{}: {label} twice", d.code);
            }
        }
    }
}
