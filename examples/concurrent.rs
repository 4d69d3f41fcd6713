//! Twenty jobs at once, each followed in its own `tokio::spawn`ed task:
//! clients, jobs and every future of the runtime are `Send`, and a client
//! is cheap to clone (one shared connection pool).
//!
//! ```sh
//! cargo run --example concurrent        # offline, against the in-process simulator
//! ```
//!
//! `main` returns `seedance::Error`: when something fails, its `Debug`
//! prints the message and its causes, not a struct dump.

use std::time::Duration;

use seedance::runcomfy::{self, seedance_1_0_lite_image_to_video as lite};
use seedance_sim::{ImageFormat, ImageSpec, JobTiming, Outcome, Sim};

const JOBS: usize = 20;

#[tokio::main]
async fn main() -> Result<(), seedance::Error> {
    let sim = Sim::start().await;
    sim.set_timing(JobTiming {
        queued_polls: 2,
        running_polls: 2,
        outcome: Outcome::Succeed,
    });
    let client = runcomfy::Client::builder()
        .token(seedance_sim::TOKEN)
        .base_url(sim.base_url())
        // The simulator's images are on 127.0.0.1, refused by default.
        .allow_private_image_addresses(true)
        .poll_interval(Duration::from_millis(20))
        .build()?;
    let image = sim.image_url(&ImageSpec::new(ImageFormat::Jpeg, 1280, 720));

    let tasks: Vec<_> = (0..JOBS)
        .map(|n| {
            let client = client.clone();
            let input = lite::Input::new(format!("shot {n}: a red fox in snow"), image.clone());
            tokio::spawn(async move {
                let job = client.submit(&input).await?;
                let id = job.id().to_owned();
                let output = job.wait().await?;
                Ok::<_, seedance::Error>((id, output.video_url().map(str::to_owned)))
            })
        })
        .collect();

    let mut done = 0;
    for task in tasks {
        match task.await {
            Ok(Ok((id, url))) => {
                done += 1;
                println!("job {id}: {}", url.as_deref().unwrap_or("(no video)"));
            }
            Ok(Err(err)) => eprintln!("a job failed: {err}"),
            Err(panic) => eprintln!("a task panicked: {panic}"),
        }
    }
    println!("{done} of {JOBS} jobs finished");
    Ok(())
}
