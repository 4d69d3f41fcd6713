//! [`Secret`]: the API token, kept out of every `Debug`, log line and error.

use std::fmt;

/// An API token. `Debug` prints `Secret("***")`; there is deliberately no
/// `Display`, so a token cannot end up in a message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        Secret(token.into())
    }

    /// The token itself, for the `Authorization` header. Named loudly so
    /// that every use is easy to find in review.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// True for an empty token (a set but empty environment variable).
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"***\")")
    }
}

impl From<String> for Secret {
    fn from(token: String) -> Self {
        Secret(token)
    }
}

impl From<&str> for Secret {
    fn from(token: &str) -> Self {
        Secret(token.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let secret = Secret::new("sk-live-very-secret");
        let shown = format!("{secret:?} {secret:#?}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(shown.contains("***"));
        assert_eq!(secret.expose_secret(), "sk-live-very-secret");
    }
}
