//! Local simulator of the three vendor APIs (see the crate README).
