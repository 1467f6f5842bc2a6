//! Throughput of the seed scanner over every miRNA × every UTR (1 and 2 threads),
//! and of scan + score + aggregate for the study's 4 human miRNAs.
//!
//! Inputs: `SENMET_BENCH_MIRNAS` and `SENMET_BENCH_UTRS` (FASTA[.gz]), by default the
//! shared data set (all hsa + mmu miRBase 22.1 mature miRNAs × 4,025 human 3'UTRs,
//! 8.2 Mb). Without them, a synthetic set of the same size is drawn with seed 0.

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use senmet_seq::{fasta, mirna, mirna::Mirna, site, target::Analysis, utr, utr::Utr};

fn input(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var).map_or_else(
        || {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/data")
                .join(default)
        },
        PathBuf::from,
    )
}

fn load() -> (Vec<Mirna>, Vec<Utr>) {
    let (mpath, upath) = (
        input("SENMET_BENCH_MIRNAS", "mirna/hsa_mmu_mature.fa"),
        input("SENMET_BENCH_UTRS", "utr3/human_3utr_miRAW_4025.fa.gz"),
    );
    if mpath.exists() && upath.exists() {
        let mut r = fasta::Builder
            .build_from_path(&mpath)
            .expect("miRNA file opens");
        let mirnas = mirna::read_all(&mut r, &mpath, None, None).expect("valid miRNAs");
        let mut reader = utr::Reader::from_path(&upath).expect("UTR file opens");
        let mut utrs = Vec::new();
        while reader
            .read_chunk(&mut utrs, usize::MAX)
            .expect("valid UTRs")
        {}
        return (mirnas, utrs);
    }
    eprintln!("bench inputs not found; using a synthetic set (seed 0)");
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut random = |n: usize, alphabet: &[u8]| -> Vec<u8> {
        (0..n).map(|_| alphabet[rng.random_range(0..4)]).collect()
    };
    let mirnas = (0..4634)
        .map(|i| {
            let id = STUDY
                .get(i)
                .map_or_else(|| format!("m{i}"), |s| s.to_string());
            Mirna::new(&id, &random(22, b"ACGU")).expect("22 nt")
        })
        .collect();
    let utrs = (0..4025)
        .map(|i| Utr {
            id: format!("u{i}"),
            gene: format!("g{i}"),
            species: None,
            sequence: random(2042, b"ACGT"),
        })
        .collect();
    (mirnas, utrs)
}

fn bench(c: &mut Criterion) {
    let (mirnas, utrs) = load();
    let nt: usize = utrs.iter().map(|u| u.sequence.len()).sum();
    let seeds: Vec<&[u8]> = mirnas.iter().map(Mirna::seed).collect();
    let scanner = site::Builder::new().build(&seeds).expect("valid seeds");
    let two = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("2 threads");
    let mut group = c.benchmark_group(format!("{}_mirnas_x_{}_utrs", mirnas.len(), utrs.len()));
    group
        .sample_size(10)
        .throughput(Throughput::Bytes(nt as u64));
    group.bench_function("scan_sites_1_thread", |b| {
        b.iter(|| {
            utrs.iter()
                .map(|u| scanner.sites(&u.sequence).count())
                .sum::<usize>()
        })
    });
    group.bench_function("scan_sites_2_threads", |b| {
        b.iter(|| {
            two.install(|| {
                utrs.par_iter()
                    .map(|u| scanner.sites(&u.sequence).count())
                    .sum::<usize>()
            })
        })
    });
    group.finish();
    // Scoring and aggregation cost per site; all miRNAs give ~20M sites (tens of
    // seconds), so this runs on the study's 4 human miRNAs.
    let study: Vec<Mirna> = mirnas
        .into_iter()
        .filter(|m| STUDY.contains(&m.id()))
        .collect();
    let analysis = Analysis::new(study, &site::Builder::new()).expect("valid seeds");
    let mut group = c.benchmark_group(format!(
        "{}_mirnas_x_{}_utrs",
        analysis.mirnas().len(),
        utrs.len()
    ));
    group
        .sample_size(10)
        .throughput(Throughput::Bytes(nt as u64));
    group.bench_function("scan_score_aggregate_2_threads", |b| {
        b.iter(|| {
            two.install(|| {
                analysis
                    .chunk(&utrs)
                    .iter()
                    .map(|r| r.sites.len())
                    .sum::<usize>()
            })
        })
    });
    group.finish();
}

/// The study's miRNAs (miR-25/92 and miR-30 families).
const STUDY: [&str; 4] = [
    "hsa-miR-25-3p",
    "hsa-miR-92a-3p",
    "hsa-miR-30c-5p",
    "hsa-miR-30d-5p",
];

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
