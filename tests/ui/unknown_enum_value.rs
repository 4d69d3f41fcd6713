// Enum values are checked at compile time: 4K is not a RunComfy pro resolution.
use seedance::runcomfy::seedance_1_0_pro_image_to_video::{Input, Resolution};

fn main() {
    let _input = Input::new("prompt", "https://example.com/a.png").resolution(Resolution::P2160);
}
