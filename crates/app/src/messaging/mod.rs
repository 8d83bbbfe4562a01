//! Messaging: announcements to staff (SYS-8) and the in-app inbox of event
//! notifications (`inbox`, filled by the outbox worker); SMS and e-mail
//! channels join them in the messaging issue.

pub mod announcement;
pub mod inbox;
