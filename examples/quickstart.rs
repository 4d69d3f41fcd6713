//! Quickstart: the RunComfy pro image-to-video page's own example request,
//! submitted, followed with progress, and the video written to a file.
//!
//! ```sh
//! cargo run --example quickstart                 # offline, against the in-process simulator
//! RUNCOMFY_API_TOKEN=... cargo run --example quickstart -- --live   # the real vendor (paid)
//! ```

use std::time::Duration;

use seedance::runcomfy::{self, seedance_1_0_pro_image_to_video as pro};
use seedance::runtime::DownloadOptions;
use seedance::{Progress, WaitOptions};
use seedance_sim::{ImageFormat, ImageSpec, JobTiming, Outcome, Sim};

/// The page's example prompt and start image.
const PROMPT: &str = "A pair of stylish round sunglasses rests on a sleek table. A man's hand enters the frame, delicately picking them up. The camera follows the movement of the sunglasses, smoothly rising up from the table while subtly adjusting focus. As the man lifts the glasses toward his face, the background begins to transition, seamlessly blending into a vibrant yellow textured wall. As he puts on the glasses, the reflection in the lenses subtly shifts, revealing a different perspective. The final frame locks onto his face, now exuding confidence and style, as he adjusts the glasses slightly with a confident gesture.";
const IMAGE: &str = "https://playgrounds-storage-public.runcomfy.net/tools/7002/media-files/usecase3-1-2-input.jpeg";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let live = std::env::args().any(|arg| arg == "--live");
    let out = std::env::args()
        .skip(1)
        .find(|arg| !arg.starts_with("--"))
        .unwrap_or_else(|| "quickstart.mp4".into());

    // Offline, the simulator stands in for RunComfy; it cannot reach the
    // page's image host, so it serves a JPEG of the same kind itself.
    let sim = if live { None } else { Some(Sim::start().await) };
    let (client, image) = match &sim {
        None => (runcomfy::Client::from_env()?, IMAGE.to_owned()),
        Some(sim) => {
            println!(
                "offline: simulator at {} (pass --live to call RunComfy)",
                sim.base_url()
            );
            // A short queue and a few running polls, so there is progress to show.
            sim.set_timing(JobTiming {
                queued_polls: 3,
                running_polls: 3,
                outcome: Outcome::Succeed,
            });
            let client = runcomfy::Client::builder()
                .token(seedance_sim::TOKEN)
                .base_url(sim.base_url())
                // The simulator's images are on 127.0.0.1, which the image
                // prober refuses unless told otherwise.
                .allow_private_image_addresses(true)
                .poll_interval(Duration::from_millis(200))
                .build()?;
            (
                client,
                sim.image_url(&ImageSpec::new(ImageFormat::Jpeg, 1280, 720)),
            )
        }
    };

    let input = pro::Input::new(PROMPT, image);
    let job = client.submit(&input).await?; // local rules + image rules, then one POST
    println!("submitted: job {}", job.id());

    let output = job
        .wait_with(WaitOptions::new(), |progress: &Progress<'_>| {
            println!("  {progress}")
        })
        .await?;
    let url = output
        .video_url()
        .ok_or("the job finished without a video")?;
    // The file named on the command line (or quickstart.mp4) is replaced.
    let bytes = output
        .download_with(&out, DownloadOptions::new().force(true))
        .await?;
    println!("done: {url} -> {out} ({bytes} bytes)");
    Ok(())
}
