//! Issue 5, bench 5: polling. Status requests and overshoot (job finished ->
//! `wait()` returns) for jobs of 5 s to 60 min, for the runtime's
//! default `PollPolicy` against a fixed 1 s poll, on a simulated clock over
//! the pure schedule (`seedance_benches::polling`, 10,000 seeds per cell).
//!
//! The table is printed and written to `target/seedance-benches/polling.json`;
//! criterion times the simulation of one 60 s job (a sanity figure only).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use seedance::runtime::PollPolicy;
use seedance_benches::polling;
use serde_json::json;

const JOBS: [f64; 7] = [5.0, 30.0, 60.0, 600.0, 900.0, 1800.0, 3600.0];
const SEEDS: u64 = 10_000;

fn polling(c: &mut Criterion) {
    let rows = polling::table(&JOBS, SEEDS);
    println!("job_s  policy    requests(median, mean)  overshoot_s(median, p90)");
    for row in &rows {
        println!(
            "{:>5}  {:<8}  {:>5} {:>7.1}              {:>5.2} {:>5.2}",
            row.job_secs,
            row.policy,
            row.requests_median,
            row.requests_mean,
            row.overshoot_median,
            row.overshoot_p90
        );
    }
    let json_rows: Vec<_> = rows
        .iter()
        .map(|r| {
            json!({
                "job_secs": r.job_secs,
                "policy": r.policy,
                "requests_median": r.requests_median,
                "requests_mean": r.requests_mean,
                "overshoot_median": r.overshoot_median,
                "overshoot_p90": r.overshoot_p90,
            })
        })
        .collect();
    seedance_benches::write_extra("polling", &json!({ "seeds": SEEDS, "rows": json_rows }));

    let policy = PollPolicy::default();
    let mut rng = fastrand::Rng::with_seed(1);
    c.bench_function("polling/simulate_60s_job", |b| {
        b.iter(|| polling::wait_once(black_box(&policy), 60.0, &mut rng))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(300))
        .measurement_time(std::time::Duration::from_secs(1));
    targets = polling
}
criterion_main!(benches);
