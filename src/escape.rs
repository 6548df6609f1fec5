//! Names in the formats an administrator opens: ids and display names are the policy's
//! data, and a name must stay text in every rendering, never become markup or a formula.

use std::borrow::Cow;

/// `s` as literal Markdown text: HTML's `<`, `>` and `&` as entities, so a name like
/// `<img src=x onerror=…>` renders as itself; Markdown's own punctuation backslashed, so a
/// name cannot open a link, emphasis or code span, nor end a table cell; line breaks as
/// spaces, so a name cannot start a block of its own.
pub(crate) fn markdown(s: &str) -> Cow<'_, str> {
    const SPECIAL: &[char] = &[
        '<', '>', '&', '\\', '`', '*', '_', '[', ']', '(', ')', '!', '|', '#', '~', '\n', '\r',
    ];
    if !s.contains(SPECIAL) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '!' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `s` as one CSV field: a field a spreadsheet would run as a formula (starting with `=`,
/// `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, which spreadsheets show
/// as text; a field with a comma, quote or line break is quoted.
pub(crate) fn csv(s: &str) -> Cow<'_, str> {
    let formula = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quoted = s.contains([',', '"', '\n', '\r']);
    if !formula && !quoted {
        return Cow::Borrowed(s);
    }
    let text = if formula {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    };
    if quoted {
        Cow::Owned(format!("\"{}\"", text.replace('"', "\"\"")))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_keeps_names_as_text() {
        assert_eq!(markdown("deals"), "deals");
        assert_eq!(
            markdown("<img src=x onerror=alert(1)>"),
            "&lt;img src=x onerror=alert\\(1\\)&gt;"
        );
        assert_eq!(markdown("a|b"), "a\\|b");
        assert_eq!(markdown("[x](javascript:y)"), "\\[x\\]\\(javascript:y\\)");
        assert_eq!(markdown("`code`"), "\\`code\\`");
        assert_eq!(markdown("line\nbreak"), "line break");
        assert_eq!(markdown("R&D"), "R&amp;D");
    }

    #[test]
    fn csv_neutralises_formulas_and_quotes() {
        assert_eq!(csv("deals"), "deals");
        assert_eq!(csv("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv("+1"), "'+1");
        assert_eq!(csv("-2"), "'-2");
        assert_eq!(csv("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv("a,b"), "\"a,b\"");
        assert_eq!(csv("role∧team"), "role∧team");
    }
}
