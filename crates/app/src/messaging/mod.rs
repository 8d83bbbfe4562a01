//! Messaging. This foundation holds announcements to staff (SYS-8); SMS,
//! e-mail and event notifications join them in the messaging issue.

pub mod announcement;
