//! `carrack-deploy`: deploys the Carrack suite from a TOML config, resumably, and
//! inspects a deployment. See `tools/carrack-deploy/README.md`.

/// `println!` that ignores a closed stdout (`carrack-deploy status | head`).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod accounts;
mod bundles;
mod chain;
mod config;
mod constructors;
mod deploy;
mod manifest;
mod messages;
mod status;
mod storage_layout;
mod units;
mod values;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::OnceLock;

/// Deploys Carrack (tokens, oracle, pool, governance) and hands it to the timelock.
#[derive(Parser)]
#[command(name = "carrack-deploy", version, about, long_about = None)]
struct Cli {
    /// More logs (-v: debug, -vv: trace); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Only warnings and errors.
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Deploys the suite, or resumes the deployment recorded in --manifest.
    Deploy {
        /// The deployment config (e.g. deploy/devnet.toml).
        #[arg(long)]
        config: PathBuf,
        /// Directory of the release bundles (<dir>/<name>/<name>.contract).
        #[arg(long, env = "CARRACK_BUNDLES", default_value_os_t = bundles::default_dir())]
        bundles: PathBuf,
        /// The JSON manifest to write (and resume from).
        #[arg(long)]
        manifest: PathBuf,
        /// Node URL, overriding the config's network.url.
        #[arg(long)]
        url: Option<String>,
        /// Start a new deployment even if --manifest exists (it is kept as a .bak file).
        #[arg(long)]
        reset: bool,
        /// Tests only: exit right after the Nth step's transactions, before the manifest
        /// records it, as a crash would.
        #[arg(long, hide = true)]
        kill_after_step: Option<usize>,
    },
    /// Shows a deployment: contracts and code hashes, admin roles, markets, feeds.
    /// Exits non-zero if anything is unhealthy.
    Status {
        #[arg(long)]
        manifest: PathBuf,
        /// Bundle directory for decoding (default: the one recorded in the manifest).
        #[arg(long)]
        bundles: Option<PathBuf>,
        /// Node URL (default: the manifest's).
        #[arg(long)]
        url: Option<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Dry-runs one message of a deployed contract and prints the decoded result.
    Call {
        #[arg(long)]
        manifest: PathBuf,
        /// A contract of the manifest: pool, oracle, timelock, governor, gov_token,
        /// token:TUSD (or just TUSD).
        #[arg(long)]
        contract: String,
        /// The message, e.g. `market` or `PSP22::balance_of`.
        #[arg(long)]
        message: String,
        /// Arguments in SCALE-value syntax, as for `cargo contract call --args`; `@name`
        /// stands for a manifest contract's address (`@pool`, `@TUSD`, `@deployer`).
        #[arg(long, num_args = 0..)]
        args: Vec<String>,
        /// The dry run's caller (nothing is signed or submitted).
        #[arg(long, default_value = "//Alice")]
        origin: String,
        #[arg(long)]
        bundles: Option<PathBuf>,
        #[arg(long)]
        url: Option<String>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Prints a bundle's storage layout shape, its storage version first (the content of
    /// contracts/<crate>/storage-layout.txt).
    StorageLayout {
        /// A .contract bundle or its .json metadata.
        bundle: PathBuf,
    },
    /// Refuses an upgrade to code whose storage encoding differs from the deployed code's:
    /// prints both storage versions, exits 0 only if they are equal.
    CheckUpgrade {
        /// The deployed code: its .contract bundle or .json metadata, or its
        /// storage-layout.txt snapshot.
        #[arg(long)]
        current: PathBuf,
        /// The new code: its .contract bundle or .json metadata.
        #[arg(long)]
        new: PathBuf,
    },
    /// Validates a config offline and prints the steps it would run and its digest.
    Check {
        #[arg(long)]
        config: PathBuf,
        /// The deployer's address, if the config's key file is not at hand.
        #[arg(long)]
        deployer: Option<String>,
    },
}

/// The progress bar, so log lines can be printed around it.
static PROGRESS: OnceLock<ProgressBar> = OnceLock::new();

/// Writes log lines to stderr, suspending the progress bar while doing so.
struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match PROGRESS.get() {
            Some(bar) => bar.suspend(|| std::io::stderr().write_all(buf))?,
            None => std::io::stderr().write_all(buf)?,
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

fn init_logging(cli: &Cli) {
    let default = match (cli.quiet, cli.verbose) {
        (true, _) => "warn",
        (false, 0) => "carrack_deploy=info,warn",
        (false, 1) => "carrack_deploy=debug,contract_extrinsics=debug,warn",
        (false, _) => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .with_timer(tracing_subscriber::fmt::time::uptime())
        .with_writer(|| LogWriter)
        .init();
}

/// `error: a: b: c` on one line, whatever the causes contain.
fn one_line(error: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = cause
            .to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if text.is_empty() || parts.last().is_some_and(|p| p.ends_with(&text)) {
            continue;
        }
        parts.push(text);
    }
    parts.join(": ")
}

async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Deploy {
            config,
            bundles,
            manifest,
            url,
            reset,
            kill_after_step,
        } => {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed} {wide_msg}")
                    .expect("valid template"),
            );
            bar.set_message("loading the config and bundles, connecting");
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            let _ = PROGRESS.set(bar.clone());
            let result = deploy::run(
                deploy::DeployArgs {
                    config,
                    bundles,
                    manifest,
                    url,
                    reset,
                    kill_after_step,
                },
                &bar,
            )
            .await;
            bar.finish_and_clear();
            result.map(|()| ExitCode::SUCCESS)
        }
        Command::Status {
            manifest,
            bundles,
            url,
            json,
        } => {
            let healthy = status::status(status::StatusArgs {
                manifest,
                bundles,
                url,
                json,
            })
            .await?;
            if healthy {
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("error: the deployment is unhealthy (see the problems above)");
                Ok(ExitCode::from(1))
            }
        }
        Command::Call {
            manifest,
            contract,
            message,
            args,
            origin,
            bundles,
            url,
            json,
        } => {
            status::call(status::CallArgs {
                manifest,
                bundles,
                url,
                contract,
                message,
                args,
                origin,
                json,
            })
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::StorageLayout { bundle } => {
            storage_layout::print_layout(&bundle)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::CheckUpgrade { current, new } => {
            match storage_layout::check_upgrade(&current, &new)? {
                None => Ok(ExitCode::SUCCESS),
                Some(refusal) => {
                    eprintln!("error: {refusal}");
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Check { config, deployer } => {
            let loaded = config::LoadedConfig::load(&config)?;
            let deployer = match deployer {
                Some(d) => accounts::parse_account(&d)?.to_string(),
                None => loaded.signer()?.public_key().to_account_id().to_string(),
            };
            let plan = loaded
                .config
                .plan(&deployer)
                .with_context(|| format!("invalid config {}", config.display()))?;
            out!(
                "{} is valid ({:?}, deployer {deployer})",
                config.display(),
                plan.kind
            );
            out!("config digest {}", plan.digest());
            for (i, step) in deploy::steps(&plan).iter().enumerate() {
                out!("  {:>2}. {}", i + 1, step.name(&plan));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn main() -> ExitCode {
    // A bug must still end in one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "error: internal error (a bug in carrack-deploy): {}{location}",
            message.replace('\n', " ")
        );
    }));
    let cli = Cli::parse();
    init_logging(&cli);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(error) => {
            if let Some(bar) = PROGRESS.get() {
                bar.finish_and_clear();
            }
            eprintln!("error: {}", one_line(&error));
            ExitCode::FAILURE
        }
    }
}
