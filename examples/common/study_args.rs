//! The command line shared by the study examples (`power_analysis`, `sbc`): the layout's
//! flags (`--threads`, `--processes`, `--process`, `--hostfile`), then `--sims K`,
//! `--quick`, `--seed S`, `--json PATH`, `--plots DIR`, `--journal DIR` (resume a stopped
//! study: [`doppl::batch::Study::journal`]) and the example's output flag.

use doppl::batch::Layout;
use std::path::PathBuf;

/// A study example's parsed flags.
pub struct StudyArgs {
    pub layout: Layout,
    /// Simulations per group (per sample size, per model).
    pub sims: u64,
    pub quick: bool,
    pub seed: u64,
    /// The value of the example's output flag (a CSV file or a directory).
    pub output: String,
    pub json: Option<String>,
    pub plots: Option<PathBuf>,
    /// Where finished replicates are journaled, to resume a stopped study.
    pub journal: Option<PathBuf>,
}

impl StudyArgs {
    /// `study` with the journal asked for, if any.
    pub fn journaled<K: doppl::batch::Key, R: doppl::batch::Value>(
        &self,
        study: doppl::batch::Study<K, R>,
    ) -> doppl::batch::Study<K, R> {
        match &self.journal {
            Some(dir) => study.journal(dir),
            None => study,
        }
    }
}

/// What an example's flags default to.
pub struct Defaults {
    pub sims: u64,
    /// `--quick` caps the simulations at this.
    pub quick_sims: u64,
    pub seed: u64,
    /// The output flag (`--csv`, `--out`) and its default.
    pub output_flag: &'static str,
    pub output: &'static str,
}

/// Parses the process's arguments.
pub fn parse(defaults: &Defaults) -> Result<StudyArgs, String> {
    let (layout, rest) = Layout::from_args(std::env::args().skip(1)).map_err(|e| e.to_string())?;
    let mut args = StudyArgs {
        layout,
        sims: defaults.sims,
        quick: false,
        seed: defaults.seed,
        output: defaults.output.to_string(),
        json: None,
        plots: None,
        journal: None,
    };
    let mut it = rest.into_iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--quick" => args.quick = true,
            "--sims" => args.sims = value()?.parse().map_err(|e| format!("--sims: {e}"))?,
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--json" => args.json = Some(value()?),
            "--plots" => args.plots = Some(value()?.into()),
            "--journal" => args.journal = Some(value()?.into()),
            f if f == defaults.output_flag => args.output = value()?,
            other => {
                return Err(format!(
                    "unknown argument `{other}`; see the example's docs"
                ));
            }
        }
    }
    if args.quick {
        args.sims = args.sims.min(defaults.quick_sims);
    }
    Ok(args)
}
