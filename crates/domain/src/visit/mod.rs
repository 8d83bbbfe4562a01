//! Return visits (SVC-5, VIS-1, VIS-3): the answers a visit records and the
//! one rule about what may follow a visit. The database stores the codes.

/// Kind of a visit: after an accepted work order, or a standalone care call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitKind {
    Order,
    Care,
}

impl VisitKind {
    pub const ALL: [VisitKind; 2] = [Self::Order, Self::Care];

    pub fn code(self) -> &'static str {
        match self {
            Self::Order => "order",
            Self::Care => "care",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Order => "工单回访",
            Self::Care => "关怀回访",
        }
    }
}

/// How satisfied the customer is, from 非常满意 to 非常不满意.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Satisfaction {
    VerySatisfied,
    Satisfied,
    Neutral,
    Dissatisfied,
    VeryDissatisfied,
}

impl Satisfaction {
    pub const ALL: [Satisfaction; 5] = [Self::VerySatisfied, Self::Satisfied, Self::Neutral, Self::Dissatisfied, Self::VeryDissatisfied];

    pub fn code(self) -> &'static str {
        match self {
            Self::VerySatisfied => "very_satisfied",
            Self::Satisfied => "satisfied",
            Self::Neutral => "neutral",
            Self::Dissatisfied => "dissatisfied",
            Self::VeryDissatisfied => "very_dissatisfied",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::VerySatisfied => "非常满意",
            Self::Satisfied => "满意",
            Self::Neutral => "一般",
            Self::Dissatisfied => "不满意",
            Self::VeryDissatisfied => "非常不满意",
        }
    }

    /// Counted as satisfied by the satisfaction rate (SLA-3): the first two.
    pub fn is_satisfied(self) -> bool {
        matches!(self, Self::VerySatisfied | Self::Satisfied)
    }

    /// A dissatisfaction that must be followed up: the last two.
    pub fn is_dissatisfied(self) -> bool {
        matches!(self, Self::Dissatisfied | Self::VeryDissatisfied)
    }
}

/// The service staff's attitude as the customer judged it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attitude {
    Good,
    Fair,
    Poor,
}

impl Attitude {
    pub const ALL: [Attitude; 3] = [Self::Good, Self::Fair, Self::Poor];

    pub fn code(self) -> &'static str {
        match self {
            Self::Good => "good",
            Self::Fair => "fair",
            Self::Poor => "poor",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Good => "好",
            Self::Fair => "一般",
            Self::Poor => "差",
        }
    }
}

/// How the customer was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Phone,
    Onsite,
    Sms,
}

impl Method {
    pub const ALL: [Method; 3] = [Self::Phone, Self::Onsite, Self::Sms];

    pub fn code(self) -> &'static str {
        match self {
            Self::Phone => "phone",
            Self::Onsite => "onsite",
            Self::Sms => "sms",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Phone => "电话",
            Self::Onsite => "上门",
            Self::Sms => "短信",
        }
    }
}

/// What follows a dissatisfied visit (SVC-5: the user chooses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUp {
    None,
    Reopen,
    Complaint,
}

impl FollowUp {
    pub const ALL: [FollowUp; 3] = [Self::None, Self::Reopen, Self::Complaint];

    pub fn code(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Reopen => "reopen",
            Self::Complaint => "complaint",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::None => "无需跟进",
            Self::Reopen => "重新处理工单",
            Self::Complaint => "转投诉",
        }
    }

    /// The follow-ups a visit of `kind` can offer: reopening needs an order.
    pub fn offered(kind: VisitKind) -> Vec<FollowUp> {
        Self::ALL.into_iter().filter(|f| *f != Self::Reopen || kind == VisitKind::Order).collect()
    }
}

/// The follow-up a visit leads to, or why the choice is refused. `chosen` is
/// `None` when the visitor picked nothing.
///
/// - Only a dissatisfied customer is followed up; otherwise nothing, or an
///   explicit 无需跟进, is accepted.
/// - A dissatisfied visit must say what follows: the visitor chooses.
/// - Reopening needs a work order, so a care visit cannot reopen.
/// - A dissatisfied work-order visit either reopens the order or raises a
///   complaint (SVC-5); a care call may also just record the dissatisfaction.
pub fn follow_up_for(kind: VisitKind, satisfaction: Satisfaction, chosen: Option<FollowUp>) -> Result<FollowUp, &'static str> {
    match (satisfaction.is_dissatisfied(), chosen) {
        (false, None | Some(FollowUp::None)) => Ok(FollowUp::None),
        (false, Some(_)) => Err("客户未表示不满意，无需跟进，请选择“无需跟进”"),
        (true, None) => Err("客户不满意，请选择跟进方式"),
        (true, Some(FollowUp::Reopen)) if kind == VisitKind::Care => Err("关怀回访没有关联工单，不能重新处理工单"),
        (true, Some(FollowUp::None)) if kind == VisitKind::Order => Err("工单回访客户不满意，请选择重新处理工单或转投诉"),
        (true, Some(f)) => Ok(f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_labels_are_chinese() {
        for s in Satisfaction::ALL {
            assert_eq!(Satisfaction::from_code(s.code()), Some(s));
        }
        for a in Attitude::ALL {
            assert_eq!(Attitude::from_code(a.code()), Some(a));
        }
        for m in Method::ALL {
            assert_eq!(Method::from_code(m.code()), Some(m));
        }
        for f in FollowUp::ALL {
            assert_eq!(FollowUp::from_code(f.code()), Some(f));
        }
        for k in VisitKind::ALL {
            assert_eq!(VisitKind::from_code(k.code()), Some(k));
        }
        assert_eq!(Satisfaction::from_code("happy"), None);
        assert_eq!(Satisfaction::VeryDissatisfied.label(), "非常不满意");
        assert_eq!(Method::Onsite.label(), "上门");
        assert_eq!(FollowUp::Complaint.label(), "转投诉");
        assert_eq!(Attitude::Poor.label(), "差");
    }

    #[test]
    fn the_satisfaction_rate_counts_the_first_two() {
        let satisfied: Vec<_> = Satisfaction::ALL.into_iter().filter(|s| s.is_satisfied()).collect();
        assert_eq!(satisfied, [Satisfaction::VerySatisfied, Satisfaction::Satisfied]);
        let dissatisfied: Vec<_> = Satisfaction::ALL.into_iter().filter(|s| s.is_dissatisfied()).collect();
        assert_eq!(dissatisfied, [Satisfaction::Dissatisfied, Satisfaction::VeryDissatisfied]);
        assert!(!Satisfaction::Neutral.is_satisfied() && !Satisfaction::Neutral.is_dissatisfied(), "一般 is neither");
    }

    #[test]
    fn only_dissatisfaction_is_followed_up() {
        use FollowUp as F;
        for s in [Satisfaction::VerySatisfied, Satisfaction::Satisfied, Satisfaction::Neutral] {
            for kind in VisitKind::ALL {
                assert_eq!(follow_up_for(kind, s, None), Ok(F::None));
                assert_eq!(follow_up_for(kind, s, Some(F::None)), Ok(F::None));
                assert!(follow_up_for(kind, s, Some(F::Reopen)).is_err());
                assert!(follow_up_for(kind, s, Some(F::Complaint)).is_err());
            }
        }
    }

    #[test]
    fn a_dissatisfied_visit_chooses_what_follows() {
        use FollowUp as F;
        use VisitKind::{Care, Order};
        for s in [Satisfaction::Dissatisfied, Satisfaction::VeryDissatisfied] {
            assert_eq!(follow_up_for(Order, s, None), Err("客户不满意，请选择跟进方式"));
            assert_eq!(follow_up_for(Care, s, None), Err("客户不满意，请选择跟进方式"));
            assert_eq!(follow_up_for(Order, s, Some(F::Reopen)), Ok(F::Reopen));
            assert_eq!(follow_up_for(Order, s, Some(F::Complaint)), Ok(F::Complaint));
            assert!(follow_up_for(Order, s, Some(F::None)).is_err(), "an order visit reopens or complains");
            assert_eq!(follow_up_for(Care, s, Some(F::Complaint)), Ok(F::Complaint));
            assert_eq!(follow_up_for(Care, s, Some(F::None)), Ok(F::None), "a care call may only note it");
            assert_eq!(follow_up_for(Care, s, Some(F::Reopen)), Err("关怀回访没有关联工单，不能重新处理工单"));
        }
        assert_eq!(FollowUp::offered(Care), [F::None, F::Complaint]);
        assert_eq!(FollowUp::offered(Order), [F::None, F::Reopen, F::Complaint]);
    }
}
