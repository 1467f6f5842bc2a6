//! Fuzzes the SBML reader: any input must give a network or an error, never a
//! panic; and a network that reads must survive a write/read round trip.
//!
//! Run with `cargo fuzz run sbml_read` from this folder (nightly), seeding the
//! corpus with `../testdata/sbml-test-suite/semantic/*/*.xml`.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(net) = senmet_sbml::read_str(text, Path::new("fuzz.xml")) else {
        return;
    };
    let written = senmet_sbml::to_string(&net);
    let again = senmet_sbml::read_str(&written, Path::new("written.xml"))
        .expect("a written network reads back");
    assert_eq!(format!("{again:?}"), format!("{net:?}"), "round trip changed the network");
});
