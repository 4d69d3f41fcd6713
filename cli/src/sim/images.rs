//! URL fields under `--sim`. The simulator (like the vendors) fetches
//! input images, and so does the runtime's image check before submit; it
//! must never reach another host. So image fields (and a plain `uri`
//! field, taken as an image) are rewritten, each with a note:
//! - an http(s) URL on any other host becomes the simulator's test image
//!   ([`TEST_IMAGE`]: a 1280x720 PNG, valid for every model's rules);
//! - a value starting with `/sim/` is taken relative to the simulator, to
//!   try images that break rules (`/sim/images/img.png?w=200&h=200`);
//! - a required image field left out is filled with the test image;
//! - data URIs are kept as they are.

use seedance_sim::{ImageFormat, ImageSpec};
use serde_json::{Map, Value};

use super::Simulator;
use crate::schema::{Field, Kind};
use seedance_runtime::validation::MediaKind;

/// Width and height of the PNG substituted for foreign URLs.
pub const TEST_IMAGE: (u32, u32) = (1280, 720);

/// The URL of the substituted test image.
fn test_image(sim: &Simulator) -> String {
    sim.image_url(&ImageSpec::new(
        ImageFormat::Png,
        TEST_IMAGE.0,
        TEST_IMAGE.1,
    ))
}

/// Rewrites the image fields of `body` as the module docs say; returns one
/// note per change.
pub fn prepare(sim: &Simulator, fields: &[Field], body: &mut Map<String, Value>) -> Vec<String> {
    let mut notes = Vec::new();
    let images = fields
        .iter()
        .filter(|field| field.url_media() == Some(MediaKind::Image));
    for field in images {
        match body.get_mut(&field.name) {
            Some(Value::String(url)) => rewrite(sim, &field.name, url, &mut notes),
            Some(Value::Array(items)) => {
                for (index, item) in items.iter_mut().enumerate() {
                    if let Value::String(url) = item {
                        rewrite(sim, &format!("{}[{index}]", field.name), url, &mut notes);
                    }
                }
            }
            Some(_) => {}
            None if field.required => {
                let image = test_image(sim);
                notes.push(format!(
                    "--sim: {} not given; using the simulator's test image {image}",
                    field.name
                ));
                let value = if matches!(field.kind, Kind::Array(_)) {
                    Value::Array(vec![Value::String(image)])
                } else {
                    Value::String(image)
                };
                body.insert(field.name.clone(), value);
            }
            None => {}
        }
    }
    notes
}

fn rewrite(sim: &Simulator, path: &str, url: &mut String, notes: &mut Vec<String>) {
    let base = sim.base_url();
    if url.starts_with("/sim/") {
        *url = format!("{base}{url}");
    } else if is_http(url) && !url.starts_with(&format!("{base}/")) {
        let image = test_image(sim);
        notes.push(format!(
            "--sim: {path}: {url} replaced by the simulator's test image {image} \
             (--sim never fetches other hosts)"
        ));
        *url = image;
    }
}

fn is_http(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}
