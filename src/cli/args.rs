//! The command line, as argh parses it.

use argh::FromArgs;

/// Vayu: HTTP load testing and API testing on libcurl.
#[derive(FromArgs, Debug)]
pub struct Cli {
    /// print the version, git commit and libcurl version
    #[argh(switch)]
    pub version: bool,
    #[argh(subcommand)]
    pub command: Option<Command>,
}

#[derive(FromArgs, Debug)]
#[argh(subcommand)]
// Parsed once per process: the size of the largest command's flags costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    Run(RunArgs),
    Batch(BatchArgs),
    Load(LoadArgs),
    Collection(CollectionArgs),
    Report(ReportArgs),
    Import(ImportArgs),
    Export(ExportArgs),
}

/// Send one request from a JSON file, run its scripts, and print the response and test results.
/// Exit code: 0 on a response with every test passing, 1 when a test or a script failed,
/// 2 on bad input or a transport error.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "run")]
pub struct RunArgs {
    /// the request file (JSON: method, url, headers, body, ...)
    #[argh(positional)]
    pub file: String,
    /// print one machine-readable JSON object instead of text
    #[argh(switch)]
    pub json: bool,
    /// record the request and response as a design run in this SQLite database (default:
    /// $VAYU_DB; nothing is recorded when neither is set)
    #[argh(option)]
    pub db: Option<String>,
    /// environment variables: a JSON object, or a Postman environment export
    #[argh(option)]
    pub env: Option<String>,
    /// write the environment as the scripts left it back to the --env file
    #[argh(switch)]
    pub save_env: bool,
    /// send it through a running vayu-engine at this URL (e.g. http://127.0.0.1:9876) instead of
    /// in-process; the token comes from $VAYU_TOKEN
    #[argh(option)]
    pub engine: Option<String>,
}

/// Send every request in the files through the engine and print a summary.
/// A file holds one request object or a list of them. Test scripts run on every response.
/// Exit code: 0 when the batch ran (failures are in the summary), 1 when a test failed,
/// 2 on bad input.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "batch")]
pub struct BatchArgs {
    /// request files
    #[argh(positional)]
    pub files: Vec<String>,
    /// requests in flight at most, across all workers (default 10)
    #[argh(option, default = "10")]
    pub concurrency: usize,
    /// send the whole list this many times (default 1)
    #[argh(option, default = "1")]
    pub repeat: usize,
    /// worker threads (default: one per core)
    #[argh(option, default = "0")]
    pub workers: usize,
    /// do not pin worker threads to cores
    #[argh(switch)]
    pub no_pin: bool,
    /// print one machine-readable JSON object instead of text
    #[argh(switch)]
    pub json: bool,
    /// record the batch as a load run in this SQLite database: every failure (up to 10,000) and
    /// 1 in 100 successes, plus the summary (default: $VAYU_DB; nothing when neither is set)
    #[argh(option)]
    pub db: Option<String>,
    /// environment variables: a JSON object, or a Postman environment export
    #[argh(option)]
    pub env: Option<String>,
}

/// Run a load test from a run file and print its final report.
/// Exit code: 0 completed with every threshold met, 1 a threshold was violated,
/// 2 bad input or an engine fault, 130 stopped with Ctrl-C (the report is still printed).
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "load")]
pub struct LoadArgs {
    /// the run file (JSON: request or requests, and config)
    #[argh(positional)]
    pub file: String,
    /// open model at this many requests per second (mode "constant")
    #[argh(option)]
    pub rps: Option<f64>,
    /// requests in flight: the closed model's size, or the iterations' parallelism
    #[argh(option)]
    pub concurrency: Option<u64>,
    /// how long to send, e.g. 30s or 2m
    #[argh(option)]
    pub duration: Option<String>,
    /// send exactly this many requests (mode "iterations")
    #[argh(option)]
    pub iterations: Option<u64>,
    /// a pass/fail criterion such as p95<200ms, errors<1% or rps>=900 (repeatable)
    #[argh(option)]
    pub threshold: Vec<String>,
    /// worker threads (default: one per core)
    #[argh(option, default = "0")]
    pub workers: usize,
    /// do not pin worker threads to cores
    #[argh(switch)]
    pub no_pin: bool,
    /// print the final report as one JSON object instead of text
    #[argh(switch)]
    pub json: bool,
    /// record the run (status, metrics each second, failures, 1 in 100 successes, report) in this
    /// SQLite database (default: $VAYU_DB; nothing when neither is set)
    #[argh(option)]
    pub db: Option<String>,
    /// run it on a running vayu-engine at this URL (e.g. http://127.0.0.1:9876), streaming its
    /// progress; the engine records it; the token comes from $VAYU_TOKEN
    #[argh(option)]
    pub engine: Option<String>,
    /// also write the report as one self-contained HTML page (charts and tables, offline)
    #[argh(option)]
    pub report: Option<String>,
    /// run it split over these running vayu-engines (comma-separated URLs): each gets its
    /// segment and one common start; their reports are merged exactly
    #[argh(option)]
    pub engines: Option<String>,
    /// this engine's part of a plan split over several: I/N (the I-th of N equal parts) or
    /// from:to (fractions, e.g. 1/4:1/2, with --segment-sequence)
    #[argh(option)]
    pub segment: Option<String>,
    /// every engine's segment boundaries, e.g. 0,1/4,1/2,1
    #[argh(option)]
    pub segment_sequence: Option<String>,
    /// start at this RFC 3339 time (e.g. 2026-11-22T08:00:00Z): engines given the same time
    /// follow one schedule
    #[argh(option)]
    pub start_at: Option<String>,
}

/// Postman collections: run one as Newman does.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "collection")]
pub struct CollectionArgs {
    #[argh(subcommand)]
    pub command: CollectionCommand,
}

#[derive(FromArgs, Debug)]
#[argh(subcommand)]
pub enum CollectionCommand {
    Run(CollectionRunArgs),
}

/// Run a Postman collection (v2.0 or v2.1) with its scripts, as `newman run` does, and report.
/// Exit code: 0 when everything passed, 1 on a failed assertion, a script error or a request
/// error (0 with --suppress-exit-code), 2 on bad input.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "run")]
pub struct CollectionRunArgs {
    /// the collection file (a Postman Collection v2.0 / v2.1 export)
    #[argh(positional)]
    pub file: String,
    /// a Postman environment export (or a JSON object of variables)
    #[argh(option, short = 'e')]
    pub environment: Option<String>,
    /// a Postman globals export (or a JSON object of variables)
    #[argh(option, short = 'g')]
    pub globals: Option<String>,
    /// iteration data: a CSV file (first line names the columns) or a JSON list of objects
    #[argh(option, short = 'd')]
    pub iteration_data: Option<String>,
    /// iterations to run (default: one per data row, or 1)
    #[argh(option, short = 'n')]
    pub iteration_count: Option<u64>,
    /// run only the requests in this folder (by name or id; repeatable)
    #[argh(option)]
    pub folder: Vec<String>,
    /// set an environment variable, key=value (repeatable; wins over the file)
    #[argh(option)]
    pub env_var: Vec<String>,
    /// set a global variable, key=value (repeatable; wins over the file)
    #[argh(option)]
    pub global_var: Vec<String>,
    /// stop the run at the first failure (assertion, script error or request error)
    #[argh(switch)]
    pub bail: bool,
    /// wait this many milliseconds before each request
    #[argh(option, default = "0")]
    pub delay_request: u64,
    /// a request's time limit in milliseconds (default 30000; 0: the default)
    #[argh(option, default = "0")]
    pub timeout_request: u64,
    /// a script's time limit in milliseconds (default 5000; 0: the default)
    #[argh(option, default = "0")]
    pub timeout_script: u64,
    /// do not verify TLS certificates
    #[argh(switch, short = 'k')]
    pub insecure: bool,
    /// do not follow redirects (every request gets its 3xx)
    #[argh(switch)]
    pub ignore_redirects: bool,
    /// where form-data and file bodies are read from (default: the current directory)
    #[argh(option)]
    pub working_dir: Option<String>,
    /// write the environment as the scripts left it to this file (Postman's format)
    #[argh(option)]
    pub export_environment: Option<String>,
    /// write the globals as the scripts left them to this file (Postman's format)
    #[argh(option)]
    pub export_globals: Option<String>,
    /// reporters, comma-separated: cli, json, junit, html (default cli)
    #[argh(option, short = 'r', default = "String::from(\"cli\")")]
    pub reporters: String,
    /// where the json reporter writes (default vayu/<collection>-<time>.json)
    #[argh(option)]
    pub reporter_json_export: Option<String>,
    /// where the junit reporter writes (default vayu/<collection>-<time>.xml)
    #[argh(option)]
    pub reporter_junit_export: Option<String>,
    /// where the html reporter writes one self-contained page (default
    /// vayu/<collection>-<time>.html)
    #[argh(option)]
    pub reporter_html_export: Option<String>,
    /// exit 0 even when something failed
    #[argh(switch, short = 'x')]
    pub suppress_exit_code: bool,
    /// cli reporter: no summary table after the run
    #[argh(switch)]
    pub reporter_cli_no_summary: bool,
    /// cli reporter: no failure list after the run
    #[argh(switch)]
    pub reporter_cli_no_failures: bool,
    /// cli reporter: ASCII instead of Unicode symbols
    #[argh(switch)]
    pub disable_unicode: bool,
    /// the whole run's time limit in milliseconds: past it the run stops and reports (0: none)
    #[argh(option, default = "0")]
    pub timeout: u64,
    /// refuse to read form-data and body files outside the working directory
    #[argh(switch)]
    pub no_insecure_file_read: bool,
    /// a cookie jar to start with: tough-cookie's JSON, as --export-cookie-jar writes it
    #[argh(option)]
    pub cookie_jar: Option<String>,
    /// write the cookie jar at the end of the run to this file (tough-cookie's JSON)
    #[argh(option)]
    pub export_cookie_jar: Option<String>,
    /// a client certificate (PEM) to present to servers that ask for one
    #[argh(option)]
    pub ssl_client_cert: Option<String>,
    /// the client certificate's private key (PEM)
    #[argh(option)]
    pub ssl_client_key: Option<String>,
    /// the private key's passphrase
    #[argh(option)]
    pub ssl_client_passphrase: Option<String>,
    /// CA certificates (PEM) to trust besides the system's
    #[argh(option)]
    pub ssl_extra_ca_certs: Option<String>,
    /// colored output: on, off or auto (when writing to a terminal; the default)
    #[argh(option, default = "String::from(\"auto\")")]
    pub color: String,
    /// cli reporter: each request's and response's details (sizes, bodies, timings)
    #[argh(switch)]
    pub verbose: bool,
}

/// Load-run reports: merge the reports of engines that ran parts of one plan.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "report")]
pub struct ReportArgs {
    #[argh(subcommand)]
    pub command: ReportCommand,
}

#[derive(FromArgs, Debug)]
#[argh(subcommand)]
pub enum ReportCommand {
    Merge(MergeArgs),
}

/// Merge the JSON reports (`vayu-cli load --json`) of engines that each ran a segment of one
/// plan: counts add up, percentiles come from the merged histograms, thresholds are checked on
/// the merged result. Exit code: 0 every threshold met, 1 one violated, 2 bad input, a failed
/// run among them, or a part of the plan missing (the report, marked partial, is printed first).
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "merge")]
pub struct MergeArgs {
    /// the reports to merge
    #[argh(positional)]
    pub files: Vec<String>,
    /// a pass/fail criterion checked on the merged result, e.g. p99<200ms (repeatable; the
    /// reports' own thresholds are checked again too)
    #[argh(option)]
    pub threshold: Vec<String>,
    /// print the merged report as one JSON object instead of text
    #[argh(switch)]
    pub json: bool,
}

/// Import an OpenAPI 3 document (JSON or YAML), a HAR recording, curl commands or a Postman
/// collection as a Postman collection (or, with --flow, a load run file with the journey as its
/// flow). What was left out or linked up is printed to stderr. Exit code: 0 imported, 2 bad
/// input.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "import")]
pub struct ImportArgs {
    /// the file to import, or - for standard input
    #[argh(positional)]
    pub file: String,
    /// openapi, har, curl or postman (default: told from the content)
    #[argh(option)]
    pub format: Option<String>,
    /// write the collection to this file (default: standard output)
    #[argh(option, short = 'o')]
    pub output: Option<String>,
    /// write a load run file with the journey as its flow to this file instead
    #[argh(option)]
    pub flow: Option<String>,
    /// the collection's name (default: the document's title)
    #[argh(option)]
    pub name: Option<String>,
    /// HAR: think time between steps: keep (as recorded, the default), none, or a duration such
    /// as 1s
    #[argh(option, default = "String::from(\"keep\")")]
    pub think_time: String,
    /// HAR: keep images, scripts, styles, fonts and media
    #[argh(switch)]
    pub include_static: bool,
    /// HAR: keep only requests to this host (repeatable; default: the recording's first host
    /// and its site)
    #[argh(option)]
    pub only_host: Vec<String>,
}

/// Export saved work in another format.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "export")]
pub struct ExportArgs {
    #[argh(subcommand)]
    pub command: ExportCommand,
}

#[derive(FromArgs, Debug)]
#[argh(subcommand)]
pub enum ExportCommand {
    Curl(ExportCurlArgs),
}

/// Print a collection's requests (or a request file's) as curl commands, one after another.
/// Exit code: 0 written, 2 bad input.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "curl")]
pub struct ExportCurlArgs {
    /// a Postman collection, any file `vayu-cli import` reads, or a request file
    #[argh(positional)]
    pub file: String,
    /// only the requests with this name or path (`Folder / request`; repeatable)
    #[argh(option)]
    pub request: Vec<String>,
    /// fill in {{variables}} from the collection's variables (default: leave them)
    #[argh(switch)]
    pub resolve: bool,
}

/// The command line as argh parses it, with one change: a lone `-` (standard input, as
/// `vayu-cli import -` takes it) is passed after `--`, where argh reads it as a positional
/// argument instead of refusing it as an unknown flag.
pub fn from_env() -> Cli {
    let args: Vec<String> = std::env::args().collect();
    let command = args.first().map_or("vayu-cli", |a| {
        std::path::Path::new(a)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("vayu-cli")
    });
    let mut rest: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    if !rest.contains(&"--") {
        if let Some(at) = rest.iter().position(|a| *a == "-") {
            rest.remove(at);
            rest.extend(["--", "-"]);
        }
    }
    Cli::from_args(&[command], &rest).unwrap_or_else(|early| {
        // As argh's own `from_env`: help to stdout (exit 0), a parse error to stderr (exit 1).
        match early.status {
            Ok(()) => {
                print!("{}", early.output);
                std::process::exit(0)
            }
            Err(()) => {
                eprint!(
                    "{}\nRun {command} --help for more information.\n",
                    early.output
                );
                std::process::exit(1)
            }
        }
    })
}
