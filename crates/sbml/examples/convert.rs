//! Converts SBML files to SBML Level 3 Version 2 with senmet-sbml's reader and
//! writer: `convert OUT_DIR MODEL.xml...`. Each output is written to a temp
//! file, then renamed. Unsupported models are reported and skipped.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn convert(model: &Path, out_dir: &Path) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let net = senmet_sbml::read_path(model)?;
    let name = model.file_name().ok_or("model path has no file name")?;
    let out = out_dir.join(name);
    let tmp = out.with_extension("xml.tmp");
    std::fs::write(&tmp, senmet_sbml::to_string(&net))?;
    std::fs::rename(&tmp, &out)?;
    Ok(out)
}

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let Some((out_dir, models)) = args.split_first() else {
        eprintln!("usage: convert OUT_DIR MODEL.xml...");
        return ExitCode::from(2);
    };
    let mut failed = false;
    for model in models {
        match convert(model, out_dir) {
            Ok(out) => println!("{}", out.display()),
            Err(e) => {
                eprintln!("convert: {e}");
                failed = true;
            }
        }
    }
    ExitCode::from(if failed { 2 } else { 0 })
}
