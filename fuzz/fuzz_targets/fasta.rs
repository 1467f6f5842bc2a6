//! Fuzz the FASTA reader, the UTR reader and miRNA parsing: any input must give
//! records or an error, never a panic. Run: `cargo +nightly fuzz run fasta`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use senmet_seq::{fasta, mirna, utr};

fuzz_target!(|data: &[u8]| {
    let mut reader = fasta::Reader::new(data).with_path("fuzz.fa");
    let _ = mirna::read_all(&mut reader, std::path::Path::new("fuzz.fa"), None, None);
    let mut reader = fasta::Reader::new(data);
    for record in reader.records() {
        match record {
            Ok(r) => assert!(r.sequence().iter().all(|&b| fasta::is_nucleotide(b))),
            Err(_) => break,
        }
    }
    if let Ok(mut utrs) = utr::Reader::new(data, "fuzz.txt") {
        let mut chunk = Vec::new();
        while let Ok(true) = utrs.read_chunk(&mut chunk, 1 << 16) {
            chunk.clear();
        }
    }
});
