//! Work-order rules (SVC-3, SLA-1, SLA-3): the state machine, the SLA clock on a
//! working calendar and the service measures. The work-order use cases and
//! pages build on these.

pub mod escalation;
pub mod measures;
pub mod photo;
mod sla;
mod state;
pub mod warranty;

pub use sla::{due_times, standing, Calendar, Pause, Targets, DEFAULT_COMPLETION_DAYS};
pub use state::{Action, WorkOrderState};
