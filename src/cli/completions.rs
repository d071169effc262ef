//! `fenliu completions SHELL` and `fenliu man`: shell completion scripts and manual pages,
//! generated from the same command line clap parses.

use super::args::Cli;
use clap::CommandFactory;
use color_eyre::eyre::{Result, WrapErr};
use std::path::{Path, PathBuf};

/// `fenliu completions`'s arguments.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `fenliu man`'s arguments.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write fenliu.1 and one page per subcommand (fenliu-hub-serve.1 …) into this directory
    /// instead of printing fenliu.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Prints the completion script of `args.shell`.
pub fn completions(args: &CompletionsArgs) -> Result<u8> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "fenliu", &mut script);
    out!("{}", String::from_utf8_lossy(&script));
    Ok(0)
}

/// Prints the main page, or writes every page into `--dir`.
pub fn man(args: &ManArgs) -> Result<u8> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    match &args.dir {
        None => out!("{}", page(&cmd)?),
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .wrap_err_with(|| format!("cannot create {}", dir.display()))?;
            let n = write_pages(&cmd, dir)?;
            outln!("{n} manual pages in {}", dir.display());
        }
    }
    Ok(0)
}

/// One command's page, in roff that any formatter reads: characters outside ASCII (the
/// Chinese names) are written as `\[uXXXX]` escapes rather than raw UTF-8.
pub fn page(cmd: &clap::Command) -> Result<String> {
    let mut raw = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut raw)
        .wrap_err("cannot render the manual page")?;
    Ok(ascii_roff(&String::from_utf8_lossy(&raw)))
}

fn write_pages(cmd: &clap::Command, dir: &Path) -> Result<usize> {
    let mut n = 0;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        n += write_pages(sub, dir)?;
    }
    let name = cmd.get_display_name().unwrap_or_else(|| cmd.get_name());
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, page(cmd)?)
        .wrap_err_with(|| format!("cannot write {}", path.display()))?;
    Ok(n + 1)
}

/// Replaces every character outside ASCII with groff's `\[uXXXX]` escape.
fn ascii_roff(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("\\[u{:04X}]", u32::from(c)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_becomes_unicode_escapes() {
        assert_eq!(ascii_roff("a 分流 b"), "a \\[u5206]\\[u6D41] b");
    }
}
