//! An index on the work order's project and next due time, for the open
//! orders past due of one project or of an office's projects (the service
//! measures and the workbench's month card add them to the kept tallies).
//! With only `(next_due)` and `(project_id, created_at)` to choose from, a
//! query narrowed to projects read every order those projects ever had —
//! 5,000 per project at scale L for the two or three past due.

super::helpers::index_migration!("work_orders", &["project_id", "next_due"]);
