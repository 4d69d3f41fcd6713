//! The prober reads as little as it can: one Range read of at most 64 KiB
//! for ordinary images, small follow-ups past JPEG metadata, and a stream
//! cut short when a server ignores Range.

mod common;

use common::*;
use seedance_runtime::{Error, FieldPath, ImageInput, ImageRuleKind, ProbeConfig, Prober, Rule};
use seedance_sim::{HideSize, ImageFormat, ImageSpec, Route, Sim};

fn prober() -> Prober {
    Prober::new(sim_probe()).expect("a prober")
}

#[tokio::test]
async fn ordinary_images_take_one_request_of_at_most_64_kib() {
    let sim = Sim::start().await;
    for format in [ImageFormat::Png, ImageFormat::Webp, ImageFormat::Jpeg] {
        let spec = ImageSpec::new(format, 1920, 1080).file_size(5_000_000);
        let probe = prober().probe(&sim.image_url(&spec)).await;
        let facts = probe.facts.unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert_eq!((facts.width, facts.height), (1920, 1080), "{format:?}");
        assert_eq!(facts.file_size, Some(5_000_000), "{format:?}");
        assert_eq!(probe.requests, 1, "{format:?}");
        assert!(
            probe.bytes_read <= 65_536,
            "{format:?}: {}",
            probe.bytes_read
        );
    }
}

#[tokio::test]
async fn jpeg_with_big_exif_takes_small_follow_up_reads() {
    let sim = Sim::start().await;
    let spec = ImageSpec::new(ImageFormat::Jpeg, 4000, 3000)
        .metadata(200_000)
        .file_size(8_000_000);
    let probe = prober().probe(&sim.image_url(&spec)).await;
    let facts = probe.facts.unwrap();
    assert_eq!(
        (facts.width, facts.height, facts.file_size),
        (4000, 3000, Some(8_000_000))
    );
    assert!(
        probe.requests >= 2 && probe.requests <= 5,
        "{} requests",
        probe.requests
    );
    assert!(
        probe.bytes_read <= 65_536 + 4 * 4096,
        "{} bytes for a 200 KB EXIF",
        probe.bytes_read
    );
}

#[tokio::test]
async fn server_ignoring_range_is_read_only_up_to_the_header() {
    let sim = Sim::start().await;
    for spec in [
        ImageSpec::new(ImageFormat::Png, 800, 600)
            .file_size(20_000_000)
            .ignore_range(),
        ImageSpec::new(ImageFormat::Jpeg, 800, 600)
            .metadata(150_000)
            .file_size(20_000_000)
            .ignore_range(),
    ] {
        let probe = prober().probe(&sim.image_url(&spec)).await;
        let facts = probe.facts.unwrap();
        assert_eq!((facts.width, facts.height), (800, 600));
        assert_eq!(facts.file_size, Some(20_000_000));
        assert_eq!(probe.requests, 1);
        assert!(
            probe.bytes_read < spec.metadata as u64 + 512 * 1024,
            "{} bytes of 20 MB",
            probe.bytes_read
        );
    }
}

#[tokio::test]
async fn data_uris_are_checked_without_a_request() {
    let sim = Sim::start().await;
    let uri = ImageSpec::new(ImageFormat::Webp, 100, 900).data_uri();
    let inputs = [ImageInput {
        field: FieldPath::Item("images", 3),
        uri: &uri,
        rules: IMAGE_RULES,
    }];
    let (violations, report) = prober().check(&inputs, true).await;
    assert_eq!(report.requests, 0);
    let rules: Vec<_> = violations
        .iter()
        .map(|v| (v.field.as_str(), v.rule))
        .collect();
    assert_eq!(rules.len(), 2, "{violations:?}"); // width 100 and ratio 0.11
    assert!(rules.iter().all(|(field, _)| *field == "images[3]"));
    assert_eq!(sim.count(Route::Image), 0);
}

#[tokio::test]
async fn oversized_file_breaks_the_size_rule_from_content_range() {
    let sim = Sim::start().await;
    let url = sim.image_url(&ImageSpec::new(ImageFormat::Png, 1000, 1000).file_size(40 << 20));
    let inputs = [ImageInput {
        field: FieldPath::Field("image_url"),
        uri: &url,
        rules: IMAGE_RULES,
    }];
    let (violations, report) = prober().check(&inputs, false).await;
    assert_eq!(violations.len(), 1);
    assert_eq!(
        violations[0].rule,
        Rule::Image(seedance_runtime::ImageRuleKind::FileSizeMbBelow)
    );
    assert_eq!(report.requests, 1);
}

#[tokio::test]
async fn skipping_remote_checks_sends_no_image_request() {
    let sim = Sim::start().await;
    let client = builder::<AimlApi>(&sim)
        .skip_remote_image_checks(true)
        .build()
        .expect("client");
    let tiny = sim.image_url(&ImageSpec::new(ImageFormat::Png, 10, 10));
    let report = client.check(&AimlInput::new("x", tiny)).await.unwrap();
    assert_eq!(report.requests, 0);
    assert_eq!(sim.count(Route::Image), 0);
    // Data URIs are still checked.
    let local = ImageSpec::new(ImageFormat::Png, 10, 10).data_uri();
    let err = client.check(&AimlInput::new("x", local)).await.unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err}");
}

#[tokio::test]
async fn many_images_are_probed_concurrently_and_counted() {
    let sim = Sim::start().await;
    let images: Vec<String> = (0..4)
        .map(|i| {
            sim.image_url(&ImageSpec::new(ImageFormat::Jpeg, 1000 + i, 800).file_size(3_000_000))
        })
        .collect();
    let input = WsInput {
        prompt: "x".into(),
        reference_images: images,
    };
    let report = client::<WaveSpeed>(&sim).check(&input).await.unwrap();
    assert_eq!(report.images.len(), 4);
    assert_eq!(report.requests, 4);
    assert!(report.bytes_read <= 4 * 65_536);
    assert_eq!(report.images[3].facts.as_ref().map(|f| f.width), Ok(1003));
}

#[tokio::test]
async fn jpeg_with_metadata_in_many_segments_is_read_marker_by_marker() {
    let sim = Sim::start().await;
    // 2 MB of EXIF in 31 segments of 64 KB (extended XMP, multi-part ICC).
    let spec = ImageSpec::new(ImageFormat::Jpeg, 4000, 3000)
        .metadata(2_000_000)
        .file_size(25_000_000);
    let url = sim.image_url(&spec);
    let inputs = [ImageInput {
        field: FieldPath::Field("image_url"),
        uri: &url,
        rules: IMAGE_RULES,
    }];
    let (violations, report) = prober().check(&inputs, false).await;
    assert!(violations.is_empty(), "{violations:?}");
    let probe = &report.images[0];
    let facts = probe.facts.as_ref().unwrap();
    assert_eq!(
        (facts.width, facts.height, facts.file_size),
        (4000, 3000, Some(25_000_000))
    );
    // The first read, then one 4 KiB read per segment header.
    assert_eq!(probe.requests, 1 + 31, "{} requests", probe.requests);
    assert!(
        probe.bytes_read <= 65_536 + 31 * 4096,
        "{} bytes for 2 MB of metadata",
        probe.bytes_read
    );
}

#[tokio::test]
async fn spent_follow_up_budget_falls_back_to_a_bounded_stream_from_the_marker() {
    let sim = Sim::start().await;
    let spec = ImageSpec::new(ImageFormat::Jpeg, 1600, 1200)
        .metadata(1_000_000)
        .file_size(20_000_000);
    let config = ProbeConfig {
        max_follow_ups: 2,
        ..sim_probe()
    };
    let probe = Prober::new(config)
        .expect("a prober")
        .probe(&sim.image_url(&spec))
        .await;
    let facts = probe.facts.unwrap();
    assert_eq!(
        (facts.width, facts.height, facts.file_size),
        (1600, 1200, Some(20_000_000))
    );
    assert_eq!(probe.requests, 1 + 2 + 1);
    // The stream starts at the third segment and stops at the frame header
    // (give or take what the connection had buffered).
    assert!(
        probe.bytes_read < 1_000_000 + 512 * 1024,
        "{} bytes of 20 MB",
        probe.bytes_read
    );

    // A budget of zero follow-ups streams at once, still bounded.
    let config = ProbeConfig {
        max_follow_ups: 0,
        max_stream_bytes: 100_000,
        ..sim_probe()
    };
    let probe = Prober::new(config)
        .expect("a prober")
        .probe(&sim.image_url(&spec))
        .await;
    let why = probe.facts.unwrap_err().to_string();
    assert!(why.contains("no image header in 100000 bytes"), "{why}");
    assert!(probe.bytes_read < 1_000_000 + 512 * 1024);
}

fn size_inputs(url: &str) -> [ImageInput<'_>; 1] {
    [ImageInput {
        field: FieldPath::Field("image_url"),
        uri: url,
        rules: IMAGE_RULES,
    }]
}

#[tokio::test]
async fn size_hidden_from_get_is_learnt_with_a_head() {
    let sim = Sim::start().await;
    for spec in [
        // 206 with `Content-Range: bytes 0-65535/*`.
        ImageSpec::new(ImageFormat::Png, 1000, 1000)
            .file_size(40 << 20)
            .hide_size(HideSize::Get),
        // 200 sent chunked, without Content-Length.
        ImageSpec::new(ImageFormat::Png, 1000, 1000)
            .file_size(40 << 20)
            .ignore_range()
            .hide_size(HideSize::Get),
    ] {
        let url = sim.image_url(&spec);
        let (violations, report) = prober().check(&size_inputs(&url), false).await;
        assert_eq!(
            violations.iter().map(|v| v.rule).collect::<Vec<_>>(),
            [Rule::Image(ImageRuleKind::FileSizeMbBelow)],
            "{spec:?}"
        );
        let probe = &report.images[0];
        assert_eq!(probe.facts.as_ref().unwrap().file_size, Some(40 << 20));
        assert!(!probe.file_size_unknown);
        assert_eq!(probe.requests, 2, "{spec:?}");
        assert!(probe.bytes_read <= 65_536, "{spec:?}: {}", probe.bytes_read);
    }
}

#[tokio::test]
async fn size_told_only_to_a_suffix_range_is_learnt_from_it() {
    let sim = Sim::start().await;
    let spec = ImageSpec::new(ImageFormat::Webp, 1000, 800)
        .file_size(12_345_678)
        .hide_size(HideSize::GetAndHead);
    let probe = prober().probe(&sim.image_url(&spec)).await;
    assert_eq!(probe.facts.unwrap().file_size, Some(12_345_678));
    assert!(!probe.file_size_unknown);
    assert_eq!(probe.requests, 3);
    assert!(probe.bytes_read <= 65_536 + 64);
}

#[tokio::test]
async fn size_told_nowhere_is_reported_unknown_not_refused() {
    let sim = Sim::start().await;
    let spec = ImageSpec::new(ImageFormat::Jpeg, 1000, 1000)
        .file_size(40 << 20)
        .hide_size(HideSize::Everywhere);
    let url = sim.image_url(&spec);
    let (violations, report) = prober().check(&size_inputs(&url), false).await;
    assert!(violations.is_empty(), "{violations:?}");
    assert_eq!(
        report.file_size_unknown().collect::<Vec<_>>(),
        ["image_url"]
    );
    assert_eq!(report.images[0].facts.as_ref().unwrap().file_size, None);
    assert_eq!(report.requests, 3);
    assert!(report.bytes_read <= 65_536 + 64);
}

#[tokio::test]
async fn without_a_size_rule_a_hidden_size_costs_no_request() {
    let sim = Sim::start().await;
    let spec = ImageSpec::new(ImageFormat::Png, 1000, 1000)
        .file_size(40 << 20)
        .hide_size(HideSize::Everywhere);
    let url = sim.image_url(&spec);
    let pixel_rules: Vec<_> = IMAGE_RULES
        .iter()
        .filter(|rule| !rule.kind.needs_file_size())
        .copied()
        .collect();
    let inputs = [ImageInput {
        field: FieldPath::Field("image_url"),
        uri: &url,
        rules: Box::leak(pixel_rules.into_boxed_slice()),
    }];
    let (violations, report) = prober().check(&inputs, false).await;
    assert!(violations.is_empty(), "{violations:?}");
    assert_eq!(report.requests, 1);
    assert_eq!(report.file_size_unknown().count(), 0);
}

#[tokio::test]
async fn base64_and_percent_encoded_data_uris_are_read_url_safe_base64_is_not() {
    // 604 px wide: the IHDR's CRC is spelt with a `/` in base64.
    let spec = ImageSpec::new(ImageFormat::Png, 604, 480);
    let unpadded = spec.data_uri().trim_end_matches('=').to_owned();
    for uri in [spec.data_uri(), unpadded, spec.percent_data_uri()] {
        let probe = prober().probe(&uri).await;
        let facts = probe.facts.unwrap_or_else(|e| panic!("{uri}: {e}"));
        assert_eq!(
            (facts.width, facts.height, facts.file_size),
            (604, 480, Some(spec.total_size()))
        );
        assert_eq!(probe.requests, 0);
    }
    let standard = spec.data_uri();
    let (header, payload) = standard.split_once(',').unwrap();
    let url_safe = format!("{header},{}", payload.replace('+', "-").replace('/', "_"));
    assert_ne!(url_safe, standard);
    let why = prober()
        .probe(&url_safe)
        .await
        .facts
        .unwrap_err()
        .to_string();
    assert!(why.contains("base64"), "{why}");
}
