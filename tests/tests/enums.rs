//! Generated enums: exact wire values, `ALL`, `as_str`, `FromStr`, `Display`,
//! integer enums as integers, vendor defaults.

use std::str::FromStr;

use seedance::runcomfy::seedance_1_0_pro_image_to_video::{
    DurationValue, Input, Ratio, Resolution,
};

#[test]
fn string_enums_use_the_exact_wire_values() {
    let wire: Vec<&str> = Ratio::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(
        wire,
        ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive"]
    );
    assert_eq!(serde_json::to_string(&Ratio::R16x9).unwrap(), "\"16:9\"");
    assert_eq!(Ratio::from_str("adaptive"), Ok(Ratio::Adaptive));
    assert_eq!(Resolution::P1080.to_string(), "1080p");
}

#[test]
fn integer_enums_serialize_as_integers() {
    assert_eq!(DurationValue::ALL.len(), 11);
    assert_eq!(serde_json::to_string(&DurationValue::S5).unwrap(), "5");
    assert_eq!(
        serde_json::from_str::<DurationValue>("12").unwrap(),
        DurationValue::S12
    );
    assert!(serde_json::from_str::<DurationValue>("\"5\"").is_err());
    assert_eq!(DurationValue::S7.value(), 7);
    assert_eq!("10".parse::<DurationValue>(), Ok(DurationValue::S10));
}

#[test]
fn vendor_defaults_are_exposed() {
    assert_eq!(Resolution::VENDOR_DEFAULT, Resolution::P480);
    assert_eq!(Ratio::VENDOR_DEFAULT, Ratio::Adaptive);
    assert_eq!(DurationValue::VENDOR_DEFAULT, DurationValue::S5);
}

#[test]
fn unknown_values_are_refused_with_a_suggestion() {
    let error = Resolution::from_str("720").unwrap_err();
    assert_eq!(error.suggestion(), Some("720p"));
    assert_eq!(
        error.to_string(),
        "\"720\" is not a Resolution (expected one of: 480p, 720p, 1080p); did you mean \"720p\"?"
    );
    let error = serde_json::from_str::<DurationValue>("13")
        .unwrap_err()
        .to_string();
    assert!(error.contains("expected one of: 2, 3, 4"), "{error}");
    // Deserializing says the same as `FromStr`, after the field's name.
    let error = serde_json::from_str::<Input>(
        r#"{"prompt": "p", "first_frame_image_url": "https://e.com/a.png", "resolution": "720"}"#,
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        error,
        "resolution: \"720\" is not a Resolution (expected one of: 480p, 720p, 1080p); \
         did you mean \"720p\"? at line 1 column 83"
    );
    // A number is not a typo of another number: the values are listed instead.
    let error = DurationValue::from_str("13").unwrap_err();
    assert_eq!(error.suggestion(), None);
    assert!(!error.to_string().contains("did you mean"), "{error}");
}
