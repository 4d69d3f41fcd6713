//! `cargo xtask pull [--check]`: the current schemas from each vendor's
//! machine-readable source, written into `schemas/` as served, provenance in
//! each vendor's `lock.json`, then regen and the change report.
//!
//! - RunComfy: `GET {catalog_url with {model}}` (Bearer) answers the model with
//!   its `input_schema`, for every model in the lock file (and `--model`), and
//!   for every model its list endpoint (`GET {catalog_url without /{model}}
//!   ?search=`, paged) names under the manifest's `catalog_prefix`.
//! - WaveSpeed: `GET {catalog_url}` (Bearer) answers every model; those whose
//!   id starts with the manifest's `catalog_prefix` (or is locked) are taken:
//!   the `request_schema` of the `model_run` entry, else of the first.
//! - AI/ML API: each locked model's OpenAPI document, from its recorded URL;
//!   and every document of the docs folder's listing (`catalog_list_url`, a
//!   GitHub contents listing, no token) that no lock entry names, from
//!   `catalog_url` with `{file}`: one model per id its `model` enum names.
//!
//! Discovery (the list endpoint, the folder listing, WaveSpeed's prefix) runs
//! when no `--model` is given; what it finds that has no file yet is `new`, so
//! `pull --check` reports the models upstream that are not compiled in.
//!
//! A base-URL override replaces the origin of each URL and keeps its path, so
//! the simulator (which serves the same catalogs) stands in for the vendors.
//!
//! Every model id (from a catalog, the lock file or `--model`) and every file
//! a lock entry names must be a plain relative path ([`model_id::problem`]);
//! one that is not is reported in [`Report::invalid_ids`] and skipped:
//! nothing fetched, written or locked for it, the other models pulled all the
//! same, and `cargo xtask pull` exits non-zero at the end. Each answer is read
//! with a ceiling ([`body::CATALOG`], [`body::SCHEMA`]); one over it fails the
//! pull before anything is written, naming the URL and the limit.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use seedance_codegen::changes::{self, Change};
use seedance_codegen::load::{LOCK, MANIFEST};
use seedance_codegen::published::{self, RunComfyPage};

use crate::body::{self, Limit};
use crate::model_id;
use crate::regen::{self, Mode, Target};

/// What to pull and from where.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only these vendors (all when empty).
    pub vendors: Vec<String>,
    /// Only these model ids (all known when empty); an unknown id is fetched as new.
    pub models: Vec<String>,
    /// Per vendor, an origin (`http://127.0.0.1:8080`) replacing the URLs' own.
    pub base_urls: HashMap<String, String>,
    /// Per vendor, a token instead of the manifest's environment variable.
    pub tokens: HashMap<String, String>,
    /// Report drift, write nothing.
    pub check: bool,
}

/// What one model's pull found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// The served schema differs from the file.
    Changed,
    /// A model with no file yet.
    New,
    /// A locked model the vendor no longer serves.
    Vanished,
}

/// A model refused before its id became a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidId {
    /// The vendor folder it was for.
    pub vendor: String,
    /// The id as given (by the catalog, the lock file or `--model`).
    pub id: String,
    /// What is wrong with it.
    pub why: String,
}

impl fmt::Display for InvalidId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: invalid model id {:?}: {}; skipped (nothing written, not in lock.json)",
            self.vendor, self.id, self.why
        )
    }
}

/// The outcome of a pull.
#[derive(Debug, Default)]
pub struct Report {
    /// `(vendor/model, drift)` for every model that differs.
    pub drift: Vec<(String, Drift)>,
    /// `(vendor/model, reason)` for schemas refused (by the vendor or by codegen);
    /// their files were left as they were.
    pub refused: Vec<(String, String)>,
    /// Model ids (or lock-file paths) that are no plain relative path:
    /// nothing was fetched, written or locked for them.
    pub invalid_ids: Vec<InvalidId>,
    /// What changed for users (empty in check mode).
    pub changes: Vec<Change>,
    /// Codegen's warnings on the pulled schemas.
    pub warnings: Vec<String>,
}

impl Report {
    /// The report as a maintainer reads it.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (model, drift) in &self.drift {
            let word = match drift {
                Drift::Changed => "changed",
                Drift::New => "new",
                Drift::Vanished => "vanished",
            };
            out.push_str(&format!("{word}: {model}\n"));
        }
        for (model, reason) in &self.refused {
            out.push_str(&format!("refused: {model}: {reason}\n"));
        }
        for invalid in &self.invalid_ids {
            out.push_str(&format!("error: {invalid}\n"));
        }
        for warning in &self.warnings {
            out.push_str(&format!("warning: {warning}\n"));
        }
        if self.drift.is_empty() && self.refused.is_empty() && self.invalid_ids.is_empty() {
            out.push_str("schemas/ matches what the vendors serve\n");
        }
        if !self.changes.is_empty() {
            out.push_str("what changed for users of `seedance`:\n");
            out.push_str(&changes::report(&self.changes));
        }
        out
    }

    /// Records `id` of `vendor` as invalid (once).
    fn refuse_id(&mut self, vendor: &str, id: &str, why: String) {
        let invalid = InvalidId {
            vendor: vendor.to_owned(),
            id: id.to_owned(),
            why,
        };
        if !self.invalid_ids.contains(&invalid) {
            self.invalid_ids.push(invalid);
        }
    }
}

/// One fetched schema, ready to write.
struct Fetched {
    vendor: String,
    model: String,
    file: PathBuf,
    bytes: Vec<u8>,
    source: String,
    etag: Option<String>,
}

impl Fetched {
    /// Where the schema goes: its file below `schemas/<vendor>/`, checked to
    /// stay there.
    fn path(&self, schemas: &Path) -> Result<PathBuf, String> {
        model_id::join_inside(&schemas.join(&self.vendor), &self.file)
    }
}

/// Pulls into the checkout at `root` (its `schemas/` and `generated/`).
pub fn run(root: &Path, options: &Options) -> Result<Report, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(pull(root, options))
}

async fn pull(root: &Path, options: &Options) -> Result<Report, String> {
    let schemas = root.join("schemas");
    let mut report = Report::default();
    let fetched = fetch_all(&schemas, options, &mut report).await?;
    record_drift(&schemas, &fetched, &mut report)?;
    if options.check {
        return Ok(report);
    }
    let target = &Target::all(root)[0];
    let old_surface = regen::read_surface(&target.out.join(seedance_codegen::SURFACE_FILE));
    let written = write_changed(&schemas, &fetched)?;
    restore_refused(&schemas, written, &mut report)?;
    let locks = lock_entries(&schemas, &fetched, &report)?;
    write_locks(&schemas, locks)?;
    let outcome = regen::regen(target, Mode::Write)?;
    report.warnings = outcome.warnings;
    let new_surface = regen::read_surface(&target.out.join(seedance_codegen::SURFACE_FILE));
    report.changes = changes::classify(&old_surface, &new_surface);
    Ok(report)
}

/// Every schema the chosen vendors' catalogs serve for the models wanted.
async fn fetch_all(
    schemas: &Path,
    options: &Options,
    report: &mut Report,
) -> Result<Vec<Fetched>, String> {
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let mut fetched = Vec::new();
    for vendor_dir in vendor_dirs(schemas)? {
        let vendor = file_name(&vendor_dir);
        if !options.vendors.is_empty() && !options.vendors.contains(&vendor) {
            continue;
        }
        let manifest = read_json(&vendor_dir.join(MANIFEST))?;
        let lock = read_lock(&vendor_dir.join(LOCK))?;
        let source = VendorSource {
            vendor: &vendor,
            manifest: &manifest,
            lock: &lock,
            options,
            http: &http,
        };
        source.fetch(&mut fetched, report).await?;
    }
    Ok(fetched)
}

/// Reports each fetched schema that differs from its file, or has none.
fn record_drift(schemas: &Path, fetched: &[Fetched], report: &mut Report) -> Result<(), String> {
    for item in fetched {
        let path = item.path(schemas)?;
        match fs::read(&path) {
            Ok(current) if same_json(&current, &item.bytes) => {}
            Ok(_) => report.drift.push((key(item), Drift::Changed)),
            Err(_) => report.drift.push((key(item), Drift::New)),
        }
    }
    Ok(())
}

/// A schema written by the pull, with the file's bytes before (`None`: it
/// is new), so a schema codegen refuses can be put back.
type Written<'a> = (&'a Fetched, Option<Vec<u8>>);

/// Writes each fetched schema whose file differs (a file kept as published
/// is not rewritten just to reformat it).
fn write_changed<'a>(schemas: &Path, fetched: &'a [Fetched]) -> Result<Vec<Written<'a>>, String> {
    let mut written = Vec::new();
    for item in fetched {
        let path = item.path(schemas)?;
        let previous = fs::read(&path).ok();
        if previous
            .as_deref()
            .is_some_and(|current| same_json(current, &item.bytes))
        {
            continue;
        }
        write(&path, &item.bytes)?;
        written.push((item, previous));
    }
    Ok(written)
}

/// A schema codegen refuses goes back to what it was (and is reported); the
/// others stay. Codegen stops at its first error, so this runs until
/// `schemas/` generates, or fails when the error is in no written file.
fn restore_refused(
    schemas: &Path,
    mut written: Vec<Written<'_>>,
    report: &mut Report,
) -> Result<(), String> {
    loop {
        let error = match seedance_codegen::corpus(schemas) {
            Ok(_) => return Ok(()),
            Err(error) => error,
        };
        let culprit = written.iter().position(|(item, _)| {
            error
                .file
                .ends_with(Path::new(&item.vendor).join(&item.file))
        });
        let Some(index) = culprit else {
            return Err(format!("schemas/ does not generate: {error}"));
        };
        let (item, previous) = written.remove(index);
        let path = item.path(schemas)?;
        match previous {
            Some(bytes) => write(&path, &bytes)?,
            None => fs::remove_file(&path)
                .map_err(|e| format!("cannot remove {}: {e}", path.display()))?,
        }
        report.refused.push((key(item), error.to_string()));
    }
}

/// Per vendor, the lock entry of every fetched schema kept (not refused):
/// where it came from, when, and the hash of the file as it now stands.
fn lock_entries(
    schemas: &Path,
    fetched: &[Fetched],
    report: &Report,
) -> Result<BTreeMap<String, Map<String, Value>>, String> {
    let stamp = seedance_dialect::UtcTime::now().rfc3339();
    let mut locks: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for item in fetched {
        if report.refused.iter().any(|(k, _)| *k == key(item)) {
            continue;
        }
        let path = item.path(schemas)?;
        let bytes = fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let entry = json!({
            "file": item.file.to_string_lossy().replace('\\', "/"),
            "source": item.source,
            "fetched_at": stamp,
            "sha256": hex(&Sha256::digest(&bytes)),
            "etag": item.etag,
        });
        locks
            .entry(item.vendor.clone())
            .or_default()
            .insert(item.model.clone(), entry);
    }
    Ok(locks)
}

/// Merges the new entries into each vendor's `lock.json` (entries of models
/// not pulled this time stay).
fn write_locks(schemas: &Path, locks: BTreeMap<String, Map<String, Value>>) -> Result<(), String> {
    for (vendor, entries) in locks {
        let path = schemas.join(&vendor).join(LOCK);
        let mut lock = read_json(&path).unwrap_or_else(|_| json!({"models": {}}));
        if let Some(models) = lock.get_mut("models").and_then(Value::as_object_mut) {
            for (model, entry) in entries {
                models.insert(model, entry);
            }
        }
        let mut text = serde_json::to_string_pretty(&lock).unwrap_or_default();
        text.push('\n');
        write(&path, text.as_bytes())?;
    }
    Ok(())
}

/// One vendor's catalog.
struct VendorSource<'a> {
    vendor: &'a str,
    manifest: &'a Value,
    lock: &'a Map<String, Value>,
    options: &'a Options,
    http: &'a reqwest::Client,
}

impl VendorSource<'_> {
    async fn fetch(&self, out: &mut Vec<Fetched>, report: &mut Report) -> Result<(), String> {
        let protocol = self.manifest["protocol"].as_str().unwrap_or_default();
        let mut wanted: Vec<String> = self.lock.keys().cloned().collect();
        for model in &self.options.models {
            if !wanted.contains(model) {
                wanted.push(model.clone());
            }
        }
        if !self.options.models.is_empty() {
            wanted.retain(|m| self.options.models.contains(m));
        }
        let wanted = self.plain_ids(wanted, report);
        match protocol {
            "runcomfy" => self.runcomfy(&wanted, out, report).await,
            "wavespeed" => self.wavespeed(&wanted, out, report).await,
            "aimlapi" => self.aimlapi(&wanted, out, report).await,
            other => Err(format!(
                "{}: no catalog for protocol {other:?}",
                self.vendor
            )),
        }
    }

    /// `ids` without those that are no plain path, which are reported.
    fn plain_ids(&self, ids: Vec<String>, report: &mut Report) -> Vec<String> {
        ids.into_iter()
            .filter(|id| self.is_plain(id, report))
            .collect()
    }

    /// Whether `id` can be a path; when not, it is reported.
    fn is_plain(&self, id: &str, report: &mut Report) -> bool {
        match model_id::problem(id) {
            None => true,
            Some(why) => {
                report.refuse_id(self.vendor, id, why);
                false
            }
        }
    }

    fn catalog_url(&self) -> Result<&str, String> {
        self.manifest["catalog_url"]
            .as_str()
            .ok_or_else(|| format!("schemas/{}/{MANIFEST} has no catalog_url", self.vendor))
    }

    fn token(&self) -> Result<String, String> {
        if let Some(token) = self.options.tokens.get(self.vendor) {
            return Ok(token.clone());
        }
        let var = self.manifest["token_env"].as_str().unwrap_or_default();
        std::env::var(var).map_err(|_| {
            format!(
                "{}: set {var} to read its catalog (the token is sent only to the catalog URL)",
                self.vendor
            )
        })
    }

    /// `url` with its origin replaced by the override, if any.
    fn url(&self, url: &str) -> String {
        match self.options.base_urls.get(self.vendor) {
            None => url.to_owned(),
            Some(origin) => {
                let path = url
                    .split_once("://")
                    .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
                    .unwrap_or("/");
                format!("{}{path}", origin.trim_end_matches('/'))
            }
        }
    }

    async fn get(&self, url: &str, token: Option<&str>, limit: Limit) -> Result<Answer, String> {
        let mut request = self.http.get(url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        let status = response.status().as_u16();
        let etag = response
            .headers()
            .get(reqwest::header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = body::read(response, url, limit).await?;
        Ok(Answer {
            status,
            etag,
            bytes,
        })
    }

    async fn runcomfy(
        &self,
        wanted: &[String],
        out: &mut Vec<Fetched>,
        report: &mut Report,
    ) -> Result<(), String> {
        let template = self.catalog_url()?;
        let token = self.token()?;
        let mut wanted = wanted.to_vec();
        for model in self.runcomfy_listed(template, &token, report).await? {
            if !wanted.contains(&model) {
                wanted.push(model);
            }
        }
        for model in &wanted {
            let source = template.replace("{model}", model);
            let answer = self
                .get(&self.url(&source), Some(&token), body::SCHEMA)
                .await?;
            let name = format!("{}/{model}", self.vendor);
            if answer.status == 404 {
                report.drift.push((name, Drift::Vanished));
                continue;
            }
            let body: Value = match serde_json::from_slice(&answer.bytes) {
                Ok(body) => body,
                Err(e) => {
                    report
                        .refused
                        .push((name, format!("answer is not JSON: {e}")));
                    continue;
                }
            };
            let schema = match (
                answer.status,
                body.get("error_code"),
                published::runcomfy_input_schema(&body),
            ) {
                (200, None, Some(schema)) => schema,
                _ => {
                    let reason = format!("HTTP {}: {}", answer.status, short(&body));
                    report.refused.push((name, reason));
                    continue;
                }
            };
            out.push(Fetched {
                vendor: self.vendor.to_owned(),
                model: model.clone(),
                file: PathBuf::from(format!("{model}.json")),
                bytes: pretty(schema),
                source,
                etag: answer.etag,
            });
        }
        Ok(())
    }

    /// The models RunComfy's list endpoint names under the manifest's
    /// `catalog_prefix` (none without a prefix, or when `--model` picks).
    async fn runcomfy_listed(
        &self,
        template: &str,
        token: &str,
        report: &mut Report,
    ) -> Result<Vec<String>, String> {
        let Some(prefix) = self.discovery_prefix() else {
            return Ok(Vec::new());
        };
        let list = template.strip_suffix("/{model}").ok_or_else(|| {
            format!(
                "{}: catalog_url {template:?} does not end in /{{model}}, so it has no list endpoint",
                self.vendor
            )
        })?;
        // The search is the prefix's last word (`seedance`); ids are then
        // filtered by the whole prefix.
        let search = prefix.rsplit('/').find(|w| !w.is_empty()).unwrap_or(prefix);
        let mut found: Vec<String> = Vec::new();
        let mut offset = 0usize;
        for _ in 0..MAX_PAGES {
            let url = format!(
                "{list}?search={}&include_schema=false&limit={PAGE}&offset={offset}",
                query_escape(search)
            );
            let answer = self
                .get(&self.url(&url), Some(token), body::CATALOG)
                .await?;
            let body: Value = serde_json::from_slice(&answer.bytes)
                .map_err(|e| format!("{}: the model list is not JSON: {e}", self.vendor))?;
            let page = match (
                answer.status,
                body.get("error_code"),
                RunComfyPage::of(&body),
            ) {
                (200, None, Some(page)) => page,
                _ => {
                    return Err(format!(
                        "{}: the model list answered HTTP {}: {}",
                        self.vendor,
                        answer.status,
                        short(&body)
                    ));
                }
            };
            for id in page.models.iter().filter_map(published::model_id) {
                if id.starts_with(prefix)
                    && !found.iter().any(|f| f == id)
                    && self.is_plain(id, report)
                {
                    found.push(id.to_owned());
                }
            }
            match page.next_offset(offset) {
                Some(next) => offset = next,
                None => break,
            }
        }
        Ok(found)
    }

    /// The manifest's `catalog_prefix` when discovery runs (no `--model`).
    fn discovery_prefix(&self) -> Option<&str> {
        if !self.options.models.is_empty() {
            return None;
        }
        self.manifest["catalog_prefix"].as_str()
    }

    async fn wavespeed(
        &self,
        wanted: &[String],
        out: &mut Vec<Fetched>,
        report: &mut Report,
    ) -> Result<(), String> {
        let source = self.catalog_url()?.to_owned();
        let token = self.token()?;
        let answer = self
            .get(&self.url(&source), Some(&token), body::CATALOG)
            .await?;
        let body: Value = serde_json::from_slice(&answer.bytes)
            .map_err(|e| format!("{}: the catalog is not JSON: {e}", self.vendor))?;
        let entries = match (answer.status, body.get("data").and_then(Value::as_array)) {
            (200, Some(entries)) => entries,
            _ => {
                return Err(format!(
                    "{}: catalog answered HTTP {}: {}",
                    self.vendor,
                    answer.status,
                    short(&body)
                ));
            }
        };
        let prefix = self.manifest["catalog_prefix"].as_str();
        let mut seen = Vec::new();
        for entry in entries {
            let Some(model) = published::model_id(entry) else {
                continue;
            };
            let by_prefix =
                self.options.models.is_empty() && prefix.is_some_and(|p| model.starts_with(p));
            // A wanted id is checked already; one taken by prefix is checked here.
            let take =
                wanted.iter().any(|w| w == model) || (by_prefix && self.is_plain(model, report));
            if !take {
                continue;
            }
            seen.push(model.to_owned());
            let Ok(schema) = published::wavespeed_request_schema(entry) else {
                let name = format!("{}/{model}", self.vendor);
                report
                    .refused
                    .push((name, "no request_schema in the catalog entry".into()));
                continue;
            };
            out.push(Fetched {
                vendor: self.vendor.to_owned(),
                model: model.to_owned(),
                file: PathBuf::from(format!("{model}.json")),
                bytes: pretty(schema),
                source: source.clone(),
                etag: answer.etag.clone(),
            });
        }
        for model in wanted.iter().filter(|m| !seen.contains(m)) {
            if self.lock.contains_key(model) {
                report
                    .drift
                    .push((format!("{}/{model}", self.vendor), Drift::Vanished));
            } else {
                report.refused.push((
                    format!("{}/{model}", self.vendor),
                    "not in the vendor's catalog".into(),
                ));
            }
        }
        Ok(())
    }

    async fn aimlapi(
        &self,
        wanted: &[String],
        out: &mut Vec<Fetched>,
        report: &mut Report,
    ) -> Result<(), String> {
        for model in wanted {
            let name = format!("{}/{model}", self.vendor);
            let Some(entry) = self.lock.get(model) else {
                report.refused.push((
                    name,
                    format!("no document URL recorded in schemas/{}/{LOCK}", self.vendor),
                ));
                continue;
            };
            let (Some(source), Some(file)) = (
                entry.get("source").and_then(Value::as_str),
                entry.get("file").and_then(Value::as_str),
            ) else {
                report
                    .refused
                    .push((name, "lock entry lacks source or file".into()));
                continue;
            };
            if let Some(why) = model_id::problem(file) {
                let why = format!(
                    "its file in schemas/{}/{LOCK}, {file:?}: {why}",
                    self.vendor
                );
                report.refuse_id(self.vendor, model, why);
                continue;
            }
            let answer = self.get(&self.url(source), None, body::SCHEMA).await?;
            match answer.status {
                200 => {}
                404 => {
                    report.drift.push((name, Drift::Vanished));
                    continue;
                }
                status => {
                    report.refused.push((name, format!("HTTP {status}")));
                    continue;
                }
            }
            out.push(Fetched {
                vendor: self.vendor.to_owned(),
                model: model.clone(),
                file: PathBuf::from(file),
                bytes: answer.bytes,
                source: source.to_owned(),
                etag: answer.etag,
            });
        }
        self.aimlapi_listed(out, report).await
    }

    /// The documents of the docs folder's listing (`catalog_list_url`) that
    /// no lock entry names, each fetched from `catalog_url` and read for its
    /// model ids (as codegen reads them); a document that names none (a
    /// page with no POST request) is reported, not taken.
    async fn aimlapi_listed(
        &self,
        out: &mut Vec<Fetched>,
        report: &mut Report,
    ) -> Result<(), String> {
        let Some(list_url) = self.manifest["catalog_list_url"].as_str() else {
            return Ok(());
        };
        if !self.options.models.is_empty() {
            return Ok(());
        }
        let template = self.catalog_url()?;
        let folder = self.aimlapi_folder(template)?;
        let answer = self.get(&self.url(list_url), None, body::CATALOG).await?;
        let listing: Value = serde_json::from_slice(&answer.bytes)
            .map_err(|e| format!("{}: the docs folder listing is not JSON: {e}", self.vendor))?;
        let entries = match (answer.status, listing.as_array()) {
            (200, Some(entries)) => entries,
            _ => {
                return Err(format!(
                    "{}: the docs folder listing answered HTTP {}: {}",
                    self.vendor,
                    answer.status,
                    short(&listing)
                ));
            }
        };
        let locked: Vec<&str> = self
            .lock
            .values()
            .filter_map(|entry| entry.get("file").and_then(Value::as_str))
            .collect();
        for name in entries.iter().filter_map(published::listed_json_file) {
            let file = format!("{folder}/{name}");
            if locked.contains(&file.as_str()) {
                continue;
            }
            if let Some(why) = model_id::problem(&file) {
                report.refuse_id(self.vendor, name, format!("a listed file: {why}"));
                continue;
            }
            let source = template.replace("{file}", name);
            self.aimlapi_document(&source, &file, out, report).await?;
        }
        Ok(())
    }

    /// The folder AI/ML API's documents land in: the one `catalog_url` names
    /// (`.../ByteDance/{file}` -> `ByteDance/`), checked to be a plain path.
    fn aimlapi_folder<'t>(&self, template: &'t str) -> Result<&'t str, String> {
        template
            .strip_suffix("/{file}")
            .and_then(|base| base.rsplit('/').next())
            .filter(|folder| model_id::problem(folder).is_none())
            .ok_or_else(|| {
                format!(
                    "{}: catalog_url {template:?} does not end in /<folder>/{{file}}",
                    self.vendor
                )
            })
    }

    /// One listed document, fetched from `source` for `file`: one schema per
    /// model id it names that is plain and not locked already.
    async fn aimlapi_document(
        &self,
        source: &str,
        file: &str,
        out: &mut Vec<Fetched>,
        report: &mut Report,
    ) -> Result<(), String> {
        let answer = self.get(&self.url(source), None, body::SCHEMA).await?;
        let shown = format!("{}/{file}", self.vendor);
        if answer.status != 200 {
            report
                .refused
                .push((shown, format!("listed, but HTTP {}", answer.status)));
            return Ok(());
        }
        let ids = seedance_codegen::load::parse_text(
            Path::new(file),
            &String::from_utf8_lossy(&answer.bytes),
        )
        .and_then(|document| seedance_codegen::convert::document_model_ids(&document));
        let ids = match ids {
            Ok(ids) => ids,
            Err(error) => {
                report
                    .refused
                    .push((shown, format!("not a model document: {error}")));
                return Ok(());
            }
        };
        for id in ids {
            if !self.is_plain(&id, report) || self.lock.contains_key(&id) {
                continue;
            }
            out.push(Fetched {
                vendor: self.vendor.to_owned(),
                model: id,
                file: PathBuf::from(file),
                bytes: answer.bytes.clone(),
                source: source.to_owned(),
                etag: answer.etag.clone(),
            });
        }
        Ok(())
    }
}

/// Pages of RunComfy's model list read at most (of [`PAGE`] models each).
const MAX_PAGES: usize = 100;
/// Models asked for per page of RunComfy's model list.
const PAGE: usize = 100;

/// `text` for a URL query value: unreserved characters as they are, the rest
/// percent-encoded.
fn query_escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

struct Answer {
    status: u16,
    etag: Option<String>,
    bytes: Vec<u8>,
}

fn key(item: &Fetched) -> String {
    format!("{}/{}", item.vendor, item.model)
}

/// A schema object as written: two-space JSON in the vendor's key order.
fn pretty(value: &Value) -> Vec<u8> {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text.into_bytes()
}

/// Same JSON whatever the layout (a file kept as published is not rewritten
/// just to reformat it).
fn same_json(a: &[u8], b: &[u8]) -> bool {
    match (
        serde_json::from_slice::<Value>(a),
        serde_json::from_slice::<Value>(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    text.chars().take(200).collect()
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn read_lock(path: &Path) -> Result<Map<String, Value>, String> {
    if !path.exists() {
        return Ok(Map::new());
    }
    let lock = read_json(path)?;
    Ok(lock
        .get("models")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default())
}

fn vendor_dirs(schemas: &Path) -> Result<Vec<PathBuf>, String> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(schemas)
        .map_err(|e| format!("cannot read {}: {e}", schemas.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join(MANIFEST).is_file())
        .collect();
    dirs.sort();
    Ok(dirs)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
