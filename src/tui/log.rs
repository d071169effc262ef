//! The console's log: a file in the data directory, never the terminal it draws on, rotated
//! daily with a week kept. `FENLIU_LOG` sets the level (default `info`).

use std::path::{Path, PathBuf};

/// How many daily files are kept.
pub const KEEP_DAYS: usize = 7;

/// The log directory inside the data directory.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("logs")
}

/// Starts logging to `logs/console.YYYY-MM-DD.log`; the guard flushes it when dropped. An error
/// when the directory cannot be written (the console then runs without a log, and says so).
pub fn start(data_dir: &Path) -> Result<tracing_appender::non_blocking::WorkerGuard, String> {
    let dir = dir(data_dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("console")
        .filename_suffix("log")
        .max_log_files(KEEP_DAYS)
        .build(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("FENLIU_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init();
    Ok(guard)
}
