//! The few Rust expressions the generator writes — literals, arrays, struct literals — laid out
//! the way `rustfmt` lays them out (default configuration, edition 2021), so that the generated
//! source passes `rustfmt --check` as written. `tests/rustfmt.rs` checks every shipped model
//! and fixture against `rustfmt` itself.
//!
//! The rules, from rustfmt's defaults:
//! - a line holds at most 100 columns (`max_width`);
//! - an array goes on one line when its elements, joined with `, `, take at most 60 columns
//!   (`array_width`) — or it has a single element — and the line fits; a struct literal when
//!   its fields take at most 18 (`struct_lit_width`); a value that fits on a line of its own
//!   but not after `static NAME: Type =` starts on the next line;
//! - otherwise an array with a single array or struct element keeps it hugged (`[[` … `]]`);
//!   an array of literals no wider than 10 columns each (`short_array_element_width_threshold`)
//!   is packed, as many per line as fit; anything else gets one element per line, and trailing
//!   `// comments` of consecutive elements are aligned.

use unicode_width::UnicodeWidthStr;

/// rustfmt's `max_width`.
const MAX_WIDTH: usize = 100;
/// rustfmt's `array_width`.
const ARRAY_WIDTH: usize = 60;
/// rustfmt's `struct_lit_width`.
const STRUCT_LIT_WIDTH: usize = 18;
/// rustfmt's `short_array_element_width_threshold`.
const SHORT_ELEMENT: usize = 10;
/// rustfmt's `tab_spaces`.
const INDENT: usize = 4;

/// An expression of generated code.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    /// A literal or a path, written as is.
    Atom(String),
    /// `[a, b, …]`; an element may carry a trailing `// comment`.
    Array(Vec<(Expr, Option<String>)>),
    /// `Path { field: value, … }`.
    Struct(String, Vec<(&'static str, Expr)>),
}

impl Expr {
    /// A literal or path.
    pub(crate) fn atom(text: impl Into<String>) -> Expr {
        Expr::Atom(text.into())
    }

    /// An array without comments.
    pub(crate) fn array(items: impl IntoIterator<Item = Expr>) -> Expr {
        Expr::Array(items.into_iter().map(|e| (e, None)).collect())
    }

    /// `path { name: value, … }`.
    pub(crate) fn record(path: impl Into<String>, fields: Vec<(&'static str, Expr)>) -> Expr {
        Expr::Struct(path.into(), fields)
    }

    /// The expression on one line, if rustfmt would keep it on one line given the room.
    fn one_line(&self) -> Option<String> {
        match self {
            Expr::Atom(text) => Some(text.clone()),
            Expr::Array(items) => {
                if items.iter().any(|(_, comment)| comment.is_some()) {
                    return None;
                }
                let parts: Option<Vec<String>> = items.iter().map(|(e, _)| e.one_line()).collect();
                let inner = parts?.join(", ");
                // A single element stays on the line whenever it fits there.
                (items.len() == 1 || width(&inner) <= ARRAY_WIDTH).then(|| format!("[{inner}]"))
            }
            Expr::Struct(path, fields) => {
                let parts: Option<Vec<String>> = fields
                    .iter()
                    .map(|(name, e)| Some(format!("{name}: {}", e.one_line()?)))
                    .collect();
                let inner = parts?.join(", ");
                (width(&inner) <= STRUCT_LIT_WIDTH).then(|| format!("{path} {{ {inner} }}"))
            }
        }
    }

    /// True when the expression fits on one line by itself (indented once, with a `;`) but not
    /// after `column` columns: rustfmt then starts it on the next line.
    pub(crate) fn fits_on_next_line_only(&self, column: usize) -> bool {
        self.one_line().is_some_and(|line| {
            // The line from `lead`, with the `;`.
            let end = |lead: usize| lead + width(&line) + 1;
            end(column) > MAX_WIDTH && end(INDENT) <= MAX_WIDTH
        })
    }

    /// Appends the expression to `out`, whose current line is `column` wide and belongs to a
    /// block indented by `indent`; `suffix` columns (`;` or `,`) follow it on its last line.
    pub(crate) fn write(&self, out: &mut String, indent: usize, column: usize, suffix: usize) {
        if let Some(line) = self.one_line() {
            if column + width(&line) + suffix <= MAX_WIDTH {
                out.push_str(&line);
                return;
            }
        }
        let inner = indent + INDENT;
        match self {
            Expr::Atom(text) => out.push_str(text),
            Expr::Array(items) => match items.as_slice() {
                [] => out.push_str("[]"),
                [(only @ (Expr::Array(_) | Expr::Struct(..)), None)] => {
                    out.push('[');
                    only.write(out, indent, column + 1, suffix + 1);
                    out.push(']');
                }
                _ if items.iter().all(|(e, c)| c.is_none() && is_short(e)) => {
                    out.push('[');
                    write_packed(out, items, inner);
                    newline(out, indent);
                    out.push(']');
                }
                _ => {
                    out.push('[');
                    write_vertical(out, items, inner);
                    newline(out, indent);
                    out.push(']');
                }
            },
            Expr::Struct(path, fields) => {
                out.push_str(path);
                out.push_str(" {");
                for (name, value) in fields {
                    newline(out, inner);
                    out.push_str(name);
                    out.push_str(": ");
                    value.write(out, inner, inner + name.len() + 2, 1);
                    out.push(',');
                }
                newline(out, indent);
                out.push('}');
            }
        }
    }
}

/// A literal narrow enough for rustfmt to pack several per line.
fn is_short(e: &Expr) -> bool {
    matches!(e, Expr::Atom(text) if width(text) <= SHORT_ELEMENT)
}

/// Short literals, as many per line as fit, each followed by `,`.
fn write_packed(out: &mut String, items: &[(Expr, Option<String>)], indent: usize) {
    // rustfmt keeps one column free for the list's separator.
    let room = MAX_WIDTH - indent - 1;
    let mut line = 0;
    let mut broken = false;
    for (k, (item, _)) in items.iter().enumerate() {
        let Expr::Atom(text) = item else { continue };
        // rustfmt counts the last element's comma only once the list has wrapped.
        let comma = usize::from(k + 1 < items.len() || broken);
        let needed = width(text) + comma;
        if line == 0 || line + 1 + needed > room {
            newline(out, indent);
            broken |= line > 0;
            line = needed;
        } else {
            out.push(' ');
            line += 1 + needed;
        }
        out.push_str(text);
        out.push(',');
    }
}

/// One element per line, each followed by `,` and its comment; the comments of a run of
/// elements are aligned one column after the widest element of the run, as rustfmt aligns them.
fn write_vertical(out: &mut String, items: &[(Expr, Option<String>)], indent: usize) {
    let mut align: Option<usize> = None;
    for (k, (item, comment)) in items.iter().enumerate() {
        newline(out, indent);
        let start = out.len();
        item.write(out, indent, indent, 1);
        out.push(',');
        let Some(comment) = comment else {
            align = None;
            continue;
        };
        let last = k + 1 == items.len();
        let text = &out[start..out.len() - 1];
        let single = !text.contains('\n');
        let item_width = width(text);
        // The width of the line so far and the comment.
        let used = indent + item_width + 1 + width(comment);
        let run = |align: &mut Option<usize>| {
            if align.is_none() && !last && single {
                *align = Some(widest_of_run(&items[k..], used));
            }
        };
        run(&mut align);
        let mut pad = align.unwrap_or(0).saturating_sub(item_width);
        if used + pad + 1 > MAX_WIDTH {
            align = None;
            run(&mut align);
            pad = align.unwrap_or(0).saturating_sub(item_width);
        }
        out.extend(std::iter::repeat_n(' ', pad + 1));
        out.push_str(comment);
    }
}

/// The widest element of the run of commented single-line elements starting at `items[0]`:
/// the run ends before an element without a comment or one that would not fit after `used`
/// columns.
fn widest_of_run(items: &[(Expr, Option<String>)], used: usize) -> usize {
    let mut widest = 0;
    for (k, (item, comment)) in items.iter().enumerate() {
        let w = item.one_line().map_or(usize::MAX / 2, |l| width(&l));
        if k > 0 && (comment.is_none() || w + used > MAX_WIDTH) {
            break;
        }
        widest = widest.max(w);
    }
    widest
}

fn newline(out: &mut String, indent: usize) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', indent));
}

/// Display columns, as rustfmt counts them.
fn width(text: &str) -> usize {
    text.width()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(name: &str, e: &Expr) -> String {
        let mut out = format!("static {name}: T = ");
        let column = out.len();
        e.write(&mut out, 0, column, 1);
        out + ";"
    }

    fn floats(n: usize, value: &str) -> Expr {
        Expr::array((0..n).map(|_| Expr::atom(value)))
    }

    #[test]
    fn short_arrays_stay_on_one_line() {
        assert_eq!(
            item("B", &floats(3, "0.5")),
            "static B: T = [0.5, 0.5, 0.5];"
        );
        assert_eq!(item("E", &Expr::array([])), "static E: T = [];");
    }

    #[test]
    fn long_literals_go_one_per_line_and_short_ones_are_packed() {
        let long = item("W", &floats(6, "-0.12345678"));
        assert_eq!(long.lines().count(), 8);
        assert!(long.lines().nth(1).unwrap() == "    -0.12345678,");
        let packed = item("S", &floats(30, "123"));
        let rows: Vec<&str> = packed.lines().collect();
        assert_eq!(rows.len(), 4, "{packed}");
        // 19 per line: a line keeps its last column free.
        assert_eq!(rows[1], format!("    {}", ["123,"; 19].join(" ")));
    }

    #[test]
    fn a_single_nested_element_is_hugged() {
        let nested = Expr::array([floats(9, "-0.12345678")]);
        let text = item("W", &nested);
        assert!(
            text.starts_with("static W: T = [[\n    -0.12345678,\n"),
            "{text}"
        );
        assert!(text.ends_with("\n]];"), "{text}");
    }

    #[test]
    fn comments_are_aligned() {
        let words = Expr::Array(
            ["a", "bcd", "日本"]
                .iter()
                .enumerate()
                .map(|(k, w)| (Expr::atom(format!("{w:?}")), Some(format!("// {k}"))))
                .collect(),
        );
        assert_eq!(
            item("W", &words),
            "static W: T = [\n    \"a\",    // 0\n    \"bcd\",  // 1\n    \"日本\", // 2\n];"
        );
    }

    #[test]
    fn struct_literals_break_past_18_columns() {
        let one = Expr::record("V", vec![("vocab", Expr::atom("VOCABULARY"))]);
        assert_eq!(item("X", &one), "static X: T = V { vocab: VOCABULARY };");
        let two = Expr::record(
            "L",
            vec![("w", Expr::atom("&HEAD_W")), ("b", Expr::atom("&HEAD_B"))],
        );
        assert_eq!(
            item("X", &two),
            "static X: T = L {\n    w: &HEAD_W,\n    b: &HEAD_B,\n};"
        );
    }
}
