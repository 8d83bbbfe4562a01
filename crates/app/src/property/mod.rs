//! Property records (PRP-1…3): projects, buildings, units (stairwells) and
//! rooms, with batch room generation.

pub mod building;
pub mod import;
pub mod project;
pub mod room;
pub mod tally;
