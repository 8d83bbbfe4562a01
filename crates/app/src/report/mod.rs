//! Reports (RPT-3) and the figures of the workbench (RPT-1).

pub mod measures;
