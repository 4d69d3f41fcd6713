//! What vendors state only in prose, kept here as data because no schema
//! carries it: `describe` lists a model's advisories and `run` warns when
//! one applies to the input. Keyed by `vendor/model`; add a row when a
//! vendor page says "X is ignored when Y".

use serde_json::{Map, Value};

/// One advisory.
#[derive(Debug, Clone, Copy)]
pub struct Advisory {
    /// `vendor/model`.
    pub model: &'static str,
    /// When it applies to an input.
    pub applies: fn(&Map<String, Value>) -> bool,
    /// What to tell the user.
    pub text: &'static str,
}

/// Every known advisory.
pub const ADVISORIES: &[Advisory] = &[Advisory {
    model: "runcomfy/bytedance/seedance-1-0/lite/image-to-video",
    applies: |body| {
        body.contains_key("last_frame_image_url")
            && body
                .get("resolution")
                .and_then(Value::as_str)
                .is_some_and(|r| r.eq_ignore_ascii_case("1080p"))
    },
    text: "last_frame_image_url is ignored at resolution 1080p (the vendor's note): \
           use 480p or 720p to end on that frame",
}];

/// The advisories of a model.
pub fn of(model: &str) -> impl Iterator<Item = &'static Advisory> + '_ {
    ADVISORIES.iter().filter(move |a| a.model == model)
}

/// The advisories of a model that apply to `body`.
pub fn applying<'a>(
    model: &'a str,
    body: &'a Map<String, Value>,
) -> impl Iterator<Item = &'static Advisory> + 'a {
    of(model).filter(move |a| (a.applies)(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_advisory_names_a_catalog_model() {
        for advisory in ADVISORIES {
            assert!(
                seedance::catalog::find(advisory.model).is_some(),
                "{}",
                advisory.model
            );
        }
    }

    #[test]
    fn last_frame_advisory_applies_only_at_1080p() {
        let model = "runcomfy/bytedance/seedance-1-0/lite/image-to-video";
        let mut body = Map::new();
        body.insert("last_frame_image_url".into(), "https://x/a.png".into());
        body.insert("resolution".into(), "720p".into());
        assert_eq!(applying(model, &body).count(), 0);
        body.insert("resolution".into(), "1080p".into());
        assert_eq!(applying(model, &body).count(), 1);
    }
}
