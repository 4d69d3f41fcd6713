// The constructor takes every required field: leaving one out does not compile.
use seedance::runcomfy::seedance_1_0_pro_image_to_video::Input;

fn main() {
    let _input = Input::new("A pair of stylish round sunglasses rests on a sleek table.");
}
