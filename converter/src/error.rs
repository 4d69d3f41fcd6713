//! Converter errors: every one names the schema file and the JSON pointer of the
//! node at fault, so a maintainer can go straight to it.

use std::fmt;
use std::path::PathBuf;

/// A schema that cannot become a model (codegen cannot turn it into code,
/// the catalog cannot check inputs against it).
#[derive(Debug)]
pub struct Error {
    /// The schema file, relative to the schemas root where possible.
    pub file: PathBuf,
    /// JSON pointer (RFC 6901) of the offending node; empty for the whole file.
    pub pointer: String,
    /// What is wrong (boxed: errors travel through every conversion step).
    pub problem: Box<Problem>,
}

/// What is wrong with a schema node.
#[derive(Debug)]
pub enum Problem {
    /// The file could not be read.
    Io(std::io::Error),
    /// The file is not JSON.
    MalformedJson {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's description.
        message: String,
    },
    /// A keyword outside the dialect.
    UnknownKeyword {
        /// The keyword.
        keyword: String,
        /// The keywords allowed here.
        known: String,
    },
    /// A `validation_rule` outside the dialect.
    UnknownRule {
        /// The rule.
        rule: String,
        /// The rules codegen understands.
        known: String,
    },
    /// A `type` that has no Rust mapping here.
    UnsupportedType(String),
    /// A keyword whose value has the wrong shape.
    WrongShape {
        /// What the dialect wants.
        expected: &'static str,
        /// What the file has.
        found: String,
    },
    /// A required key is absent.
    Missing(&'static str),
    /// Two schema names map to one Rust name.
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
    BadName {
        /// The schema name.
        name: String,
        /// Why not.
        why: &'static str,
    },
    /// A value that breaks a constraint of the dialect (e.g. a default outside the enum).
    Invalid(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}#{}: {}",
            self.file.display(),
            self.pointer,
            self.problem
        )
    }
}

impl std::error::Error for Error {}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Io(e) => write!(f, "cannot read file: {e}"),
            Problem::MalformedJson {
                line,
                column,
                message,
            } => write!(
                f,
                "malformed JSON at line {line}, column {column}: {message}"
            ),
            Problem::UnknownKeyword { keyword, known } => {
                write!(
                    f,
                    "unknown keyword {keyword:?} (the dialect knows: {known})"
                )
            }
            Problem::UnknownRule { rule, known } => {
                write!(f, "unknown validation rule {rule:?} (known: {known})")
            }
            Problem::UnsupportedType(ty) => write!(f, "unsupported type {ty:?}"),
            Problem::WrongShape { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            Problem::Missing(key) => write!(f, "missing {key:?}"),
            Problem::NameCollision {
                first,
                first_pointer,
                second,
                rust,
            } => write!(
                f,
                "{second:?} and {first:?} (at {first_pointer}) both map to the Rust name `{rust}`"
            ),
            Problem::BadName { name, why } => {
                write!(f, "{name:?} cannot be a Rust identifier: {why}")
            }
            Problem::Invalid(text) => f.write_str(text),
        }
    }
}

impl std::error::Error for Problem {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Problem::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Problem {
    fn from(e: std::io::Error) -> Self {
        Problem::Io(e)
    }
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
