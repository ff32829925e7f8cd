//! Table-driven tests of `input_guard::classes`: the type-name parser, the
//! pattern forms of `ClassFilter`, the built-in gadget denylist, whole type
//! names through `ClassFilter::check`, and `ClassFilter::explain`.
//!
//! Every table collects all mismatches before failing, so one failing row
//! does not hide the others. Most rows come with a near miss that must get
//! the opposite verdict. The tables are kept one row per line
//! (`#[rustfmt::skip]`) so that pairs stay side by side.

use input_guard::classes::{
    ClassDecision, ClassFilter, ClassPattern, GADGETS_TXT, MAX_ARRAY_DIMENSIONS, MAX_CLASSES,
    MAX_GENERIC_DEPTH, MAX_TYPE_NAME_LEN, RuleSource, TypeDecision, TypeNameErrorKind,
    parse_type_name,
};

use TypeNameErrorKind::{
    DigitStart, Empty, EmptySegment, MisusedPrimitive, NonAscii, TooDeep, TooLong, TooManyClasses,
    TooManyDimensions, UnexpectedChar, UnexpectedEnd,
};

// ---------------------------------------------------------------------------
// Gadget groups: the `## ` header text of policies/gadgets.txt before the
// first `(` or `:`.

const JACKSON: RuleSource = RuleSource::Gadget {
    group: "jackson-databind SubTypeValidator.DEFAULT_NO_DESER_CLASS_NAMES",
};
const YSOSERIAL: RuleSource = RuleSource::Gadget {
    group: "ysoserial payload key classes",
};
const MARSHALSEC: RuleSource = RuleSource::Gadget {
    group: "marshalsec gadgets",
};
const SERIALKILLER: RuleSource = RuleSource::Gadget {
    group: "SerialKiller default blacklist",
};
const XSTREAM: RuleSource = RuleSource::Gadget {
    group: "XStream 1.4.17 blacklist",
};
const FASTJSON: RuleSource = RuleSource::Gadget {
    group: "fastjson ParserConfig denyList",
};
const YSOSERIAL_NET: RuleSource = RuleSource::Gadget {
    group: "ysoserial.net gadgets/plugins",
};
const GUARD: RuleSource = RuleSource::Gadget {
    group: "guard defaults",
};
const DENY: RuleSource = RuleSource::Deny;

// ---------------------------------------------------------------------------
// Helpers.

/// What `parse_type_name` yields: the classes in order, or the error kind.
fn classes_of(input: &str) -> Result<Vec<String>, TypeNameErrorKind> {
    let mut out = Vec::new();
    parse_type_name(input, |class| out.push(class.to_owned())).map_err(|e| e.kind())?;
    Ok(out)
}

fn filter(allow: &[&str], deny: &[&str]) -> ClassFilter {
    let parse = |p: &&str| {
        p.parse::<ClassPattern>()
            .unwrap_or_else(|e| panic!("test pattern {p:?}: {e}"))
    };
    ClassFilter::new(allow.iter().map(parse), deny.iter().map(parse))
}

/// The expected decision about one class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Allowed by the allow rule with this pattern (as displayed).
    Allowed(&'static str),
    /// Denied by the rule with this pattern (as displayed) from this source.
    Denied(&'static str, RuleSource),
    /// No allow rule admits the class.
    NotAllowed,
}

use Verdict::{Allowed, Denied, NotAllowed};

fn verdict_matches(expected: Verdict, got: &ClassDecision<'_>) -> bool {
    match (expected, got) {
        (Allowed(pattern), ClassDecision::Allowed(rule)) => {
            rule.source() == RuleSource::Allow && rule.pattern().to_string() == pattern
        }
        (Denied(pattern, source), ClassDecision::Denied(rule)) => {
            rule.source() == source && rule.pattern().to_string() == pattern
        }
        (NotAllowed, ClassDecision::NotAllowed) => true,
        _ => false,
    }
}

fn describe(decision: &ClassDecision<'_>) -> String {
    match decision {
        ClassDecision::Allowed(rule) => format!("Allowed({rule})"),
        ClassDecision::Denied(rule) => format!("Denied({rule}, {:?})", rule.source()),
        ClassDecision::NotAllowed => "NotAllowed".to_owned(),
    }
}

fn assert_no_failures(what: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} {what} row(s) failed:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

fn shorten(s: &str) -> String {
    if s.len() <= 80 {
        format!("{s:?}")
    } else {
        let head: String = s.chars().take(40).collect();
        format!("{head:?}... ({} bytes)", s.len())
    }
}

fn shorten_result(r: &Result<Vec<String>, TypeNameErrorKind>) -> String {
    match r {
        Ok(classes) if classes.len() > 8 || classes.iter().any(|c| c.len() > 80) => format!(
            "Ok({} classes, first {})",
            classes.len(),
            classes.first().map_or_else(String::new, |c| shorten(c))
        ),
        other => format!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------
// 1. Type names.

type NameRow = (
    &'static str,
    Result<&'static [&'static str], TypeNameErrorKind>,
);

#[rustfmt::skip]
const NAME_ROWS: &[NameRow] = &[
    // Plain binary names, default package, `_`, digits after the start.
    ("java.lang.String", Ok(&["java.lang.String"])),
    ("com.acme.Order", Ok(&["com.acme.Order"])),
    ("Order", Ok(&["Order"])),
    ("_Order", Ok(&["_Order"])),
    ("com.acme.Order9", Ok(&["com.acme.Order9"])),
    ("com.acme.9Order", Err(DigitStart)),
    ("9Order", Err(DigitStart)),
    ("com.9acme.Order", Err(DigitStart)),
    // Inner classes.
    ("com.acme.Outer$Inner", Ok(&["com.acme.Outer$Inner"])),
    ("com.acme.Outer$Inner$Deeper", Ok(&["com.acme.Outer$Inner$Deeper"])),
    ("com.acme.Order$1", Ok(&["com.acme.Order$1"])),
    ("Outer$Inner", Ok(&["Outer$Inner"])),
    // `$` at identifier start.
    ("$Proxy12", Ok(&["$Proxy12"])),
    ("com.acme.$Gen", Ok(&["com.acme.$Gen"])),
    ("$", Ok(&["$"])),
    // Primitives name no class; `void` is not a type; near misses are classes.
    ("boolean", Ok(&[])),
    ("byte", Ok(&[])),
    ("char", Ok(&[])),
    ("short", Ok(&[])),
    ("int", Ok(&[])),
    ("long", Ok(&[])),
    ("float", Ok(&[])),
    ("double", Ok(&[])),
    ("Int", Ok(&["Int"])),
    ("integer", Ok(&["integer"])),
    ("java.lang.int", Ok(&["java.lang.int"])),
    ("void", Err(MisusedPrimitive)),
    ("void[]", Err(MisusedPrimitive)),
    ("java.util.List<void>", Err(MisusedPrimitive)),
    ("Void", Ok(&["Void"])),
    ("java.lang.Void", Ok(&["java.lang.Void"])),
    // Jackson canonical generics at several depths, maps with two arguments.
    ("java.util.List<java.lang.String>", Ok(&["java.util.List", "java.lang.String"])),
    ("java.util.Map<java.lang.String,java.lang.Integer>", Ok(&["java.util.Map", "java.lang.String", "java.lang.Integer"])),
    ("java.util.HashMap<java.lang.String, java.util.List<com.acme.Order>>", Ok(&["java.util.HashMap", "java.lang.String", "java.util.List", "com.acme.Order"])),
    ("a<b<c<d>>>", Ok(&["a", "b", "c", "d"])),
    ("java.util.Map<java.util.List<java.util.Set<com.acme.A>>,java.util.Map<com.acme.B,com.acme.C[]>>", Ok(&["java.util.Map", "java.util.List", "java.util.Set", "com.acme.A", "java.util.Map", "com.acme.B", "com.acme.C"])),
    ("java.util.Map<com.acme.A,com.acme.A>", Ok(&["java.util.Map", "com.acme.A", "com.acme.A"])),
    // Blanks (space, tab) around tokens are trimmed.
    (" java.util.List < java.lang.String > ", Ok(&["java.util.List", "java.lang.String"])),
    ("\tjava.util.Map<\tjava.lang.String\t,\tint[]\t>\t", Ok(&["java.util.Map", "java.lang.String"])),
    ("java.util.Map< java.lang.String ,java.util.List< com.acme.Order > >", Ok(&["java.util.Map", "java.lang.String", "java.util.List", "com.acme.Order"])),
    (" a ", Ok(&["a"])),
    ("java.util.List<int>", Err(MisusedPrimitive)),
    ("java.util.List<int[]>", Ok(&["java.util.List"])),
    ("java.util.List<java.lang.String[]>", Ok(&["java.util.List", "java.lang.String"])),
    ("java.util.List<[Lcom.acme.Order;>", Ok(&["java.util.List", "com.acme.Order"])),
    ("java.util.List< [Lcom.acme.Order; >", Ok(&["java.util.List", "com.acme.Order"])),
    ("java.util.List<java.util.List<java.lang.String>[]>", Ok(&["java.util.List", "java.util.List", "java.lang.String"])),
    // Unbalanced, empty, wildcard or junk generics.
    ("java.util.List<java.lang.String", Err(UnexpectedEnd)),
    ("java.util.List<", Err(UnexpectedEnd)),
    ("a<b<c>", Err(UnexpectedEnd)),
    ("java.util.List<java.lang.String>>", Err(UnexpectedChar)),
    ("java.lang.String>", Err(UnexpectedChar)),
    ("<java.lang.String>", Err(UnexpectedChar)),
    ("java.util.List<>", Err(UnexpectedChar)),
    ("java.util.List< >", Err(UnexpectedChar)),
    ("java.util.Map<java.lang.String,>", Err(UnexpectedChar)),
    ("java.util.Map<,java.lang.String>", Err(UnexpectedChar)),
    ("java.util.Map<a,,b>", Err(UnexpectedChar)),
    ("java.util.List<?>", Err(UnexpectedChar)),
    ("java.util.List<? extends com.acme.Order>", Err(UnexpectedChar)),
    ("java.util.List<a b>", Err(UnexpectedChar)),
    ("java.util.List<a><b>", Err(UnexpectedChar)),
    ("java.util.List<a>b", Err(UnexpectedChar)),
    ("int<java.lang.String>", Err(MisusedPrimitive)),
    ("int <java.lang.String>", Err(MisusedPrimitive)),
    ("Int<java.lang.String>", Ok(&["Int", "java.lang.String"])),
    // JVM descriptors: all 8 primitive letters, classes, nesting.
    ("[Z", Ok(&[])),
    ("[B", Ok(&[])),
    ("[C", Ok(&[])),
    ("[S", Ok(&[])),
    ("[I", Ok(&[])),
    ("[J", Ok(&[])),
    ("[F", Ok(&[])),
    ("[D", Ok(&[])),
    ("[[J", Ok(&[])),
    ("[Lcom.acme.Order;", Ok(&["com.acme.Order"])),
    ("[Ljava.lang.String;", Ok(&["java.lang.String"])),
    ("[[Lx.Y;", Ok(&["x.Y"])),
    ("[Lcom.acme.Outer$Inner;", Ok(&["com.acme.Outer$Inner"])),
    ("[LInt;", Ok(&["Int"])),
    ("[V", Err(UnexpectedChar)),
    ("[i", Err(UnexpectedChar)),
    ("[X", Err(UnexpectedChar)),
    ("[II", Err(UnexpectedChar)),
    ("[", Err(UnexpectedEnd)),
    ("[[", Err(UnexpectedEnd)),
    ("[L", Err(UnexpectedEnd)),
    ("[L;", Err(UnexpectedChar)),
    ("[Lcom.acme.Order", Err(UnexpectedEnd)),
    ("Lcom.acme.Order;", Err(UnexpectedChar)),
    ("[com.acme.Order", Err(UnexpectedChar)),
    ("[Lint;", Err(MisusedPrimitive)),
    ("[Lvoid;", Err(MisusedPrimitive)),
    ("[Lcom.acme.Order;;", Err(UnexpectedChar)),
    ("[Lcom.acme.Order;[]", Err(UnexpectedChar)),
    ("[Lcom.acme.Order<x>;", Err(UnexpectedChar)),
    ("[L com.acme.Order;", Err(UnexpectedChar)),
    ("[Lcom.acme.Order ;", Err(UnexpectedChar)),
    ("[Lcom/acme/Order;", Err(UnexpectedChar)),
    ("[Lcom.acme.;", Err(EmptySegment)),
    ("[L1x;", Err(DigitStart)),
    // Source arrays; `[]` binds to the name, so `Order []` is not a type.
    ("com.acme.Order[]", Ok(&["com.acme.Order"])),
    ("com.acme.Order[][]", Ok(&["com.acme.Order"])),
    ("int[]", Ok(&[])),
    ("int[][]", Ok(&[])),
    ("boolean[]", Ok(&[])),
    ("java.util.List<java.lang.String>[]", Ok(&["java.util.List", "java.lang.String"])),
    ("com.acme.Order []", Err(UnexpectedChar)),
    ("int []", Err(UnexpectedChar)),
    ("java.util.List<java.lang.String> []", Err(UnexpectedChar)),
    ("com.acme.Order[", Err(UnexpectedEnd)),
    ("com.acme.Order[x]", Err(UnexpectedChar)),
    ("com.acme.Order[ ]", Err(UnexpectedChar)),
    ("com.acme.Order]", Err(UnexpectedChar)),
    ("[]", Err(UnexpectedChar)),
    // Empty and blank.
    ("", Err(Empty)),
    ("   ", Err(Empty)),
    ("\t \t", Err(Empty)),
    // Dots.
    ("com..acme", Err(EmptySegment)),
    (".com.acme", Err(EmptySegment)),
    ("com.acme.", Err(EmptySegment)),
    (".", Err(EmptySegment)),
    ("java.util.List<com.acme.>", Err(EmptySegment)),
    ("com .acme", Err(UnexpectedChar)),
    // Internal and module names, punctuation.
    ("java/lang/String", Err(UnexpectedChar)),
    ("java.base/java.lang.String", Err(UnexpectedChar)),
    (";", Err(UnexpectedChar)),
    ("com.acme.Order;", Err(UnexpectedChar)),
    ("#", Err(UnexpectedChar)),
    ("com.acme#Order", Err(UnexpectedChar)),
    ("-", Err(UnexpectedChar)),
    ("com.acme-evil.Order", Err(UnexpectedChar)),
    ("*", Err(UnexpectedChar)),
    ("com.acme*", Err(UnexpectedChar)),
    ("com.acme.Order*", Err(UnexpectedChar)),
    ("%", Err(UnexpectedChar)),
    ("com.acme.Order!", Err(UnexpectedChar)),
    ("java.lang.String,java.lang.Integer", Err(UnexpectedChar)),
    ("java.lang.String java.lang.Integer", Err(UnexpectedChar)),
    // Non-ASCII look-alikes (Java would accept them as identifiers).
    ("java.lang.Runt\u{0456}me", Err(NonAscii)),
    ("java\u{FF0E}lang.String", Err(NonAscii)),
    ("java.lang.String\u{200B}", Err(NonAscii)),
    ("\u{200B}java.lang.String", Err(NonAscii)),
    ("com.acme.Ord\u{E9}r", Err(NonAscii)),
    ("\u{A0}java.lang.String", Err(NonAscii)),
    ("java.util.List<java.lang.Runt\u{0456}me>", Err(NonAscii)),
    ("[Lcom.acme.Ord\u{E9}r;", Err(NonAscii)),
    // A non-ASCII character starting a segment is still a non-ASCII character
    // (`TypeNameErrorKind::NonAscii`: "look-alike letters, zero-width
    // characters"), not a missing segment.
    ("java.lang.\u{200B}String", Err(NonAscii)),
    ("java.lang.\u{041E}bject", Err(NonAscii)),
    // Control characters are not blanks.
    ("java.lang.String\n", Err(UnexpectedChar)),
    ("\njava.lang.String", Err(UnexpectedChar)),
    ("java.lang.String\r", Err(UnexpectedChar)),
    ("java.lang\0.String", Err(UnexpectedChar)),
    ("java.lang.String\0", Err(UnexpectedChar)),
    ("java.util.List<\njava.lang.String>", Err(UnexpectedChar)),
    ("\u{0B}", Err(UnexpectedChar)),
    ("\u{0C}java.lang.String", Err(UnexpectedChar)),
    ("java.lang.String\u{7F}", Err(UnexpectedChar)),
];

struct Row {
    input: String,
    expected: Result<Vec<String>, TypeNameErrorKind>,
}

fn row(input: String, expected: Result<Vec<String>, TypeNameErrorKind>) -> Row {
    Row { input, expected }
}

fn names(classes: &[&str]) -> Result<Vec<String>, TypeNameErrorKind> {
    Ok(classes.iter().map(|c| (*c).to_owned()).collect())
}

/// `c0<c1<...<cN>...>>`: generic arguments nested `levels` deep.
fn nested_generics(levels: usize) -> (String, Vec<String>) {
    let names: Vec<String> = (0..=levels).map(|i| format!("c{i}")).collect();
    let text = format!("{}{}", names.join("<"), ">".repeat(levels));
    (text, names)
}

/// `a<b,b,...,b>` naming `1 + args` classes.
fn many_args(args: usize) -> (String, Vec<String>) {
    let text = format!("a<{}>", vec!["b"; args].join(","));
    let mut names = vec!["a".to_owned()];
    names.extend(std::iter::repeat_n("b".to_owned(), args));
    (text, names)
}

/// The static rows plus the limits, which need generated inputs.
fn type_name_rows() -> Vec<Row> {
    let mut rows: Vec<Row> = NAME_ROWS
        .iter()
        .map(|(input, expected)| row((*input).to_owned(), expected.map_or_else(Err, names)))
        .collect();

    // Length: the limit is on the raw string, blanks included.
    let at_limit = "a".repeat(MAX_TYPE_NAME_LEN);
    rows.push(row(at_limit.clone(), Ok(vec![at_limit])));
    rows.push(row("a".repeat(MAX_TYPE_NAME_LEN + 1), Err(TooLong)));
    let padded = format!("{}java.lang.String", " ".repeat(MAX_TYPE_NAME_LEN));
    rows.push(row(padded, Err(TooLong)));
    rows.push(row("<".repeat(MAX_TYPE_NAME_LEN + 1), Err(TooLong)));

    // Generic depth: exactly at the limit, and one past it.
    let (text, classes) = nested_generics(MAX_GENERIC_DEPTH);
    rows.push(row(text, Ok(classes)));
    let (text, _) = nested_generics(MAX_GENERIC_DEPTH + 1);
    rows.push(row(text, Err(TooDeep)));

    // Array dimensions: 255 is the JVM's own limit, in both spellings.
    let max = MAX_ARRAY_DIMENSIONS;
    let open = |n: usize| "[".repeat(n);
    let pairs = |n: usize| "[]".repeat(n);
    rows.push(row(format!("{}Lx.Y;", open(max)), names(&["x.Y"])));
    rows.push(row(
        format!("{}Lx.Y;", open(max + 1)),
        Err(TooManyDimensions),
    ));
    rows.push(row(format!("{}I", open(max)), Ok(vec![])));
    rows.push(row(format!("{}I", open(max + 1)), Err(TooManyDimensions)));
    rows.push(row(format!("x.Y{}", pairs(max)), names(&["x.Y"])));
    rows.push(row(
        format!("x.Y{}", pairs(max + 1)),
        Err(TooManyDimensions),
    ));
    rows.push(row(format!("int{}", pairs(max)), Ok(vec![])));
    rows.push(row(
        format!("int{}", pairs(max + 1)),
        Err(TooManyDimensions),
    ));
    let list = format!("java.util.List<java.lang.String>{}", pairs(max + 1));
    rows.push(row(list, Err(TooManyDimensions)));

    // Number of classes: exactly MAX_CLASSES, one more; primitives don't count.
    let (text, classes) = many_args(MAX_CLASSES - 1);
    rows.push(row(text, Ok(classes)));
    let (text, _) = many_args(MAX_CLASSES);
    rows.push(row(text, Err(TooManyClasses)));
    let primitives = format!("a<{}b>", "int[],".repeat(MAX_CLASSES + 50));
    rows.push(row(primitives, names(&["a", "b"])));

    rows
}

#[test]
fn limits_are_the_documented_ones() {
    assert_eq!(
        (
            MAX_TYPE_NAME_LEN,
            MAX_GENERIC_DEPTH,
            MAX_ARRAY_DIMENSIONS,
            MAX_CLASSES
        ),
        (4096, 32, 255, 256)
    );
}

#[test]
fn type_names() {
    let rows = type_name_rows();
    assert!(rows.len() >= 70, "only {} rows", rows.len());
    let mut failures = Vec::new();
    for row in &rows {
        let got = classes_of(&row.input);
        if got != row.expected {
            failures.push(format!(
                "{}: expected {}, got {}",
                shorten(&row.input),
                shorten_result(&row.expected),
                shorten_result(&got)
            ));
        }
    }
    assert_no_failures("type-name", &failures);
}

/// `check` and `explain` agree with the parser on every type-name row: with
/// nothing allowed, a name naming classes is denied at its first class, a
/// name naming only primitives is allowed, a malformed name is malformed.
#[test]
fn type_names_through_the_filter() {
    let empty = filter(&[], &[]);
    let mut failures = Vec::new();
    for row in &type_name_rows() {
        let input = row.input.as_str();
        let decision = empty.check(input);
        let fits = match (&row.expected, &decision) {
            (Ok(classes), TypeDecision::Allowed) => classes.is_empty(),
            (Ok(classes), TypeDecision::Denied { class, decision }) => {
                classes.first().map(String::as_str) == Some(*class)
                    && *decision == empty.check_class(class)
                    && !decision.is_allowed()
            }
            (Err(kind), TypeDecision::Malformed(error)) => error.kind() == *kind,
            _ => false,
        };
        let should_allow = matches!(&row.expected, Ok(c) if c.is_empty());
        if !fits || decision.is_allowed() != should_allow {
            failures.push(format!(
                "check({}) = {:?}, expected to fit {}",
                shorten(input),
                decision,
                shorten_result(&row.expected)
            ));
        }
        let explained = empty
            .explain(input)
            .map(|d| d.iter().map(|(c, _)| (*c).to_owned()).collect::<Vec<_>>())
            .map_err(|e| e.kind());
        if explained != row.expected {
            failures.push(format!(
                "explain({}) named {}, expected {}",
                shorten(input),
                shorten_result(&explained),
                shorten_result(&row.expected)
            ));
        }
    }
    assert_no_failures("filter-consistency", &failures);
}

#[test]
fn error_offsets() {
    #[rustfmt::skip]
    let cases: &[(&str, TypeNameErrorKind, usize)] = &[
        ("java.util.List<com.acme.Order", UnexpectedEnd, 29),
        ("com..acme", EmptySegment, 4),
        ("a<b,>", UnexpectedChar, 4),
        ("void", MisusedPrimitive, 0),
        ("[Lint;", MisusedPrimitive, 2),
        ("int<x>", MisusedPrimitive, 3),
        ("com.acme.9Order", DigitStart, 9),
        ("   ", Empty, 3),
        ("java.lang.Runt\u{0456}me", NonAscii, 14),
        ("com.acme.Order[x]", UnexpectedChar, 15),
        ("com.acme.Order[", UnexpectedEnd, 15),
    ];
    let mut failures = Vec::new();
    for &(input, kind, offset) in cases {
        match parse_type_name(input, |_| {}) {
            Err(e) if e.kind() == kind && e.offset() == offset => {}
            other => failures.push(format!(
                "{input:?}: expected {kind:?} at {offset}, got {other:?}"
            )),
        }
    }
    let long = "a".repeat(MAX_TYPE_NAME_LEN + 1);
    match parse_type_name(&long, |_| {}) {
        Err(e) if e.kind() == TooLong && e.offset() == MAX_TYPE_NAME_LEN => {}
        other => failures.push(format!("too long: got {other:?}")),
    }
    assert_no_failures("offset", &failures);
}

// ---------------------------------------------------------------------------
// 2. Pattern forms and the gadget list, one class at a time. Where several
// deny rules cover a class, the most specific (longest) names the decision.

type ClassRow = (
    &'static [&'static str],
    &'static [&'static str],
    &'static str,
    Verdict,
);

#[rustfmt::skip]
const CLASS_ROWS: &[ClassRow] = &[
    // Exact class: that class only, not its nested classes, case-sensitive.
    (&["com.acme.Order"], &[], "com.acme.Order", Allowed("com.acme.Order")),
    (&["com.acme.Order"], &[], "com.acme.Order$Line", NotAllowed),
    (&["com.acme.Order"], &[], "com.acme.OrderX", NotAllowed),
    (&["com.acme.Order"], &[], "com.acme.order", NotAllowed),
    (&["com.acme.Order"], &[], "com.acme", NotAllowed),
    (&["com.acme.Order"], &[], "com.acme.Order.Line", NotAllowed),
    (&["com.acme.Order$Line"], &[], "com.acme.Order$Line", Allowed("com.acme.Order$Line")),
    (&["com.acme.Order$Line"], &[], "com.acme.Order", NotAllowed),
    (&["com.acme.Order$Line"], &[], "com.acme.Order$Line$Part", NotAllowed),
    (&["Order"], &[], "Order", Allowed("Order")),
    (&["Order"], &[], "Order$Line", NotAllowed),
    (&["Order"], &[], "x.Order", NotAllowed),
    // `pkg.*`: classes of that package and their nested classes.
    (&["com.acme.*"], &[], "com.acme.Order", Allowed("com.acme.*")),
    (&["com.acme.*"], &[], "com.acme.Order$Line", Allowed("com.acme.*")),
    (&["com.acme.*"], &[], "com.acme.$Gen", Allowed("com.acme.*")),
    (&["com.acme.*"], &[], "com.acme.sub.Order", NotAllowed),
    (&["com.acme.*"], &[], "com.acmex.Order", NotAllowed),
    (&["com.acme.*"], &[], "com.acme_x.Order", NotAllowed),
    (&["com.acme.*"], &[], "com.acme", NotAllowed),
    (&["com.acme.*"], &[], "com.ACME.Order", NotAllowed),
    (&["com.*"], &[], "com.Order", Allowed("com.*")),
    (&["com.*"], &[], "com.acme.Order", NotAllowed),
    // `pkg.**`: the package and every package below it, by whole segments.
    (&["com.acme.**"], &[], "com.acme.Order", Allowed("com.acme.**")),
    (&["com.acme.**"], &[], "com.acme.a.b.Order", Allowed("com.acme.**")),
    (&["com.acme.**"], &[], "com.acme.a.b.Order$Line", Allowed("com.acme.**")),
    (&["com.acme.**"], &[], "com.acmex.Order", NotAllowed),
    (&["com.acme.**"], &[], "com.acme", NotAllowed),
    (&["com.acme.**"], &[], "com.acme$Inner", NotAllowed),
    // Allow rules are case-sensitive.
    (&["com.acme.**"], &[], "com.ACME.Order", NotAllowed),
    (&["com.acme.**"], &[], "COM.acme.Order", NotAllowed),
    (&["com.ACME.**"], &[], "com.ACME.Order", Allowed("com.ACME.**")),
    (&["com.ACME.**"], &[], "com.acme.Order", NotAllowed),
    (&["com.Acme.**", "com.acme.*"], &[], "com.acme.sub.Order", NotAllowed),
    (&["com.Acme.**", "com.acme.*"], &[], "com.Acme.sub.Order", Allowed("com.Acme.**")),
    (&["com.Acme.**", "com.acme.*"], &[], "com.acme.Order", Allowed("com.acme.*")),
    // Segment boundaries under `java.lang.*`.
    (&["java.lang.*"], &[], "java.lang.String", Allowed("java.lang.*")),
    (&["java.lang.*"], &[], "java.lang.Integer", Allowed("java.lang.*")),
    (&["java.lang.*"], &[], "java.lang.Character$UnicodeBlock", Allowed("java.lang.*")),
    (&["java.lang.*"], &[], "java.langx.Evil", NotAllowed),
    (&["java.lang.*"], &[], "java.lang_evil.X", NotAllowed),
    (&["java.lang.*"], &[], "java.langEvil", NotAllowed),
    (&["java.lang.*"], &[], "java.lang", NotAllowed),
    (&["java.lang.*"], &[], "java.lang.annotation.Retention", NotAllowed),
    (&["java.lang.*"], &[], "java.lang.reflect.Proxy", Denied("java.lang.reflect.Proxy", YSOSERIAL)),
    (&["java.lang.*"], &[], "java.lang.reflect.Method", Denied("java.lang.reflect.**", GUARD)),
    (&["java.lang.*"], &[], "Java.Lang.String", NotAllowed),
    (&["java.lang.**"], &[], "java.lang.annotation.Retention", Allowed("java.lang.**")),
    (&["java.lang.**"], &[], "java.lang.reflect.Proxy", Denied("java.lang.reflect.Proxy", YSOSERIAL)),
    (&["java.lang.**"], &[], "java.lang.invoke.MethodHandles", Denied("java.lang.invoke.**", GUARD)),
    // Deny beats allow: an exact deny also covers nested classes; deny rules
    // match case-insensitively.
    (&["com.acme.**"], &["com.acme.Secret"], "com.acme.Secret", Denied("com.acme.Secret", DENY)),
    (&["com.acme.**"], &["com.acme.Secret"], "com.acme.Secret$Key", Denied("com.acme.Secret", DENY)),
    (&["com.acme.**"], &["com.acme.Secret"], "com.acme.Secret$Key$Part", Denied("com.acme.Secret", DENY)),
    (&["com.acme.**"], &["com.acme.Secret"], "com.acme.SECRET", Denied("com.acme.Secret", DENY)),
    (&["com.acme.**"], &["com.acme.Secret"], "com.acme.SECRET$key", Denied("com.acme.Secret", DENY)),
    (&["com.acme.**"], &["com.acme.Secret"], "com.acme.SecretSauce", Allowed("com.acme.**")),
    (&["com.acme.**"], &["com.acme.Secret"], "com.acme.Secret.Sub", Allowed("com.acme.**")),
    (&["com.acme.**"], &["com.acme.Secret"], "com.acme.Public", Allowed("com.acme.**")),
    (&["com.acme.Order"], &["com.acme.Order"], "com.acme.Order", Denied("com.acme.Order", DENY)),
    (&["com.acme.Order"], &["COM.ACME.ORDER"], "com.acme.Order", Denied("COM.ACME.ORDER", DENY)),
    (&["com.acme.Order$Line"], &["com.acme.Order"], "com.acme.Order$Line", Denied("com.acme.Order", DENY)),
    (&["com.acme.Order$Line"], &["com.acme.Order$Lin"], "com.acme.Order$Line", Allowed("com.acme.Order$Line")),
    (&["Order$Line"], &["Order"], "Order$Line", Denied("Order", DENY)),
    // Deny `pkg.*`.
    (&["com.acme.**"], &["com.acme.internal.*"], "com.acme.internal.Secret", Denied("com.acme.internal.*", DENY)),
    (&["com.acme.**"], &["com.acme.internal.*"], "com.acme.internal.Secret$Key", Denied("com.acme.internal.*", DENY)),
    (&["com.acme.**"], &["com.acme.internal.*"], "com.acme.Internal.Secret", Denied("com.acme.internal.*", DENY)),
    (&["com.acme.**"], &["com.acme.internal.*"], "com.acme.internal.sub.Thing", Allowed("com.acme.**")),
    (&["com.acme.**"], &["com.acme.internal.*"], "com.acme.internals.Thing", Allowed("com.acme.**")),
    (&["com.acme.**"], &["com.acme.*"], "com.acme.Order", Denied("com.acme.*", DENY)),
    (&["com.acme.**"], &["com.acme.*"], "com.acme.sub.Order", Allowed("com.acme.**")),
    (&["com.acme.Order"], &["com.acme.*"], "com.acme.Order", Denied("com.acme.*", DENY)),
    // Deny `pkg.**`.
    (&["com.acme.**"], &["com.acme.internal.**"], "com.acme.internal.Secret", Denied("com.acme.internal.**", DENY)),
    (&["com.acme.**"], &["com.acme.internal.**"], "com.acme.internal.a.b.Secret", Denied("com.acme.internal.**", DENY)),
    (&["com.acme.**"], &["com.acme.internal.**"], "com.acme.INTERNAL.Secret", Denied("com.acme.internal.**", DENY)),
    (&["com.acme.**"], &["com.acme.internal.**"], "com.acme.internalx.Secret", Allowed("com.acme.**")),
    (&["com.acme.**"], &["com.acme.internal.**"], "com.acme.internal", Allowed("com.acme.**")),
    (&["com.acme.internal.Safe"], &["com.acme.**"], "com.acme.internal.Safe", Denied("com.acme.**", DENY)),
    (&["com.acme.internal.Safe"], &["com.acmex.**"], "com.acme.internal.Safe", Allowed("com.acme.internal.Safe")),
    // Nothing allowed means not allowed; a deny still says why.
    (&[], &[], "com.acme.Order", NotAllowed),
    (&[], &[], "java.lang.String", NotAllowed),
    (&[], &[], "Order", NotAllowed),
    (&[], &["com.acme.Secret"], "com.acme.Order", NotAllowed),
    (&[], &["com.acme.Secret"], "com.acme.Secret", Denied("com.acme.Secret", DENY)),
    (&[], &[], "java.lang.Runtime", Denied("java.lang.Runtime", GUARD)),
    (&[], &[], "JAVA.LANG.RUNTIME", Denied("java.lang.Runtime", GUARD)),
    // The gadget list beats broad allows, even an exact allow; it matches
    // case-insensitively; the near misses are allowed.
    (&["com.sun.**"], &[], "com.sun.rowset.JdbcRowSetImpl", Denied("com.sun.rowset.JdbcRowSetImpl", JACKSON)),
    (&["com.sun.**"], &[], "com.sun.Anything", Denied("com.sun.**", FASTJSON)),
    (&["com.sun.rowset.JdbcRowSetImpl"], &[], "com.sun.rowset.JdbcRowSetImpl", Denied("com.sun.rowset.JdbcRowSetImpl", JACKSON)),
    (&["COM.SUN.**"], &[], "COM.SUN.ROWSET.JDBCROWSETIMPL", Denied("com.sun.rowset.JdbcRowSetImpl", JACKSON)),
    (&["COM.SUN.**"], &[], "COM.SUN.Anything", Denied("com.sun.**", FASTJSON)),
    (&["com.sunx.**"], &[], "com.sunx.Foo", Allowed("com.sunx.**")),
    (&["com.sunx.**"], &[], "com.sunx.rowset.JdbcRowSetImpl", Allowed("com.sunx.**")),
    (&["COM.SUNX.**"], &[], "COM.SUNX.ROWSET.JDBCROWSETIMPL", Allowed("COM.SUNX.**")),
    (&["org.apache.**"], &[], "org.apache.commons.collections.functors.InvokerTransformer", Denied("org.apache.commons.collections.functors.InvokerTransformer", JACKSON)),
    (&["org.apache.**"], &[], "ORG.APACHE.COMMONS.COLLECTIONS.FUNCTORS.INVOKERTRANSFORMER", Denied("org.apache.commons.collections.functors.InvokerTransformer", JACKSON)),
    (&["org.apache.**"], &[], "org.apache.commons.collections.functors.NOPTransformer", Denied("org.apache.commons.collections.functors.**", FASTJSON)),
    (&["org.apache.**"], &[], "org.apache.commons.collections4.functors.InvokerTransformer", Denied("org.apache.commons.collections4.functors.InvokerTransformer", JACKSON)),
    (&["org.apache.**"], &[], "org.apache.commons.collections4.functors.NOPTransformer", Denied("org.apache.commons.collections4.functors.**", GUARD)),
    (&["org.apache.**"], &[], "org.apache.commons.collections.map.LazyMap", Denied("org.apache.commons.collections.map.LazyMap", YSOSERIAL)),
    (&["org.apache.**"], &[], "org.apache.commons.collections.map.HashedMap", Allowed("org.apache.**")),
    (&["org.apache.**"], &[], "org.apache.commons.lang3.StringUtils", Allowed("org.apache.**")),
    (&["java.lang.*"], &[], "java.lang.Runtime", Denied("java.lang.Runtime", GUARD)),
    (&["java.lang.*"], &[], "java.lang.Runtime$Version", Denied("java.lang.Runtime", GUARD)),
    (&["java.lang.*"], &[], "java.lang.RUNTIME", Denied("java.lang.Runtime", GUARD)),
    (&["java.lang.*"], &[], "java.lang.RuntimeException", Allowed("java.lang.*")),
    (&["java.lang.*"], &[], "java.lang.ProcessBuilder", Denied("java.lang.ProcessBuilder", XSTREAM)),
    (&["java.lang.*"], &[], "java.lang.ProcessBuilder$Redirect", Denied("java.lang.ProcessBuilder", XSTREAM)),
    (&["java.lang.*"], &[], "java.lang.ProcessBuilder$NullInputStream", Denied("java.lang.ProcessBuilder$NullInputStream", MARSHALSEC)),
    (&["java.lang.*"], &[], "java.lang.Process", Denied("java.lang.Process", GUARD)),
    (&["java.lang.*"], &[], "java.lang.ProcessHandle", Allowed("java.lang.*")),
    (&["java.lang.*"], &[], "java.lang.Class", Denied("java.lang.Class", FASTJSON)),
    (&["java.lang.*"], &[], "java.lang.ClassLoader", Denied("java.lang.ClassLoader", GUARD)),
    (&["java.lang.*"], &[], "java.lang.ClassCastException", Allowed("java.lang.*")),
    (&["java.lang.*"], &[], "java.lang.Thread", Denied("java.lang.Thread", FASTJSON)),
    (&["java.lang.*"], &[], "java.lang.ThreadLocal", Allowed("java.lang.*")),
    (&["java.lang.*"], &[], "java.lang.System", Denied("java.lang.System", GUARD)),
    (&["java.lang.*"], &[], "java.lang.SystemX", Allowed("java.lang.*")),
    (&["java.util.*"], &[], "java.util.ServiceLoader", Denied("java.util.ServiceLoader", GUARD)),
    (&["java.util.*"], &[], "java.util.ServiceLoader$Provider", Denied("java.util.ServiceLoader", GUARD)),
    (&["java.util.*"], &[], "java.util.ServiceLoader$LazyIterator", Denied("java.util.ServiceLoader$LazyIterator", XSTREAM)),
    (&["java.util.*"], &[], "java.util.ArrayList", Allowed("java.util.*")),
    (&["java.util.*"], &[], "java.util.Arrays$ArrayList", Allowed("java.util.*")),
    (&["java.util.**"], &[], "java.util.logging.FileHandler", Denied("java.util.logging.FileHandler", JACKSON)),
    (&["java.util.**"], &[], "java.util.logging.Logger", Denied("java.util.logging.**", FASTJSON)),
    (&["java.util.**"], &[], "java.util.concurrent.ConcurrentHashMap", Allowed("java.util.**")),
    (&["javax.swing.*"], &[], "javax.swing.JEditorPane", Denied("javax.swing.JEditorPane", JACKSON)),
    (&["javax.swing.*"], &[], "javax.swing.JButton", Allowed("javax.swing.*")),
    (&["java.net.*"], &[], "java.net.URL", Denied("java.net.URL", YSOSERIAL)),
    (&["java.net.*"], &[], "java.net.URI", Allowed("java.net.*")),
    (&["java.net.*"], &[], "java.net.URLClassLoader", Denied("java.net.URLClassLoader", MARSHALSEC)),
    (&["java.beans.*"], &[], "java.beans.EventHandler", Denied("java.beans.EventHandler", SERIALKILLER)),
    (&["java.beans.*"], &[], "java.beans.PropertyChangeEvent", Allowed("java.beans.*")),
    (&["javafx.collections.*"], &[], "javafx.collections.ObservableList$Evil", Denied("javafx.collections.ObservableList$*", XSTREAM)),
    (&["javafx.collections.*"], &[], "javafx.collections.ObservableList", Allowed("javafx.collections.*")),
    (&["sun.misc.*"], &[], "sun.misc.Unsafe", Denied("sun.**", GUARD)),
    (&["sunx.misc.*"], &[], "sunx.misc.Unsafe", Allowed("sunx.misc.*")),
    (&["System.Diagnostics.*"], &[], "System.Diagnostics.Process", Denied("System.Diagnostics.Process", YSOSERIAL_NET)),
    (&["System.Diagnostics.*"], &[], "System.Diagnostics.Stopwatch", Allowed("System.Diagnostics.*")),
];

#[test]
fn class_patterns_and_gadgets() {
    let mut failures = Vec::new();
    for &(allow, deny, class, expected) in CLASS_ROWS {
        let filter = filter(allow, deny);
        let got = filter.check_class(class);
        if !verdict_matches(expected, &got) {
            failures.push(format!(
                "allow {allow:?} deny {deny:?}: check_class({class:?}) = {}, expected {expected:?}",
                describe(&got)
            ));
        }
        if got.is_allowed() != matches!(expected, Allowed(_)) {
            failures.push(format!(
                "{class:?}: is_allowed() disagrees with {expected:?}"
            ));
        }
        // The same name as a whole type name gets the same decision.
        let whole = filter.check(class);
        let consistent = match whole {
            TypeDecision::Allowed => matches!(expected, Allowed(_)),
            TypeDecision::Denied { class: c, decision } => {
                c == class
                    && !matches!(expected, Allowed(_))
                    && verdict_matches(expected, &decision)
            }
            TypeDecision::Malformed(_) => false,
        };
        if !consistent {
            failures.push(format!(
                "allow {allow:?} deny {deny:?}: check({class:?}) = {whole:?}, expected {expected:?}"
            ));
        }
    }
    assert_no_failures("class", &failures);
}

/// .NET nesting (`+`) is a segment boundary for `check_class`, which gadget
/// entries such as `System.DelegateSerializationHolder+DelegateEntry` use;
/// `check` rejects `+` in a Java type name.
#[test]
fn dotnet_nesting_in_check_class() {
    let f = filter(&["System.**"], &[]);
    #[rustfmt::skip]
    let cases: &[(&str, Verdict)] = &[
        ("System.DelegateSerializationHolder+DelegateEntry", Denied("System.DelegateSerializationHolder+DelegateEntry", YSOSERIAL_NET)),
        ("System.DelegateSerializationHolder+Other", Denied("System.DelegateSerializationHolder", YSOSERIAL_NET)),
        ("System.Windows.Forms.AxHost+State", Denied("System.Windows.Forms.AxHost+State", YSOSERIAL_NET)),
        ("System.Windows.Forms.AxHost+Other", Allowed("System.**")),
        ("System.Windows.Forms.AxHost", Allowed("System.**")),
    ];
    let mut failures = Vec::new();
    for &(class, expected) in cases {
        let got = f.check_class(class);
        if !verdict_matches(expected, &got) {
            failures.push(format!(
                "check_class({class:?}) = {}, expected {expected:?}",
                describe(&got)
            ));
        }
    }
    match f.check("System.Windows.Forms.AxHost+State") {
        TypeDecision::Malformed(e) if e.kind() == UnexpectedChar => {}
        other => failures.push(format!("check of a `+` name: {other:?}")),
    }
    assert_no_failures(".NET", &failures);
}

/// `(entry line, group)` for every entry of policies/gadgets.txt, read
/// independently of the library.
fn gadget_lines() -> Vec<(String, String)> {
    let mut group = String::new();
    let mut out = Vec::new();
    for line in GADGETS_TXT.lines().map(str::trim) {
        if let Some(header) = line.strip_prefix("## ") {
            group = header
                .split([':', '('])
                .next()
                .unwrap_or(header)
                .trim()
                .to_owned();
        } else if !line.is_empty() && !line.starts_with('#') {
            out.push((line.to_owned(), group.clone()));
        }
    }
    out
}

#[test]
fn gadget_rules_come_first_then_deny_then_allow() {
    let f = filter(&["com.acme.**"], &["com.acme.Secret"]);
    let rules = f.rules();
    let gadgets: Vec<(String, RuleSource)> = rules
        .iter()
        .take_while(|r| matches!(r.source(), RuleSource::Gadget { .. }))
        .map(|r| (r.pattern().to_string(), r.source()))
        .collect();
    let from_file: Vec<(String, RuleSource)> = gadget_lines()
        .into_iter()
        .map(|(line, group)| {
            let pattern = if let Some(p) = line.strip_suffix('.') {
                format!("{p}.**")
            } else if let Some(p) = line.strip_suffix('$').or_else(|| line.strip_suffix('+')) {
                format!("{p}$*")
            } else {
                line
            };
            let group = GROUPS
                .iter()
                .find_map(|s| match s {
                    RuleSource::Gadget { group: g } if *g == group => Some(*s),
                    _ => None,
                })
                .unwrap_or_else(|| panic!("unknown gadget group {group:?}"));
            (pattern, group)
        })
        .collect();
    assert_eq!(gadgets, from_file);
    let rest: Vec<(String, RuleSource)> = rules[gadgets.len()..]
        .iter()
        .map(|r| (r.pattern().to_string(), r.source()))
        .collect();
    assert_eq!(
        rest,
        [
            ("com.acme.Secret".to_owned(), DENY),
            ("com.acme.**".to_owned(), RuleSource::Allow),
        ]
    );
}

/// Every group that holds entries (the `NotSoSerial` header has none).
const GROUPS: &[RuleSource] = &[
    JACKSON,
    YSOSERIAL,
    MARSHALSEC,
    SERIALKILLER,
    XSTREAM,
    FASTJSON,
    YSOSERIAL_NET,
    GUARD,
];

/// Every gadget rule the tables expect is really in policies/gadgets.txt,
/// under the expected group.
#[test]
fn expected_gadget_rules_are_in_the_file() {
    let lines = gadget_lines();
    let mut expected: Vec<(&str, RuleSource)> = Vec::new();
    for &(_, _, _, verdict) in CLASS_ROWS {
        if let Denied(pattern, source) = verdict {
            expected.push((pattern, source));
        }
    }
    for &(_, _, _, verdict) in TYPE_ROWS {
        if let TypeVerdict::Denied(_, Denied(pattern, source)) = verdict {
            expected.push((pattern, source));
        }
    }
    let mut failures = Vec::new();
    for (pattern, source) in expected {
        let RuleSource::Gadget { group } = source else {
            continue;
        };
        let line = if let Some(p) = pattern.strip_suffix(".**") {
            format!("{p}.")
        } else if let Some(p) = pattern.strip_suffix("$*") {
            format!("{p}$")
        } else {
            pattern.to_owned()
        };
        if !lines.iter().any(|(l, g)| *l == line && g == group) {
            failures.push(format!("{line:?} is not an entry of group {group:?}"));
        }
    }
    assert_no_failures("gadget-file", &failures);
}

// ---------------------------------------------------------------------------
// 3. Whole type names through `ClassFilter::check`.

#[derive(Debug, Clone, Copy)]
enum TypeVerdict {
    Allowed,
    /// The first class not allowed, and why.
    Denied(&'static str, Verdict),
    Malformed(TypeNameErrorKind),
}

type TypeRow = (
    &'static [&'static str],
    &'static [&'static str],
    &'static str,
    TypeVerdict,
);

const UTIL: &[&str] = &["java.util.*"];
const UTIL_LANG: &[&str] = &["java.util.*", "java.lang.*"];
const MAP_ALLOW: &[&str] = &[
    "java.util.HashMap",
    "java.util.List",
    "java.lang.String",
    "com.acme.Order",
];
const ROWSET: &str = "com.sun.rowset.JdbcRowSetImpl";
const ROWSET_DENIED: Verdict = Denied("com.sun.rowset.JdbcRowSetImpl", JACKSON);

#[rustfmt::skip]
const TYPE_ROWS: &[TypeRow] = &[
    // Every class inside generics must pass.
    (UTIL, &[], "java.util.ArrayList<com.evil.X>", TypeVerdict::Denied("com.evil.X", NotAllowed)),
    (&["java.util.*", "com.evil.X"], &[], "java.util.ArrayList<com.evil.X>", TypeVerdict::Allowed),
    (&["java.util.*", "com.acme.**"], &[], "java.util.ArrayList<com.acme.Order>", TypeVerdict::Allowed),
    (&["com.acme.**"], &[], "java.util.ArrayList<com.acme.Order>", TypeVerdict::Denied("java.util.ArrayList", NotAllowed)),
    (MAP_ALLOW, &[], "java.util.HashMap<java.lang.String, java.util.List<com.acme.Order>>", TypeVerdict::Allowed),
    (MAP_ALLOW, &[], "java.util.HashMap<java.lang.String, java.util.List<com.acme.Order$Line>>", TypeVerdict::Denied("com.acme.Order$Line", NotAllowed)),
    (MAP_ALLOW, &[], "java.util.HashMap<java.lang.Integer, java.util.List<com.acme.Order>>", TypeVerdict::Denied("java.lang.Integer", NotAllowed)),
    (MAP_ALLOW, &["com.acme.Order"], "java.util.HashMap<java.lang.String, java.util.List<com.acme.Order>>", TypeVerdict::Denied("com.acme.Order", Denied("com.acme.Order", DENY))),
    (&["java.util.*", "java.lang.*", "com.acme.Order"], &[], "java.util.HashMap<java.lang.Runtime, java.util.List<com.acme.Order>>", TypeVerdict::Denied("java.lang.Runtime", Denied("java.lang.Runtime", GUARD))),
    (UTIL, &[], "java.util.Map<com.evil.A,com.evil.B>", TypeVerdict::Denied("com.evil.A", NotAllowed)),
    (UTIL, &[], "java.util.ArrayList<java.util.ArrayList<java.util.ServiceLoader>>", TypeVerdict::Denied("java.util.ServiceLoader", Denied("java.util.ServiceLoader", GUARD))),
    (UTIL, &[], "java.util.ArrayList<java.util.ArrayList<java.util.LinkedList>>", TypeVerdict::Allowed),
    (UTIL_LANG, &[], "java.util.List<java.lang.String>[]", TypeVerdict::Allowed),
    (UTIL_LANG, &[], "java.util.List<java.lang.ProcessBuilder>[]", TypeVerdict::Denied("java.lang.ProcessBuilder", Denied("java.lang.ProcessBuilder", XSTREAM))),
    (UTIL_LANG, &[], "java.util.Map<java.lang.String, java.lang.Class>", TypeVerdict::Denied("java.lang.Class", Denied("java.lang.Class", FASTJSON))),
    // Array elements must pass.
    (&["com.sun.**"], &[], "[Lcom.sun.rowset.JdbcRowSetImpl;", TypeVerdict::Denied(ROWSET, ROWSET_DENIED)),
    (&["com.sun.**"], &[], "[[Lcom.sun.rowset.JdbcRowSetImpl;", TypeVerdict::Denied(ROWSET, ROWSET_DENIED)),
    (&["com.sun.**"], &[], "com.sun.rowset.JdbcRowSetImpl[]", TypeVerdict::Denied(ROWSET, ROWSET_DENIED)),
    (UTIL, &[], "java.util.List<[Lcom.sun.rowset.JdbcRowSetImpl;>", TypeVerdict::Denied(ROWSET, ROWSET_DENIED)),
    (&["com.acme.**"], &[], "[Lcom.acme.Order;", TypeVerdict::Allowed),
    (&["com.acme.**"], &[], "[[Lcom.acme.Order;", TypeVerdict::Allowed),
    (&["com.acme.**"], &[], "com.acme.Order[][]", TypeVerdict::Allowed),
    (&["java.lang.*"], &[], "[Ljava.lang.String;", TypeVerdict::Allowed),
    (&["java.lang.*"], &[], "[Ljava.lang.Runtime;", TypeVerdict::Denied("java.lang.Runtime", Denied("java.lang.Runtime", GUARD))),
    // Primitives-only names are allowed even with nothing allowed.
    (&[], &[], "int", TypeVerdict::Allowed),
    (&[], &[], "[[J", TypeVerdict::Allowed),
    (&[], &[], "[Z", TypeVerdict::Allowed),
    (&[], &[], "double[][]", TypeVerdict::Allowed),
    (&[], &[], " long ", TypeVerdict::Allowed),
    (&[], &[], "java.lang.Integer", TypeVerdict::Denied("java.lang.Integer", NotAllowed)),
    (&[], &[], "[Ljava.lang.Integer;", TypeVerdict::Denied("java.lang.Integer", NotAllowed)),
    (&[], &[], "Int[]", TypeVerdict::Denied("Int", NotAllowed)),
    // Malformed names are denied as malformed, even when every class is allowed.
    (UTIL, &[], "java.util.List<", TypeVerdict::Malformed(UnexpectedEnd)),
    (UTIL, &[], "java.util.ArrayList<com.evil.X", TypeVerdict::Malformed(UnexpectedEnd)),
    (UTIL_LANG, &[], "java.util.List<java.lang.String>>", TypeVerdict::Malformed(UnexpectedChar)),
    (&["java.lang.*"], &[], "java/lang/String", TypeVerdict::Malformed(UnexpectedChar)),
    (&["java.lang.*"], &[], "java.lang.Runt\u{0456}me", TypeVerdict::Malformed(NonAscii)),
    (&["java.lang.*"], &[], "java.lang.String\n", TypeVerdict::Malformed(UnexpectedChar)),
    (&["java.lang.*"], &[], "void", TypeVerdict::Malformed(MisusedPrimitive)),
    (&["java.lang.*"], &[], "[Ljava.lang.String", TypeVerdict::Malformed(UnexpectedEnd)),
    (&["java.lang.*"], &[], "Ljava.lang.String;", TypeVerdict::Malformed(UnexpectedChar)),
    (&["java.lang.*"], &[], "java.lang.String []", TypeVerdict::Malformed(UnexpectedChar)),
    (UTIL_LANG, &[], "java.util.List<?>", TypeVerdict::Malformed(UnexpectedChar)),
    (&[], &[], "", TypeVerdict::Malformed(Empty)),
    (&[], &[], "int<java.lang.String>", TypeVerdict::Malformed(MisusedPrimitive)),
];

#[test]
fn whole_type_names() {
    let mut failures = Vec::new();
    for &(allow, deny, type_name, expected) in TYPE_ROWS {
        let f = filter(allow, deny);
        let got = f.check(type_name);
        let fits = match (expected, &got) {
            (TypeVerdict::Allowed, TypeDecision::Allowed) => true,
            (TypeVerdict::Denied(class, why), TypeDecision::Denied { class: c, decision }) => {
                class == *c && verdict_matches(why, decision)
            }
            (TypeVerdict::Malformed(kind), TypeDecision::Malformed(e)) => e.kind() == kind,
            _ => false,
        };
        if !fits || got.is_allowed() != matches!(expected, TypeVerdict::Allowed) {
            failures.push(format!(
                "allow {allow:?} deny {deny:?}: check({type_name:?}) = {got:?}, expected {expected:?}"
            ));
        }
    }
    assert_no_failures("type-decision", &failures);
}

// ---------------------------------------------------------------------------
// 4. `ClassFilter::explain`: one decision per class, in order, duplicates kept.

type ExplainRow = (
    &'static str,
    Result<&'static [(&'static str, Verdict)], TypeNameErrorKind>,
);

#[rustfmt::skip]
const EXPLAIN_ROWS: &[ExplainRow] = &[
    ("java.util.HashMap<java.lang.String, java.util.List<com.acme.Order>>", Ok(&[
        ("java.util.HashMap", Allowed("java.util.*")),
        ("java.lang.String", Allowed("java.lang.*")),
        ("java.util.List", Allowed("java.util.*")),
        ("com.acme.Order", NotAllowed),
    ])),
    // A denied class does not stop the explanation.
    ("java.util.Map<com.acme.Secret$Key, java.lang.String>", Ok(&[
        ("java.util.Map", Allowed("java.util.*")),
        ("com.acme.Secret$Key", Denied("com.acme.Secret", DENY)),
        ("java.lang.String", Allowed("java.lang.*")),
    ])),
    ("java.util.Map<java.lang.Runtime,java.lang.Runtime>", Ok(&[
        ("java.util.Map", Allowed("java.util.*")),
        ("java.lang.Runtime", Denied("java.lang.Runtime", GUARD)),
        ("java.lang.Runtime", Denied("java.lang.Runtime", GUARD)),
    ])),
    ("[Lcom.sun.rowset.JdbcRowSetImpl;", Ok(&[(ROWSET, ROWSET_DENIED)])),
    ("java.util.List<int[]>[]", Ok(&[("java.util.List", Allowed("java.util.*"))])),
    ("[[I", Ok(&[])),
    ("long", Ok(&[])),
    ("int<java.lang.String>", Err(MisusedPrimitive)),
    ("java.util.List<java.lang.String", Err(UnexpectedEnd)),
    ("java.util.List<>", Err(UnexpectedChar)),
];

#[test]
fn explain_decides_every_class() {
    let f = filter(&["java.util.*", "java.lang.*"], &["com.acme.Secret"]);
    let mut failures = Vec::new();
    for (type_name, expected) in EXPLAIN_ROWS {
        let got = f.explain(type_name);
        let fits = match (expected, &got) {
            (Ok(want), Ok(have)) => {
                want.len() == have.len()
                    && want
                        .iter()
                        .zip(have)
                        .all(|((wc, wv), (hc, hv))| wc == hc && verdict_matches(*wv, hv))
            }
            (Err(kind), Err(e)) => e.kind() == *kind,
            _ => false,
        };
        if !fits {
            let have = got.as_ref().map(|d| {
                d.iter()
                    .map(|(c, v)| format!("{c}: {}", describe(v)))
                    .collect::<Vec<_>>()
            });
            failures.push(format!(
                "explain({type_name:?}) = {have:?}, expected {expected:?}"
            ));
        }
        // `check` reports the first class `explain` does not allow.
        let first_bad = got
            .as_ref()
            .ok()
            .and_then(|d| d.iter().find(|(_, v)| !v.is_allowed()).copied());
        let checked = f.check(type_name);
        let agrees = match (&got, first_bad, &checked) {
            (Err(e), _, TypeDecision::Malformed(m)) => e == m,
            (Ok(_), None, TypeDecision::Allowed) => true,
            (Ok(_), Some((c, v)), TypeDecision::Denied { class, decision }) => {
                c == *class && v == *decision
            }
            _ => false,
        };
        if !agrees {
            failures.push(format!(
                "check({type_name:?}) = {checked:?} disagrees with explain"
            ));
        }
    }
    assert_no_failures("explain", &failures);
}
