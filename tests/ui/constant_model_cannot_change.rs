// AI/ML API's `model` is a constant: it has no setter and no other value.
use seedance::aimlapi::seedance_1_0_lite_i2v::{Input, ModelValue};

fn main() {
    let _input = Input::new("prompt", "https://example.com/a.png").model(ModelValue::SeedancePro);
}
