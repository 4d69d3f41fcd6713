//! Served test images and the result video: real files of the asked size
//! (checked by `wellformed`), headers `imagesize` reads, sizes, Range support.

mod common;
mod wellformed;

use std::time::Instant;

use common::client;
use seedance_sim::{ImageFormat, ImageSpec, Route, Sim};

#[tokio::test]
async fn range_requests_return_at_most_the_requested_bytes() {
    let sim = Sim::start().await;
    for format in ImageFormat::ALL {
        let spec = ImageSpec::new(format, 1920, 1080).file_size(3_000_000);
        let response = client()
            .get(sim.image_url(&spec))
            .header("Range", "bytes=0-65535")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 206, "{format:?}");
        assert_eq!(response.headers()["content-range"], "bytes 0-65535/3000000");
        assert_eq!(response.headers()["content-type"], format.mime());
        assert_eq!(response.headers()["accept-ranges"], "bytes");
        let bytes = response.bytes().await.unwrap();
        assert_eq!(bytes.len(), 65_536);
        let size = imagesize::blob_size(&bytes).unwrap();
        assert_eq!((size.width, size.height), (1920, 1080), "{format:?}");
    }
    // A range past the end of a small file is cut to the file.
    let small = ImageSpec::new(ImageFormat::Png, 400, 400).file_size(1000);
    let response = client()
        .get(sim.image_url(&small))
        .header("Range", "bytes=0-65535")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-range"], "bytes 0-999/1000");
    assert_eq!(response.bytes().await.unwrap(), small.bytes());
    // Unsatisfiable.
    let response = client()
        .get(sim.image_url(&small))
        .header("Range", "bytes=5000-")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 416);
    assert_eq!(response.headers()["content-range"], "bytes */1000");
    assert_eq!(sim.count(Route::Image), 5);
}

#[tokio::test]
async fn ignore_range_answers_200_with_everything() {
    let sim = Sim::start().await;
    let spec = ImageSpec::new(ImageFormat::Webp, 640, 480)
        .file_size(200_000)
        .ignore_range();
    let response = client()
        .get(sim.image_url(&spec))
        .header("Range", "bytes=0-1023")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.content_length(), Some(200_000));
    let bytes = response.bytes().await.unwrap();
    assert_eq!(bytes.len(), 200_000);
    assert_eq!(bytes, spec.bytes());
}

#[tokio::test]
async fn big_files_are_streamed_quickly() {
    let sim = Sim::start().await;
    let spec = ImageSpec::new(ImageFormat::Jpeg, 4000, 3000).file_size(25 * 1024 * 1024);
    let started = Instant::now();
    let head = client().head(sim.image_url(&spec)).send().await.unwrap();
    assert_eq!(head.headers()["content-length"], "26214400");
    let response = client().get(sim.image_url(&spec)).send().await.unwrap();
    assert_eq!(response.content_length(), Some(25 * 1024 * 1024));
    let bytes = response.bytes().await.unwrap();
    assert_eq!(bytes.len(), 25 * 1024 * 1024);
    assert_eq!(imagesize::blob_size(&bytes[..100]).unwrap().width, 4000);
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
}

#[tokio::test]
async fn jpeg_metadata_comes_before_the_frame_header() {
    let sim = Sim::start().await;
    let spec = ImageSpec::new(ImageFormat::Jpeg, 1000, 800)
        .metadata(100_000)
        .file_size(500_000);
    let header = spec.header();
    assert!(header.len() > 100_000);
    assert_eq!(&header[2..4], &[0xFF, 0xE1]);
    assert_eq!(&header[6..12], b"Exif\0\0");
    // The first 64 KiB do not reach the frame header ...
    let response = client()
        .get(sim.image_url(&spec))
        .header("Range", "bytes=0-65535")
        .send()
        .await
        .unwrap();
    let bytes = response.bytes().await.unwrap();
    assert!(imagesize::blob_size(&bytes).is_err());
    // ... the whole file does.
    let bytes = client()
        .get(sim.image_url(&spec))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let size = imagesize::blob_size(&bytes).unwrap();
    assert_eq!((size.width, size.height), (1000, 800));
}

#[tokio::test]
async fn bytes_and_data_uris_match_the_served_file() {
    let sim = Sim::start().await;
    let spec = ImageSpec::new(ImageFormat::Png, 301, 5999).file_size(4096);
    let served = client()
        .get(sim.image_url(&spec))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(served, spec.bytes());
    assert!(
        spec.data_uri()
            .starts_with("data:image/png;base64,iVBORw0KGgo")
    );
    let bad = client()
        .get(format!("{}/sim/images/img.gif?w=1&h=1", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 404);
}

/// Fetches `spec` from `sim` and checks it with the format's checker.
async fn fetch_checked(sim: &Sim, spec: &ImageSpec) -> (u32, u32) {
    let bytes = client()
        .get(sim.image_url(spec))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(bytes.len() as u64, spec.total_size(), "{spec:?}");
    match spec.format {
        ImageFormat::Png => wellformed::png(&bytes),
        ImageFormat::Jpeg => wellformed::jpeg(&bytes),
        ImageFormat::Webp => wellformed::webp(&bytes),
    }
}

#[tokio::test]
async fn served_images_are_well_formed_files_of_the_asked_size() {
    let sim = Sim::start().await;
    for format in ImageFormat::ALL {
        for (w, h) in [(1280, 720), (301, 5999), (17, 9), (1, 1)] {
            let plain = ImageSpec::new(format, w, h);
            assert_eq!(fetch_checked(&sim, &plain).await, (w, h), "{plain:?}");
            // Padded (an odd size: a WebP rounds it up to even).
            let padded = plain.clone().file_size(100_001);
            assert_eq!(fetch_checked(&sim, &padded).await, (w, h), "{padded:?}");
            assert!(padded.total_size() - 100_001 <= 1);
        }
        // Small: a default-size image is a few KB at most.
        let default = ImageSpec::new(format, 1280, 720).total_size();
        assert!(default < 8 * 1024, "{format:?}: {default} bytes");
    }
    let exif = ImageSpec::new(ImageFormat::Jpeg, 1000, 800).metadata(100_000);
    assert_eq!(fetch_checked(&sim, &exif).await, (1000, 800));
}

#[tokio::test]
async fn the_result_video_is_a_small_real_mp4() {
    let sim = Sim::start().await;
    let response = client().get(sim.video_url()).send().await.unwrap();
    assert_eq!(response.headers()["content-type"], "video/mp4");
    let bytes = response.bytes().await.unwrap();
    assert_eq!(bytes, seedance_sim::video_bytes());
    assert!(bytes.len() < 50 * 1024, "{} bytes", bytes.len());
    let boxes = wellformed::mp4(&bytes);
    assert_eq!(boxes, ["ftyp", "moov", "free", "mdat"]);
    // An MP4 brand: `isom` or one it is compatible with.
    assert_eq!(&bytes[8..12], b"isom");
    assert_eq!(sim.count(Route::Video), 1);
}
