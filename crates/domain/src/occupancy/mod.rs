//! Occupancy rules (OCC-3…5): who holds a room in which role, who is billed.

use chrono::NaiveDate;

/// The role in which a customer holds a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OccupantRole {
    Owner,
    Tenant,
    Resident,
}

impl OccupantRole {
    pub const ALL: [OccupantRole; 3] = [Self::Owner, Self::Tenant, Self::Resident];

    pub fn code(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Tenant => "tenant",
            Self::Resident => "resident",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Owner => "业主",
            Self::Tenant => "租户",
            Self::Resident => "住户",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn from_label(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.label() == label)
    }
}

/// A current holder of a room: customer and role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holder<Id> {
    pub customer: Id,
    pub role: OccupantRole,
}

/// The billing party of a room (OCC-5, 收费对象): its resident, else its
/// tenant, else its owner, else none (a vacant room gets no bills).
pub fn billing_party<Id: Copy>(holders: &[Holder<Id>]) -> Option<Holder<Id>> {
    [OccupantRole::Resident, OccupantRole::Tenant, OccupantRole::Owner]
        .into_iter()
        .find_map(|role| holders.iter().find(|h| h.role == role).copied())
}

/// Which current holders a move-in ends (OCC-3): moving in as owner replaces
/// the owner, as tenant the tenant, as resident the resident. A handover
/// (OCC-1) by default ends every earlier occupant.
pub fn replaced_by<Id: Copy + PartialEq>(holders: &[Holder<Id>], incoming: Holder<Id>, handover: bool) -> Vec<Holder<Id>> {
    holders.iter().filter(|h| handover || h.role == incoming.role).filter(|h| **h != incoming).copied().collect()
}

/// Checks the dates of a move-in: tenants need a lease whose end follows its
/// start; the move-in date may not be in the future beyond `today`.
pub fn check_move_in(
    role: OccupantRole,
    date: NaiveDate,
    lease: Option<(NaiveDate, NaiveDate)>,
    today: NaiveDate,
) -> Result<(), (&'static str, &'static str)> {
    if date > today {
        return Err(("date", "迁入日期不能晚于今天"));
    }
    match (role, lease) {
        (OccupantRole::Tenant, None) => Err(("lease_end", "租户须填写租期起止日期")),
        (_, Some((start, end))) if end <= start => Err(("lease_end", "租期结束日期须晚于开始日期")),
        _ => Ok(()),
    }
}

/// Tenants whose lease ends within `days` of `today` (OCC-7), soonest first.
pub fn leases_ending<Id: Copy>(leases: &[(Id, NaiveDate)], today: NaiveDate, days: i64) -> Vec<(Id, NaiveDate)> {
    let horizon = today + chrono::Duration::days(days);
    let mut due: Vec<(Id, NaiveDate)> = leases.iter().filter(|(_, end)| *end >= today && *end <= horizon).copied().collect();
    due.sort_by_key(|(_, end)| *end);
    due
}

#[cfg(test)]
mod tests {
    use super::OccupantRole::*;
    use super::*;

    fn h(customer: i32, role: OccupantRole) -> Holder<i32> {
        Holder { customer, role }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn billing_party_prefers_resident_then_tenant_then_owner() {
        assert_eq!(billing_party::<i32>(&[]), None);
        assert_eq!(billing_party(&[h(1, Owner)]), Some(h(1, Owner)));
        assert_eq!(billing_party(&[h(1, Owner), h(2, Tenant)]), Some(h(2, Tenant)));
        assert_eq!(billing_party(&[h(1, Owner), h(2, Tenant), h(3, Resident)]), Some(h(3, Resident)));
        assert_eq!(billing_party(&[h(3, Resident), h(1, Owner)]), Some(h(3, Resident)));
    }

    #[test]
    fn move_in_replaces_the_same_role_only() {
        let now = [h(1, Owner), h(2, Tenant), h(3, Resident)];
        assert_eq!(replaced_by(&now, h(4, Tenant), false), vec![h(2, Tenant)]);
        assert_eq!(replaced_by(&now, h(5, Owner), false), vec![h(1, Owner)]);
        assert_eq!(replaced_by(&now, h(5, Owner), true), now.to_vec(), "a handover moves everybody out");
        assert_eq!(replaced_by(&now, h(2, Tenant), false), vec![], "re-entering the same role changes nothing");
    }

    #[test]
    fn move_in_dates() {
        let today = d(2026, 11, 22);
        assert!(check_move_in(Owner, today, None, today).is_ok());
        assert_eq!(check_move_in(Owner, d(2026, 12, 1), None, today).unwrap_err().0, "date");
        assert_eq!(check_move_in(Tenant, today, None, today).unwrap_err().0, "lease_end");
        assert_eq!(check_move_in(Tenant, today, Some((d(2026, 11, 1), d(2026, 10, 1))), today).unwrap_err().0, "lease_end");
        assert!(check_move_in(Tenant, today, Some((d(2026, 11, 1), d(2027, 10, 31))), today).is_ok());
    }

    #[test]
    fn lease_reminders() {
        let today = d(2026, 11, 22);
        let leases = [(1, d(2026, 12, 31)), (2, d(2026, 12, 1)), (3, d(2026, 11, 1)), (4, d(2027, 6, 1))];
        assert_eq!(leases_ending(&leases, today, 30), vec![(2, d(2026, 12, 1))]);
        assert_eq!(leases_ending(&leases, today, 40), vec![(2, d(2026, 12, 1)), (1, d(2026, 12, 31))]);
    }
}
