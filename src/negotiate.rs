//! Chapters 8 and 9: content negotiation, the little of it weft needs.
//!
//! A client says what it prefers in a list of weighted choices: `Accept: application/json,
//! text/*;q=0.5` (RFC 9110 §12.5.1) or `Accept-Encoding: gzip, br;q=0.8, *;q=0`
//! (§12.5.3). Each choice has a weight `q` between 0 and 1 (§12.4.2), 1 when left out; a
//! weight of 0 means "not acceptable". These functions answer one question: how much does
//! the client want this one candidate?

// ANCHOR: quality
/// The weight the client's `Accept` header gives media type `candidate` (such as
/// `application/json`): the weight of the most specific range that matches it
/// (`type/subtype` over `type/*` over `*/*`), or 0 if none does. No header at all accepts
/// everything (weight 1).
pub fn media_quality(accept: Option<&str>, candidate: &str) -> f32 {
    let Some(accept) = accept else { return 1.0 };
    let (kind, _) = candidate.split_once('/').unwrap_or((candidate, ""));
    let mut best: Option<(u8, f32)> = None;
    for (range, q) in choices(accept) {
        let specificity = if range.eq_ignore_ascii_case(candidate) {
            3
        } else if range
            .strip_suffix("/*")
            .is_some_and(|k| k.eq_ignore_ascii_case(kind))
        {
            2
        } else if range == "*/*" {
            1
        } else {
            continue;
        };
        match best {
            Some((s, _)) if s >= specificity => {}
            _ => best = Some((specificity, q)),
        }
    }
    best.map_or(0.0, |(_, q)| q)
}

// > ch09
/// The weight the client's `Accept-Encoding` header gives content coding `coding` (such as
/// `gzip`): its own entry's weight, else the weight of `*`, else 0. No header: 0, because
/// a server should not compress for a client that did not ask (§12.5.3 allows either).
pub fn coding_quality(accept_encoding: Option<&str>, coding: &str) -> f32 {
    let Some(header) = accept_encoding else {
        return 0.0;
    };
    let mut any = None;
    for (name, q) in choices(header) {
        if name.eq_ignore_ascii_case(coding) {
            return q;
        }
        if name == "*" {
            any = Some(q);
        }
    }
    any.unwrap_or(0.0)
}
// < ch09

/// The `(value, weight)` pairs of a comma-separated list of weighted choices. A choice
/// whose weight does not parse is left out: it cannot be trusted either way.
fn choices(header: &str) -> impl Iterator<Item = (&str, f32)> {
    header.split(',').filter_map(|choice| {
        let mut parts = choice.split(';');
        let value = parts.next()?.trim();
        if value.is_empty() {
            return None;
        }
        let mut q = 1.0;
        for param in parts {
            let Some((name, weight)) = param.trim().split_once('=') else {
                continue;
            };
            if name.trim().eq_ignore_ascii_case("q") {
                q = weight
                    .trim()
                    .parse::<f32>()
                    .ok()
                    .filter(|q| (0.0..=1.0).contains(q))?;
            }
        }
        Some((value, q))
    })
}
// ANCHOR_END: quality

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_ranges_most_specific_wins() {
        let cases: &[(Option<&str>, &str, f32)] = &[
            (None, "application/json", 1.0),
            (Some("application/json"), "application/json", 1.0),
            (Some("application/json"), "text/plain", 0.0),
            (Some("text/*;q=0.5, */*;q=0.1"), "text/plain", 0.5),
            (Some("text/*;q=0.5, */*;q=0.1"), "application/json", 0.1),
            (
                Some("*/*;q=0.2, application/json;q=0"),
                "application/json",
                0.0,
            ),
            (Some("Application/JSON;q=0.7"), "application/json", 0.7),
            (
                Some("text/html,application/xml;q=0.9,*/*;q=0.8"),
                "text/plain",
                0.8,
            ),
            (Some("application/json;q=2"), "application/json", 0.0),
        ];
        for (accept, candidate, q) in cases {
            assert_eq!(
                media_quality(*accept, candidate),
                *q,
                "{accept:?} {candidate}"
            );
        }
    }

    // > ch09
    #[test]
    fn codings_with_weights_and_star() {
        let cases: &[(Option<&str>, f32)] = &[
            (None, 0.0),
            (Some("gzip"), 1.0),
            (Some("gzip;q=0"), 0.0),
            (Some("br, gzip;q=0.5"), 0.5),
            (Some("deflate"), 0.0),
            (Some("*"), 1.0),
            (Some("*;q=0.3, gzip;q=0"), 0.0),
            (Some("identity"), 0.0),
            (Some(" GZIP ; q=0.9 "), 0.9),
        ];
        for (header, q) in cases {
            assert_eq!(coding_quality(*header, "gzip"), *q, "{header:?}");
        }
    }
    // < ch09
}
