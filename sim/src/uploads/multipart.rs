//! The one part of a `multipart/form-data` body the binary upload reads:
//! the field named `file`, with its file name and content type.

use axum::body::Bytes;

/// The `boundary` parameter of a `multipart/form-data` content type.
pub(super) fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// The part named `file`.
#[derive(Debug)]
pub(super) struct Part {
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Bytes,
}

pub(super) fn file_part(body: &Bytes, boundary: &str) -> Option<Part> {
    let delimiter = format!("--{boundary}");
    let mut rest = &body[..];
    loop {
        let start = find(rest, delimiter.as_bytes())?;
        rest = &rest[start + delimiter.len()..];
        if rest.starts_with(b"--") {
            return None;
        }
        let rest_start = body.len() - rest.len();
        let head_end = find(rest, b"\r\n\r\n")?;
        let head = std::str::from_utf8(&rest[..head_end]).ok()?;
        let content = &rest[head_end + 4..];
        let end = find(content, format!("\r\n{delimiter}").as_bytes())?;
        let mut name = None;
        let mut filename = None;
        let mut content_type = None;
        for line in head.lines() {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            if key.trim().eq_ignore_ascii_case("content-disposition") {
                name = param(value, "name");
                filename = param(value, "filename");
            } else if key.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(value.trim().to_owned());
            }
        }
        if name.as_deref() == Some("file") {
            let offset = rest_start + head_end + 4;
            return Some(Part {
                filename,
                content_type,
                bytes: body.slice(offset..offset + end),
            });
        }
        rest = &content[end..];
    }
}

/// `key="value"` in a header's parameters.
fn param(header: &str, key: &str) -> Option<String> {
    header.split(';').find_map(|item| {
        let (k, v) = item.split_once('=')?;
        (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// A file name safe in a URL path segment.
pub(super) fn safe_name(name: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        "file".to_owned()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_part_is_found_among_others() {
        let body = Bytes::from_static(
            b"--XY\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nhello\r\n\
              --XY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a b.png\"\r\n\
              Content-Type: image/png\r\n\r\n\x89PNG\r\n--XY--\r\n",
        );
        let part = file_part(&body, "XY").expect("file part");
        assert_eq!(&part.bytes[..], b"\x89PNG");
        assert_eq!(part.filename.as_deref(), Some("a b.png"));
        assert_eq!(part.content_type.as_deref(), Some("image/png"));
        assert_eq!(safe_name("a b.png"), "a_b.png");
        assert_eq!(
            boundary("multipart/form-data; boundary=\"XY\"").as_deref(),
            Some("XY")
        );
        assert!(file_part(&Bytes::from_static(b"--XY--\r\n"), "XY").is_none());
    }
}
