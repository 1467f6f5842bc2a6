//! `senmet`: the command-line front end. Glue only: the work is in the library crates.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;
mod output;
mod shards;

/// Simulate and analyse how senescent liver cells drive cancer metastasis.
#[derive(Debug, Parser)]
#[command(name = "senmet", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a virtual experiment of the study's model (default: young vs aged mice, five cancer types, interventions) and write tables, SBML and an offline HTML report.
    Run(cmd::run::Args),
    /// Power of a two-arm comparison (default: aged vehicle vs aged D+Q, metastases) at n = 3…30 per arm, and the n for 80% power.
    Power(cmd::power::Args),
    /// Global sensitivity (Sobol' or Morris) of the aged/young metastasis ratio over the parameter priors: which parameter to measure next.
    Sensitivity(cmd::sensitivity::Args),
    /// Virtual patients by age: metastasis at diagnosis and over follow-up, Kaplan–Meier and Cox, beside SEER (shardable, resumable).
    Cohort(cmd::cohort::Args),
    /// Combine the shard folders of one `senmet cohort` run.
    Merge(cmd::merge::Args),
    /// Print the model's parameters with units, ranges and sources.
    Params(cmd::params::Args),
    /// Simulate an SBML model and write a time course.
    Simulate(cmd::simulate::Args),
    /// Run SBML Test Suite semantic cases with the suite's pass rule.
    SbmlSuite(cmd::sbml_suite::Args),
    /// microRNA seed sites and scores over 3'UTRs; `targets shift` tests target sets in a ranked list.
    Targets(cmd::targets::Args),
    /// Score tumour transcriptomes and test the scores against age and metastasis.
    Signature(cmd::signature::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Run(args) => cmd::run::run(args),
        Command::Power(args) => cmd::power::run(args),
        Command::Sensitivity(args) => cmd::sensitivity::run(args),
        Command::Cohort(args) => cmd::cohort::run(args),
        Command::Merge(args) => cmd::merge::run(args),
        Command::Params(args) => cmd::params::run(args),
        Command::Simulate(args) => cmd::simulate::run(args),
        Command::SbmlSuite(args) => cmd::sbml_suite::run(args),
        Command::Targets(args) => cmd::targets::run(args),
        Command::Signature(args) => cmd::signature::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => report(&err),
    }
}

/// Prints the error chain once and returns exit code 2; a broken pipe exits 0 quietly.
fn report(err: &anyhow::Error) -> ExitCode {
    let broken_pipe = err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    });
    if broken_pipe {
        return ExitCode::SUCCESS;
    }
    eprintln!("senmet: error: {err:#}");
    ExitCode::from(2)
}
