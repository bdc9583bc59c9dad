//! The process's one logger, behind the `log` facade: each binary installs it once with
//! [`init`]; the level comes from `VAYU_LOG` (error, warn, info, debug; default info). The
//! daemon writes `2026-11-20T23:40:00.123Z INFO message` lines, the CLI `vayu: message`. A
//! call site whose warnings or errors repeat is held to a few lines every ten seconds (a worker
//! failing the same way for every request must not flood the log), then says how many it held
//! back.

use log::{Level, LevelFilter, Log, Metadata, Record};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How lines look: the daemon's log (time and level), or the CLI's (`vayu: ` and the text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Timestamped,
    Plain,
}

/// Lines one call site may write per [`WINDOW`] before the rest are held back.
const BURST: u32 = 5;
const WINDOW: Duration = Duration::from_secs(10);

struct Logger {
    style: Style,
    sites: Mutex<HashMap<(String, u32), Site>>,
}

/// A call site's lines in the current window.
struct Site {
    since: Instant,
    written: u32,
    held: u64,
}

impl Logger {
    /// Whether the record's call site may write now, and how many lines it held back before.
    fn admit(&self, record: &Record<'_>) -> Option<u64> {
        let key = (
            record
                .file()
                .or(record.module_path())
                .unwrap_or_default()
                .to_string(),
            record.line().unwrap_or(0),
        );
        let now = Instant::now();
        let mut sites = self.sites.lock();
        let site = sites.entry(key).or_insert(Site {
            since: now,
            written: 0,
            held: 0,
        });
        if now.duration_since(site.since) >= WINDOW {
            site.since = now;
            site.written = 0;
        }
        if site.written >= BURST {
            site.held += 1;
            return None;
        }
        site.written += 1;
        Some(std::mem::take(&mut site.held))
    }
}

impl Log for Logger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        // Warnings and errors are what a failing worker repeats; the API's access lines (info)
        // are each a request, and all are written.
        let held = if record.level() <= Level::Warn {
            match self.admit(record) {
                Some(held) => held,
                None => return,
            }
        } else {
            0
        };
        let held = match held {
            0 => String::new(),
            n => format!(" ({n} more like it held back)"),
        };
        match self.style {
            Style::Timestamped => eprintln!(
                "{} {} {}{held}",
                crate::clock::rfc3339(crate::clock::now_millis()),
                record.level(),
                record.args()
            ),
            Style::Plain => eprintln!("vayu: {}{held}", record.args()),
        }
    }

    fn flush(&self) {}
}

/// The level `VAYU_LOG` asks for.
fn level_from_env() -> LevelFilter {
    match std::env::var("VAYU_LOG")
        .unwrap_or_default()
        .to_ascii_lowercase()
        .as_str()
    {
        "error" => LevelFilter::Error,
        "warn" | "warning" => LevelFilter::Warn,
        "debug" => LevelFilter::Debug,
        "trace" => LevelFilter::Trace,
        "off" => LevelFilter::Off,
        _ => LevelFilter::Info,
    }
}

/// Installs the logger for this process (once; later calls change nothing).
pub fn init(style: Style) {
    let logger = Logger {
        style,
        sites: Mutex::new(HashMap::new()),
    };
    if log::set_boxed_logger(Box::new(logger)).is_ok() {
        log::set_max_level(level_from_env());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_site_that_repeats_itself_is_held_back_and_says_how_much() {
        let logger = Logger {
            style: Style::Plain,
            sites: Mutex::new(HashMap::new()),
        };
        let args = format_args!("the same failure");
        let record = Record::builder()
            .args(args)
            .level(Level::Error)
            .file(Some("src/engine/worker.rs"))
            .line(Some(7))
            .build();
        let admitted: Vec<Option<u64>> = (0..8).map(|_| logger.admit(&record)).collect();
        assert_eq!(admitted[..BURST as usize], [Some(0); BURST as usize]);
        assert!(admitted[BURST as usize..].iter().all(Option::is_none));
        // A new window: the next line says how many were held back.
        logger
            .sites
            .lock()
            .values_mut()
            .for_each(|s| s.since -= WINDOW);
        assert_eq!(logger.admit(&record), Some(3));
        let other = Record::builder()
            .args(format_args!("another"))
            .level(Level::Error)
            .file(Some("src/engine/worker.rs"))
            .line(Some(8))
            .build();
        assert_eq!(
            logger.admit(&other),
            Some(0),
            "another call site has its own count"
        );
    }

    #[test]
    fn timestamp_shape() {
        let t = crate::clock::rfc3339(crate::clock::now_millis());
        assert_eq!(t.len(), 24, "{t}");
        assert!(t.starts_with("20") && t.ends_with('Z'), "{t}");
    }
}
