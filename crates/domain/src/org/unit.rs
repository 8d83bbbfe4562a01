use serde::{Deserialize, Serialize};

/// Level of an org unit: 集团 → 区域 → 公司 → 管理处.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum OrgUnitKind {
    Group,
    Region,
    Company,
    Office,
}

impl OrgUnitKind {
    pub const ALL: [OrgUnitKind; 4] = [Self::Group, Self::Region, Self::Company, Self::Office];

    /// Stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::Group => "group",
            Self::Region => "region",
            Self::Company => "company",
            Self::Office => "office",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Group => "集团",
            Self::Region => "区域",
            Self::Company => "公司",
            Self::Office => "管理处",
        }
    }

    /// The tree is group → region → company → office; a region is optional, so
    /// a company may hang directly under the group. Only one group exists and
    /// it is the root.
    pub fn may_have_parent(self, parent: Option<OrgUnitKind>) -> Result<(), &'static str> {
        use OrgUnitKind::*;
        match (self, parent) {
            (Group, None) => Ok(()),
            (Group, Some(_)) => Err("集团只能是最上级"),
            (_, None) => Err("请选择上级组织"),
            (Region, Some(Group)) => Ok(()),
            (Region, Some(_)) => Err("区域只能建在集团下"),
            (Company, Some(Group | Region)) => Ok(()),
            (Company, Some(_)) => Err("公司只能建在集团或区域下"),
            (Office, Some(Company)) => Ok(()),
            (Office, Some(_)) => Err("管理处只能建在公司下"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::OrgUnitKind::*;
    use super::*;

    #[test]
    fn codes_round_trip() {
        for k in OrgUnitKind::ALL {
            assert_eq!(OrgUnitKind::from_code(k.code()), Some(k));
        }
        assert_eq!(OrgUnitKind::from_code("x"), None);
    }

    #[test]
    fn tree_shape() {
        assert!(Group.may_have_parent(None).is_ok());
        assert!(Group.may_have_parent(Some(Group)).is_err());
        assert!(Region.may_have_parent(Some(Group)).is_ok());
        assert!(Region.may_have_parent(Some(Company)).is_err());
        assert!(Company.may_have_parent(Some(Group)).is_ok());
        assert!(Company.may_have_parent(Some(Region)).is_ok());
        assert!(Company.may_have_parent(Some(Office)).is_err());
        assert!(Office.may_have_parent(Some(Company)).is_ok());
        assert!(Office.may_have_parent(Some(Region)).is_err());
        assert!(Office.may_have_parent(None).is_err());
    }
}
