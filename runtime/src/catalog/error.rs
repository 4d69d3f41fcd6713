//! Why a catalog model could not be loaded. Nothing is ever sent for a
//! model that did not load.

/// Why [`Catalog::load`](super::Catalog::load) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The model id cannot be a URL path (`../`, `%2e`, `?`, ...).
    #[error("model id `{model}` is refused: {problem}")]
    BadModelId {
        /// The id as given.
        model: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The catalog could not be reached (or answered an error) and nothing
    /// is cached.
    #[error("{vendor}'s catalog could not be read at {url}: {cause} (and no copy is cached)")]
    Unreachable {
        /// The vendor.
        vendor: &'static str,
        /// What was asked.
        url: String,
        /// What went wrong.
        cause: String,
    },
    /// The catalog answered, and has no such model.
    #[error("{vendor}'s catalog at {url} does not list `{model}`")]
    NotListed {
        /// The vendor.
        vendor: &'static str,
        /// The model id looked for.
        model: String,
        /// Where it was looked for.
        url: String,
    },
    /// The catalog's answer is not what the vendor publishes.
    #[error("{vendor}'s catalog answer at {url} is refused: {problem}")]
    Malformed {
        /// The vendor.
        vendor: &'static str,
        /// What was read.
        url: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The schema is there, and the converter refuses it (the error names
    /// the JSON pointer).
    #[error("the schema of {model} is refused: {source}")]
    Schema {
        /// `vendor/model`.
        model: String,
        /// The converter's error, with the file and JSON pointer.
        source: seedance_converter::Error,
    },
}
