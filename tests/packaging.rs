//! What an installation carries: completion scripts a shell accepts, manual pages a formatter
//! reads without a warning, the systemd unit, and the hub telling systemd it is ready, alive and
//! stopping, over a notification socket the test binds.

use assert_cmd::Command;
use std::io::BufRead;
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

fn fenliu() -> Command {
    let mut cmd = Command::cargo_bin("fenliu").expect("binary built");
    cmd.env_remove("FENLIU_CONFIG")
        .env_remove("FENLIU_DATA_DIR");
    cmd
}

fn stdout_of(args: &[&str]) -> String {
    let out = fenliu().args(args).assert().success();
    String::from_utf8(out.get_output().stdout.clone()).expect("utf-8")
}

/// Whether `program` runs here; says so in one line when it does not.
fn have(program: &str) -> bool {
    let found = std::process::Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        eprintln!("skipped: {program} is not installed here");
    }
    found
}

/// Runs `program args… file` and returns its status and stderr.
fn check_with(program: &str, args: &[&str], file: &Path) -> (bool, String) {
    let out = std::process::Command::new(program)
        .args(args)
        .arg(file)
        .output()
        .expect("run the checker");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_bash_completion_script_parses_and_knows_the_subcommands() {
    let script = stdout_of(&["completions", "bash"]);
    for word in ["hub", "completions", "serve", "--hub-dir"] {
        assert!(script.contains(word), "completes {word}");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("fenliu.bash");
    std::fs::write(&file, &script).expect("write");
    let (ok, err) = check_with("bash", &["-n"], &file);
    assert!(ok && err.is_empty(), "bash -n: {err}");
}

#[test]
fn the_zsh_and_fish_scripts_parse_where_those_shells_are() {
    let dir = tempfile::tempdir().expect("tempdir");
    for shell in ["zsh", "fish"] {
        let script = stdout_of(&["completions", shell]);
        assert!(script.contains("fenliu"), "{shell}: names the command");
        if !have(shell) {
            continue;
        }
        let file = dir.path().join(format!("fenliu.{shell}"));
        std::fs::write(&file, &script).expect("write");
        let (ok, err) = check_with(shell, &["-n"], &file);
        assert!(ok && err.is_empty(), "{shell} -n: {err}");
    }
}

#[test]
fn an_unknown_shell_is_refused() {
    fenliu().args(["completions", "tcsh"]).assert().failure();
}

/// `groff -man -Tutf8 -ww` on `file`: no warning, no error.
fn assert_valid_roff(file: &Path) {
    let (ok, err) = check_with("groff", &["-man", "-Tutf8", "-ww", "-z"], file);
    assert!(ok && err.is_empty(), "{}: {err}", file.display());
}

#[test]
fn the_manual_page_is_roff_that_groff_reads_without_warnings() {
    let page = stdout_of(&["man"]);
    assert!(
        page.starts_with(".ie") || page.contains(".TH fenliu 1"),
        "{page}"
    );
    assert!(page.is_ascii(), "Chinese is written as escapes");
    assert!(
        page.contains("\\[u5206]\\[u6D41]"),
        "分流 survives as escapes"
    );
    if !have("groff") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("fenliu.1");
    std::fs::write(&file, &page).expect("write");
    assert_valid_roff(&file);
}

#[test]
fn every_subcommand_gets_a_page_in_the_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("man1");
    fenliu().args(["man", "--dir"]).arg(&out).assert().success();
    let mut pages: Vec<_> = std::fs::read_dir(&out)
        .expect("pages")
        .map(|e| e.expect("entry").path())
        .collect();
    pages.sort();
    let names: Vec<String> = pages
        .iter()
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    for name in [
        "fenliu.1",
        "fenliu-hub.1",
        "fenliu-hub-serve.1",
        "fenliu-man.1",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    if have("groff") {
        for page in &pages {
            assert_valid_roff(page);
        }
    }
}

#[test]
fn the_unit_is_a_hardened_notify_service_running_hub_serve() {
    let unit = std::fs::read_to_string("assets/fenliu-hub.service").expect("unit");
    for line in [
        "Type=notify",
        "NotifyAccess=main",
        "WatchdogSec=",
        "User=fenliu",
        "StateDirectory=fenliu-hub",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "PrivateTmp=yes",
    ] {
        assert!(
            unit.lines().any(|l| l.starts_with(line)),
            "the unit sets {line}"
        );
    }
    let exec = unit
        .lines()
        .find(|l| l.starts_with("ExecStart="))
        .expect("ExecStart");
    assert!(
        exec.contains(" hub serve ") && exec.contains("--hub-dir"),
        "{exec}"
    );
    let sysusers = std::fs::read_to_string("assets/fenliu-hub.sysusers").expect("sysusers");
    assert!(
        sysusers.lines().any(|l| l.starts_with("u fenliu ")),
        "{sysusers}"
    );
}

/// The hub as a child process; killed if the test ends early, so no server outlives it.
struct Served(std::process::Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The next notification, within 20 s.
fn next_message(socket: &UnixDatagram) -> String {
    let mut buf = [0u8; 4096];
    let n = socket.recv(&mut buf).expect("a notification within 20 s");
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[test]
fn the_hub_tells_systemd_ready_alive_and_stopping() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&path).expect("bind the notification socket");
    socket
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let hub = dir.path().join("hub");
    let mut served = Served(
        std::process::Command::new(assert_cmd::cargo::cargo_bin("fenliu"))
            .args(["hub", "serve", "--listen", "127.0.0.1:0", "--hub-dir"])
            .arg(&hub)
            .arg("--log-file")
            .arg(dir.path().join("hub.log"))
            .env("NOTIFY_SOCKET", &path)
            .env("WATCHDOG_USEC", "200000")
            .env_remove("WATCHDOG_PID")
            .stdout(Stdio::piped())
            .spawn()
            .expect("hub process"),
    );
    let child = &mut served.0;
    let first = next_message(&socket);
    assert!(
        first.lines().any(|l| l == "READY=1"),
        "ready first: {first}"
    );
    // Ready means listening: the address answers at once.
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("first line");
    let url = line.split_whitespace().last().expect("url").to_string();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let health = rt.block_on(async {
        reqwest::get(format!("{url}/healthz"))
            .await
            .expect("healthz")
            .status()
            .as_u16()
    });
    assert_eq!(health, 200);
    // WATCHDOG_USEC asks for pings.
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !seen.iter().any(|m: &String| m.contains("WATCHDOG=1")) {
        assert!(Instant::now() < deadline, "no watchdog ping: {seen:?}");
        seen.push(next_message(&socket));
    }
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let m = next_message(&socket);
        if m.lines().any(|l| l == "STOPPING=1") {
            break;
        }
        assert!(m.contains("WATCHDOG=1"), "only pings before stopping: {m}");
        assert!(Instant::now() < deadline, "never said STOPPING=1");
    }
    let exit = child.wait().expect("exit");
    assert!(exit.success(), "graceful stop exits 0: {exit:?}");
}
