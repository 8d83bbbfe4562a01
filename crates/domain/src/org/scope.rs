use std::collections::BTreeSet;

/// What a caller may see (SYS-4): the org units of their company subtree and
/// the projects in scope. Every read of scoped data filters by it; a record
/// outside answers "not found".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Superusers see everything.
    pub superuser: bool,
    /// Org units visible to the caller (their company's subtree, or the
    /// subtree of their own unit when that sits above company level).
    pub units: BTreeSet<i32>,
    /// Companies among the visible units (dictionaries, numbering rules and
    /// calendars are kept per company).
    pub companies: BTreeSet<i32>,
    /// Projects the caller may touch.
    pub projects: BTreeSet<i32>,
    /// Management offices of those projects: customers belong to an office
    /// and are visible to whoever works on one of its projects.
    pub offices: BTreeSet<i32>,
}

impl Scope {
    pub fn sees_unit(&self, unit_id: i32) -> bool {
        self.superuser || self.units.contains(&unit_id)
    }

    pub fn sees_company(&self, company_id: i32) -> bool {
        self.superuser || self.companies.contains(&company_id)
    }

    pub fn sees_project(&self, project_id: i32) -> bool {
        self.superuser || self.projects.contains(&project_id)
    }

    pub fn sees_office(&self, office_id: i32) -> bool {
        self.superuser || self.offices.contains(&office_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn superuser_sees_all_others_only_their_sets() {
        let s = Scope { superuser: false, units: [1, 2].into(), companies: [1].into(), projects: [10].into(), offices: [3].into() };
        assert!(s.sees_unit(2) && !s.sees_unit(3));
        assert!(s.sees_company(1) && !s.sees_company(2));
        assert!(s.sees_project(10) && !s.sees_project(11));
        let su = Scope { superuser: true, ..Default::default() };
        assert!(su.sees_unit(99) && su.sees_project(99) && su.sees_company(99));
    }
}
