//! `vayu-cli report merge`: one report from the reports of engines that ran parts of one plan.

use super::args::MergeArgs;
use super::load::{render, EXIT_THRESHOLD_FAILED};
use super::{emit, CliError, EXIT_INPUT_OR_TRANSPORT};
use crate::run::{FinalReport, MergedReport};
use crate::store::RunStatus;
use std::process::ExitCode;

pub(super) fn merge(args: MergeArgs) -> Result<ExitCode, CliError> {
    if args.files.is_empty() {
        return Err(CliError::Input(
            "give the reports to merge: vayu-cli report merge a.json b.json ...".into(),
        ));
    }
    let reports = args
        .files
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(file)
                .map_err(|e| CliError::Input(format!("cannot read report `{file}`: {e}")))?;
            serde_json::from_str::<FinalReport>(text.trim()).map_err(|e| {
                CliError::Input(format!(
                    "`{file}` is not a load report (vayu-cli load --json writes one): {e}"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let merged = crate::run::merge(&reports, &args.threshold).map_err(CliError::Input)?;
    Ok(emit_merged(&merged, args.json))
}

/// Prints a merged report (text or JSON) and returns the exit code it calls for.
pub(super) fn emit_merged(merged: &MergedReport, json: bool) -> ExitCode {
    if json {
        emit(&format!(
            "{}\n",
            serde_json::to_string(merged).expect("a report always serialises")
        ));
    } else {
        let mut text = format!(
            "merged {} reports: {}\n",
            merged.merged_runs.len(),
            merged.merged_runs.join(", ")
        );
        if merged.partial {
            text += &format!(
                "PARTIAL: no report covers {} of the plan\n",
                merged.missing_segments.join(", ")
            );
        }
        emit(&(text + &render(&merged.report)));
    }
    if merged.partial || merged.report.status == RunStatus::Failed {
        ExitCode::from(EXIT_INPUT_OR_TRANSPORT)
    } else if !merged.report.thresholds_ok {
        ExitCode::from(EXIT_THRESHOLD_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}
