//! Property rules (PRP-1…3): room types and states, room-code patterns and
//! the plan of a batch room generation.

mod area;
mod batch;
mod room;

pub use area::Area;
pub use batch::{plan_rooms, BatchSpec, PlannedRoom, RoomCodePattern};
pub use room::{RoomStatus, RoomType};
