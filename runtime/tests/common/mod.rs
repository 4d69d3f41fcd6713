//! Hand-written vendors and models (one per protocol) standing in for the
//! generated ones, and clients pointed at a fresh simulator.

#![allow(dead_code)]

pub mod proxy;
pub mod raw;

use std::time::Duration;

use seedance_runtime::{
    Client, ClientBuilder, Clock, Error, FieldPath, ImageInput, ImageRule, ImageRuleKind, JobState,
    Model, ProbeConfig, Protocol, RetryPolicy, ValidationErrors, Validator, Vendor,
    validation::Format,
};
use seedance_sim::Sim;
use serde::Serialize;

/// ByteDance's Seedance 1.0 image rules.
pub const IMAGE_RULES: &[ImageRule] = &[
    ImageRule {
        kind: ImageRuleKind::WidthAbove,
        limit: 300.0,
        message: "width must be over 300 px",
    },
    ImageRule {
        kind: ImageRuleKind::WidthBelow,
        limit: 6000.0,
        message: "width must be under 6000 px",
    },
    ImageRule {
        kind: ImageRuleKind::HeightAbove,
        limit: 300.0,
        message: "height must be over 300 px",
    },
    ImageRule {
        kind: ImageRuleKind::HeightBelow,
        limit: 6000.0,
        message: "height must be under 6000 px",
    },
    ImageRule {
        kind: ImageRuleKind::RatioAbove,
        limit: 0.4,
        message: "ratio must be over 0.4",
    },
    ImageRule {
        kind: ImageRuleKind::RatioBelow,
        limit: 2.5,
        message: "ratio must be under 2.5",
    },
    ImageRule {
        kind: ImageRuleKind::FileSizeMbBelow,
        limit: 30.0,
        message: "must be under 30 MB",
    },
];

pub struct RunComfy;
impl Vendor for RunComfy {
    const NAME: &'static str = "RunComfy";
    const ID: &'static str = "runcomfy";
    const PROTOCOL: Protocol = Protocol::RunComfy;
    const BASE_URL: &'static str = "https://model-api.runcomfy.net";
    const TOKEN_ENV: &'static str = "SEEDANCE_TEST_RUNCOMFY_TOKEN";
}

pub struct AimlApi;
impl Vendor for AimlApi {
    const NAME: &'static str = "AI/ML API";
    const ID: &'static str = "aimlapi";
    const PROTOCOL: Protocol = Protocol::AimlApi;
    const BASE_URL: &'static str = "https://api.aimlapi.com";
    const TOKEN_ENV: &'static str = "SEEDANCE_TEST_AIMLAPI_KEY";
}

pub struct WaveSpeed;
impl Vendor for WaveSpeed {
    const NAME: &'static str = "WaveSpeed AI";
    const ID: &'static str = "wavespeed";
    const PROTOCOL: Protocol = Protocol::WaveSpeed;
    const BASE_URL: &'static str = "https://api.wavespeed.ai";
    const TOKEN_ENV: &'static str = "SEEDANCE_TEST_WAVESPEED_KEY";
}

/// RunComfy `bytedance/seedance-1-0/pro/image-to-video`.
#[derive(Serialize)]
pub struct RcInput {
    pub prompt: String,
    pub first_frame_image_url: String,
}

impl Model for RcInput {
    type Vendor = RunComfy;
    const MODEL: &'static str = "bytedance/seedance-1-0/pro/image-to-video";
    const SUBMIT_PATH: &'static str = "/v1/models/bytedance/seedance-1-0/pro/image-to-video";
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut v = Validator::new();
        v.max_length(FieldPath::Field("prompt"), &self.prompt, 1900);
        v.uri(
            FieldPath::Field("first_frame_image_url"),
            &self.first_frame_image_url,
            Format::ImageUri,
        );
        v.finish()
    }
    fn image_inputs(&self) -> Vec<ImageInput<'_>> {
        vec![ImageInput {
            field: FieldPath::Field("first_frame_image_url"),
            uri: &self.first_frame_image_url,
            rules: IMAGE_RULES,
        }]
    }
}

/// AI/ML API `bytedance/seedance-1-0-lite-i2v`.
#[derive(Serialize)]
pub struct AimlInput {
    pub model: &'static str,
    pub image_url: String,
    pub prompt: String,
}

impl AimlInput {
    pub fn new(prompt: &str, image_url: String) -> Self {
        AimlInput {
            model: "bytedance/seedance-1-0-lite-i2v",
            image_url,
            prompt: prompt.into(),
        }
    }
}

impl Model for AimlInput {
    type Vendor = AimlApi;
    const MODEL: &'static str = "bytedance/seedance-1-0-lite-i2v";
    const SUBMIT_PATH: &'static str = "/v2/video/generations";
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut v = Validator::new();
        v.uri(
            FieldPath::Field("image_url"),
            &self.image_url,
            Format::ImageUri,
        );
        v.finish()
    }
    fn image_inputs(&self) -> Vec<ImageInput<'_>> {
        vec![ImageInput {
            field: FieldPath::Field("image_url"),
            uri: &self.image_url,
            rules: IMAGE_RULES,
        }]
    }
}

/// WaveSpeed `bytedance/seedance-v1-lite/reference-to-video`.
#[derive(Serialize)]
pub struct WsInput {
    pub prompt: String,
    pub reference_images: Vec<String>,
}

impl Model for WsInput {
    type Vendor = WaveSpeed;
    const MODEL: &'static str = "bytedance/seedance-v1-lite/reference-to-video";
    const SUBMIT_PATH: &'static str = "/api/v3/bytedance/seedance-v1-lite/reference-to-video";
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut v = Validator::new();
        v.min_items(
            FieldPath::Field("reference_images"),
            self.reference_images.len(),
            1,
        );
        v.max_items(
            FieldPath::Field("reference_images"),
            self.reference_images.len(),
            4,
        );
        for (i, image) in self.reference_images.iter().enumerate() {
            v.uri(
                FieldPath::Item("reference_images", i),
                image,
                Format::ImageUri,
            );
        }
        v.finish()
    }
    fn image_inputs(&self) -> Vec<ImageInput<'_>> {
        self.reference_images
            .iter()
            .enumerate()
            .map(|(i, uri)| ImageInput {
                field: FieldPath::Item("reference_images", i),
                uri,
                rules: IMAGE_RULES,
            })
            .collect()
    }
}

/// Millisecond retries, Retry-After capped at 20 ms, so tests take no time.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 2,
        initial_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        max_retry_after: Duration::from_millis(20),
        jitter: 0.25,
    }
}

/// Probe limits for the simulator's images, which live on 127.0.0.1 (the
/// prober refuses private addresses unless told otherwise).
pub fn sim_probe() -> ProbeConfig {
    ProbeConfig::default().allow_private_addresses(true)
}

/// Seed of the virtual clocks' jitter: the same schedule on every run.
pub const SEED: u64 = 7;

/// The builder of a client of `V` on the simulator, polling every
/// millisecond on virtual time (no real timer), for tests that change one
/// more setting.
pub fn builder<V: Vendor>(sim: &Sim) -> ClientBuilder<Client<V>> {
    Client::<V>::builder()
        .token(seedance_sim::TOKEN)
        .base_url(sim.base_url())
        .probe_config(sim_probe())
        .clock(Clock::virtual_time(SEED))
        .poll_interval(Duration::from_millis(1))
        .retry_policy(fast_retry())
        .wait_timeout(Duration::from_secs(10))
}

/// Runs the simulator's jobs on `clock` (for [`Sim::set_clock`]'s job
/// durations), starting at the system time of the call.
pub fn follow_clock(sim: &Sim, clock: &Clock) {
    let (clock, start, epoch) = (clock.clone(), clock.now(), std::time::SystemTime::now());
    sim.set_clock(move || epoch + clock.now().saturating_duration_since(start));
}

/// A client of `V` on the simulator, polling every millisecond.
pub fn client<V: Vendor>(sim: &Sim) -> Client<V> {
    builder::<V>(sim).build().expect("client")
}

pub fn rc_input(sim: &Sim) -> RcInput {
    RcInput {
        prompt: "a cat surfing".into(),
        first_frame_image_url: good_image(sim),
    }
}

pub fn aiml_input(sim: &Sim) -> AimlInput {
    AimlInput::new("a cat surfing", good_image(sim))
}

pub fn ws_input(sim: &Sim) -> WsInput {
    WsInput {
        prompt: "a cat surfing".into(),
        reference_images: vec![good_image(sim)],
    }
}

pub fn good_image(sim: &Sim) -> String {
    sim.image_url(
        &seedance_sim::ImageSpec::new(seedance_sim::ImageFormat::Png, 1280, 720).file_size(200_000),
    )
}

/// `err` is the deadline's `Timeout` of job `job_id`, last seen running.
pub fn assert_timed_out_while_running(err: &Error, job_id: &str) {
    match err {
        Error::Timeout {
            job_id: id,
            last_state,
            ..
        } => {
            assert_eq!(id, job_id);
            assert_eq!(last_state, &Some(JobState::Running));
        }
        other => panic!("{other}"),
    }
}
