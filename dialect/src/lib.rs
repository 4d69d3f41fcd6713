//! The vocabulary of the vendors' schemas that both the code generator and
//! the runtime need: wire protocols, media formats and image rules. One home
//! for each, std only, so neither side keeps its own copy or a string table
//! linking the two. It also holds the workspace's one UTC date formatter
//! (std only too), which the tools and the simulator share.

mod format;
mod image_rule;
mod model_id;
mod protocol;
mod time;

pub use format::{Format, MediaKind};
pub use image_rule::{BYTES_PER_MB, ImageRuleKind};
pub use model_id::model_id_problem;
pub use protocol::Protocol;
pub use time::UtcTime;
