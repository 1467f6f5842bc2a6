//! `senmet params`: the model's parameter table.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use senmet_model::host::Species;
use senmet_model::params::Tables;

/// Print the model's parameters: value, units, range or prior, source.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Cancer type whose parameters to include (breast, melanoma, lung, colorectal, pancreatic).
    #[arg(long, default_value = "breast")]
    cancer_type: String,
    /// Host species (mouse or human).
    #[arg(long, default_value = "mouse")]
    host: String,
    /// Override a value, as `senmet run --set` does (repeatable), to check it.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
}

/// Prints the resolved table as TSV.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let tables = Tables::builtin()?;
    let species = Species::parse(&args.host)
        .with_context(|| format!("--host: expected mouse or human, found `{}`", args.host))?;
    let mut params = tables.resolve(species, &args.cancer_type)?;
    for s in &args.set {
        let (name, value) = super::run::parse_set(s)?;
        params.set(&name, value)?;
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "name\tvalue\tunits\tlow\thigh\tprior\tlayer\tscope\tsource\tdescription"
    )?;
    for (p, v) in params.iter() {
        writeln!(
            out,
            "{}\t{v}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            p.name,
            p.units,
            p.low,
            p.high,
            p.prior.name(),
            p.layer,
            p.scope,
            p.source,
            p.description
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
