//! Postman's path variables: a URL path segment `:name` replaced by the value given for `name`.
//!
//! As postman-collection's `Url.getPath` does it: only a whole segment counts (`:id`, not
//! `a:id`; a lone `:` is none), the name is the rest of the segment, and a segment with no
//! entry stays as written. The value goes in as written, then what the path may not hold is
//! percent-encoded as Newman sends it (postman-url-encoder's path set, `flow::url`): a `/` in
//! the value makes more segments, as in Postman.

use std::collections::BTreeMap;

/// `url` with its `:name` path segments replaced from `variables`; values percent-encoded as a
/// path (`encode`, for a request about to be sent) or as written (a collection's url, whose
/// values may still hold `{{variables}}`).
pub(crate) fn resolve_path_variables(
    url: &str,
    variables: &BTreeMap<String, String>,
    encode: bool,
) -> String {
    if variables.is_empty() {
        return url.to_string();
    }
    // A scheme ends before the first `/`, `?` or `#`; a `://` after them is in the query.
    let after_scheme = url
        .find("://")
        .filter(|&i| !url[..i].contains(['/', '?', '#']))
        .map_or(0, |i| i + 3);
    let Some(path_start) = url[after_scheme..]
        .find(['/', '?', '#'])
        .map(|i| after_scheme + i)
        .filter(|&i| url[i..].starts_with('/'))
    else {
        return url.to_string();
    };
    let path_end = url[path_start..]
        .find(['?', '#'])
        .map_or(url.len(), |i| path_start + i);
    let path = url[path_start..path_end]
        .split('/')
        .map(|segment| {
            let value = segment
                .strip_prefix(':')
                .filter(|name| !name.is_empty())
                .and_then(|name| variables.get(name));
            match value {
                Some(v) if encode => crate::flow::encode_path(v),
                // As written (a collection's url, `{{variables}}` kept), but a `?` or `#` in
                // the value stays in the path, as when it is sent.
                Some(v) => v.replace('?', "%3F").replace('#', "%23"),
                None => segment.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    format!("{}{path}{}", &url[..path_start], &url[path_end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_segments_are_replaced_and_values_encoded_as_a_path() {
        let vars: BTreeMap<String, String> = [("id", "4 2"), ("kind", "a/b"), ("e", "")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let cases = [
            ("http://h:8/u/:id?x=:id#:id", "http://h:8/u/4%202?x=:id#:id"),
            (
                "http://h/:kind/:missing/a:id/:/:e/",
                "http://h/a/b/:missing/a:id/://",
            ),
            ("http://h:8?q=:id", "http://h:8?q=:id"),
            (
                "{{base}}/t/:id?redirect=https://app/cb",
                "{{base}}/t/4%202?redirect=https://app/cb",
            ),
            ("h/:id", "h/4%202"),
        ];
        for (written, sent) in cases {
            assert_eq!(
                resolve_path_variables(written, &vars, true),
                sent,
                "{written}"
            );
        }
    }

    #[test]
    fn as_written_a_value_keeps_its_variables_and_its_query_marks_stay_in_the_path() {
        let vars: BTreeMap<String, String> = [("q", "a?b#c {{v}}")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(
            resolve_path_variables("{{base}}/s/:q?x=1", &vars, false),
            "{{base}}/s/a%3Fb%23c {{v}}?x=1"
        );
    }
}
