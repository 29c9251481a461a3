//! Small rules of HTTP that several layers apply, written once, here at the bottom: the
//! request and response layers and the application import them, and this module imports
//! nothing of theirs.

/// Whether `byte` may appear in a token (RFC 9110 §5.6.2): a method, a header name.
pub fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// Whether `text` is a token: at least one byte, every one a [token byte](is_token_byte).
pub fn is_token(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(is_token_byte)
}

/// Whether a response with this status may carry content. RFC 9110 §6.4.1: `1xx`,
/// `204 No Content` and `304 Not Modified` never do, whatever the handler put in them, so
/// the writer sends no body and no framing header, and a client reads none.
pub fn status_has_body(status: u16) -> bool {
    !matches!(status, 100..=199 | 204 | 304)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_table() {
        #[rustfmt::skip]
        let cases = [
            ("GET", true), ("M-SEARCH", true), ("x-request-id", true), ("!#$%&'*+-.^_`|~", true),
            ("", false), ("GET ", false), ("a:b", false), ("a\r\nb", false), ("é", false),
            ("(x)", false), ("a,b", false), ("a\"b", false), ("a\0b", false),
        ];
        for (text, token) in cases {
            assert_eq!(is_token(text), token, "{text:?}");
        }
    }

    #[test]
    fn has_body_table() {
        #[rustfmt::skip]
        let cases = [
            (100, false), (101, false), (103, false), (199, false), (204, false), (304, false),
            (200, true), (201, true), (205, true), (206, true), (301, true), (303, true),
            (305, true), (404, true), (500, true),
        ];
        for (status, has_body) in cases {
            assert_eq!(status_has_body(status), has_body, "{status}");
        }
    }
}
