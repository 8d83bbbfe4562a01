/// The life of a work order (SVC-3): 待派工 → 已派工 → (已接单) → 处理中 → 已完工 →
/// 已验收 (or 验收未通过 back to 处理中) → 已回访 → 已关闭; 作废 from any state before
/// completion; 待客户确认 pauses the SLA clock while the customer is awaited.
/// 接单 is the engineer's acknowledgement (the response of SLA-1); 开始处理 is
/// arrival on site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkOrderState {
    PendingDispatch,
    Dispatched,
    Taken,
    InProgress,
    WaitingCustomer,
    Completed,
    Accepted,
    Visited,
    Closed,
    Voided,
}

/// What a user does to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Dispatch,
    Reassign,
    Take,
    Start,
    WaitCustomer,
    Resume,
    Complete,
    CustomerAccept,
    CustomerReject,
    ReturnVisit,
    Reopen,
    Close,
    Void,
}

impl Action {
    pub const ALL: [Action; 13] = [
        Self::Dispatch,
        Self::Reassign,
        Self::Take,
        Self::Start,
        Self::WaitCustomer,
        Self::Resume,
        Self::Complete,
        Self::CustomerAccept,
        Self::CustomerReject,
        Self::ReturnVisit,
        Self::Reopen,
        Self::Close,
        Self::Void,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Dispatch => "dispatch",
            Self::Reassign => "reassign",
            Self::Take => "take",
            Self::Start => "start",
            Self::WaitCustomer => "wait_customer",
            Self::Resume => "resume",
            Self::Complete => "complete",
            Self::CustomerAccept => "customer_accept",
            Self::CustomerReject => "customer_reject",
            Self::ReturnVisit => "return_visit",
            Self::Reopen => "reopen",
            Self::Close => "close",
            Self::Void => "void",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Dispatch => "派工",
            Self::Reassign => "改派",
            Self::Take => "接单",
            Self::Start => "到场处理",
            Self::WaitCustomer => "待客户确认",
            Self::Resume => "恢复处理",
            Self::Complete => "完工",
            Self::CustomerAccept => "客户验收",
            Self::CustomerReject => "验收未通过",
            Self::ReturnVisit => "回访",
            Self::Reopen => "重新处理",
            Self::Close => "关闭",
            Self::Void => "作废",
        }
    }

    /// The permission point that allows the action.
    pub fn permission(self) -> &'static str {
        match self {
            Self::Dispatch | Self::Reassign => "workorder.dispatch",
            Self::Take | Self::Start | Self::WaitCustomer | Self::Resume | Self::Complete => "workorder.handle",
            Self::CustomerAccept | Self::CustomerReject | Self::Reopen | Self::Close => "workorder.edit",
            // Recorded by whoever makes return visits, through the visit form.
            Self::ReturnVisit => "visit.create",
            Self::Void => "workorder.void",
        }
    }

    /// Actions that need a person to hand the order to.
    pub fn needs_assignee(self) -> bool {
        matches!(self, Self::Dispatch | Self::Reassign)
    }
}

impl WorkOrderState {
    /// The actions allowed in this state, for the record page's buttons.
    pub fn actions(self) -> Vec<Action> {
        Action::ALL.into_iter().filter(|a| self.transition(*a).is_ok()).collect()
    }

    pub const ALL: [WorkOrderState; 10] = [
        Self::PendingDispatch,
        Self::Dispatched,
        Self::Taken,
        Self::InProgress,
        Self::WaitingCustomer,
        Self::Completed,
        Self::Accepted,
        Self::Visited,
        Self::Closed,
        Self::Voided,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::PendingDispatch => "pending_dispatch",
            Self::Dispatched => "dispatched",
            Self::Taken => "taken",
            Self::InProgress => "in_progress",
            Self::WaitingCustomer => "waiting_customer",
            Self::Completed => "completed",
            Self::Accepted => "accepted",
            Self::Visited => "visited",
            Self::Closed => "closed",
            Self::Voided => "voided",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::PendingDispatch => "待派工",
            Self::Dispatched => "已派工",
            Self::Taken => "已接单",
            Self::InProgress => "处理中",
            Self::WaitingCustomer => "待客户确认",
            Self::Completed => "已完工",
            Self::Accepted => "已验收",
            Self::Visited => "已回访",
            Self::Closed => "已关闭",
            Self::Voided => "已作废",
        }
    }

    /// Whether the SLA clock runs in this state.
    pub fn clock_runs(self) -> bool {
        matches!(self, Self::PendingDispatch | Self::Dispatched | Self::Taken | Self::InProgress)
    }

    /// Still in hand: not yet completed, closed or voided.
    pub fn is_open(self) -> bool {
        matches!(self, Self::PendingDispatch | Self::Dispatched | Self::Taken | Self::InProgress | Self::WaitingCustomer)
    }

    /// The one transition function: the next state, or why not.
    pub fn transition(self, action: Action) -> Result<Self, &'static str> {
        use Action::*;
        use WorkOrderState::*;
        match (self, action) {
            (PendingDispatch, Dispatch) => Ok(Dispatched),
            // A new assignee must acknowledge the order again.
            (Dispatched | Taken, Reassign) => Ok(Dispatched),
            (InProgress | WaitingCustomer, Reassign) => Ok(self),
            (Dispatched, Take) => Ok(Taken),
            (Dispatched | Taken, Start) => Ok(InProgress),
            // Waiting on the customer (a confirmation, a part they buy) once on site;
            // before that the appointment time says when to come.
            (InProgress, WaitCustomer) => Ok(WaitingCustomer),
            (WaitingCustomer, Resume) => Ok(InProgress),
            (InProgress, Complete) => Ok(Completed),
            (Completed, CustomerAccept) => Ok(Accepted),
            (Completed, CustomerReject) => Ok(InProgress),
            (Accepted, ReturnVisit) => Ok(Visited),
            (Visited, Reopen) => Ok(InProgress),
            (Visited, Close) => Ok(Closed),
            (PendingDispatch | Dispatched | Taken | InProgress | WaitingCustomer, Void) => Ok(Voided),
            (Completed | Accepted | Visited | Closed, Void) => Err("已完工的工单不能作废"),
            (Closed | Voided, _) => Err("工单已结束，不能再操作"),
            (PendingDispatch, _) => Err("请先派工"),
            (_, Dispatch) => Err("工单已派工，如需更换处理人请用“改派”"),
            _ => Err("当前状态下不能执行此操作"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Action::*;
    use super::WorkOrderState::*;
    use super::*;

    const ACTIONS: [Action; 13] =
        [Dispatch, Reassign, Take, Start, WaitCustomer, Resume, Complete, CustomerAccept, CustomerReject, ReturnVisit, Reopen, Close, Void];

    #[test]
    fn the_whole_life() {
        let mut s = PendingDispatch;
        for (a, next) in [
            (Dispatch, Dispatched),
            (Take, Taken),
            (Start, InProgress),
            (WaitCustomer, WaitingCustomer),
            (Resume, InProgress),
            (Complete, Completed),
            (CustomerReject, InProgress),
            (Complete, Completed),
            (CustomerAccept, Accepted),
            (ReturnVisit, Visited),
            (Close, Closed),
        ] {
            s = s.transition(a).unwrap();
            assert_eq!(s, next);
        }
    }

    #[test]
    fn legal_moves_are_exactly_these() {
        let legal: Vec<(WorkOrderState, Action)> = vec![
            (PendingDispatch, Dispatch),
            (PendingDispatch, Void),
            (Dispatched, Reassign),
            (Dispatched, Take),
            (Dispatched, Start),
            (Dispatched, Void),
            (Taken, Reassign),
            (Taken, Start),
            (Taken, Void),
            (InProgress, Reassign),
            (InProgress, WaitCustomer),
            (InProgress, Complete),
            (InProgress, Void),
            (WaitingCustomer, Reassign),
            (WaitingCustomer, Resume),
            (WaitingCustomer, Void),
            (Completed, CustomerAccept),
            (Completed, CustomerReject),
            (Accepted, ReturnVisit),
            (Visited, Reopen),
            (Visited, Close),
        ];
        for s in WorkOrderState::ALL {
            for a in ACTIONS {
                assert_eq!(s.transition(a).is_ok(), legal.contains(&(s, a)), "{s:?} {a:?}");
            }
        }
    }

    #[test]
    fn refusals_say_why() {
        assert_eq!(Completed.transition(Void), Err("已完工的工单不能作废"));
        assert_eq!(Closed.transition(Reopen), Err("工单已结束，不能再操作"));
        assert_eq!(PendingDispatch.transition(Start), Err("请先派工"));
        assert!(!WaitingCustomer.clock_runs() && InProgress.clock_runs());
        for s in WorkOrderState::ALL {
            assert_eq!(WorkOrderState::from_code(s.code()), Some(s));
        }
        for a in Action::ALL {
            assert_eq!(Action::from_code(a.code()), Some(a));
        }
        assert_eq!(Completed.actions(), vec![CustomerAccept, CustomerReject]);
        assert_eq!(Taken.transition(Reassign), Ok(Dispatched), "a new assignee acknowledges again");
        assert_eq!(InProgress.transition(Reassign), Ok(InProgress));
        assert!(Taken.clock_runs() && Taken.is_open() && !Completed.is_open());
    }
}
