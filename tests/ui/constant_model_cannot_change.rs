// AI/ML API's `model` is a constant: it has no setter and no other value.
use seedance::aimlapi::seedance_1_0_lite_i2v::{Input, Model};

fn main() {
    let _input = Input::new("https://example.com/a.png", "prompt").model(Model::SeedancePro);
}
