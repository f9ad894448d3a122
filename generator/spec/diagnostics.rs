//! Diagnostics: a message, a severity and, when known, a location in the spec
//! (file, line, column, JSON pointer) rendered with a source excerpt by miette.

use std::fmt;
use std::sync::Arc;

use miette::{LabeledSpan, NamedSource, SourceSpan};

use super::locate::Locator;
use super::source::SourceFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// One finding about a spec.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// RFC 6901 pointer into the document, when the finding is about a node.
    pub pointer: Option<String>,
    /// Where in the source the finding is, with the file it belongs to.
    pub location: Option<Box<Location>>,
    pub help: Option<String>,
}

/// A resolved source location.
#[derive(Debug, Clone)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub offset: usize,
    pub len: usize,
    source: Arc<SharedSource>,
}

/// Lines longer than this are not handed to miette: it pads with the line's width, which
/// panics past 65,535 columns (a minified JSON spec is one line), and an excerpt of such a
/// line is useless anyway. [`Diagnostic::long_line_excerpt`] shows a window of it instead.
const MAX_RENDERED_LINE: usize = 1024;

/// Bytes between the char counts [`SharedSource`] keeps, so a column costs at most this
/// much counting however long its line is.
const CHAR_CHECKPOINT: usize = 4096;

/// One spec file as every diagnostic about it sees it: the text (once) and an index from
/// byte offsets to lines and columns.
#[derive(Debug)]
pub struct SharedSource {
    named: NamedSource<String>,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
    /// (byte offset, chars before it) at char boundaries about [`CHAR_CHECKPOINT`] apart.
    char_checkpoints: Vec<(usize, usize)>,
}

impl SharedSource {
    pub(crate) fn new(source: &SourceFile) -> Self {
        let text = &source.text;
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let mut char_checkpoints = vec![(0, 0)];
        for (chars, (index, _)) in text.char_indices().enumerate() {
            if index >= char_checkpoints.last().map_or(0, |c| c.0) + CHAR_CHECKPOINT {
                char_checkpoints.push((index, chars));
            }
        }
        let language = match source.format {
            super::SourceFormat::Yaml => "yaml",
            super::SourceFormat::Json => "json",
        };
        Self {
            named: NamedSource::new(source.path.display().to_string(), text.clone())
                .with_language(language),
            line_starts,
            char_checkpoints,
        }
    }

    fn text(&self) -> &str {
        self.named.inner()
    }

    /// The 1-based line and the byte range of the line holding `offset`.
    fn line_of(&self, offset: usize) -> (usize, std::ops::Range<usize>) {
        let index = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let start = self.line_starts.get(index).copied().unwrap_or(0);
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(self.text().len(), |next| next - 1);
        (index + 1, start..end)
    }

    /// How many chars come before byte `offset` (a char boundary).
    fn chars_before(&self, offset: usize) -> usize {
        let index = self
            .char_checkpoints
            .partition_point(|&(byte, _)| byte <= offset)
            .saturating_sub(1);
        let (byte, chars) = self.char_checkpoints.get(index).copied().unwrap_or((0, 0));
        chars
            + self
                .text()
                .get(byte..offset)
                .map_or(0, |s| s.chars().count())
    }
}

impl Diagnostic {
    pub fn plain(severity: Severity, message: impl Into<String>) -> Self {
        Self {
            severity,
            message: message.into(),
            pointer: None,
            location: None,
            help: None,
        }
    }

    /// A diagnostic at the node `pointer` points to (or its deepest existing ancestor).
    pub fn located(
        source: &SourceFile,
        severity: Severity,
        pointer: &str,
        message: impl Into<String>,
    ) -> Self {
        Self::located_with(
            &Locator::new(&source.text),
            source,
            severity,
            pointer,
            message,
        )
    }

    /// Like [`Self::located`], with a locator built once for many diagnostics (building one
    /// parses the whole source).
    pub fn located_with(
        locator: &Locator<'_>,
        source: &SourceFile,
        severity: Severity,
        pointer: &str,
        message: impl Into<String>,
    ) -> Self {
        let span = locator.span(pointer);
        let mut diagnostic = Self::plain(severity, message);
        diagnostic.pointer = Some(if pointer.is_empty() {
            "/".to_owned()
        } else {
            pointer.to_owned()
        });
        diagnostic.location =
            span.map(|span| Box::new(Location::new(source, span.offset, span.len)));
        diagnostic
    }

    /// A diagnostic at a byte offset (syntax errors, where there is no node yet).
    pub fn at_offset(source: &SourceFile, offset: usize, message: impl Into<String>) -> Self {
        let mut diagnostic = Self::plain(Severity::Error, message);
        diagnostic.location = Some(Box::new(Location::new(
            source,
            offset.min(source.text.len()),
            1,
        )));
        diagnostic
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// For a location on a line too long to show whole (minified JSON): `file:line:column`
    /// and a window of the line around it with a caret under the spot.
    pub fn long_line_excerpt(&self) -> Option<String> {
        const AROUND: usize = 60;
        let location = self.location.as_ref().filter(|l| !l.renderable())?;
        let (_, range) = location.source.line_of(location.offset);
        let text = location.source.text();
        let line = &text[range.clone()];
        let at = location.offset - range.start;
        let before: Vec<char> = line[..at].chars().rev().take(AROUND).collect();
        let after: String = line[at..].chars().take(AROUND).collect();
        let cut_before = before.len() == AROUND && at > AROUND;
        let before: String = before.into_iter().rev().collect();
        let cut_after = line.len() - at > after.len();
        let lead = if cut_before { "…" } else { "" };
        let window = format!("{lead}{before}{after}{}", if cut_after { "…" } else { "" });
        let caret = " ".repeat(lead.chars().count() + before.chars().count());
        Some(format!(
            "  ╭─[{}:{}:{}]\n  │ {window}\n  │ {caret}^\n",
            location.file, location.line, location.column
        ))
    }

    /// `file:line:column` or the pointer alone, for one-line summaries.
    pub fn short_location(&self) -> String {
        match (&self.location, &self.pointer) {
            (Some(location), Some(pointer)) => {
                format!(
                    "{}:{}:{} ({pointer})",
                    location.file, location.line, location.column
                )
            }
            (Some(location), None) => {
                format!("{}:{}:{}", location.file, location.line, location.column)
            }
            (None, Some(pointer)) => pointer.clone(),
            (None, None) => String::new(),
        }
    }
}

impl Location {
    fn new(source: &SourceFile, offset: usize, len: usize) -> Self {
        let shared = source.shared();
        let mut offset = offset.min(source.text.len());
        while !source.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let (line, range) = shared.line_of(offset);
        let column = shared.chars_before(offset) - shared.chars_before(range.start) + 1;
        Self {
            file: source.path.display().to_string(),
            line,
            column,
            offset,
            len,
            source: shared,
        }
    }

    /// Whether the line is short enough for miette to show.
    fn renderable(&self) -> bool {
        let (_, range) = self.source.line_of(self.offset);
        range.len() <= MAX_RENDERED_LINE
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(pointer) = &self.pointer {
            write!(f, " (at {pointer})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Warning => miette::Severity::Warning,
            Severity::Error => miette::Severity::Error,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.location
            .as_ref()
            .filter(|l| l.renderable())
            .map(|l| &l.source.named as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let location = self.location.as_ref().filter(|l| l.renderable())?;
        let label = format!("line {}, column {}", location.line, location.column);
        let span = SourceSpan::new(location.offset.into(), location.len);
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(label),
            span,
        ))))
    }
}

/// A list of diagnostics; it is an error when any of them is.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| !d.is_error())
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Self(vec![diagnostic])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for diagnostic in &self.0 {
            writeln!(f, "{}: {diagnostic}", diagnostic.short_location())?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
