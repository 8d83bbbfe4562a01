//! An index on the visit's time and id, the order of the visit records
//! (newest first). The only index with the time led with the office
//! (`(office_id, visited_at)`), so the list of a whole group, or of several
//! offices, sorted every visit they had for each page: 56 ms for the 907,851
//! visits of scale L.

super::helpers::index_migration!("return_visits", &["visited_at", "id"]);
