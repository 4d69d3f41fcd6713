//! Doc-test examples of the generated crate, written from the IR so they
//! always match the code they sit on (constructor order, enum names): one
//! per model `Input`, and the crate root's. They are `no_run`: they compile
//! in `cargo test --doc` but would need a token (and pay) to run.

use crate::ir::{Field, Model, ObjectType, Type, Vendor};

/// The `Input::new(...)` arguments of a model, each a plausible value.
fn arguments(model: &Model) -> String {
    values(&model.constructor_arguments())
}

/// A nested struct built with its `new` (and its own required fields).
fn construct(object: &ObjectType) -> String {
    format!(
        "model::{}::new({})",
        object.name,
        values(&object.constructor_arguments())
    )
}

/// A plausible value for each of `fields`, comma-separated.
fn values(fields: &[&Field]) -> String {
    fields
        .iter()
        .map(|field| match &field.ty {
            Type::String(s) if s.format.is_some() || field.wire.contains("url") => {
                "\"https://example.com/first.jpeg\"".to_owned()
            }
            Type::String(_) => "\"a red fox running through snow\"".to_owned(),
            Type::Array { .. } => "[\"https://example.com/first.jpeg\"]".to_owned(),
            Type::Integer { minimum, .. } => minimum.unwrap_or(1).to_string(),
            Type::Number { minimum, .. } => format!("{:?}", minimum.unwrap_or(1.0)),
            Type::Boolean => "false".to_owned(),
            Type::Enum(e) | Type::Const(e) => format!("model::{}::ALL[0]", e.name),
            Type::Object(object) => construct(object),
            Type::ObjectArray { item, .. } => format!("[{}]", construct(item)),
            Type::Json => "serde_json::Value::Null".to_owned(),
            Type::JsonObject => "serde_json::Map::new()".to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The round trip with one model: client from the environment, input,
/// local checks, submit, wait, download.
pub(super) fn round_trip(vendor: &Vendor, model: &Model, crate_name: &str) -> String {
    let krate = crate_name.replace('-', "_");
    format!(
        "```no_run\n\
         use {krate}::{vendor}::{{self, {module} as model}};\n\
         \n\
         # async fn run() -> Result<(), {krate}::Error> {{\n\
         let client = {vendor}::Client::from_env()?;            // reads {token}\n\
         let input = model::Input::new({args});\n\
         input.validate()?;                                      // local rules, no I/O\n\
         let job = client.submit(&input).await?;                 // image rules first, then one POST\n\
         println!(\"job {{}}\", job.id());                           // known before any polling\n\
         let output = job.wait().await?;                         // polls with backoff until done\n\
         output.download(\"video.mp4\").await?;\n\
         # Ok(()) }}\n\
         ```",
        vendor = vendor.id,
        module = model.module,
        token = vendor.token_env,
        args = arguments(model),
    )
}

/// The crate root's examples: one typed round trip, then a model chosen at
/// run time through the catalog and a `Connection`.
pub(super) fn crate_root(vendors: &[Vendor], crate_name: &str) -> String {
    let krate = crate_name.replace('-', "_");
    let typed = vendors
        .iter()
        .find_map(|vendor| {
            vendor
                .models
                .first()
                .map(|model| round_trip(vendor, model, crate_name))
        })
        .unwrap_or_default();
    format!(
        "# Examples\n\n\
         A model known at compile time (required fields are `Input::new` \
         arguments, optional ones setters, enums typed):\n\n{typed}\n\n\
         A model chosen at run time (a name from a config file, a command \
         line): the `catalog` feature lists every model as data, parses JSON \
         into its typed input, and a [`Connection`] talks to any vendor:\n\n\
         ```no_run\n\
         # #[cfg(feature = \"catalog\")]\n\
         # async fn run(name: &str, input: serde_json::Value) -> Result<(), Box<dyn std::error::Error>> {{\n\
         let info = {krate}::catalog::find(name).ok_or(\"unknown model\")?;\n\
         let conn = {krate}::Connection::builder(info.vendor).build()?; // token from info.vendor.token_env\n\
         let input = (info.parse)(input)?;                       // typed: unknown fields, enums checked\n\
         let job = conn.submit_erased(input.as_ref(), Default::default()).await?;\n\
         let output = job.wait().await?;\n\
         println!(\"{{:?}}\", output.video_urls());\n\
         # Ok(()) }}\n\
         ```\n\n\
         Local images (`{krate}::runtime::media::ImageSource`) become what \
         each vendor takes with `client.image_reference(...)`: an upload for \
         WaveSpeed, a data URI for the AI/ML API; RunComfy asks for public \
         HTTPS URLs."
    )
}

/// A vendor's `Client`: from the environment, with settings, and resuming a
/// job by id.
pub(super) fn client(vendor: &Vendor, crate_name: &str) -> String {
    let krate = crate_name.replace('-', "_");
    format!(
        "```no_run\n\
         use std::time::Duration;\n\
         use {krate}::{vendor};\n\
         \n\
         # async fn run() -> Result<(), {krate}::Error> {{\n\
         let client = {vendor}::Client::from_env()?;             // reads {token}\n\
         // Or with settings (each has a documented default on `ClientBuilder`):\n\
         let client = {vendor}::Client::builder()\n\
         \x20   .token(std::env::var(\"{token}\").unwrap_or_default())\n\
         \x20   .wait_timeout(Duration::from_secs(20 * 60))\n\
         \x20   .build()?;\n\
         // A job submitted earlier (by any process), resumed from its id:\n\
         let output = client.job(\"JOB_ID\").wait().await?;\n\
         output.download(\"video.mp4\").await?;\n\
         # Ok(()) }}\n\
         ```",
        vendor = vendor.id,
        token = vendor.token_env,
    )
}
