//! An index on the work order's state (ending in the id, the lists' sort
//! key) for the group-wide counts and lists of one state: the workbench's
//! orders waiting for dispatch and for a return visit, the visit queue, the
//! queue filtered by state for every project. `(project_id, state, id)`
//! serves them only project by project; without it PostgreSQL counted the
//! 8,000 orders waiting for dispatch by reading the whole table (35–57 ms,
//! three times per workbench at scale L), SQLite by skipping through 200
//! projects (7 ms). `(state, complete_due)`, which had served them, made
//! way for `next_due` in migration 16.

super::helpers::index_migration!("work_orders", &["state", "id"]);
