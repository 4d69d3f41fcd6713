//! Codegen errors: every one names the schema file and the JSON pointer of the
//! node at fault, so a maintainer can go straight to it.

use std::fmt;
use std::path::PathBuf;

/// A schema codegen cannot turn into code.
#[derive(Debug, thiserror::Error)]
#[error("{}#{pointer}: {problem}", file.display())]
pub struct Error {
    /// The schema file, relative to the schemas root where possible.
    pub file: PathBuf,
    /// JSON pointer (RFC 6901) of the offending node; empty for the whole file.
    pub pointer: String,
    /// What is wrong (boxed: errors travel through every conversion step).
    pub problem: Box<Problem>,
}

/// What is wrong with a schema node.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    /// The file could not be read.
    #[error("cannot read file: {0}")]
    Io(#[from] std::io::Error),
    /// The file is not JSON.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    MalformedJson {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's description.
        message: String,
    },
    /// A keyword outside the dialect.
    #[error("unknown keyword {keyword:?} (the dialect knows: {known})")]
    UnknownKeyword {
        /// The keyword.
        keyword: String,
        /// The keywords allowed here.
        known: String,
    },
    /// A `validation_rule` outside the dialect.
    #[error("unknown validation rule {rule:?} (known: {known})")]
    UnknownRule {
        /// The rule.
        rule: String,
        /// The rules codegen understands.
        known: String,
    },
    /// A `type` that has no Rust mapping here.
    #[error("unsupported type {0:?}")]
    UnsupportedType(String),
    /// A keyword whose value has the wrong shape.
    #[error("expected {expected}, found {found}")]
    WrongShape {
        /// What the dialect wants.
        expected: &'static str,
        /// What the file has.
        found: String,
    },
    /// A required key is absent.
    #[error("missing {0:?}")]
    Missing(&'static str),
    /// Two schema names map to one Rust name.
    #[error("{second:?} and {first:?} (at {first_pointer}) both map to the Rust name `{rust}`")]
    NameCollision {
        /// The first schema name.
        first: String,
        /// Where the first name is (JSON pointer, or the file for modules).
        first_pointer: String,
        /// The second schema name.
        second: String,
        /// The shared Rust name.
        rust: String,
    },
    /// A name that cannot become a Rust identifier.
    #[error("{name:?} cannot be a Rust identifier: {why}")]
    BadName {
        /// The schema name.
        name: String,
        /// Why not.
        why: &'static str,
    },
    /// A value that breaks a constraint of the dialect (e.g. a default outside the enum).
    #[error("{0}")]
    Invalid(String),
}

/// A vendor mistake that does not change the wire: regen reports it with its
/// file and pointer, leaves the offending value out, and goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The schema file.
    pub file: PathBuf,
    /// JSON pointer (RFC 6901) of the offending node.
    pub pointer: String,
    /// What is wrong and what codegen did instead.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}#{}: {}",
            self.file.display(),
            self.pointer,
            self.message
        )
    }
}

/// A location in a schema file, carried while converting so errors can name it.
#[derive(Debug, Clone)]
pub struct Location {
    /// The schema file.
    pub file: PathBuf,
    /// JSON pointer of the current node.
    pub pointer: String,
}

impl Location {
    /// The root of `file`.
    pub fn root(file: impl Into<PathBuf>) -> Self {
        Location {
            file: file.into(),
            pointer: String::new(),
        }
    }

    /// The child node at `key` (escaped per RFC 6901).
    pub fn child(&self, key: impl fmt::Display) -> Self {
        let key = key.to_string().replace('~', "~0").replace('/', "~1");
        Location {
            file: self.file.clone(),
            pointer: format!("{}/{key}", self.pointer),
        }
    }

    /// A warning at this location.
    pub fn warning(&self, message: impl Into<String>) -> Warning {
        Warning {
            file: self.file.clone(),
            pointer: self.pointer.clone(),
            message: message.into(),
        }
    }

    /// An error at this location.
    pub fn error(&self, problem: Problem) -> Error {
        Error {
            file: self.file.clone(),
            pointer: self.pointer.clone(),
            problem: Box::new(problem),
        }
    }
}
