//! Execution segments: one plan split exactly over several engines, as k6's execution segments
//! split it. A segment is a part `[from, to)` of the whole; a segment sequence lists every part's
//! boundaries, so that every engine stripes the plan the same way.
//!
//! Counts (users, concurrency, iterations) split as `⌊n·to⌋ − ⌊n·from⌋`: over a sequence the
//! parts add up to `n` exactly. An open-model schedule splits by index: over a cycle of `L`
//! indices (`L` the least common multiple of the sequence's denominators) each part owns its
//! share of positions, spread evenly (each position goes to the part furthest behind its share),
//! so every engine sends at the whole run's pace and the union of the parts is the schedule.

use std::fmt;

/// A fraction of the whole plan, `num/den` in lowest terms, `0 ≤ num ≤ den`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fraction {
    num: u64,
    den: u64,
}

impl Ord for Fraction {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (u128::from(self.num) * u128::from(other.den))
            .cmp(&(u128::from(other.num) * u128::from(self.den)))
    }
}

impl PartialOrd for Fraction {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Fraction {
    fn new(num: u64, den: u64) -> Fraction {
        let g = gcd(num, den).max(1);
        Fraction {
            num: num / g,
            den: den / g,
        }
    }

    /// "1/3", "0.25", "25%", "0" or "1".
    fn parse(text: &str) -> Result<Fraction, String> {
        let text = text.trim();
        let bad = || format!("`{text}` is not a fraction of the plan (write 1/3, 0.25 or 25%)");
        let f = if let Some((n, d)) = text.split_once('/') {
            let (n, d) = (
                n.trim().parse::<u64>().map_err(|_| bad())?,
                d.trim().parse::<u64>().map_err(|_| bad())?,
            );
            if d == 0 {
                return Err(bad());
            }
            Fraction::new(n, d)
        } else if let Some(percent) = text.strip_suffix('%') {
            let f = decimal(percent.trim()).ok_or_else(bad)?;
            Fraction::new(f.num, f.den.checked_mul(100).ok_or_else(bad)?)
        } else {
            decimal(text).ok_or_else(bad)?
        };
        if f.num > f.den {
            return Err(format!("`{text}` is more than the whole plan (at most 1)"));
        }
        Ok(f)
    }

    /// `⌊n · self⌋`, exactly.
    fn of(&self, n: u64) -> u64 {
        (u128::from(n) * u128::from(self.num) / u128::from(self.den)) as u64
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.num, self.den) {
            (0, _) => write!(f, "0"),
            (n, d) if n == d => write!(f, "1"),
            (n, d) => write!(f, "{n}/{d}"),
        }
    }
}

/// "0.25" → 1/4 (at most 9 decimals).
fn decimal(text: &str) -> Option<Fraction> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > 9 || !(whole.chars().chain(frac.chars())).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let den = 10u64.pow(frac.len() as u32);
    let num = format!("{whole}{frac}").parse::<u64>().ok()?;
    Some(Fraction::new(num, den))
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Cycles longer than this (the sequence's denominators' least common multiple) are refused:
/// building one costs a pass over it per part.
const MAX_CYCLE: u64 = 1_000_000;

/// This engine's part of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    from: Fraction,
    to: Fraction,
    /// Schedule indices repeat their owners every `cycle` indices...
    cycle: u64,
    /// ... and within a cycle this part owns these positions, ascending.
    owned: Vec<u64>,
}

/// The sequence's cycle (the indices after which the striping repeats) and the positions in it
/// that `part` owns: in turn, each position goes to the part furthest behind its share, so
/// every part's indices are spread evenly and the parts together own each index once.
fn stripe(bounds: &[Fraction], part: usize) -> Result<(u64, Vec<u64>), String> {
    let cycle = bounds.iter().try_fold(1u64, |l, f| {
        let l = l / gcd(l, f.den) * f.den;
        (l <= MAX_CYCLE).then_some(l)
    });
    let cycle = cycle.filter(|c| c.saturating_mul(bounds.len() as u64) <= 20 * MAX_CYCLE).ok_or_else(|| {
        format!("the sequence's fractions need a cycle over {MAX_CYCLE} indices; use simpler fractions")
    })?;
    let shares: Vec<u64> = bounds
        .windows(2)
        .map(|w| w[1].of(cycle) - w[0].of(cycle))
        .collect();
    let mut given = vec![0u64; shares.len()];
    let mut owned = Vec::with_capacity(shares[part] as usize);
    for position in 0..cycle {
        let behind = |j: usize| {
            i128::from(shares[j]) * i128::from(position + 1)
                - i128::from(given[j]) * i128::from(cycle)
        };
        let next = (0..shares.len())
            .max_by_key(|&j| (behind(j), std::cmp::Reverse(j)))
            .expect("a sequence has parts");
        given[next] += 1;
        if next == part {
            owned.push(position);
        }
    }
    Ok((cycle, owned))
}

impl Segment {
    /// `segment`: "I/N" (the I-th of N equal parts, counting from 1) or "from:to" (fractions,
    /// as k6 writes them). `sequence`: every part's boundaries, "0,1/4,1/2,1"; required for
    /// "from:to" (so every engine stripes the plan alike), implied for "I/N".
    pub fn parse(segment: &str, sequence: Option<&str>) -> Result<Segment, String> {
        let (from, to, implied) = match segment.split_once(':') {
            Some((from, to)) => (Fraction::parse(from)?, Fraction::parse(to)?, None),
            None => {
                let (i, n) = segment
                    .split_once('/')
                    .and_then(|(i, n)| Some((i.trim().parse::<u64>().ok()?, n.trim().parse::<u64>().ok()?)))
                    .filter(|&(i, n)| (1..=n).contains(&i) && n <= MAX_CYCLE)
                    .ok_or_else(|| {
                        format!("`{segment}` is not a segment: write I/N (the I-th of N equal parts, 1 ≤ I ≤ N) or from:to (e.g. 1/4:1/2)")
                    })?;
                let equal: Vec<Fraction> = (0..=n).map(|k| Fraction::new(k, n)).collect();
                (Fraction::new(i - 1, n), Fraction::new(i, n), Some(equal))
            }
        };
        if from >= to {
            return Err(format!(
                "segment `{segment}` is empty: its start must be below its end"
            ));
        }
        let bounds = match (sequence, implied) {
            (Some(text), _) => text
                .split(',')
                .map(Fraction::parse)
                .collect::<Result<Vec<_>, _>>()?,
            (None, Some(equal)) => equal,
            (None, None) if from.num == 0 && to.num == to.den => vec![from, to],
            (None, None) => {
                return Err(format!(
                    "segment `{segment}` needs the sequence of every engine's segments (e.g. --segment-sequence 0,{from},{to},1), so that all engines split the plan alike"
                ))
            }
        };
        let ordered = bounds.windows(2).all(|w| w[0] < w[1]);
        let whole = bounds.first().is_some_and(|f| f.num == 0)
            && bounds.last().is_some_and(|l| l.num == l.den);
        if !ordered || !whole {
            return Err("the segment sequence must rise from 0 to 1, e.g. 0,1/4,1/2,1".into());
        }
        let part = bounds
            .windows(2)
            .position(|w| w[0] == from && w[1] == to)
            .ok_or_else(|| format!("segment {from}:{to} is not one of the sequence's parts"))?;
        let (cycle, owned) = stripe(&bounds, part)?;
        Ok(Segment {
            from,
            to,
            cycle,
            owned,
        })
    }

    /// This part of a count: `⌊n·to⌋ − ⌊n·from⌋`; the parts of a sequence add up to `n`.
    pub fn share(&self, n: u64) -> u64 {
        self.to.of(n) - self.from.of(n)
    }

    /// The whole schedule's index of this part's `local`-th send.
    pub fn global(&self, local: u64) -> u64 {
        let per_cycle = self.owned.len() as u64;
        (local / per_cycle) * self.cycle + self.owned[(local % per_cycle) as usize]
    }

    /// How many of the whole schedule's first `global` indices this part owns.
    pub fn owned_below(&self, global: u64) -> u64 {
        let (cycles, rest) = (global / self.cycle, global % self.cycle);
        cycles * self.owned.len() as u64 + self.owned.partition_point(|&p| p < rest) as u64
    }
}

/// The parts of the whole plan that none of `segments` ("from:to", as reports name them)
/// covers; an error when two overlap (the same part reported twice).
pub(crate) fn missing_parts(segments: &[String]) -> Result<Vec<String>, String> {
    let mut parts = segments
        .iter()
        .map(|s| {
            let (from, to) = s
                .split_once(':')
                .ok_or_else(|| format!("`{s}` is not a segment (from:to)"))?;
            Ok((Fraction::parse(from)?, Fraction::parse(to)?))
        })
        .collect::<Result<Vec<_>, String>>()?;
    parts.sort();
    let mut missing = Vec::new();
    let mut covered = Fraction::new(0, 1);
    for (from, to) in parts {
        if from < covered {
            return Err(format!(
                "segment {from}:{to} overlaps another: the same part of the plan is reported twice"
            ));
        }
        if from > covered {
            missing.push(format!("{covered}:{from}"));
        }
        covered = to;
    }
    if covered < Fraction::new(1, 1) {
        missing.push(format!("{covered}:1"));
    }
    Ok(missing)
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.from, self.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(sequence: &str) -> Vec<Segment> {
        let bounds: Vec<&str> = sequence.split(',').collect();
        bounds
            .windows(2)
            .map(|w| Segment::parse(&format!("{}:{}", w[0], w[1]), Some(sequence)).unwrap())
            .collect()
    }

    #[test]
    fn the_parts_of_a_sequence_own_every_index_once_and_counts_add_up() {
        for sequence in ["0,1/3,2/3,1", "0,1/4,1/2,1", "0,0.1,0.35,1", "0,1"] {
            let parts = parts(sequence);
            let mut owner = vec![0u32; 10_000];
            for part in &parts {
                let mut local = 0;
                while part.global(local) < 10_000 {
                    owner[part.global(local) as usize] += 1;
                    assert_eq!(part.owned_below(part.global(local)), local);
                    local += 1;
                }
                assert_eq!(part.owned_below(10_000), local);
            }
            assert!(owner.iter().all(|&n| n == 1), "{sequence}");
            for n in [0, 1, 7, 1000, 12_345] {
                assert_eq!(
                    parts.iter().map(|p| p.share(n)).sum::<u64>(),
                    n,
                    "{sequence}"
                );
            }
        }
    }

    #[test]
    fn parts_are_spread_evenly_not_in_blocks() {
        let quarter = Segment::parse("0:1/4", Some("0,1/4,1")).unwrap();
        // One index in four, wherever the count stops.
        for n in 1..200 {
            let owned = quarter.owned_below(n) as f64;
            assert!((owned - n as f64 / 4.0).abs() <= 1.0, "{n}: {owned}");
        }
    }

    #[test]
    fn i_of_n_is_the_i_th_equal_part() {
        let second = Segment::parse("2/3", None).unwrap();
        assert_eq!(second.to_string(), "1/3:2/3");
        assert_eq!(second.share(10), 3);
        assert_eq!(Segment::parse("3/3", None).unwrap().share(10), 4);
    }

    #[test]
    fn missing_parts_are_named_and_overlaps_refused() {
        let parts =
            |v: &[&str]| missing_parts(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(parts(&["0:1/3", "2/3:1"]).unwrap(), ["1/3:2/3"]);
        assert!(parts(&["1/3:2/3", "0:1/3", "2/3:1"]).unwrap().is_empty());
        assert_eq!(parts(&["1/4:1/2"]).unwrap(), ["0:1/4", "1/2:1"]);
        assert!(parts(&["0:1/2", "1/4:1"]).unwrap_err().contains("overlaps"));
    }

    #[test]
    fn bad_segments_say_what_is_wrong() {
        let err = |s: &str, q: Option<&str>| Segment::parse(s, q).unwrap_err();
        assert!(err("0/3", None).contains("I/N"));
        assert!(err("1/2:1/4", None).contains("empty"));
        assert!(err("1/4:1/2", None).contains("sequence"));
        assert!(err("1/4:1/2", Some("0,1/2,1")).contains("not one of"));
        assert!(err("0:1/2", Some("0,1/2,1/4,1")).contains("rise"));
        assert!(err("0:2", None).contains("more than the whole"));
    }
}
