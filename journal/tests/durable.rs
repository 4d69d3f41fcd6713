//! The typed API's durable submit and wait: the same input submitted twice
//! (here, or by a later process) reaches the vendor once, and every state
//! change is in the journal.

use std::time::Duration;

use seedance::runcomfy::{self, seedance_1_0_pro_image_to_video as pro};
use seedance_journal::{Durable, Journal, SqliteJournal, State};
use seedance_sim::{ImageFormat, ImageSpec, Route, Sim};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_input_submitted_twice_is_posted_once_and_followed_to_its_output() {
    let sim = Sim::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = SqliteJournal::open(dir.path().join("jobs.db"))
        .await
        .expect("journal");
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("http client");
    let client = runcomfy::Client::builder()
        .token(seedance_sim::TOKEN)
        .http_client(http)
        .base_url(sim.base_url())
        .poll_interval(Duration::from_millis(2))
        // The simulator's images are on 127.0.0.1, which the prober refuses by default.
        .allow_private_image_addresses(true)
        .build()
        .expect("client");
    let image = sim.image_url(&ImageSpec::new(ImageFormat::Jpeg, 1280, 720));
    let input = pro::Input::new("a fox in the snow", image).duration(pro::DurationValue::S5);

    let durable = Durable::new(journal.clone());
    let first = durable.submit(&client, &input).await.expect("submit");
    // A second process (a new worker) submitting the same input resumes it.
    let again = Durable::new(journal.clone()).submit(&client, &input).await;
    // The first worker still holds the lease, so the second is told to wait,
    // or (once released) gets the same job: never a second POST.
    if let Ok(job) = &again {
        assert_eq!(job.job().id(), first.job().id());
    }
    let same = durable.submit(&client, &input).await.expect("resubmit");
    assert_eq!(same.job().id(), first.job().id());
    assert_eq!(sim.count(Route::Submit), 1);

    let urls = durable.wait(&first).await.expect("wait");
    assert_eq!(urls, [sim.video_url()]);
    let entry = journal.get(first.key()).await.expect("get").expect("entry");
    assert_eq!(entry.state, State::Succeeded);
    assert_eq!(entry.job_id.as_deref(), Some(first.job().id()));
    let states: Vec<State> = journal
        .events(first.key())
        .await
        .expect("events")
        .iter()
        .map(|e| e.state)
        .collect();
    assert_eq!(
        states,
        [
            State::Pending,
            State::Submitting,
            State::Queued,
            State::Running,
            State::Succeeded
        ]
    );
    // After the end, submitting again still sends nothing.
    let after = durable.submit(&client, &input).await.expect("after");
    assert_eq!(after.job().id(), first.job().id());
    assert_eq!(sim.count(Route::Submit), 1);
}
