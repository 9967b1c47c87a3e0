//! A strict parser of the Prometheus text exposition format (version 0.0.4), written for these
//! tests from the format's description: `# HELP` / `# TYPE` lines, samples
//! `name{label="value",…} value [timestamp]`, metric and label name syntax, label value escapes,
//! one `# TYPE` per family before its samples, a family's lines kept together, no duplicate
//! series, and histograms with cumulative `_bucket{le=…}` series ending in `+Inf` equal to
//! `_count`, plus `_sum`.

use std::collections::{BTreeMap, HashSet};

pub type Labels = BTreeMap<String, String>;

#[derive(Debug, Clone)]
pub struct Sample {
    pub name: String,
    pub labels: Labels,
    pub value: f64,
}

#[derive(Debug, Clone, Default)]
pub struct Family {
    pub kind: String,
    pub help: Option<String>,
    pub samples: Vec<Sample>,
}

/// Families by name.
pub type Exposition = BTreeMap<String, Family>;

fn is_metric_name(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(f) if f.is_ascii_alphabetic() || f == '_' || f == ':')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == ':')
}

fn is_label_name(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(f) if f.is_ascii_alphabetic() || f == '_')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
        && !s.starts_with("__")
}

fn parse_value(s: &str) -> Result<f64, String> {
    match s {
        "+Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        "NaN" => Ok(f64::NAN),
        _ if s
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E')) =>
        {
            s.parse::<f64>().map_err(|_| format!("bad value {s:?}"))
        }
        _ => Err(format!("bad value {s:?}")),
    }
}

/// `{a="x",b="y"}` at the start of `s`: the labels and the rest of the line.
fn parse_labels(s: &str) -> Result<(Labels, &str), String> {
    let mut labels = Labels::new();
    let mut rest = s.strip_prefix('{').ok_or("labels must start with {")?;
    loop {
        if let Some(r) = rest.strip_prefix('}') {
            return Ok((labels, r));
        }
        let eq = rest.find('=').ok_or("label without =")?;
        let name = &rest[..eq];
        if !is_label_name(name) {
            return Err(format!("bad label name {name:?}"));
        }
        rest = rest[eq + 1..]
            .strip_prefix('"')
            .ok_or("label value must be quoted")?;
        let mut value = String::new();
        let mut chars = rest.char_indices();
        let end = loop {
            match chars.next() {
                None => return Err("unterminated label value".into()),
                Some((i, '"')) => break i,
                Some((_, '\\')) => match chars.next() {
                    Some((_, '\\')) => value.push('\\'),
                    Some((_, '"')) => value.push('"'),
                    Some((_, 'n')) => value.push('\n'),
                    other => return Err(format!("bad escape in label value: {other:?}")),
                },
                Some((_, '\n')) => return Err("newline in label value".into()),
                Some((_, c)) => value.push(c),
            }
        };
        if labels.insert(name.to_string(), value).is_some() {
            return Err(format!("label {name} given twice"));
        }
        rest = &rest[end + 1..];
        if let Some(r) = rest.strip_prefix(',') {
            rest = r;
        } else if !rest.starts_with('}') {
            return Err("labels must be separated by ,".into());
        }
    }
}

/// The family a sample called `name` belongs to, given the declared types.
fn family_of<'a>(name: &'a str, types: &BTreeMap<String, Family>) -> &'a str {
    for suffix in ["_bucket", "_sum", "_count"] {
        if let Some(base) = name.strip_suffix(suffix) {
            if types.get(base).is_some_and(|f| f.kind == "histogram") {
                return base;
            }
        }
    }
    name
}

/// Parses `text`, or says what is wrong with it.
pub fn parse(text: &str) -> Result<Exposition, String> {
    if !text.is_empty() && !text.ends_with('\n') {
        return Err("the exposition must end with a newline".into());
    }
    let mut out = Exposition::new();
    let mut closed: HashSet<String> = HashSet::new();
    let mut current: Option<String> = None;
    let mut series: HashSet<(String, Vec<(String, String)>)> = HashSet::new();
    for (n, line) in text.lines().enumerate() {
        let err = |m: String| format!("line {}: {m}: {line:?}", n + 1);
        if line.trim().is_empty() {
            continue;
        }
        let family_name;
        if let Some(comment) = line.strip_prefix('#') {
            let mut parts = comment.trim_start().splitn(3, ' ');
            let keyword = parts.next().unwrap_or("");
            if keyword != "HELP" && keyword != "TYPE" {
                continue; // a plain comment
            }
            let name = parts.next().ok_or_else(|| err("no metric name".into()))?;
            if !is_metric_name(name) {
                return Err(err(format!("bad metric name {name:?}")));
            }
            let arg = parts.next().unwrap_or("");
            let fam = out.entry(name.to_string()).or_default();
            if !fam.samples.is_empty() {
                return Err(err(format!("{keyword} after samples of {name}")));
            }
            if keyword == "HELP" {
                if fam.help.is_some() {
                    return Err(err("HELP given twice".into()));
                }
                fam.help = Some(arg.replace("\\n", "\n").replace("\\\\", "\\"));
            } else {
                if !fam.kind.is_empty() {
                    return Err(err("TYPE given twice".into()));
                }
                if !["counter", "gauge", "histogram", "summary", "untyped"].contains(&arg) {
                    return Err(err(format!("unknown type {arg:?}")));
                }
                fam.kind = arg.to_string();
            }
            family_name = name.to_string();
        } else {
            let name_end = line
                .find(['{', ' '])
                .ok_or_else(|| err("a sample needs a value".into()))?;
            let name = &line[..name_end];
            if !is_metric_name(name) {
                return Err(err(format!("bad metric name {name:?}")));
            }
            let (labels, rest) = if line[name_end..].starts_with('{') {
                parse_labels(&line[name_end..]).map_err(err)?
            } else {
                (Labels::new(), &line[name_end..])
            };
            let rest = rest
                .strip_prefix(' ')
                .ok_or_else(|| err("no space before the value".into()))?;
            let mut fields = rest.split(' ');
            let value = parse_value(fields.next().unwrap_or("")).map_err(err)?;
            if let Some(ts) = fields.next() {
                ts.parse::<i64>()
                    .map_err(|_| err(format!("bad timestamp {ts:?}")))?;
            }
            if fields.next().is_some() {
                return Err(err("extra fields after the value".into()));
            }
            let fam_name = family_of(name, &out).to_string();
            let fam = out.entry(fam_name.clone()).or_default();
            if fam.kind.is_empty() {
                fam.kind = "untyped".into();
            }
            let key = (name.to_string(), labels.clone().into_iter().collect());
            if !series.insert(key) {
                return Err(err("the same series twice".into()));
            }
            if fam.kind == "counter" && (value.is_nan() || value < 0.0) {
                return Err(err("a counter below zero".into()));
            }
            fam.samples.push(Sample {
                name: name.to_string(),
                labels,
                value,
            });
            family_name = fam_name;
        }
        if current.as_deref() != Some(family_name.as_str()) {
            if closed.contains(&family_name) {
                return Err(err(format!("the lines of {family_name} are not together")));
            }
            if let Some(prev) = current.replace(family_name) {
                closed.insert(prev);
            }
        }
    }
    for (name, fam) in &out {
        if fam.kind == "histogram" {
            check_histogram(name, fam)?;
        }
    }
    Ok(out)
}

fn check_histogram(name: &str, fam: &Family) -> Result<(), String> {
    let mut groups: BTreeMap<Vec<(String, String)>, Vec<&Sample>> = BTreeMap::new();
    for s in &fam.samples {
        let key = s
            .labels
            .iter()
            .filter(|(k, _)| k.as_str() != "le")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        groups.entry(key).or_default().push(s);
    }
    for (labels, samples) in groups {
        let mut buckets = Vec::new();
        let (mut sum, mut count) = (None, None);
        for s in samples {
            if s.name == format!("{name}_bucket") {
                let le = s
                    .labels
                    .get("le")
                    .ok_or_else(|| format!("{name}_bucket without le {labels:?}"))?;
                buckets.push((parse_value(le)?, s.value));
            } else if s.name == format!("{name}_sum") {
                sum = Some(s.value);
            } else if s.name == format!("{name}_count") {
                count = Some(s.value);
            } else {
                return Err(format!("{} in histogram {name}", s.name));
            }
        }
        let count = count.ok_or_else(|| format!("{name}_count missing for {labels:?}"))?;
        sum.ok_or_else(|| format!("{name}_sum missing for {labels:?}"))?;
        if !buckets
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1)
        {
            return Err(format!("{name} buckets not cumulative for {labels:?}"));
        }
        match buckets.last() {
            Some((le, n)) if le.is_infinite() && *n == count => {}
            _ => {
                return Err(format!(
                    "{name}: no +Inf bucket equal to _count for {labels:?}"
                ))
            }
        }
    }
    Ok(())
}

/// The value of the series `name` whose labels include all of `want`.
pub fn value(exp: &Exposition, family: &str, name: &str, want: &[(&str, &str)]) -> Option<f64> {
    exp.get(family)?
        .samples
        .iter()
        .find(|s| {
            s.name == name
                && want
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
}

#[test]
fn the_parser_refuses_what_the_format_does_not_allow() {
    let ok = "# HELP a_total Help.\n# TYPE a_total counter\na_total{x=\"1\"} 2\n";
    assert!(parse(ok).is_ok());
    let bad = [
        ("no newline at the end", "# TYPE a gauge\na 1"),
        ("bad name", "# TYPE 1a gauge\n1a 1\n"),
        ("unterminated label", "a{x=\"1} 1\n"),
        ("unquoted label", "a{x=1} 1\n"),
        ("bad escape", "a{x=\"\\t\"} 1\n"),
        ("duplicate label", "a{x=\"1\",x=\"2\"} 1\n"),
        ("bad value", "a 1x\n"),
        ("no value", "a\n"),
        ("type twice", "# TYPE a gauge\n# TYPE a gauge\na 1\n"),
        ("type after samples", "a 1\n# TYPE a gauge\n"),
        ("unknown type", "# TYPE a thing\na 1\n"),
        ("same series twice", "# TYPE a gauge\na 1\na 2\n"),
        ("negative counter", "# TYPE a_total counter\na_total -1\n"),
        ("lines apart", "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x=\"y\"} 1\n"),
        (
            "not cumulative",
            "# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n",
        ),
        (
            "no +Inf",
            "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_sum 1\nh_count 2\n",
        ),
        (
            "+Inf is not the count",
            "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n",
        ),
    ];
    for (why, text) in bad {
        assert!(parse(text).is_err(), "accepted ({why}): {text:?}");
    }
    let h = "# TYPE h histogram\nh_bucket{le=\"0.5\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1.5\nh_count 2\n";
    let exp = parse(h).unwrap();
    assert_eq!(value(&exp, "h", "h_count", &[]), Some(2.0));
    assert_eq!(value(&exp, "h", "h_bucket", &[("le", "0.5")]), Some(1.0));
}
