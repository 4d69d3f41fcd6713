//! `seedance sim [serve]`: the simulator in the foreground, like
//! `cargo run -p seedance-sim`, but recorded in the state file so that
//! `--sim` in other terminals uses it: jobs then outlive the command that
//! submitted them and `status|result|wait|cancel --sim` can resume them.

use std::net::{Ipv4Addr, SocketAddr};

use seedance_sim::{DemoSettings, Sim, TOKEN};
use serde_json::json;

use crate::cli::SimArgs;
use crate::error::CliError;
use crate::output::Printer;
use crate::sim::state::{self, Record};

/// Serves until Ctrl-C (or SIGTERM), then removes the state file.
pub async fn run(printer: &Printer, args: &SimArgs) -> Result<(), CliError> {
    if args.not_sim
        || args.not_base_url.is_some()
        || args.not_poll_interval.is_some()
        || args.not_requests_per_second.is_some()
        || args.not_allow_private_image_urls
    {
        return Err(CliError::NotForSim);
    }
    let path = state::path();
    if let Some(url) = state::running(&path).await {
        return Err(CliError::SimAlreadyRunning { url, state: path });
    }
    let mut sim = Sim::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)))
        .await
        .map_err(CliError::Sim)?;
    sim.set_demo(DemoSettings {
        log: args.log,
        job_duration: args.job_duration,
        failure_rate: args.failure_rate,
        rate_limit_rate: args.rate_limit_rate,
    });
    if let Some(timeout) = args.sync_timeout {
        sim.set_sync_timeout(timeout);
    }
    let record = Record::write(path.clone(), sim.base_url())
        .map_err(|source| CliError::SimState { path, source })?;
    // The URL first, alone on stdout, for scripts that start this process.
    printer.result(
        || sim.base_url().to_owned(),
        || {
            json!({
                "event": "listening",
                "base_url": sim.base_url(),
                "token": TOKEN,
                "state_file": record.path().display().to_string(),
            })
        },
    );
    printer.note(&format!(
        "seedance sim: token {TOKEN}; recorded in {}; Ctrl-C to stop.\n\
         Test images: {}/sim/images/img.png (1280x720; ?w=200&h=200 for other sizes).\n\
         In another terminal: seedance run --sim MODEL --set ... --no-wait, \
         then seedance wait --sim VENDOR JOB_ID",
        record.path().display(),
        sim.base_url()
    ));
    tokio::select! {
        () = sim.wait() => {}
        () = stop() => {}
    }
    drop(record);
    printer.note("seedance sim: stopped");
    Ok(())
}

/// Ctrl-C, or SIGTERM on Unix (what `kill` and service managers send), so
/// the state file is removed either way.
async fn stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                Ok(()) = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    if tokio::signal::ctrl_c().await.is_err() {
        // No handler: serve until killed rather than stop at once.
        std::future::pending::<()>().await;
    }
}
