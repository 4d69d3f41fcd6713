//! Media URL fields under `--sim`. The simulator (like the vendors) fetches
//! input images, and so does the runtime's image check before submit; it
//! must never reach another host. So every image, video and audio field
//! is rewritten, each change with a note:
//! - an http(s) URL on any other host becomes the simulator's test file of
//!   its kind ([`test_media`]: a 1280x720 PNG, valid for every model's
//!   rules; the result MP4; a short MP3);
//! - a value starting with `/sim/` is taken relative to the simulator, to
//!   try images that break rules (`/sim/images/img.png?w=200&h=200`);
//! - a required media field left out is filled with the test file;
//! - data URIs are kept as they are.

use seedance_runtime::validation::MediaKind;
use seedance_sim::{AUDIO_PATH, ImageFormat, ImageSpec, VIDEO_PATH};
use serde_json::{Map, Value};

use super::Simulator;
use crate::schema::{Field, Kind};

/// Width and height of the PNG substituted for foreign image URLs.
pub const TEST_IMAGE: (u32, u32) = (1280, 720);

/// The URL of the simulator's test file of `kind`.
pub fn test_media(sim: &Simulator, kind: MediaKind) -> String {
    match kind {
        MediaKind::Image => sim.image_url(&ImageSpec::new(
            ImageFormat::Png,
            TEST_IMAGE.0,
            TEST_IMAGE.1,
        )),
        MediaKind::Video => format!("{}{VIDEO_PATH}", sim.base_url()),
        MediaKind::Audio => format!("{}{AUDIO_PATH}", sim.base_url()),
    }
}

/// Rewrites the media fields of `body` as the module docs say; returns one
/// note per change.
pub fn prepare(sim: &Simulator, fields: &[Field], body: &mut Map<String, Value>) -> Vec<String> {
    let mut notes = Vec::new();
    for field in fields {
        let Some(kind) = field.url_media() else {
            continue;
        };
        match body.get_mut(&field.name) {
            Some(Value::String(url)) => rewrite(sim, kind, &field.name, url, &mut notes),
            Some(Value::Array(items)) => {
                for (index, item) in items.iter_mut().enumerate() {
                    if let Value::String(url) = item {
                        let path = format!("{}[{index}]", field.name);
                        rewrite(sim, kind, &path, url, &mut notes);
                    }
                }
            }
            Some(_) => {}
            None if field.required => {
                let url = test_media(sim, kind);
                notes.push(format!(
                    "--sim: {} not given; using the simulator's test {} {url}",
                    field.name,
                    kind.as_str()
                ));
                let value = match field.kind {
                    Kind::Array(_) => Value::Array(vec![Value::String(url)]),
                    _ => Value::String(url),
                };
                body.insert(field.name.clone(), value);
            }
            None => {}
        }
    }
    notes
}

fn rewrite(
    sim: &Simulator,
    kind: MediaKind,
    path: &str,
    url: &mut String,
    notes: &mut Vec<String>,
) {
    let base = sim.base_url();
    if url.starts_with("/sim/") {
        *url = format!("{base}{url}");
    } else if is_http(url) && !url.starts_with(&format!("{base}/")) {
        let test = test_media(sim, kind);
        notes.push(format!(
            "--sim: {path}: {url} replaced by the simulator's test {} {test} \
             (--sim never fetches other hosts)",
            kind.as_str()
        ));
        *url = test;
    }
}

fn is_http(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}
