//! jsonschema's compile-time validators of the five bench models' schema
//! files: the "jsonschema compiled" baseline of the validation bench and
//! of the instruction counts (`examples/icount.rs`).

#[jsonschema::validator(path = "../generated/schemas/aimlapi/seedance_1_0_lite_i2v.json")]
pub struct AimlSchema;

#[jsonschema::validator(
    path = "../schemas/runcomfy/bytedance/seedance-1-0/lite/image-to-video.json"
)]
pub struct LiteI2vSchema;

#[jsonschema::validator(
    path = "../schemas/runcomfy/bytedance/seedance-1-0/lite/reference-to-video.json"
)]
pub struct LiteR2vSchema;

#[jsonschema::validator(
    path = "../schemas/runcomfy/bytedance/seedance-1-0/pro/image-to-video.json"
)]
pub struct ProI2vSchema;

#[jsonschema::validator(
    path = "../schemas/wavespeed/bytedance/seedance-v1-lite/reference-to-video.json"
)]
pub struct WavespeedSchema;
