//! Models that are not compiled in, loaded from the vendor's catalog at
//! run time (`seedance_runtime::catalog`): `run wavespeed/<any catalog
//! id>`, `describe` and `batch` lines naming one. Once loaded, a model is
//! found by name like a compiled one (`crate::catalog_models`).

use std::borrow::Cow;
use std::collections::BTreeSet;

use seedance::catalog::ModelInfo;
use seedance_runtime::catalog::{Catalog, CatalogError, CatalogModel};
use seedance_runtime::{Connection, VendorInfo};

use crate::catalog_models;
use crate::cli::Global;
use crate::connect;
use crate::error::CliError;
use crate::output::Printer;
use crate::sim::Simulator;

/// A compiled model by name; else, for a `vendor/model` name of one of
/// this build's vendors, the model from that vendor's catalog (the
/// simulator's with `sim`), with one line on where its schema came from.
pub async fn resolve(
    printer: &Printer,
    global: &Global,
    name: &str,
    sim: Option<&Simulator>,
) -> Result<&'static ModelInfo, CliError> {
    let unknown = match connect::model(name) {
        Ok(info) => return Ok(info),
        Err(unknown) => unknown,
    };
    let Some((vendor, id)) = connect::split_vendor(name) else {
        return Err(unknown);
    };
    let conn = match sim {
        Some(sim) => sim.connection(vendor, global)?,
        None => connect::remote_or_anonymous(vendor, global)?,
    };
    let (info, model) = match load(&conn, vendor, id).await {
        Ok(loaded) => loaded,
        // Most often a typo: the compiled names, with a suggestion, help
        // more than the catalog's answer alone.
        Err(err @ CatalogError::NotListed { .. }) => {
            printer.note(&format!("{name} is not compiled in, and {err}"));
            return Err(unknown);
        }
        Err(err) => return Err(CliError::Catalog(err.to_string())),
    };
    printer.note(&loaded_note(name, &model));
    Ok(info)
}

/// The one line saying a model comes from its catalog, and where and when
/// its schema was read.
fn loaded_note(name: &str, model: &CatalogModel) -> String {
    format!(
        "{name} is not compiled in: schema from {}",
        model.origin().describe()
    )
}

/// `model` of `vendor` from its catalog over `conn`, as a `ModelInfo`.
async fn load(
    conn: &Connection,
    vendor: &'static VendorInfo,
    model: &str,
) -> Result<(&'static ModelInfo, CatalogModel), CatalogError> {
    let loaded = Catalog::new().load(conn, vendor, model).await?;
    let info = catalog_models::register(vendor, &loaded);
    Ok((info, loaded))
}

/// The `model` of a batch line, read without building the rest of the
/// line (its prompt and other fields are skipped, not copied). Only an
/// object is read for it: serde's derive would also take a list.
#[derive(serde::Deserialize)]
struct ModelOf<'a> {
    #[serde(borrow)]
    model: Option<Cow<'a, str>>,
}

/// Loads every model a batch file names that is not compiled in (a
/// `vendor/model` name of this build's vendors), before its lines are
/// read, so each line is checked as any other. A model that cannot be
/// loaded is named here with why; its lines are then refused as unknown,
/// with their numbers.
pub async fn preload(
    printer: &Printer,
    bytes: &[u8],
    connect: &dyn Fn(&VendorInfo) -> Result<Connection, CliError>,
) -> Result<(), CliError> {
    let names: BTreeSet<String> = bytes
        .split(|b| *b == b'\n')
        .filter(|line| line.trim_ascii_start().starts_with(b"{"))
        .filter_map(|line| serde_json::from_slice::<ModelOf<'_>>(line).ok()?.model)
        .filter(|name| connect::model(name).is_err())
        .map(Cow::into_owned)
        .collect();
    for name in names {
        let Some((vendor, id)) = connect::split_vendor(&name) else {
            continue;
        };
        match load(&connect(vendor)?, vendor, id).await {
            Ok((_, model)) => printer.note(&loaded_note(&name, &model)),
            Err(err) => printer.note(&format!("warning: {name}: {err}")),
        }
    }
    Ok(())
}
