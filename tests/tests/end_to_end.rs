//! Every model through the generated types and the real HTTP stack, against
//! the in-process simulator: submit -> wait -> video URL -> download; cancel
//! rules; resume by id; image rules caught before any POST.

use seedance::runtime::validation::{ImageRuleKind, Rule};
use seedance::{CancelOutcome, Error, JobState};
use seedance_sim::{ImageFormat, ImageSpec, JobTiming, Outcome, Route, Sim};
use seedance_tests::{client, scratch_file};

use seedance::aimlapi::{self, seedance_1_0_lite_i2v as aiml_lite};
use seedance::runcomfy::{
    self, seedance_1_0_lite_image_to_video as lite_i2v,
    seedance_1_0_lite_reference_to_video as lite_r2v, seedance_1_0_pro_image_to_video as pro_i2v,
};
use seedance::wavespeed::{self, seedance_v1_lite_reference_to_video as ws_r2v};

fn good_image(sim: &Sim) -> String {
    sim.image_url(&ImageSpec::new(ImageFormat::Png, 1280, 720))
}

/// Waits for `job`, checks the video URL and downloads it whole.
async fn finish(job: seedance::Job, name: &str) {
    assert!(!job.id().is_empty(), "the id is known at once");
    let output = job.wait().await.expect("the job succeeds");
    let url = output.video_url().expect("a video URL").to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let path = scratch_file(name);
    let written = output.download(&path).await.expect("the video downloads");
    assert_eq!(written, seedance_sim::VIDEO_LEN as u64);
    assert_eq!(std::fs::read(&path).unwrap(), seedance_sim::video_bytes());
}

#[tokio::test]
async fn runcomfy_pro_image_to_video_end_to_end() {
    let sim = Sim::start().await;
    let input = pro_i2v::Input::new(
        "A pair of stylish round sunglasses rests on a sleek table.",
        good_image(&sim),
    )
    .resolution(pro_i2v::Resolution::P1080)
    .duration(pro_i2v::DurationValue::S5);
    let job = client::<runcomfy::Vendor>(&sim)
        .submit(&input)
        .await
        .unwrap();
    finish(job, "pro.mp4").await;
    assert_eq!(sim.count(Route::Submit), 1);
}

#[tokio::test]
async fn runcomfy_lite_image_to_video_end_to_end() {
    let sim = Sim::start().await;
    let last = sim.image_url(&ImageSpec::new(ImageFormat::Jpeg, 800, 600).metadata(100_000));
    let input = lite_i2v::Input::new("a boat drifts", good_image(&sim))
        .last_frame_image_url(last)
        .duration(lite_i2v::DurationValue::S10);
    let job = client::<runcomfy::Vendor>(&sim)
        .submit(&input)
        .await
        .unwrap();
    finish(job, "lite-i2v.mp4").await;
}

#[tokio::test]
async fn runcomfy_lite_reference_to_video_end_to_end() {
    let sim = Sim::start().await;
    let webp = sim.image_url(&ImageSpec::new(ImageFormat::Webp, 640, 640));
    let input = lite_r2v::Input::new(
        "the woman is standing beside the boats",
        [good_image(&sim), webp],
    )
    .ratio(lite_r2v::Ratio::R9x16)
    .seed(53_154_020);
    let job = client::<runcomfy::Vendor>(&sim)
        .submit(&input)
        .await
        .unwrap();
    finish(job, "lite-r2v.mp4").await;
}

#[tokio::test]
async fn aimlapi_lite_i2v_end_to_end() {
    let sim = Sim::start().await;
    let data_uri = ImageSpec::new(ImageFormat::Png, 832, 1120).data_uri();
    let input = aiml_lite::Input::new("Mona Lisa puts on glasses with her hands.", data_uri)
        .camerafixed(true)
        .resolution(aiml_lite::Resolution::P720);
    let job = client::<aimlapi::Vendor>(&sim)
        .submit(&input)
        .await
        .unwrap();
    finish(job, "aiml.mp4").await;
}

/// Every AI/ML API OpenAPI document under `schemas/aimlapi/` is a typed
/// module that runs end to end: submitted to the document's own path
/// (`/v2/video/generations`), polled there, downloaded.
#[tokio::test]
async fn every_aimlapi_openapi_model_runs_end_to_end() {
    use seedance::aimlapi::{
        dreamina_seedance_2_0_mini, dreamina_seedance_2_5, omnihuman, omnihuman_v1_5,
        seedance_1_0_lite_t2v, seedance_1_0_pro_fast, seedance_1_0_pro_i2v, seedance_1_0_pro_t2v,
        seedance_1_5_pro, seedance_2_0, seedance_2_0_fast, seedance_2_5,
    };
    let sim = Sim::start().await;
    let client = client::<aimlapi::Vendor>(&sim);
    let image = good_image(&sim);
    let jobs = [
        client
            .submit(&aiml_lite::Input::new("a fox", image.clone()).camerafixed(true))
            .await,
        client
            .submit(
                &seedance_1_0_lite_t2v::Input::new("a fox")
                    .aspect_ratio(seedance_1_0_lite_t2v::AspectRatio::R9x16),
            )
            .await,
        client
            .submit(&seedance_1_0_pro_i2v::Input::new("a fox").image_url(image.clone()))
            .await,
        client
            .submit(&seedance_1_0_pro_t2v::Input::new("a fox"))
            .await,
        client
            .submit(&seedance_1_5_pro::Input::new("a fox").generate_audio(false))
            .await,
        client
            .submit(
                &seedance_2_0::Input::new("a fox")
                    .duration(seedance_2_0::DurationValue::S15)
                    .image_urls([image.clone()]),
            )
            .await,
        client
            .submit(
                &seedance_1_0_pro_fast::Input::new("a fox")
                    .image_url(image.clone())
                    .camerafixed(true),
            )
            .await,
        client
            .submit(
                &seedance_2_0_fast::Input::new("a fox")
                    .duration(seedance_2_0_fast::DurationValue::S8)
                    .last_image_url(image.clone()),
            )
            .await,
        client
            .submit(
                &dreamina_seedance_2_0_mini::Input::new("a fox")
                    .resolution(dreamina_seedance_2_0_mini::Resolution::P480),
            )
            .await,
        client
            .submit(
                &dreamina_seedance_2_5::Input::new("a fox")
                    .duration(dreamina_seedance_2_5::DurationValue::S30),
            )
            .await,
        client
            .submit(
                &seedance_2_5::Input::new("a fox")
                    .aspect_ratio(seedance_2_5::AspectRatio::R21x9)
                    .video_urls(["https://example.com/clip.mp4"]),
            )
            .await,
        client
            .submit(&omnihuman::Input::new(
                image.clone(),
                "https://example.com/voice.mp3",
            ))
            .await,
        client
            .submit(&omnihuman_v1_5::Input::new(
                image,
                "https://example.com/voice.mp3",
            ))
            .await,
    ];
    for (i, job) in jobs.into_iter().enumerate() {
        finish(
            job.expect("the sim accepts the typed input"),
            &format!("aiml-{i}.mp4"),
        )
        .await;
    }
    assert_eq!(sim.count(Route::Submit), 13);
}

#[tokio::test]
async fn wavespeed_reference_to_video_end_to_end() {
    let sim = Sim::start().await;
    let input = ws_r2v::Input::new("a cat surfing", [good_image(&sim)])
        .duration(5)
        .camera_fixed(false);
    let job = client::<wavespeed::Vendor>(&sim)
        .submit(&input)
        .await
        .unwrap();
    finish(job, "wavespeed.mp4").await;
}

#[tokio::test]
async fn cancel_while_queued_cancels() {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming::queued_forever());
    let client = client::<runcomfy::Vendor>(&sim);
    let job = client
        .submit(&pro_i2v::Input::new("p", good_image(&sim)))
        .await
        .unwrap();
    assert_eq!(job.status().await.unwrap().state, JobState::Queued);
    assert_eq!(job.cancel().await.unwrap(), CancelOutcome::Cancelled);
    assert_eq!(job.status().await.unwrap().state, JobState::Cancelled);
}

#[tokio::test]
async fn cancel_while_running_is_not_cancellable() {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming::running_forever());
    let client = client::<runcomfy::Vendor>(&sim);
    let job = client
        .submit(&pro_i2v::Input::new("p", good_image(&sim)))
        .await
        .unwrap();
    assert_eq!(job.status().await.unwrap().state, JobState::Running);
    assert_eq!(job.cancel().await.unwrap(), CancelOutcome::NotCancellable);
    assert_eq!(job.status().await.unwrap().state, JobState::Running);
}

#[tokio::test]
async fn vendors_without_cancel_say_so() {
    let sim = Sim::start().await;
    let client = client::<wavespeed::Vendor>(&sim);
    let job = client
        .submit(&ws_r2v::Input::new("p", [good_image(&sim)]))
        .await
        .unwrap();
    let error = job.cancel().await.unwrap_err();
    assert!(
        matches!(error, Error::CancelUnsupported { .. }),
        "{error:?}"
    );
    assert_eq!(error.job_id(), Some(job.id()));
    assert_eq!(sim.count(Route::Cancel), 0);
}

#[tokio::test]
async fn a_job_resumes_from_its_id_alone() {
    let sim = Sim::start().await;
    let id = {
        let client = client::<runcomfy::Vendor>(&sim);
        let job = client
            .submit(&pro_i2v::Input::new("p", good_image(&sim)))
            .await
            .unwrap();
        job.id().to_owned()
    };
    // A new client, as after a crash: only the id survived.
    let resumed = client::<runcomfy::Vendor>(&sim).job(id.clone());
    let output = resumed.wait().await.unwrap();
    assert_eq!(output.job_id(), id);
    assert!(output.video_url().is_some());
}

#[tokio::test]
async fn a_failed_job_reports_the_vendor_message_and_the_id() {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming::immediate(Outcome::Fail {
        message: "content moderation".into(),
    }));
    let client = client::<aimlapi::Vendor>(&sim);
    let job = client
        .submit(&aiml_lite::Input::new("p", good_image(&sim)))
        .await
        .unwrap();
    let error = job.wait().await.unwrap_err();
    assert_eq!(error.job_id(), Some(job.id()));
    assert!(error.to_string().contains("content moderation"), "{error}");
}

/// Image rules, each broken once, as a URL and as a data URI: all caught
/// before submit, with no POST reaching the simulator.
#[tokio::test]
async fn every_image_rule_is_caught_before_submit() {
    let cases = [
        (
            ImageSpec::new(ImageFormat::Png, 300, 600),
            ImageRuleKind::WidthAbove,
        ),
        (
            ImageSpec::new(ImageFormat::Jpeg, 3000, 6000),
            ImageRuleKind::HeightBelow,
        ),
        (
            ImageSpec::new(ImageFormat::Webp, 6000, 3000),
            ImageRuleKind::WidthBelow,
        ),
        (
            ImageSpec::new(ImageFormat::Png, 700, 300),
            ImageRuleKind::HeightAbove,
        ),
        (
            ImageSpec::new(ImageFormat::Png, 2500, 1000),
            ImageRuleKind::RatioBelow,
        ),
        (
            ImageSpec::new(ImageFormat::Jpeg, 400, 1000),
            ImageRuleKind::RatioAbove,
        ),
        (
            ImageSpec::new(ImageFormat::Png, 800, 600).file_size(30 * 1_048_576),
            ImageRuleKind::FileSizeMbBelow,
        ),
    ];
    let sim = Sim::start().await;
    let client = client::<runcomfy::Vendor>(&sim);
    for (spec, broken) in cases {
        let sources = [("url", sim.image_url(&spec)), ("data URI", spec.data_uri())];
        for (kind, image) in sources {
            let error = client
                .submit(&pro_i2v::Input::new("p", image))
                .await
                .unwrap_err();
            let Error::Validation(errors) = error else {
                panic!("{kind} {broken:?}: {error:?}")
            };
            let rules: Vec<Rule> = errors.violations.iter().map(|v| v.rule).collect();
            assert_eq!(rules, [Rule::Image(broken)], "{kind} {spec:?}");
            assert_eq!(errors.violations[0].field, "first_frame_image_url");
        }
    }
    assert_eq!(sim.count(Route::Submit), 0, "nothing was submitted");
}

#[tokio::test]
async fn local_and_image_violations_come_together_with_item_paths() {
    let sim = Sim::start().await;
    let small = sim.image_url(&ImageSpec::new(ImageFormat::Png, 200, 200));
    let input = lite_i2v::Input::new("p".repeat(1901), small).last_frame_image_url("not a url");
    let error = client::<runcomfy::Vendor>(&sim)
        .submit(&input)
        .await
        .unwrap_err();
    let Error::Validation(errors) = error else {
        panic!("{error:?}")
    };
    let found: Vec<(String, Rule)> = errors
        .violations
        .iter()
        .map(|v| (v.field.clone(), v.rule))
        .collect();
    assert!(
        found.contains(&("last_frame_image_url".into(), Rule::Format("image_uri"))),
        "{found:?}"
    );
    assert!(
        found.contains(&("prompt".into(), Rule::MaxLength)),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "first_frame_image_url".into(),
            Rule::Image(ImageRuleKind::WidthAbove)
        )),
        "{found:?}"
    );
    assert_eq!(sim.count(Route::Submit), 0);
}

#[tokio::test]
async fn a_submit_answered_with_500_is_sent_once_and_reported_uncertain() {
    let sim = Sim::start().await;
    sim.inject(Route::Submit, seedance_sim::Fault::Status(500), 1);
    let error = client::<runcomfy::Vendor>(&sim)
        .submit(&pro_i2v::Input::new("p", good_image(&sim)))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::SubmitUncertain { .. }), "{error:?}");
    assert_eq!(sim.count(Route::Submit), 1, "a paid POST is never re-sent");
}
