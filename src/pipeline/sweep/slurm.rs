use super::grid::Shard;
use crate::error::{Error, ParamError, Result};
use std::path::{Path, PathBuf};

/// Slurm job arrays: the script that runs every shard of a sweep as one
/// array task, and its submission with `sbatch`.
///
/// Slurm schedules; the crate only shards and collects: array task `I`
/// runs `canns sweep SPEC --out DIR --shard I/N`, which skips runs already
/// in `DIR`, so a failed or cancelled task is simply resubmitted.
///
/// How to submit a sweep to Slurm.
///
/// # Example
/// ```
/// use canns::pipeline::sweep::SlurmJob;
/// let job = SlurmJob {
///     exe: "/opt/canns".into(), spec: "/s/spec.json".into(), out: "/s/out".into(),
///     array_size: 3, chunk: 64, partition: None, time: Some("2:00:00".into()),
/// };
/// // One array task per shard; each runs `canns sweep` on its shard.
/// assert_eq!(job.shards().iter().map(|s| s.to_string()).collect::<Vec<_>>(), ["0/3", "1/3", "2/3"]);
/// let script = job.script()?;
/// assert!(script.contains("#SBATCH --array=0-2") && script.contains("#SBATCH --time=2:00:00"));
/// // Values that a batch script cannot carry are refused, naming the flag.
/// let bad = SlurmJob { partition: Some("short; rm".into()), ..job };
/// assert!(bad.script().unwrap_err().to_string().contains("--partition"));
/// # Ok::<(), canns::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SlurmJob {
    /// The `canns` executable the tasks run (absolute).
    pub exe: PathBuf,
    /// The spec file (absolute).
    pub spec: PathBuf,
    /// The output directory (absolute).
    pub out: PathBuf,
    /// Array tasks = shards.
    pub array_size: usize,
    /// Runs per part file.
    pub chunk: usize,
    /// `--partition`, when given.
    pub partition: Option<String>,
    /// `--time` (Slurm's syntax, e.g. `1:00:00`), when given.
    pub time: Option<String>,
}

impl SlurmJob {
    /// The batch script.
    ///
    /// # Examples
    /// ```
    /// use canns::pipeline::sweep::SlurmJob;
    /// let job = SlurmJob {
    ///     exe: "/opt/canns".into(), spec: "/s/spec.json".into(), out: "/s/out".into(),
    ///     array_size: 4, chunk: 64, partition: Some("short".into()), time: None,
    /// };
    /// let s = job.script()?;
    /// assert!(s.contains("#SBATCH --array=0-3") && s.contains("#SBATCH --partition=short"));
    /// assert!(s.contains("--shard \"${SLURM_ARRAY_TASK_ID}/4\""));
    /// # Ok::<(), canns::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Param`] when `array_size` is 0, or the partition or time
    /// holds characters a batch script cannot carry.
    pub fn script(&self) -> Result<String> {
        if self.array_size == 0 {
            return Err(ParamError::new("--array-size", ">= 1", 0).into());
        }
        let safe = |flag: &str, v: &str| -> Result<()> {
            if v.is_empty()
                || !v
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_:,.".contains(c))
            {
                return Err(ParamError::new(flag, "letters, digits and - _ : , .", v).into());
            }
            Ok(())
        };
        let mut s = String::from("#!/bin/bash\n");
        s.push_str("#SBATCH --job-name=canns-sweep\n");
        s.push_str(&format!("#SBATCH --array=0-{}\n", self.array_size - 1));
        s.push_str(&format!(
            "#SBATCH --output={}/slurm/%A_%a.out\n",
            quote_free(&self.out)?
        ));
        s.push_str("#SBATCH --ntasks=1\n");
        if let Some(p) = &self.partition {
            safe("--partition", p)?;
            s.push_str(&format!("#SBATCH --partition={p}\n"));
        }
        if let Some(t) = &self.time {
            safe("--time", t)?;
            s.push_str(&format!("#SBATCH --time={t}\n"));
        }
        s.push_str("set -euo pipefail\n");
        s.push_str(&format!(
            "exec {} sweep {} --out {} --chunk {} --shard \"${{SLURM_ARRAY_TASK_ID}}/{}\"\n",
            shell_quote(&self.exe),
            shell_quote(&self.spec),
            shell_quote(&self.out),
            self.chunk,
            self.array_size
        ));
        Ok(s)
    }

    /// Writes the script to `OUT/sweep.sbatch` (and creates `OUT/slurm/`
    /// for the logs); returns its path.
    ///
    /// # Errors
    /// As [`SlurmJob::script`]; [`Error::Io`] when it cannot be written.
    pub fn write(&self) -> Result<PathBuf> {
        let script = self.script()?;
        let logs = self.out.join("slurm");
        std::fs::create_dir_all(&logs).map_err(|e| Error::io(&logs, e))?;
        let path = self.out.join("sweep.sbatch");
        std::fs::write(&path, script).map_err(|e| Error::io(&path, e))?;
        Ok(path)
    }

    /// Writes the script and submits it with `sbatch --parsable`; returns
    /// the job id.
    ///
    /// # Errors
    /// As [`SlurmJob::write`]; [`Error::Invalid`] when `sbatch` cannot be
    /// started or refuses the job (with its message).
    pub fn submit(&self) -> Result<String> {
        let path = self.write()?;
        let out = std::process::Command::new("sbatch")
            .arg("--parsable")
            .arg(&path)
            .output()
            .map_err(|e| {
                Error::Invalid(format!("cannot run `sbatch` (is Slurm installed?): {e}"))
            })?;
        if !out.status.success() {
            return Err(Error::Invalid(format!(
                "sbatch refused {}: {}",
                path.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
        Ok(id.split(';').next().unwrap_or_default().to_string())
    }

    /// The shards the array tasks run.
    pub fn shards(&self) -> Vec<Shard> {
        (0..self.array_size)
            .map(|index| Shard {
                index,
                count: self.array_size,
            })
            .collect()
    }
}

fn shell_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

/// `#SBATCH` lines are not parsed by a shell: the path must not need
/// quoting.
fn quote_free(p: &Path) -> Result<String> {
    let s = p.display().to_string();
    if s.chars()
        .any(|c| c.is_whitespace() || "'\"$`\\".contains(c))
    {
        return Err(
            ParamError::new("--out", "a path without spaces or quotes for Slurm", &s).into(),
        );
    }
    Ok(s)
}
