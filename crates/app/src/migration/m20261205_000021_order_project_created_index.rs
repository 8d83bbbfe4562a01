//! An index on the work order's project and creation time, for the service
//! measures of one project over a period (RPT-3's most common report, and
//! the order list filtered by project and reporting day). Without it the
//! report read every order the project ever had on `(project_id, state, id)`
//! — 5,000 at scale L for the 200 or so of a month — and the cost grew with
//! the project's history rather than with the period.

super::helpers::index_migration!("work_orders", &["project_id", "created_at"]);
