//! Work-order rules (SVC-3, SLA-1): the state machine and the SLA clock on a
//! working calendar. The work-order use cases and pages build on these.

pub mod escalation;
mod sla;
mod state;
pub mod warranty;

pub use sla::{due_times, standing, Calendar, Pause, Targets, DEFAULT_COMPLETION_DAYS};
pub use state::{Action, WorkOrderState};
