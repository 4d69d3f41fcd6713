//! Issue 5, bench 4 (wall time): `seedance_codegen::generate` (load, convert,
//! emit, prettyplease) on synthetic corpora of 10, 100 and 1,000 models
//! written by the generator behind `cargo xtask synth`. Peak memory and the
//! build time of the 1,000-model crate come from
//! `benches/scripts/regen_scaling.sh` (they need separate processes).

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use serde_json::json;

const SIZES: [usize; 3] = [10, 100, 1000];

fn regen(c: &mut Criterion) {
    let root = seedance_benches::extras_dir().join("synth");
    let mut figures = Vec::new();
    let mut group = c.benchmark_group("regen");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    for n in SIZES {
        let dir = root.join(n.to_string());
        let _ = std::fs::remove_dir_all(&dir);
        xtask::synth::write_corpus(n, &dir).expect("synthetic corpus");
        let files = seedance_codegen::generate(&dir).expect("synthetic corpus generates");
        let bytes: usize = files.iter().map(|f| f.contents.len()).sum();
        let lines: usize = files.iter().map(|f| f.contents.lines().count()).sum();
        figures.push(json!({ "models": n, "files": files.len(), "bytes": bytes, "lines": lines }));
        group.bench_with_input(BenchmarkId::new("generate", n), &dir, |b, dir| {
            b.iter(|| seedance_codegen::generate(dir).expect("generates").len())
        });
    }
    group.finish();
    seedance_benches::write_extra("regen", &json!({ "corpora": figures }));
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(5));
    targets = regen
}
criterion_main!(benches);
