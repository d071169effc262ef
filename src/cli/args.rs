//! The command line, as clap sees it.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// fenliu (分流): street command room console and district hub for two-way police/non-police diversion.
#[derive(Debug, Parser)]
#[command(name = "fenliu", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every subcommand takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Data directory (holds fenliu.db).
    #[arg(long, global = true, env = "FENLIU_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Config file (TOML); see config.example.toml.
    #[arg(long, global = true, env = "FENLIU_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Operator's name recorded on events (overrides `operator` in config).
    #[arg(long, global = true, env = "FENLIU_OPERATOR", value_name = "NAME")]
    pub operator: Option<String>,
    /// Record an action as having happened at this time (RFC 3339), for late entry.
    #[arg(long, global = true, value_name = "RFC3339")]
    pub at: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The full-screen console (the default with no subcommand).
    Console,
    /// The responders (力量名册).
    #[command(subcommand)]
    Roster(RosterCmd),
    /// Record and inspect incidents (警情/工单).
    #[command(subcommand)]
    Incident(IncidentCmd),
    /// Check and read the journal (处置留痕).
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Classify a description and explain why, or `triage eval FILE.tsv` to measure the classifier.
    Triage(TriageArgs),
    /// The responsibility list (权责清单).
    #[command(subcommand)]
    Rules(RulesCmd),
    /// Check config, data directory, database and journal, and say what to fix.
    Doctor,
    /// A living command room: a station with a roster and a simulated 110/12345/grid/sensor feed.
    Demo {
        /// How many times faster than real time the night runs (the header shows it).
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
        /// The same seed plays the same feed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Stations in the demo district (1–6); the console is the first, the feed spreads over all.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=6))]
        stations: u32,
        /// Keep the demo's data in this directory (default: a temporary one, removed on exit).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// The district hub (区城运中心): administration and the server.
    Hub(HubArgs),
    /// Exchange events with the hub configured in `[hub]`.
    Sync(SyncArgs),
    /// The figures the station is judged by, over the journal (分流、签收、到场、办结、满意 …).
    Report(ReportArgs),
    /// Measure a real hub on loopback: intakes per second, latency, lost and duplicated items.
    Loadtest(LoadtestArgs),
    /// The station's mode (运行模式): `mode war|normal [--note WHY]` switches it for every
    /// workstation; no argument shows it.
    Mode(super::mode::ModeArgs),
    /// A drill (模拟报警临检): a simulated alarm from a template, recorded as a drill item that runs
    /// every clock and stays out of the figures.
    Drill(super::drill::DrillArgs),
    /// Sampling (每日警单抽检 / 电话回访复检): `sample --closed N [--seed S] [--date D]` picks closed
    /// items at random; `sample review REF --finding ok|problem [--note]` records the finding.
    Sample(super::sample::SampleArgs),
    /// A note for the next shift (交班留言): `note --shift TEXT`, a station event.
    Note(super::note::NoteArgs),
    /// Print a completion script: `completions bash|zsh|fish|elvish|powershell`.
    Completions(super::completions::CompletionsArgs),
    /// Print the manual page (roff), or `man --dir DIR` to write one per subcommand.
    Man(super::completions::ManArgs),
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct TriageArgs {
    /// The description to classify.
    pub text: Option<String>,
    /// Print the decision as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(subcommand)]
    pub cmd: Option<TriageCmd>,
}

#[derive(Debug, Subcommand)]
pub enum TriageCmd {
    /// Train the second opinion from labelled corpora (default: the built-in dev and writers'
    /// corpora) and write the model file the binary embeds.
    Train {
        /// Labelled corpora to learn from, instead of the built-in ones.
        files: Vec<PathBuf>,
        #[arg(long, default_value = "assets/triage-model.bin")]
        out: PathBuf,
    },
    /// Measure against a labelled corpus: `id<TAB>text<TAB>class<TAB>category<TAB>mode`, header first.
    Eval {
        file: PathBuf,
        #[arg(long)]
        json: bool,
        /// Leave one writer out: per writer of FILE (sixth column), the figures with a model
        /// trained on the dev corpus and the other writers only.
        #[arg(long)]
        by_writer: bool,
        /// Print the figures only, never a line of the corpus: for a held-out set that must stay
        /// unread.
        #[arg(long, conflicts_with = "json")]
        figures_only: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum RulesCmd {
    /// Validate a responsibility list (default: the configured one, else the embedded one).
    Check { file: Option<PathBuf> },
}

#[derive(Debug, Subcommand)]
pub enum RosterCmd {
    /// Add one responder.
    Add {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        unit: String,
        #[arg(long)]
        grid: Option<String>,
        #[arg(long)]
        phone: Option<String>,
    },
    /// List responders with their duty status.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Import responders from CSV with header `id,name,unit,grid,phone` (all or nothing).
    Import { file: PathBuf },
    /// Put a responder on or off duty.
    Duty {
        id: String,
        #[arg(value_enum)]
        status: DutyArg,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DutyArg {
    Available,
    OffDuty,
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Check the journal's hash chain, the projection against a replay of the journal, and, with a
    /// hub, the journal against the hub's copy: exit 0 with `ok: N events`, or 1 naming the first
    /// thing that does not hold.
    Verify,
    /// An item's whole timeline: time, operator, action, details.
    Log { reference: String },
    /// Rebuild the projection of items from the journal (after `verify` found it altered).
    Rebuild,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ChannelArg {
    Radio,
    Wechat,
    Phone,
    Order,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ResultArg {
    Resolved,
    HandedOver,
    Unresolved,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SatisfactionArg {
    Satisfied,
    Basic,
    Dissatisfied,
    Unreachable,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReasonArg {
    Incomplete,
    NotOurArea,
    Duplicate,
    OutOfScope,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PriorityArg {
    Urgent,
    Normal,
    Nonurgent,
}

#[derive(Debug, Subcommand)]
pub enum IncidentCmd {
    /// Record a new item; prints its reference as the last line.
    New {
        /// 110 12345 12319 grid resident opinion wechat iot video hotline district meeting walkin other
        #[arg(long, value_parser = parse_source)]
        source: crate::domain::Source,
        #[arg(long)]
        text: String,
        #[arg(long)]
        address: Option<String>,
        #[arg(long)]
        grid: Option<String>,
        #[arg(long)]
        community: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        /// The number the source gave (110 警情号, 12345 工单号).
        #[arg(long)]
        source_ref: Option<String>,
        /// Without it the item takes its category's priority (权责清单), raised by red flags.
        #[arg(long, value_enum)]
        priority: Option<PriorityArg>,
        /// A drill (演练): exercises the clocks, kept out of statistics.
        #[arg(long)]
        drill: bool,
    },
    /// Claim (签收).
    Claim { reference: String },
    /// Dispatch responders (指派).
    Dispatch {
        reference: String,
        #[arg(long, num_args = 1.., required = true, value_name = "ID")]
        responder: Vec<String>,
        #[arg(long, value_enum, default_value = "radio")]
        channel: ChannelArg,
    },
    /// The party was contacted (联系当事人).
    Contact {
        reference: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Camera footage was pulled (调取监控).
    Video {
        reference: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// A responder set off (出发).
    Depart {
        reference: String,
        #[arg(long)]
        responder: String,
    },
    /// A responder arrived (到场).
    Arrive {
        reference: String,
        #[arg(long)]
        responder: String,
    },
    /// Withdraw one responder and send another in their place (改派).
    Reassign {
        reference: String,
        /// The responder withdrawn (id).
        #[arg(long)]
        from: String,
        /// The responder sent instead (id).
        #[arg(long)]
        to: String,
        /// Why (written on the record).
        #[arg(long)]
        reason: String,
    },
    /// Result from the scene (反馈).
    Feedback {
        reference: String,
        #[arg(long, value_enum)]
        result: ResultArg,
        #[arg(long)]
        text: Option<String>,
    },
    /// Verify the result (核查): --ok, or --send-back to dispatch again (发回重办).
    Verify {
        reference: String,
        #[arg(
            long,
            conflicts_with = "send_back",
            required_unless_present = "send_back"
        )]
        ok: bool,
        #[arg(long)]
        send_back: bool,
        #[arg(long)]
        note: Option<String>,
    },
    /// Close (结案).
    Close { reference: String },
    /// Record the callback (回访).
    Callback {
        reference: String,
        #[arg(long, value_enum)]
        satisfaction: SatisfactionArg,
        #[arg(long)]
        note: Option<String>,
    },
    /// Return to the source (退回).
    Return {
        reference: String,
        #[arg(long, value_enum)]
        reason: ReasonArg,
        #[arg(long)]
        note: Option<String>,
    },
    /// Hand back to the police (转警务).
    ToPolice {
        reference: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Upload to the district (上报区级).
    ToDistrict {
        reference: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Hand to the 12345 hotline as a work order (转12345工单, mode A).
    ToHotline {
        reference: String,
        /// The hotline's work order number, when it gave one.
        #[arg(long)]
        order_no: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Hold a non-urgent item until the night window ends (夜间留存).
    Defer { reference: String },
    /// Escalate (督办) to a level (default: one above the current).
    Escalate {
        reference: String,
        #[arg(long)]
        level: Option<u8>,
    },
    /// Add a note.
    Note {
        reference: String,
        #[arg(long)]
        text: String,
    },
    /// Reclassify (改判): the officer's decision replaces the classifier's, with their name.
    Classify {
        reference: String,
        /// Category code from the responsibility list, e.g. E1, D4, P2.
        #[arg(long)]
        category: String,
        /// Dispatch mode P, A, B or C (default: the category's).
        #[arg(long, value_parser = parse_mode)]
        mode: Option<crate::domain::DispatchMode>,
    },
    /// Mark as a duplicate of another item (重复).
    Merge {
        reference: String,
        #[arg(long)]
        into: String,
    },
    /// Show one item with its clocks and timeline.
    Show {
        reference: String,
        #[arg(long)]
        json: bool,
        /// Show the caller's phone unmasked; the reveal is recorded under your name.
        #[arg(long)]
        reveal: bool,
    },
    /// List items.
    List {
        #[arg(long, value_parser = parse_status)]
        status: Option<crate::domain::Status>,
        #[arg(long)]
        json: bool,
        /// Show callers' phones unmasked; each reveal is recorded under your name.
        #[arg(long)]
        reveal: bool,
    },
}

fn parse_source(s: &str) -> Result<crate::domain::Source, String> {
    crate::domain::Source::parse(s).ok_or_else(|| {
        let all: Vec<&str> = crate::domain::Source::ALL
            .iter()
            .map(|s| s.code())
            .collect();
        format!("unknown source `{s}`; one of: {}", all.join(" "))
    })
}

fn parse_mode(s: &str) -> Result<crate::domain::DispatchMode, String> {
    crate::domain::DispatchMode::parse(s)
        .ok_or_else(|| format!("unknown mode `{s}`; one of: P A B C"))
}

fn parse_status(s: &str) -> Result<crate::domain::Status, String> {
    crate::domain::Status::parse(s).ok_or_else(|| {
        let all: Vec<&str> = crate::domain::Status::ALL
            .iter()
            .map(|s| s.code())
            .collect();
        format!("unknown status `{s}`; one of: {}", all.join(" "))
    })
}

/// `fenliu hub …`.
#[derive(Debug, Args)]
pub struct HubArgs {
    /// The hub's directory (holds hub.db).
    #[arg(long, global = true, env = "FENLIU_HUB_DIR", value_name = "DIR")]
    pub hub_dir: Option<PathBuf>,
    /// The hub's PostgreSQL database instead of --hub-dir (`postgres://user@host/db`).
    #[arg(
        long,
        global = true,
        env = "FENLIU_HUB_STORE",
        value_name = "URL",
        conflicts_with = "hub_dir"
    )]
    pub store: Option<String>,
    #[command(subcommand)]
    pub command: HubCmd,
}

#[derive(Debug, Subcommand)]
pub enum HubCmd {
    /// Stations (街镇指挥室) and their tokens.
    #[command(subcommand)]
    Station(HubStationCmd),
    /// Connectors: 110/12345 intake, the police feed, the district's statistics.
    #[command(subcommand)]
    Connector(HubConnectorCmd),
    /// The routing table: grid or community → station.
    #[command(subcommand)]
    Route(HubRouteCmd),
    /// Serve the hub protocol until Ctrl-C or SIGTERM.
    Serve(super::hub::ServeArgs),
    /// Evidence checks of the hub's own database.
    #[command(subcommand)]
    Audit(super::hub::HubAuditCmd),
    /// The district's figures per station and the ranking of stations, over the hub's events.
    Report(super::hub::HubReportArgs),
    /// A drill (模拟报警临检) for a station: a simulated alarm from a template, sent to its
    /// workstations like an intake and marked as a drill.
    Drill {
        /// The station to test.
        #[arg(long)]
        station: String,
        /// The template (see `fenliu drill --list`); the first one when not given.
        #[arg(long)]
        template: Option<String>,
    },
    /// Move a district's hub (a --hub-dir) into an empty PostgreSQL database.
    Migrate {
        /// The district hub's directory (holds hub.db); the hub must be stopped.
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
        /// The PostgreSQL database (`postgres://user@host/db`).
        #[arg(long, value_name = "URL")]
        to: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum HubStationCmd {
    /// Add a station; prints its token as the last line (shown only once).
    Add {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        /// Prefix of the references the hub gives this station's items.
        #[arg(long)]
        prefix: String,
    },
    /// Give a station a new token (the old one stops working); prints it as the last line.
    RotateToken {
        #[arg(long)]
        id: String,
    },
    /// List stations.
    List,
}

#[derive(Debug, Subcommand)]
pub enum HubConnectorCmd {
    /// Add a connector; prints its token as the last line (shown only once).
    Add {
        #[arg(long)]
        id: String,
        #[arg(long, value_enum)]
        role: ConnectorRole,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ConnectorRole {
    Intake,
    Police,
    District,
}

#[derive(Debug, Subcommand)]
pub enum HubRouteCmd {
    /// Route a grid and/or a community to a station.
    Add {
        #[arg(long, required_unless_present = "community")]
        grid: Option<String>,
        #[arg(long)]
        community: Option<String>,
        #[arg(long)]
        station: String,
    },
    /// Print the routing table.
    List,
}

/// `fenliu report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// First day (YYYY-MM-DD, station time) or moment (RFC 3339); default: the 1st of this month.
    #[arg(long)]
    pub from: Option<String>,
    /// Day after the last (YYYY-MM-DD) or moment (RFC 3339); default: now.
    #[arg(long)]
    pub to: Option<String>,
    /// Only this station's items.
    #[arg(long)]
    pub station: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: ReportFormat,
    /// List drills (模拟报警) apart, with their times and who acted.
    #[arg(long)]
    pub drills: bool,
    /// The shift handover (交接班) of the shift holding now, or at the global `--at` moment.
    #[arg(long)]
    pub shift: bool,
}

/// How `fenliu report` prints.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Table,
    Csv,
    Json,
    Md,
}

/// `fenliu sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Push the outbox, then pull everything new, print counts and exit.
    #[arg(long, conflicts_with = "rebuild")]
    pub once: bool,
    /// Fetch the station's whole history from the hub into an empty local store.
    #[arg(long)]
    pub rebuild: bool,
}

/// `fenliu loadtest`.
#[derive(Debug, Args)]
pub struct LoadtestArgs {
    /// Stations, each with one console long-polling.
    #[arg(long, default_value_t = 50)]
    pub stations: usize,
    /// Intakes per second, or `max`.
    #[arg(long, default_value = "max")]
    pub rate: String,
    /// Seconds of intake.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Load a hub on this PostgreSQL database (`postgres://…`) instead of a fresh directory; the
    /// run adds its own stations and leaves the others alone.
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
    /// Hub processes on the one PostgreSQL database (`--store`), the consoles spread over them
    /// and failing over.
    #[arg(long, default_value_t = 1)]
    pub hubs: usize,
    /// Kill one hub process halfway through the run (with `--hubs 2` or more).
    #[arg(long)]
    pub kill_one: bool,
}
