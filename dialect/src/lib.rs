//! The vocabulary of the vendors' schemas that the code generator, the
//! runtime and the simulator's schema lint need: wire protocols, media
//! formats, image rules and UI hint keywords. One home for each, std only,
//! so no side keeps its own copy or a string table linking the two. It also
//! holds the workspace's one UTC date formatter (std only too), which the
//! tools and the simulator share.

mod format;
mod image_rule;
mod model_id;
mod protocol;
mod time;
mod ui_hint;

pub use format::{Format, MediaKind};
pub use image_rule::{BYTES_PER_MB, ImageRuleKind};
pub use model_id::model_id_problem;
pub use protocol::Protocol;
pub use time::UtcTime;
pub use ui_hint::{UI_HINTS, is_ui_hint};
