//! Whether a video can be saved at a path, checked before anything is paid
//! for: `run --out` with [`Folders::MustExist`], each `batch` line with
//! [`Folders::Created`]. The checks and their messages are the runtime's
//! (`seedance_runtime::destination`), next to the download they protect.

pub use seedance_runtime::destination::{Folders, check, check_folder};
