//! `canns sweep SPEC --out DIR`: a parameter sweep from a spec file, as a
//! resumable Parquet dataset; one shard of it (`--shard I/N`); all of it as
//! a Slurm job array (`--slurm`); its state (`--status`); its merged result
//! (`--collect`).

use canns::error::{Error, Result};
use canns::pipeline::sweep::{Dataset, Plan, Shard, SlurmJob, SweepSpec};
use canns::pipeline::ShowProgress;
use clap::Args;
use std::path::{Path, PathBuf};

/// Arguments of `canns sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The spec file (JSON: model, options, task, grid, seeds, metrics, warmup).
    pub spec: PathBuf,
    /// Output directory: `spec.json`, `shard=I-of-N/part-*.parquet`, `sweep.parquet`.
    #[arg(long)]
    pub out: PathBuf,
    /// Run only shard I of N (runs i with i % N == I), e.g. `--shard 2/8`.
    #[arg(long)]
    pub shard: Option<String>,
    /// Stop after this many runs (the rest is left for a later call).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Runs per part file (what a kill can lose at most).
    #[arg(long, default_value_t = 256)]
    pub chunk: usize,
    /// Write a Slurm job-array script (one array task per shard) and submit it with sbatch.
    #[arg(long)]
    pub slurm: bool,
    /// Array tasks (shards) of the Slurm job. Default: one per 256 runs, at most 1000.
    #[arg(long, requires = "slurm")]
    pub array_size: Option<usize>,
    /// Slurm partition.
    #[arg(long, requires = "slurm")]
    pub partition: Option<String>,
    /// Slurm time limit per array task (e.g. `1:00:00`).
    #[arg(long, requires = "slurm")]
    pub time: Option<String>,
    /// With --slurm: write the script without submitting it.
    #[arg(long, requires = "slurm")]
    pub no_submit: bool,
    /// Print how many runs are done, failed and missing, per shard.
    #[arg(long, conflicts_with_all = ["slurm", "collect", "shard", "limit"])]
    pub status: bool,
    /// Merge every shard into `sweep.parquet`, check that no run is missing (exit 1 if one is).
    #[arg(long, conflicts_with_all = ["slurm", "shard", "limit"])]
    pub collect: bool,
    /// Never show a progress bar.
    #[arg(long)]
    pub quiet: bool,
}

fn absolute(p: &Path) -> Result<PathBuf> {
    std::path::absolute(p).map_err(|e| Error::io(p, e))
}

/// Runs `canns sweep`.
///
/// # Errors
/// [`Error::Param`] naming a bad flag or spec key; I/O and data errors of
/// the dataset; [`Error::Invalid`] when `--collect` finds runs missing or
/// sbatch refuses the job.
pub fn run(a: SweepArgs) -> Result<()> {
    let spec = SweepSpec::from_file(&a.spec)?;
    let plan = Plan::new(&spec, &[])?;
    if a.chunk == 0 {
        return Err(canns::ParamError::new("--chunk", ">= 1", 0).into());
    }
    let data = Dataset::open(&a.out, &plan)?;
    if a.status {
        let s = data.status(&plan)?;
        println!("{s}");
        for (p, n) in &s.per_partition {
            println!("  {p}: {n} runs");
        }
        print_missing(&s.missing);
        return Ok(());
    }
    if a.collect {
        return collect(&data, &plan);
    }
    if a.slurm {
        let array_size = a
            .array_size
            .unwrap_or_else(|| plan.n_runs().div_ceil(256).clamp(1, 1000));
        if array_size == 0 {
            return Err(canns::ParamError::new("--array-size", ">= 1", 0).into());
        }
        let exe = std::env::current_exe().map_err(|e| Error::io("canns executable", e))?;
        let job = SlurmJob {
            exe,
            spec: absolute(&a.spec)?,
            out: absolute(&a.out)?,
            array_size,
            chunk: a.chunk,
            partition: a.partition,
            time: a.time,
        };
        if a.no_submit {
            let path = job.write()?;
            println!("wrote {} ({array_size} array tasks)", path.display());
        } else {
            let id = job.submit()?;
            println!(
                "submitted job {id}: {array_size} array tasks over {} runs",
                plan.n_runs()
            );
        }
        println!(
            "then: canns sweep {} --out {} --status | --collect",
            a.spec.display(),
            a.out.display()
        );
        return Ok(());
    }
    let shard: Shard = match &a.shard {
        Some(s) => s.parse()?,
        None => Shard::ALL,
    };
    let progress = if a.quiet {
        ShowProgress::Never
    } else {
        ShowProgress::Auto
    };
    let start = std::time::Instant::now();
    let r = data.run_shard(&plan, shard, a.chunk, a.limit, progress)?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "shard {shard}: {} runs, {} already done, {} run now in {secs:.2} s ({:.1} runs/s), {} left",
        r.total,
        r.skipped,
        r.ran,
        r.ran as f64 / secs.max(1e-9),
        r.left
    );
    if a.shard.is_none() && r.left == 0 {
        return collect(&data, &plan);
    }
    Ok(())
}

fn collect(data: &Dataset, plan: &Plan) -> Result<()> {
    let s = data.status(plan)?;
    let (df, missing) = data.collect(plan)?;
    let out = data.dir().join(canns::pipeline::sweep::MERGED_FILE);
    println!(
        "collected {} runs of {} into {} ({} failed, {} duplicate rows dropped), digest {}",
        df.height(),
        plan.n_runs(),
        out.display(),
        s.failed,
        s.duplicates,
        canns::pipeline::sweep::digest(&df)
    );
    if !missing.is_empty() {
        print_missing(&missing);
        return Err(Error::Invalid(format!(
            "{} of {} runs are missing: run the missing shards again (they skip the runs done)",
            missing.len(),
            plan.n_runs()
        )));
    }
    Ok(())
}

fn print_missing(missing: &[usize]) {
    if missing.is_empty() {
        return;
    }
    let shown: Vec<String> = missing.iter().take(50).map(|i| i.to_string()).collect();
    let more = if missing.len() > 50 { " ..." } else { "" };
    println!("missing runs: {}{more}", shown.join(" "));
}
