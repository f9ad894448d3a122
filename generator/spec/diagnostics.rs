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
    source: Arc<NamedSource<String>>,
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
        let before = &source.text[..offset.min(source.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit('\n')
            .next()
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        let file = source.path.display().to_string();
        Self {
            source: Arc::new(
                NamedSource::new(file.clone(), source.text.clone()).with_language(
                    match source.format {
                        super::SourceFormat::Yaml => "yaml",
                        super::SourceFormat::Json => "json",
                    },
                ),
            ),
            file,
            line,
            column,
            offset,
            len,
        }
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
            .map(|l| l.source.as_ref() as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let location = self.location.as_ref()?;
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
