//! A strict parser for Java type names as they appear in request bodies.
//!
//! Engines turn a type string into classes in several ways, and every class
//! they would load must pass the class filter. This parser accepts the union
//! of the spellings that reach a Java engine and yields **every** class the
//! string names:
//!
//! * binary names: `com.acme.Order`, `com.acme.Outer$Inner`;
//! * Jackson canonical generics, at any depth, blanks around tokens trimmed
//!   the way Jackson's `TypeParser` trims them:
//!   `java.util.HashMap<java.lang.String, java.util.List<com.acme.Order>>`
//!   yields `java.util.HashMap`, `java.lang.String`, `java.util.List` and
//!   `com.acme.Order`;
//! * JVM array descriptors: `[Lcom.acme.Order;` yields `com.acme.Order`,
//!   `[[I` yields nothing (primitives need no check);
//! * source arrays: `com.acme.Order[]`, `int[][]`;
//! * primitives: `int`, `long`, ... yield nothing.
//!
//! # Security
//!
//! Anything else is an error, and an error means *deny*. The grammar is
//! deliberately narrower than Java's: identifiers are ASCII only (a Cyrillic
//! `і` in `java.lang.Runtіme` is a look-alike, not a different class an
//! allow list should reason about), there are no wildcards, no internal
//! `/`-separated names, no fastjson-style `Lname;` wrappers without `[`, no
//! `void`, and the length, generic depth, array dimensions and number of
//! classes are bounded ([`MAX_TYPE_NAME_LEN`], [`MAX_GENERIC_DEPTH`],
//! [`MAX_ARRAY_DIMENSIONS`], [`MAX_CLASSES`]). Recursion depth is bounded by
//! [`MAX_GENERIC_DEPTH`], so no input can exhaust the stack.

/// Longest type string accepted, in bytes (Jackson's own cap is 64,000;
/// real type names are far shorter, and a short cap bounds the work).
///
/// A longer string is refused before a byte of it is parsed:
///
/// ```
/// use input_guard::classes::{MAX_TYPE_NAME_LEN, TypeNameErrorKind, parse_type_name};
///
/// let longest = "a".repeat(MAX_TYPE_NAME_LEN);
/// assert!(parse_type_name(&longest, |_| {}).is_ok());
///
/// let too_long = "a".repeat(MAX_TYPE_NAME_LEN + 1);
/// let result = parse_type_name(&too_long, |_| {});
/// assert_eq!(result.map_err(|e| e.kind()), Err(TypeNameErrorKind::TooLong));
/// ```
pub const MAX_TYPE_NAME_LEN: usize = 4096;
/// Deepest nesting of generic arguments accepted (`A<B<C>>` has depth 2).
///
/// ```
/// use input_guard::classes::{MAX_GENERIC_DEPTH, TypeNameErrorKind, parse_type_name};
///
/// let nested = |depth: usize| {
///     format!("{}java.lang.String{}", "java.util.List<".repeat(depth), ">".repeat(depth))
/// };
/// assert!(parse_type_name(&nested(MAX_GENERIC_DEPTH), |_| {}).is_ok());
///
/// let result = parse_type_name(&nested(MAX_GENERIC_DEPTH + 1), |_| {});
/// assert_eq!(result.map_err(|e| e.kind()), Err(TypeNameErrorKind::TooDeep));
/// ```
pub const MAX_GENERIC_DEPTH: usize = 32;
/// Most array dimensions accepted; the JVM itself stops at 255.
///
/// The cap holds for source arrays (`Order[][]`) and JVM descriptors
/// (`[[LOrder;`) alike:
///
/// ```
/// use input_guard::classes::{MAX_ARRAY_DIMENSIONS, TypeNameErrorKind, parse_type_name};
///
/// let source = |dims: usize| format!("com.acme.Order{}", "[]".repeat(dims));
/// let descriptor = |dims: usize| format!("{}Lcom.acme.Order;", "[".repeat(dims));
/// assert!(parse_type_name(&source(MAX_ARRAY_DIMENSIONS), |_| {}).is_ok());
/// assert!(parse_type_name(&descriptor(MAX_ARRAY_DIMENSIONS), |_| {}).is_ok());
///
/// for name in [source(MAX_ARRAY_DIMENSIONS + 1), descriptor(MAX_ARRAY_DIMENSIONS + 1)] {
///     let result = parse_type_name(&name, |_| {});
///     assert_eq!(result.map_err(|e| e.kind()), Err(TypeNameErrorKind::TooManyDimensions));
/// }
/// ```
pub const MAX_ARRAY_DIMENSIONS: usize = 255;
/// Most classes one type string may name.
///
/// ```
/// use input_guard::classes::{MAX_CLASSES, TypeNameErrorKind, parse_type_name};
///
/// // `java.util.List` plus `args` generic arguments.
/// let list = |args: usize| format!("java.util.List<{}>", vec!["com.acme.A"; args].join(","));
///
/// let mut classes = 0;
/// assert!(parse_type_name(&list(MAX_CLASSES - 1), |_| classes += 1).is_ok());
/// assert_eq!(classes, MAX_CLASSES);
///
/// let result = parse_type_name(&list(MAX_CLASSES), |_| {});
/// assert_eq!(result.map_err(|e| e.kind()), Err(TypeNameErrorKind::TooManyClasses));
/// ```
pub const MAX_CLASSES: usize = 256;

const PRIMITIVES: [&str; 8] = [
    "boolean", "byte", "char", "short", "int", "long", "float", "double",
];

/// Why a string is not a type name, and where.
///
/// ```
/// use input_guard::classes::{parse_type_name, TypeNameErrorKind};
///
/// let err = parse_type_name("java.util.List<com.acme.Order", |_| {}).unwrap_err();
/// assert_eq!(err.kind(), TypeNameErrorKind::UnexpectedEnd);
/// assert_eq!(err.offset(), 29);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct TypeNameError {
    kind: TypeNameErrorKind,
    offset: usize,
}

impl TypeNameError {
    /// What went wrong.
    pub fn kind(&self) -> TypeNameErrorKind {
        self.kind
    }

    /// Byte offset in the type string where parsing stopped.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

/// The kinds of [`TypeNameError`].
///
/// ```
/// use input_guard::classes::{TypeNameErrorKind as Kind, parse_type_name};
///
/// let kind = |name: &str| parse_type_name(name, |_| {}).map_err(|e| e.kind());
/// assert_eq!(kind("java.util.List<java.lang.String>"), Ok(()));
/// assert_eq!(kind(" "), Err(Kind::Empty));
/// assert_eq!(kind("java.lang.Runt\u{456}me"), Err(Kind::NonAscii)); // Cyrillic `і`
/// assert_eq!(kind("com.acme.Order?"), Err(Kind::UnexpectedChar));
/// assert_eq!(kind("java.util.List<com.acme.Order"), Err(Kind::UnexpectedEnd));
/// assert_eq!(kind("com..acme.Order"), Err(Kind::EmptySegment));
/// assert_eq!(kind("com.acme.1Order"), Err(Kind::DigitStart));
/// assert_eq!(kind("java.util.List<int>"), Err(Kind::MisusedPrimitive));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TypeNameErrorKind {
    /// The string is empty or only blanks.
    #[error("empty type name")]
    Empty,
    /// Longer than [`MAX_TYPE_NAME_LEN`].
    #[error("type name longer than {MAX_TYPE_NAME_LEN} bytes")]
    TooLong,
    /// Generic arguments nested deeper than [`MAX_GENERIC_DEPTH`].
    #[error("generic arguments nested deeper than {MAX_GENERIC_DEPTH}")]
    TooDeep,
    /// More than [`MAX_ARRAY_DIMENSIONS`] array dimensions.
    #[error("more than {MAX_ARRAY_DIMENSIONS} array dimensions")]
    TooManyDimensions,
    /// More than [`MAX_CLASSES`] classes in one type name.
    #[error("more than {MAX_CLASSES} classes in one type name")]
    TooManyClasses,
    /// A byte outside ASCII (look-alike letters, zero-width characters).
    #[error("non-ASCII character")]
    NonAscii,
    /// A character that has no place here.
    #[error("unexpected character")]
    UnexpectedChar,
    /// The string ended inside a type (an unclosed `<`, a descriptor without `;`).
    #[error("unexpected end of type name")]
    UnexpectedEnd,
    /// An identifier is missing: a leading, trailing or doubled `.`.
    #[error("empty name segment")]
    EmptySegment,
    /// An identifier starts with a digit.
    #[error("identifier starts with a digit")]
    DigitStart,
    /// A primitive with generic arguments (`int<String>`), as a generic
    /// argument (`List<int>`), or `void`.
    #[error("primitive type used as a class")]
    MisusedPrimitive,
}

/// Parses `input` as a type name and calls `on_class` with every class it
/// names, in order of appearance (a class named twice is reported twice).
///
/// Primitives, including array element primitives (`[I`, `int[]`), name no
/// class. Classes are reported as they are parsed: when the function returns
/// an error, some classes may already have been reported, and the caller must
/// treat the whole name as malformed.
///
/// ```
/// use input_guard::classes::parse_type_name;
///
/// let mut classes = Vec::new();
/// parse_type_name("java.util.Map<java.lang.String, [Lcom.acme.Order;>", |c| classes.push(c))
///     .unwrap();
/// assert_eq!(classes, ["java.util.Map", "java.lang.String", "com.acme.Order"]);
///
/// assert!(parse_type_name("java.lang.String>", |_| {}).is_err());
/// ```
pub fn parse_type_name<'a>(
    input: &'a str,
    on_class: impl FnMut(&'a str),
) -> Result<(), TypeNameError> {
    run(input, on_class, |parser| parser.parse_type(0))
}

/// The part both grammars share: the length cap, blanks around the whole
/// name, and nothing left over after it.
fn run<'a, F: FnMut(&'a str)>(
    input: &'a str,
    on_class: F,
    grammar: impl FnOnce(&mut Parser<'a, F>) -> Result<(), TypeNameError>,
) -> Result<(), TypeNameError> {
    if input.len() > MAX_TYPE_NAME_LEN {
        return Err(TypeNameError {
            kind: TypeNameErrorKind::TooLong,
            offset: MAX_TYPE_NAME_LEN,
        });
    }
    let mut parser = Parser {
        input,
        bytes: input.as_bytes(),
        pos: 0,
        classes: 0,
        on_class,
    };
    parser.skip_blanks();
    if parser.pos == parser.bytes.len() {
        return Err(parser.error(TypeNameErrorKind::Empty));
    }
    grammar(&mut parser)?;
    parser.skip_blanks();
    if parser.pos != parser.bytes.len() {
        return Err(parser.unexpected());
    }
    Ok(())
}

struct Parser<'a, F> {
    input: &'a str,
    bytes: &'a [u8],
    pos: usize,
    classes: usize,
    on_class: F,
}

impl<'a, F: FnMut(&'a str)> Parser<'a, F> {
    fn error(&self, kind: TypeNameErrorKind) -> TypeNameError {
        TypeNameError {
            kind,
            offset: self.pos,
        }
    }

    /// The error for whatever sits at the current position.
    fn unexpected(&self) -> TypeNameError {
        match self.bytes.get(self.pos) {
            None => self.error(TypeNameErrorKind::UnexpectedEnd),
            Some(b) if !b.is_ascii() => self.error(TypeNameErrorKind::NonAscii),
            Some(_) => self.error(TypeNameErrorKind::UnexpectedChar),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Blanks Jackson's tokenizer trims: space and tab. Other control
    /// characters are rejected, although `String.trim` would drop them.
    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn report(&mut self, start: usize, end: usize) -> Result<(), TypeNameError> {
        self.classes += 1;
        if self.classes > MAX_CLASSES {
            return Err(TypeNameError {
                kind: TypeNameErrorKind::TooManyClasses,
                offset: start,
            });
        }
        // Both ends sit on ASCII bytes, so they are char boundaries.
        if let Some(class) = self.input.get(start..end) {
            (self.on_class)(class);
        }
        Ok(())
    }

    /// `type := descriptor | name generics? dims?`
    fn parse_type(&mut self, depth: usize) -> Result<(), TypeNameError> {
        if self.peek() == Some(b'[') {
            return self.parse_descriptor();
        }
        let start = self.pos;
        self.parse_binary_name()?;
        let end = self.pos;
        let name = &self.input[start..end];
        let primitive = PRIMITIVES.contains(&name);
        if name == "void" {
            self.pos = start;
            return Err(self.error(TypeNameErrorKind::MisusedPrimitive));
        }
        if !primitive {
            self.report(start, end)?;
        }
        let after_name = self.pos;
        self.skip_blanks();
        if self.peek() != Some(b'<') {
            // `[]` binds to the name directly: `Order []` is not a type.
            self.pos = after_name;
        } else {
            if primitive {
                return Err(self.error(TypeNameErrorKind::MisusedPrimitive));
            }
            if depth + 1 > MAX_GENERIC_DEPTH {
                return Err(self.error(TypeNameErrorKind::TooDeep));
            }
            self.pos += 1;
            loop {
                self.skip_blanks();
                self.parse_type(depth + 1)?;
                self.skip_blanks();
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b'>') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.unexpected()),
                }
            }
        }
        let dimensions = self.parse_source_dimensions()?;
        // `List<int>` is no Java type: generic arguments are references.
        if primitive && depth > 0 && dimensions == 0 {
            self.pos = start;
            return Err(self.error(TypeNameErrorKind::MisusedPrimitive));
        }
        Ok(())
    }

    /// `dims := ("[]")*`, directly after the name or the closing `>`.
    fn parse_source_dimensions(&mut self) -> Result<usize, TypeNameError> {
        let mut dimensions = 0;
        while self.peek() == Some(b'[') {
            if self.bytes.get(self.pos + 1) != Some(&b']') {
                self.pos += 1;
                return Err(self.unexpected());
            }
            dimensions += 1;
            if dimensions > MAX_ARRAY_DIMENSIONS {
                return Err(self.error(TypeNameErrorKind::TooManyDimensions));
            }
            self.pos += 2;
        }
        Ok(dimensions)
    }

    /// `descriptor := "["+ ( "L" name ";" | [ZBCSIJFD] )`
    fn parse_descriptor(&mut self) -> Result<(), TypeNameError> {
        let mut dimensions = 0;
        while self.peek() == Some(b'[') {
            dimensions += 1;
            if dimensions > MAX_ARRAY_DIMENSIONS {
                return Err(self.error(TypeNameErrorKind::TooManyDimensions));
            }
            self.pos += 1;
        }
        match self.peek() {
            Some(b'Z' | b'B' | b'C' | b'S' | b'I' | b'J' | b'F' | b'D') => {
                self.pos += 1;
                Ok(())
            }
            Some(b'L') => {
                self.pos += 1;
                let start = self.pos;
                self.parse_binary_name()?;
                let end = self.pos;
                if self.peek() != Some(b';') {
                    return Err(self.unexpected());
                }
                self.pos += 1;
                let name = &self.input[start..end];
                if PRIMITIVES.contains(&name) || name == "void" {
                    self.pos = start;
                    return Err(self.error(TypeNameErrorKind::MisusedPrimitive));
                }
                self.report(start, end)
            }
            _ => Err(self.unexpected()),
        }
    }

    /// `name := ident ("." ident)*`, `ident := [A-Za-z_$][A-Za-z0-9_$]*`.
    fn parse_binary_name(&mut self) -> Result<(), TypeNameError> {
        loop {
            match self.peek() {
                Some(b) if b.is_ascii_alphabetic() || b == b'_' || b == b'$' => self.pos += 1,
                Some(b) if b.is_ascii_digit() => {
                    return Err(self.error(TypeNameErrorKind::DigitStart));
                }
                Some(b'.') => return Err(self.error(TypeNameErrorKind::EmptySegment)),
                Some(b) if !b.is_ascii() => return Err(self.error(TypeNameErrorKind::NonAscii)),
                // `java.` or `java.>`: a segment should start here.
                _ if self.pos > 0 && self.bytes[self.pos - 1] == b'.' => {
                    return Err(self.error(TypeNameErrorKind::EmptySegment));
                }
                _ => return Err(self.unexpected()),
            }
            while matches!(self.peek(), Some(b) if b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
            {
                self.pos += 1;
            }
            if self.peek() == Some(b'.') {
                self.pos += 1;
            } else {
                return Ok(());
            }
        }
    }
}

/// Parses a .NET type name, as Json.NET writes it in `$type`, and calls
/// `on_class` with every type it names: the type itself (with its generic
/// arity, ``System.Collections.Generic.List`1``) and every generic argument,
/// at any depth. Nested types use `+`; assembly qualifications
/// (`, mscorlib, Version=4.0.0.0, ...`) are read and ignored; arrays
/// (`[]`, `[,]`), pointers and by-ref markers are allowed after a type.
///
/// ```
/// use input_guard::classes::parse_dotnet_type_name;
///
/// let mut types = Vec::new();
/// parse_dotnet_type_name(
///     "System.Collections.Generic.List`1[[System.Diagnostics.Process, System]], mscorlib",
///     |t| types.push(t),
/// )?;
/// assert_eq!(types, ["System.Collections.Generic.List`1", "System.Diagnostics.Process"]);
/// # Ok::<(), input_guard::classes::TypeNameError>(())
/// ```
pub fn parse_dotnet_type_name<'a>(
    input: &'a str,
    on_class: impl FnMut(&'a str),
) -> Result<(), TypeNameError> {
    run(input, on_class, |parser| parser.dotnet_spec(0, None))
}

impl<'a, F: FnMut(&'a str)> Parser<'a, F> {
    /// `spec := name ("`" digits args?)? dims* ("*")* "&"? ("," assembly)?`.
    /// `closer` is the byte that ends an assembly name here (`]` inside an
    /// argument, the end of input at the top).
    fn dotnet_spec(&mut self, depth: usize, closer: Option<u8>) -> Result<(), TypeNameError> {
        let start = self.pos;
        loop {
            match self.peek() {
                Some(b) if b.is_ascii_alphabetic() || b == b'_' => self.pos += 1,
                Some(b) if b.is_ascii_digit() => {
                    return Err(self.error(TypeNameErrorKind::DigitStart));
                }
                Some(b'.' | b'+') => return Err(self.error(TypeNameErrorKind::EmptySegment)),
                _ => return Err(self.unexpected()),
            }
            while matches!(self.peek(), Some(b) if b.is_ascii_alphanumeric() || b == b'_') {
                self.pos += 1;
            }
            match self.peek() {
                Some(b'.' | b'+') => self.pos += 1,
                _ => break,
            }
        }
        let mut generic = false;
        if self.peek() == Some(b'`') {
            self.pos += 1;
            let digits = self.pos;
            while matches!(self.peek(), Some(b) if b.is_ascii_digit()) {
                self.pos += 1;
            }
            if self.pos == digits {
                return Err(self.unexpected());
            }
            generic = true;
        }
        self.report(start, self.pos)?;
        // Generic arguments, then array dimensions.
        if generic
            && self.peek() == Some(b'[')
            && !matches!(self.bytes.get(self.pos + 1), Some(b']' | b',' | b'*'))
        {
            if depth + 1 > MAX_GENERIC_DEPTH {
                return Err(self.error(TypeNameErrorKind::TooDeep));
            }
            self.pos += 1;
            loop {
                self.skip_blanks();
                if self.peek() == Some(b'[') {
                    self.pos += 1;
                    self.skip_blanks();
                    self.dotnet_spec(depth + 1, Some(b']'))?;
                    self.skip_blanks();
                    if self.peek() != Some(b']') {
                        return Err(self.unexpected());
                    }
                    self.pos += 1;
                } else {
                    self.dotnet_spec(depth + 1, Some(b','))?;
                }
                self.skip_blanks();
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b']') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.unexpected()),
                }
            }
        }
        let mut dimensions = 0;
        while self.peek() == Some(b'[') {
            self.pos += 1;
            while matches!(self.peek(), Some(b',' | b'*')) {
                self.pos += 1;
            }
            if self.peek() != Some(b']') {
                return Err(self.unexpected());
            }
            self.pos += 1;
            dimensions += 1;
            if dimensions > MAX_ARRAY_DIMENSIONS {
                return Err(self.error(TypeNameErrorKind::TooManyDimensions));
            }
        }
        while self.peek() == Some(b'*') {
            self.pos += 1;
        }
        if self.peek() == Some(b'&') {
            self.pos += 1;
        }
        // An assembly qualification: `, Name, Version=..., Culture=...`.
        // Inside an unbracketed argument a comma separates arguments instead.
        self.skip_blanks();
        if self.peek() == Some(b',') && closer != Some(b',') {
            self.pos += 1;
            let from = self.pos;
            while let Some(b) = self.peek() {
                if Some(b) == closer || b == b'[' || b == b']' {
                    break;
                }
                if !b.is_ascii() || b.is_ascii_control() {
                    return Err(self.unexpected());
                }
                self.pos += 1;
            }
            if self.input[from..self.pos].trim().is_empty() {
                return Err(self.unexpected());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(input: &str) -> Result<Vec<&str>, TypeNameErrorKind> {
        let mut out = Vec::new();
        parse_type_name(input, |c| out.push(c)).map_err(|e| e.kind())?;
        Ok(out)
    }

    fn dotnet(input: &str) -> Result<Vec<&str>, TypeNameErrorKind> {
        let mut out = Vec::new();
        parse_dotnet_type_name(input, |c| out.push(c)).map_err(|e| e.kind())?;
        Ok(out)
    }

    #[test]
    fn dotnet_names() {
        let odp = "System.Windows.Data.ObjectDataProvider, PresentationFramework, Version=4.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35";
        assert_eq!(
            dotnet(odp),
            Ok(vec!["System.Windows.Data.ObjectDataProvider"])
        );
        assert_eq!(dotnet("Acme.Order"), Ok(vec!["Acme.Order"]));
        assert_eq!(
            dotnet("Acme.Outer+Inner[], Acme"),
            Ok(vec!["Acme.Outer+Inner"])
        );
        assert_eq!(
            dotnet(
                "System.Data.Services.Internal.ExpandedWrapper`2[[System.Web.UI.LosFormatter, System.Web],[System.Windows.Data.ObjectDataProvider, PresentationFramework]], System.Data.Services"
            ),
            Ok(vec![
                "System.Data.Services.Internal.ExpandedWrapper`2",
                "System.Web.UI.LosFormatter",
                "System.Windows.Data.ObjectDataProvider"
            ])
        );
        assert_eq!(
            dotnet("System.Collections.Generic.Dictionary`2[System.String,Acme.Order]"),
            Ok(vec![
                "System.Collections.Generic.Dictionary`2",
                "System.String",
                "Acme.Order"
            ])
        );
        assert_eq!(dotnet("Acme.Grid[,]"), Ok(vec!["Acme.Grid"]));
        for bad in [
            "",
            "Acme.",
            ".Acme",
            "Acme..Order",
            "1Acme",
            "Acme.Order,",
            "List`[[A]]",
            "List`1[[A]",
            "Acme.Order, [x]",
            "Acme.Ord\u{0435}r",
            "Acme Order",
        ] {
            assert!(dotnet(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn recursion_is_bounded() {
        let deep = format!(
            "{}x{}",
            "a<".repeat(MAX_GENERIC_DEPTH + 1),
            ">".repeat(MAX_GENERIC_DEPTH + 1)
        );
        assert_eq!(classes(&deep), Err(TypeNameErrorKind::TooDeep));
        let ok = format!(
            "{}x{}",
            "a<".repeat(MAX_GENERIC_DEPTH),
            ">".repeat(MAX_GENERIC_DEPTH)
        );
        assert_eq!(classes(&ok).map(|c| c.len()), Ok(MAX_GENERIC_DEPTH + 1));
    }

    #[test]
    fn offsets_point_at_the_problem() {
        let err = parse_type_name("java.lang..String", |_| {}).unwrap_err();
        assert_eq!(
            (err.kind(), err.offset()),
            (TypeNameErrorKind::EmptySegment, 10)
        );
        let err = parse_type_name("a<b,c>>", |_| {}).unwrap_err();
        assert_eq!(
            (err.kind(), err.offset()),
            (TypeNameErrorKind::UnexpectedChar, 6)
        );
    }
}
