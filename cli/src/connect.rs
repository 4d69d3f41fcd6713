//! From names on the command line to a catalog entry and a `Connection`:
//! model and vendor look-up (with suggestions), the token from the vendor's
//! `token_env`, `--base-url`, and the poll schedule.

use std::collections::HashMap;
use std::path::Path;

use seedance::catalog::{self, ModelInfo};
use seedance_runtime::{Connection, Usd, VendorInfo};

use crate::cli::Global;
use crate::error::CliError;
use crate::schema::full_name;

/// Every vendor of the catalog, in catalog order, once each.
pub fn vendors() -> Vec<&'static VendorInfo> {
    let mut vendors: Vec<&'static VendorInfo> = Vec::new();
    for info in catalog::MODELS {
        if !vendors.iter().any(|v| v.id == info.vendor.id) {
            vendors.push(info.vendor);
        }
    }
    vendors
}

/// A model by `vendor/model`, module path or module name; or a catalog
/// model this process loaded (`crate::remote`), by `vendor/model`.
pub fn model(name: &str) -> Result<&'static ModelInfo, CliError> {
    let found = catalog::find(name).or_else(|| crate::catalog_models::find(name));
    found.ok_or_else(|| {
        let names: Vec<String> = catalog::MODELS.iter().map(full_name).collect();
        CliError::UnknownModel {
            name: name.to_owned(),
            suggestion: closest(name, &names),
        }
    })
}

/// `--assume-price` prices by the vendor's model id (what a `Pricer`
/// keys on), each model name checked against the catalog.
pub fn assumed_by_model_id(given: &[(String, Usd)]) -> Result<HashMap<String, Usd>, CliError> {
    let mut map = HashMap::new();
    for (name, usd) in given {
        map.insert(model(name)?.model.to_owned(), *usd);
    }
    Ok(map)
}

/// `vendor/model` split at the vendor id, when the first segment names a
/// vendor of this build (a model id for that vendor's catalog).
pub fn split_vendor(name: &str) -> Option<(&'static VendorInfo, &str)> {
    let (vendor, model) = name.split_once('/')?;
    let vendor = vendors().into_iter().find(|v| v.id == vendor)?;
    Some((vendor, model))
}

/// The vendor a resume command talks to: a vendor id or any of its models.
pub fn vendor(name: &str) -> Result<&'static VendorInfo, CliError> {
    let vendors = vendors();
    if let Some(vendor) = vendors.iter().find(|v| v.id == name) {
        return Ok(vendor);
    }
    if let Some(info) = catalog::find(name) {
        return Ok(info.vendor);
    }
    let mut names: Vec<String> = vendors.iter().map(|v| v.id.to_owned()).collect();
    names.extend(catalog::MODELS.iter().map(full_name));
    Err(CliError::UnknownTarget {
        name: name.to_owned(),
        vendors: vendors.iter().map(|v| v.id).collect::<Vec<_>>().join(", "),
        suggestion: closest(name, &names),
    })
}

/// The one name containing what was typed (a partial path), else the
/// closest by edit distance.
fn closest(name: &str, names: &[String]) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let mut containing = names
        .iter()
        .filter(|candidate| candidate.to_ascii_lowercase().contains(&lower));
    if let (Some(only), None) = (containing.next(), containing.next()) {
        return Some(only.clone());
    }
    crate::schema::suggest(name, names.iter().map(String::as_str)).map(str::to_owned)
}

/// A connection to the vendor (or `--base-url`) with the token from the
/// vendor's environment variable, `--poll-interval`,
/// `--requests-per-second` and `--allow-private-image-urls` applied.
pub fn remote(vendor: &VendorInfo, global: &Global) -> Result<Connection, CliError> {
    let token = std::env::var(vendor.token_env)
        .ok()
        .filter(|token| !token.trim().is_empty())
        .ok_or(CliError::MissingToken {
            var: vendor.token_env,
            vendor: vendor.name,
        })?;
    with_token(vendor, global, token)
}

/// The connection to `--base-url` or the vendor, with the global options.
fn with_token(vendor: &VendorInfo, global: &Global, token: String) -> Result<Connection, CliError> {
    let base_url = global.base_url.as_deref().unwrap_or(vendor.base_url);
    let mut builder = Connection::builder(vendor)
        .base_url(base_url)
        .token(token)
        .allow_private_image_addresses(global.allow_private_image_urls);
    if let Some(interval) = global.poll_interval {
        builder = builder.poll_interval(interval);
    }
    if let Some(rate) = global.requests_per_second {
        builder = builder.requests_per_second(rate);
    }
    Ok(builder.build()?)
}

/// For `--dry-run`: the vendor's connection with its token when set, else
/// with none (a dry run sends nothing that needs one; image URLs are public).
pub fn remote_or_anonymous(vendor: &VendorInfo, global: &Global) -> Result<Connection, CliError> {
    match remote(vendor, global) {
        Err(CliError::MissingToken { .. }) => with_token(vendor, global, "dry-run".to_owned()),
        other => other,
    }
}

/// The resume hint printed after `--no-wait`, a timeout or Ctrl-C: the
/// `wait` command with the same target (`--base-url` or `--sim`) and, when
/// the output was to be saved, the same file.
pub fn resume_command(target: &str, id: &str, global: &Global, out: Option<&Path>) -> String {
    let mut command = format!("seedance wait {target} {}", shell_word(id));
    if global.sim {
        command.push_str(" --sim");
    }
    if let Some(base_url) = &global.base_url {
        command.push_str(&format!(" --base-url {}", shell_word(base_url)));
    }
    if let Some(out) = out {
        command.push_str(&format!(
            " --out {}",
            shell_word(&out.display().to_string())
        ));
    }
    command
}

/// `text` as one shell word: as it is when plain, else single-quoted.
fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
    if plain {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_rate_flag_reaches_the_connection() {
        use clap::Parser;
        let vendor = <seedance::runcomfy::Vendor as seedance_runtime::Vendor>::INFO;
        let rate = |args: &[&str]| {
            let cli = crate::cli::Cli::try_parse_from(args).unwrap();
            with_token(&vendor, &cli.global, "token".to_owned())
                .unwrap()
                .request_rate()
        };
        assert_eq!(rate(&["seedance", "run", "m"]), 50.0);
        assert_eq!(
            rate(&["seedance", "run", "m", "--requests-per-second", "500"]),
            500.0
        );
        assert!(
            crate::cli::Cli::try_parse_from(["seedance", "run", "m", "--requests-per-second", "0"])
                .is_err()
        );
    }

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("video.mp4"), "video.mp4");
        assert_eq!(shell_word("my video.mp4"), "'my video.mp4'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
    }
}
