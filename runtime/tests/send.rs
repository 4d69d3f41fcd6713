//! Every public future of the runtime is `Send`, so a job can be followed
//! from a spawned task: this file only has to compile (and the one test
//! runs a typed and an erased submit inside `tokio::spawn`).

mod common;

use std::future::Future;

use common::*;
use seedance_runtime::{
    Connection, DownloadOptions, ImageInput, Prober, SubmitOptions, WaitOptions,
};
use seedance_sim::Sim;

fn assert_send<T: Send>(_: &T) {}

/// Never called: it type-checks that each public future is `Send`.
#[allow(dead_code, unused_must_use, clippy::too_many_arguments)]
fn public_futures_are_send(
    client: seedance_runtime::Client<RunComfy>,
    conn: Connection,
    input: RcInput,
    erased: Box<dyn seedance_runtime::ErasedModel>,
    job: seedance_runtime::Job,
    output: seedance_runtime::Output,
    prober: Prober,
    images: Vec<ImageInput<'static>>,
) {
    assert_send(&client.submit(&input));
    assert_send(&client.submit_with(&input, SubmitOptions::new()));
    assert_send(&client.check(&input));
    assert_send(&conn.submit_erased(erased.as_ref(), SubmitOptions::new()));
    assert_send(&conn.check_erased(erased.as_ref(), SubmitOptions::new()));
    assert_send(&conn.submit_raw("/x", Vec::new()));
    assert_send(&conn.preflight(Ok(()), &images, SubmitOptions::new()));
    assert_send(&job.status());
    assert_send(&job.result());
    assert_send(&job.cancel());
    assert_send(&job.wait());
    assert_send(&job.wait_with(WaitOptions::new(), |_| {}));
    assert_send(&job.download("v.mp4"));
    assert_send(&output.download("v.mp4"));
    assert_send(&output.download_with("v.mp4", DownloadOptions::new()));
    assert_send(&output.download_url("u", "v.mp4", DownloadOptions::new()));
    assert_send(&prober.check(&images, false));
    assert_send(&prober.probe("u"));
    assert_send(&prober.preflight(Ok(()), &images, false));
}

fn spawnable<F: Future + Send + 'static>(future: F) -> F {
    future
}

#[tokio::test]
async fn submits_run_in_spawned_tasks() {
    let sim = Sim::start().await;
    let typed_client = client::<RunComfy>(&sim);
    let input = rc_input(&sim);
    let typed = tokio::spawn(spawnable(async move {
        let job = typed_client.submit(&input).await?;
        job.wait().await
    }));
    let conn: Connection = client::<RunComfy>(&sim).into();
    let erased: Box<dyn seedance_runtime::ErasedModel> = Box::new(rc_input(&sim));
    let untyped = tokio::spawn(spawnable(async move {
        let job = conn
            .submit_erased(erased.as_ref(), SubmitOptions::new())
            .await?;
        job.wait().await
    }));
    typed.await.unwrap().unwrap();
    untyped.await.unwrap().unwrap();
}
