// A WaveSpeed model cannot be sent through a RunComfy client.
use seedance::{runcomfy, wavespeed::seedance_v1_lite_reference_to_video as ws};

async fn send(client: runcomfy::Client) {
    let input = ws::Input::new("a cat surfing", ["https://example.com/cat.png"]);
    let _job = client.submit(&input).await;
}

fn main() {
    let _ = send;
}
