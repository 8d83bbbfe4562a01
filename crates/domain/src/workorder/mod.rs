//! Work-order rules (SVC-3, SLA-1): the state machine and the SLA clock on a
//! working calendar. The work-order use cases and pages build on these.

mod sla;
mod state;

pub use sla::{default_targets, Calendar, Pause};
pub use state::{Action, WorkOrderState};
