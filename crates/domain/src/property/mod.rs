//! Property rules (PRP-1…3): room types and states, room-code patterns and
//! the plan of a batch room generation.

mod batch;
mod room;

pub use batch::{plan_rooms, BatchSpec, PlannedRoom, RoomCodePattern};
pub use room::{RoomStatus, RoomType};
