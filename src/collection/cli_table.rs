//! The two tables of Newman's cli reporter, laid out as its cli-table3 lays them out when the
//! output is not a terminal: the summary (first column 25 wide, the others as wide as their
//! cells, widened evenly for the longest full-width row) and the failure list (borderless,
//! every column as wide as its widest line, rows apart by a line of spaces).

use super::cli_paint::Paint;

/// The characters of the summary's frame: Unicode, or Newman's `--disable-unicode` fallback.
#[derive(Debug, Clone, Copy)]
pub(super) struct Frame {
    top: [char; 4],
    mid: [char; 4],
    bottom: [char; 4],
    line: char,
    vertical: char,
    /// Between the last counts row and the first full-width row.
    joint: [char; 4],
    span: [char; 4],
}

impl Frame {
    pub(super) fn new(ascii: bool) -> Frame {
        if ascii {
            Frame {
                top: ['-'; 4],
                mid: ['-', '+', '-', '-'],
                bottom: ['-'; 4],
                line: '-',
                vertical: '|',
                joint: ['-', '-', '-', '-'],
                span: ['-', '-', '-', '-'],
            }
        } else {
            Frame {
                top: ['┌', '┬', '┐', '─'],
                mid: ['├', '┼', '┤', '─'],
                bottom: ['└', '┴', '┘', '─'],
                line: '─',
                vertical: '│',
                joint: ['├', '┴', '┤', '─'],
                span: ['├', '─', '┤', '─'],
            }
        }
    }

    fn rule(&self, [left, joint, right, _]: [char; 4], widths: &[usize]) -> String {
        let mut out = String::new();
        out.push(left);
        for (i, w) in widths.iter().enumerate() {
            if i > 0 {
                out.push(joint);
            }
            out.extend(std::iter::repeat_n(self.line, *w));
        }
        out.push(right);
        out.push('\n');
        out
    }
}

/// The columns' widths: the widest cell of each (the first at least 25), then widened for the
/// full-width `facts` as cli-table3 does.
fn column_widths(cells: &[[String; 3]], facts: &[String]) -> [usize; 3] {
    let mut widths = [25, 0, 0];
    for row in cells {
        for col in 1..3 {
            widths[col] = widths[col].max(width(&row[col]) + 2);
        }
    }
    // cli-table3 widens the columns without a set width (all but the first) for each
    // full-width cell, the last one first, sharing the difference out rounded half up.
    for fact in facts.iter().rev() {
        let wanted = width(fact) + 2;
        let mut existing = widths[0] + 1 + widths[1] + 1 + widths[2];
        let mut editable = 2;
        for w in &mut widths[1..] {
            if wanted <= existing {
                break;
            }
            let dif = ((wanted - existing) as f64 / editable as f64).round() as usize;
            existing += dif;
            *w += dif;
            editable -= 1;
        }
    }
    widths
}

/// The summary: a head row, `rows` of (label, executed, failed) right-aligned, then each of
/// `facts` across the whole table.
pub(super) fn summary(
    rows: &[(&str, u64, u64)],
    facts: &[String],
    frame: Frame,
    paint: Paint,
) -> String {
    let head = ["", "executed", "  failed"];
    let cells: Vec<[String; 3]> = std::iter::once(head.map(str::to_string))
        .chain(
            rows.iter()
                .map(|(l, e, f)| [l.to_string(), e.to_string(), f.to_string()]),
        )
        .collect();
    let widths = column_widths(&cells, facts);
    let v = frame.vertical;
    let mut out = frame.rule(frame.top, &widths);
    for (i, row) in cells.iter().enumerate() {
        if i > 0 {
            out.push_str(&frame.rule(frame.mid, &widths));
        }
        out.push(v);
        // As Newman's: a row's label green, or red with its failed count when it has failures
        // (padded before painting: escape codes take no columns).
        let failed = i > 0 && row[2] != "0";
        for (col, text) in row.iter().enumerate() {
            let cell = right(text, widths[col] - 2);
            let cell = match col {
                0 if i > 0 && failed => paint.red(&cell),
                0 if i > 0 => paint.green(&cell),
                2 if failed => paint.red(&cell),
                _ => cell,
            };
            out.push_str(&format!(" {cell} {v}"));
        }
        out.push('\n');
    }
    let all = widths.iter().sum::<usize>() + 2;
    for (i, fact) in facts.iter().enumerate() {
        out.push_str(&if i == 0 {
            frame.rule(frame.joint, &widths)
        } else {
            frame.rule(frame.span, &[all])
        });
        out.push_str(&format!("{v} {} {v}\n", left(fact, all - 2)));
    }
    out.push_str(&frame.rule(frame.bottom, &[all]));
    out
}

/// One failure of the list: its number, its name lines and its detail lines.
pub(super) struct FailureRow {
    pub number: String,
    pub name: Vec<String>,
    pub detail: Vec<String>,
}

/// The failure list under its `#  failure  detail` head.
pub(super) fn failures(rows: &[FailureRow]) -> String {
    let head = FailureRow {
        number: "#".into(),
        name: vec!["failure".into()],
        detail: vec!["detail".into()],
    };
    let all: Vec<&FailureRow> = std::iter::once(&head).chain(rows).collect();
    let widest = |lines: &mut dyn Iterator<Item = &String>| lines.map(|l| width(l)).max();
    let w0 = widest(&mut all.iter().map(|r| &r.number)).unwrap_or(0) + 2;
    let w1 = widest(&mut all.iter().flat_map(|r| &r.name)).unwrap_or(0) + 2;
    let w2 = widest(&mut all.iter().flat_map(|r| &r.detail)).unwrap_or(0) + 2;
    let mut out = String::new();
    for (i, row) in all.iter().enumerate() {
        if i > 0 {
            out.push_str(&" ".repeat(w0 + w1 + w2));
            out.push('\n');
        }
        let height = row.name.len().max(row.detail.len()).max(1);
        let empty = String::new();
        for line in 0..height {
            let number = if line == 0 { &row.number } else { &empty };
            let name = row.name.get(line).unwrap_or(&empty);
            let detail = row.detail.get(line).unwrap_or(&empty);
            out.push_str(&format!(
                " {}  {}  {} \n",
                right(number, w0 - 2),
                left(name, w1 - 2),
                left(detail, w2 - 2)
            ));
        }
    }
    out
}

/// Columns a text takes (the reporter's texts have no wide characters).
fn width(text: &str) -> usize {
    text.chars().count()
}

fn right(text: &str, w: usize) -> String {
    format!("{}{text}", " ".repeat(w.saturating_sub(width(text))))
}

fn left(text: &str, w: usize) -> String {
    format!("{text}{}", " ".repeat(w.saturating_sub(width(text))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_is_laid_out_as_newman_lays_it_out() {
        let rows = [
            ("iterations", 2, 0),
            ("requests", 6, 2),
            ("test-scripts", 2, 0),
            ("prerequest-scripts", 2, 2),
            ("assertions", 6, 2),
        ];
        let facts = [
            "total run duration: 202ms".to_string(),
            "total data received: 1.75kB (approx)".to_string(),
            "average response time: 19ms [min: 3ms, max: 39ms, s.d.: 16ms]".to_string(),
        ];
        // Newman 6.2.2's output for the same figures, piped.
        let newman = "\
┌─────────────────────────┬──────────────────┬──────────────────┐
│                         │         executed │           failed │
├─────────────────────────┼──────────────────┼──────────────────┤
│              iterations │                2 │                0 │
├─────────────────────────┼──────────────────┼──────────────────┤
│                requests │                6 │                2 │
├─────────────────────────┼──────────────────┼──────────────────┤
│            test-scripts │                2 │                0 │
├─────────────────────────┼──────────────────┼──────────────────┤
│      prerequest-scripts │                2 │                2 │
├─────────────────────────┼──────────────────┼──────────────────┤
│              assertions │                6 │                2 │
├─────────────────────────┴──────────────────┴──────────────────┤
│ total run duration: 202ms                                     │
├───────────────────────────────────────────────────────────────┤
│ total data received: 1.75kB (approx)                          │
├───────────────────────────────────────────────────────────────┤
│ average response time: 19ms [min: 3ms, max: 39ms, s.d.: 16ms] │
└───────────────────────────────────────────────────────────────┘
";
        assert_eq!(
            summary(&rows, &facts, Frame::new(false), Paint(false)),
            newman
        );
    }

    #[test]
    fn the_failure_list_is_laid_out_as_newman_lays_it_out() {
        let rows = [
            FailureRow {
                number: "1.".into(),
                name: vec!["AssertionError".into(), "iteration: 1".into()],
                detail: vec![
                    "fails".into(),
                    "expected 1 to equal 2".into(),
                    "at assertion:1 in test-script".into(),
                    "inside \"F1 / ok\"".into(),
                ],
            },
            FailureRow {
                number: "2.".into(),
                name: vec!["Error".into(), "iteration: 1".into()],
                detail: vec![
                    String::new(),
                    "connect ECONNREFUSED 127.0.0.1:1".into(),
                    "at request".into(),
                    "inside \"\"".into(),
                ],
            },
        ];
        // Newman 6.2.2's output, piped (its colour codes taken out).
        let newman = concat!(
            "  #  failure         detail                           \n",
            "                                                      \n",
            " 1.  AssertionError  fails                            \n",
            "     iteration: 1    expected 1 to equal 2            \n",
            "                     at assertion:1 in test-script    \n",
            "                     inside \"F1 / ok\"                 \n",
            "                                                      \n",
            " 2.  Error                                            \n",
            "     iteration: 1    connect ECONNREFUSED 127.0.0.1:1 \n",
            "                     at request                       \n",
            "                     inside \"\"                        \n",
        );
        assert_eq!(failures(&rows), newman);
    }
}
