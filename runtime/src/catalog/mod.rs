//! Models that are not compiled in, from the vendor's catalog at run time:
//! the model's published schema is fetched (RunComfy's model entry,
//! WaveSpeed's catalog entry, the AI/ML API's document), kept in a disk
//! cache and revalidated with `If-None-Match` after a time to live,
//! converted by the converter codegen uses (`seedance-converter`: one
//! reader of JSON Schema), and its inputs are checked by
//! [`crate::interpret`] with the compiled `validate()`'s rules and
//! violations, image rules included. Then they are submitted, waited for
//! and downloaded as any model ([`ErasedModel`](crate::ErasedModel)).
//!
//! A typed model stays the first choice: the catalog is for what is not
//! compiled in yet.
//!
//! ```no_run
//! # async fn demo(conn: seedance_runtime::Connection, vendor: seedance_runtime::VendorInfo)
//! # -> Result<(), Box<dyn std::error::Error>> {
//! use seedance_runtime::catalog::Catalog;
//! let model = Catalog::new().load(&conn, &vendor, "bytedance/seedance-v1-pro-t2v-480p").await?;
//! let input = model.input(serde_json::json!({"prompt": "a cat", "duration": 5}))?;
//! let job = conn.submit_erased(&input, Default::default()).await?;
//! # Ok(()) }
//! ```

mod cache;
mod error;
mod fetch;
mod fields;
mod input;
mod source;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, SystemTime};

use seedance_converter::ir::{self, MediaKind};
use seedance_converter::{convert, load};
use seedance_dialect::Protocol;
use serde_json::Value;
use sha2::{Digest, Sha256};

pub use cache::{CACHE_DIR_ENV, default_dir as default_cache_dir};
pub use error::CatalogError;
pub use fetch::{Freshness, MAX_ANSWER_BYTES};
pub use input::CatalogInput;
use source::NoSchema;

use crate::connection::Connection;
use crate::field_info::FieldInfo;
use crate::image_rules::ImageRule;
use crate::interpret::{Checks, InputError};
use crate::model::VendorInfo;

/// How long a cached schema is used without asking the catalog (the
/// vendors' own CLIs cache theirs for an hour).
pub const DEFAULT_TTL: Duration = Duration::from_secs(60 * 60);

/// Most pages of a paged listing read (RunComfy's, 1,000 models a page): a
/// listing that never ends stops here.
const MAX_PAGES: usize = 50;

/// Loads catalog models, through its disk cache.
#[derive(Debug, Clone)]
pub struct Catalog {
    cache: cache::Cache,
    ttl: Duration,
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog::new()
    }
}

/// What one model's schema is, where it came from and when.
#[derive(Debug, Clone)]
pub struct CatalogModel {
    schema: Arc<Schema>,
    origin: Origin,
}

/// Where a loaded schema came from.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The catalog URL read.
    pub url: String,
    /// When it was fetched or last confirmed by the catalog.
    pub fetched: SystemTime,
    /// Whether this load sent a request.
    pub freshness: Freshness,
}

impl Origin {
    /// For a person: the URL, the answer's age, and why a stale copy was
    /// used (`https://... (cached 3 min ago)`).
    pub fn describe(&self) -> String {
        let age = SystemTime::now()
            .duration_since(self.fetched)
            .unwrap_or_default();
        let age = age_text(age);
        match &self.freshness {
            Freshness::Fetched => format!("{} (fetched now)", self.url),
            Freshness::Cached => format!("{} (cached {age} ago)", self.url),
            Freshness::Stale(cause) => format!(
                "{} (cached {age} ago; the catalog could not be reached: {cause})",
                self.url
            ),
        }
    }
}

/// `42 s`, `7 min`, `3 h`, `2 days`.
fn age_text(age: Duration) -> String {
    match age.as_secs() {
        s if s < 120 => format!("{s} s"),
        s if s < 2 * 3600 => format!("{} min", s / 60),
        s if s < 2 * 86_400 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

/// The converted schema and what is made from it once per process.
#[derive(Debug)]
struct Schema {
    vendor: VendorInfo,
    model: &'static str,
    submit_path: &'static str,
    ir: ir::Model,
    /// The local rules, made from `ir` once.
    checks: Checks,
    fields: &'static [FieldInfo],
    /// Top-level fields with image rules, by wire name.
    image_rules: Vec<(&'static str, &'static [ImageRule])>,
    warnings: Vec<String>,
    /// The schema as published.
    published: Value,
}

impl Catalog {
    /// A catalog with the platform's cache folder ([`default_cache_dir`])
    /// and [`DEFAULT_TTL`].
    pub fn new() -> Self {
        Catalog {
            cache: cache::Cache::new(cache::default_dir()),
            ttl: DEFAULT_TTL,
        }
    }

    /// Another cache folder; `None` caches nothing.
    pub fn with_cache_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.cache = cache::Cache::new(dir);
        self
    }

    /// Another time to live (zero: always revalidate).
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// The cache folder in use.
    pub fn cache_dir(&self) -> Option<&Path> {
        self.cache.dir()
    }

    /// `model` of `vendor` (the connection's vendor), from its catalog or
    /// the cache. Nothing is submitted here.
    pub async fn load(
        &self,
        conn: &Connection,
        vendor: &VendorInfo,
        model: &str,
    ) -> Result<CatalogModel, CatalogError> {
        if let Some(problem) = seedance_dialect::model_id_problem(model) {
            return Err(CatalogError::BadModelId {
                model: model.to_owned(),
                problem,
            });
        }
        let (text, origin) = match vendor.protocol {
            Protocol::AimlApi => self.aimlapi_document(conn, vendor, model).await?,
            protocol => self.catalog_entry(conn, vendor, protocol, model).await?,
        };
        let schema = intern(vendor, model, &origin.url, &text)?;
        Ok(CatalogModel { schema, origin })
    }

    /// RunComfy's model entry or WaveSpeed's catalog: the schema's text.
    async fn catalog_entry(
        &self,
        conn: &Connection,
        vendor: &VendorInfo,
        protocol: Protocol,
        model: &str,
    ) -> Result<(String, Origin), CatalogError> {
        let base = conn.base_url();
        let url = source::catalog_url(protocol, base, vendor.base_url, model);
        let answer = self.answer(conn, Some(model), &url).await?;
        let json = parse_answer(conn, &url, &answer.cached.body)?;
        let schema = source::schema_in(protocol, &json, model).map_err(|why| match why {
            NoSchema::NotListed => CatalogError::NotListed {
                vendor: conn.vendor(),
                model: model.to_owned(),
                url: url.clone(),
            },
            NoSchema::Malformed(problem) => malformed(conn, &url, problem.to_owned()),
        })?;
        let text =
            serde_json::to_string(&schema).map_err(|e| malformed(conn, &url, e.to_string()))?;
        Ok((text, origin(url, &answer)))
    }

    /// The AI/ML API document whose `model` enum names `model`: the docs
    /// listing, then each document (all cached) until one names it.
    async fn aimlapi_document(
        &self,
        conn: &Connection,
        vendor: &VendorInfo,
        model: &str,
    ) -> Result<(String, Origin), CatalogError> {
        let base = conn.base_url();
        let list_url = source::catalog_url(Protocol::AimlApi, base, vendor.base_url, model);
        let listing = self.answer(conn, Some(model), &list_url).await?;
        let listing = parse_answer(conn, &list_url, &listing.cached.body)?;
        let files =
            source::listed_documents(&listing).map_err(|p| malformed(conn, &list_url, p))?;
        for file in files {
            let url = source::aimlapi_file_url(base, vendor.base_url, &file);
            let answer = self.answer(conn, Some(model), &url).await?;
            let Ok(document) = load::parse_text(Path::new(&url), &answer.cached.body) else {
                continue; // a broken document of another model is not this one
            };
            let names = convert::document_model_ids(&document).unwrap_or_default();
            if names.iter().any(|name| name == model) {
                return Ok((answer.cached.body.clone(), origin(url, &answer)));
            }
        }
        Err(CatalogError::NotListed {
            vendor: conn.vendor(),
            model: model.to_owned(),
            url: list_url,
        })
    }

    /// Every model id `vendor`'s catalog lists (the AI/ML API: every id its
    /// documents name), sorted, with where the list came from.
    pub async fn list(
        &self,
        conn: &Connection,
        vendor: &VendorInfo,
    ) -> Result<(Vec<String>, Origin), CatalogError> {
        let url = source::list_url(vendor.protocol, conn.base_url(), vendor.base_url);
        let answer = self.answer(conn, None, &url).await?;
        let json = parse_answer(conn, &url, &answer.cached.body)?;
        let mut ids = match vendor.protocol {
            Protocol::AimlApi => self.aimlapi_ids(conn, vendor, &url, &json).await?,
            protocol => {
                let first = source::listed_models(protocol, &json, 0)
                    .map_err(|p| malformed(conn, &url, p))?;
                self.later_pages(conn, first).await?
            }
        };
        ids.sort();
        ids.dedup();
        Ok((ids, origin(url, &answer)))
    }

    /// The ids of `first` and of the RunComfy pages after it, until the
    /// vendor's `total` (WaveSpeed lists all on one page). Bounded: at most
    /// [`MAX_PAGES`] pages, and a page with no entries ends the list. Each
    /// page is cached on its own; the listing's [`Origin`] is its first
    /// page's.
    async fn later_pages(
        &self,
        conn: &Connection,
        first: source::ListedPage,
    ) -> Result<Vec<String>, CatalogError> {
        let (mut ids, mut next) = (first.ids, first.next);
        for _ in 1..MAX_PAGES {
            let Some(offset) = next else {
                break;
            };
            let url = source::runcomfy_page_url(conn.base_url(), offset);
            let answer = self.answer(conn, None, &url).await?;
            let json = parse_answer(conn, &url, &answer.cached.body)?;
            let page = source::listed_models(Protocol::RunComfy, &json, offset)
                .map_err(|p| malformed(conn, &url, p))?;
            ids.extend(page.ids);
            next = page.next;
        }
        Ok(ids)
    }

    /// The model ids every listed AI/ML API document names.
    async fn aimlapi_ids(
        &self,
        conn: &Connection,
        vendor: &VendorInfo,
        list_url: &str,
        listing: &Value,
    ) -> Result<Vec<String>, CatalogError> {
        let files = source::listed_documents(listing).map_err(|p| malformed(conn, list_url, p))?;
        let mut ids = Vec::new();
        for file in files {
            let url = source::aimlapi_file_url(conn.base_url(), vendor.base_url, &file);
            let answer = self.answer(conn, None, &url).await?;
            if let Ok(document) = load::parse_text(Path::new(&url), &answer.cached.body) {
                ids.extend(convert::document_model_ids(&document).unwrap_or_default());
            }
        }
        Ok(ids)
    }

    /// The answer of `url`, read for `model` (`None` for a listing).
    async fn answer(
        &self,
        conn: &Connection,
        model: Option<&str>,
        url: &str,
    ) -> Result<fetch::Answer, CatalogError> {
        let with_token = source::takes_token(url, conn.base_url());
        fetch::answer(conn, model, &self.cache, self.ttl, url, with_token).await
    }
}

fn origin(url: String, answer: &fetch::Answer) -> Origin {
    Origin {
        url,
        fetched: answer.cached.fetched(),
        freshness: answer.freshness.clone(),
    }
}

fn parse_answer(conn: &Connection, url: &str, body: &str) -> Result<Value, CatalogError> {
    serde_json::from_str(body).map_err(|e| malformed(conn, url, format!("not JSON: {e}")))
}

fn malformed(conn: &Connection, url: &str, problem: String) -> CatalogError {
    CatalogError::Malformed {
        vendor: conn.vendor(),
        url: url.to_owned(),
        problem,
    }
}

/// The schema of `(vendor, model, text)`, converted and made `'static`
/// once per process: a second load of the same schema is a map look-up.
fn intern(
    vendor: &VendorInfo,
    model: &str,
    url: &str,
    text: &str,
) -> Result<Arc<Schema>, CatalogError> {
    static LOADED: OnceLock<Mutex<HashMap<[u8; 32], Arc<Schema>>>> = OnceLock::new();
    let mut key = Sha256::new();
    for part in [vendor.id, model, text] {
        key.update(part.len().to_le_bytes());
        key.update(part.as_bytes());
    }
    let key: [u8; 32] = key.finalize().into();
    let loaded = LOADED.get_or_init(Mutex::default);
    if let Some(schema) = loaded
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return Ok(Arc::clone(schema));
    }
    let schema = Arc::new(convert_schema(vendor, model, url, text)?);
    loaded
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(key, Arc::clone(&schema));
    Ok(schema)
}

/// The schema text through the converter, as codegen reads a schema file.
fn convert_schema(
    vendor: &VendorInfo,
    model: &str,
    url: &str,
    text: &str,
) -> Result<Schema, CatalogError> {
    let refused = |source| CatalogError::Schema {
        model: format!("{}/{model}", vendor.id),
        source,
    };
    let file = load::parse_text(Path::new(url), text).map_err(refused)?;
    let media: std::collections::BTreeMap<String, MediaKind> = match vendor.protocol {
        Protocol::AimlApi => source::AIMLAPI_MEDIA_FIELDS
            .iter()
            .filter_map(|(wire, kind)| {
                let kind = MediaKind::ALL.into_iter().find(|m| m.as_str() == *kind)?;
                Some(((*wire).to_owned(), kind))
            })
            .collect(),
        _ => Default::default(),
    };
    let template = source::submit_template(vendor.protocol);
    let mut warnings = Vec::new();
    let models =
        convert::convert_model(model, &file, template, &media, &mut warnings).map_err(refused)?;
    let ir = models
        .into_iter()
        .find(|m| m.path == model)
        .ok_or_else(|| {
            refused(seedance_converter::Error {
                file: PathBuf::from(url),
                pointer: String::new(),
                problem: Box::new(seedance_converter::Problem::Invalid(format!(
                    "the schema does not describe `{model}`"
                ))),
            })
        })?;
    Ok(Schema {
        vendor: *vendor,
        model: fields::keep(&ir.path),
        submit_path: fields::keep(&ir.submit_path),
        fields: Box::leak(
            ir.fields
                .iter()
                .filter_map(fields::field_info)
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        ),
        image_rules: ir
            .fields
            .iter()
            .filter(|f| !f.image_rules.is_empty())
            .map(|f| (fields::keep(&f.wire), fields::image_rules(&f.image_rules)))
            .collect(),
        warnings: warnings.iter().map(ToString::to_string).collect(),
        published: file.json,
        checks: Checks::new(&ir),
        ir,
    })
}

impl CatalogModel {
    /// The vendor.
    pub fn vendor(&self) -> VendorInfo {
        self.schema.vendor
    }

    /// The model id.
    pub fn model(&self) -> &'static str {
        self.schema.model
    }

    /// Where its schema came from and when.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// Its fields as the command line describes compiled ones (nested
    /// objects and untyped values left out, as for compiled models).
    pub fn fields(&self) -> &'static [FieldInfo] {
        self.schema.fields
    }

    /// The converted schema.
    pub fn ir(&self) -> &ir::Model {
        &self.schema.ir
    }

    /// The schema as the vendor published it (the AI/ML API: the whole
    /// OpenAPI document).
    pub fn published(&self) -> &Value {
        &self.schema.published
    }

    /// The vendor's mistakes the converter took with a warning (file and
    /// JSON pointer each).
    pub fn warnings(&self) -> &[String] {
        &self.schema.warnings
    }

    /// `value` as an input of this model, refused as the compiled model's
    /// `parse` refuses it (unknown field, missing required one, wrong
    /// type). Local rules are its [`validate`](crate::ErasedModel::validate).
    pub fn input(&self, value: Value) -> Result<CatalogInput, InputError> {
        CatalogInput::new(Arc::clone(&self.schema), value)
    }
}
