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

/// One class through a filter of these allow and deny patterns.
#[derive(Clone, Copy)]
struct ClassRow {
    allow: &'static [&'static str],
    deny: &'static [&'static str],
    class: &'static str,
    expected: Verdict,
}

#[rustfmt::skip]
const CLASS_ROWS: &[ClassRow] = &[
    // Exact class: that class only, not its nested classes, case-sensitive.
    ClassRow { allow: &["com.acme.Order"], deny: &[], class: "com.acme.Order", expected: Allowed("com.acme.Order") },
    ClassRow { allow: &["com.acme.Order"], deny: &[], class: "com.acme.Order$Line", expected: NotAllowed },
    ClassRow { allow: &["com.acme.Order"], deny: &[], class: "com.acme.OrderX", expected: NotAllowed },
    ClassRow { allow: &["com.acme.Order"], deny: &[], class: "com.acme.order", expected: NotAllowed },
    ClassRow { allow: &["com.acme.Order"], deny: &[], class: "com.acme", expected: NotAllowed },
    ClassRow { allow: &["com.acme.Order"], deny: &[], class: "com.acme.Order.Line", expected: NotAllowed },
    ClassRow { allow: &["com.acme.Order$Line"], deny: &[], class: "com.acme.Order$Line", expected: Allowed("com.acme.Order$Line") },
    ClassRow { allow: &["com.acme.Order$Line"], deny: &[], class: "com.acme.Order", expected: NotAllowed },
    ClassRow { allow: &["com.acme.Order$Line"], deny: &[], class: "com.acme.Order$Line$Part", expected: NotAllowed },
    ClassRow { allow: &["Order"], deny: &[], class: "Order", expected: Allowed("Order") },
    ClassRow { allow: &["Order"], deny: &[], class: "Order$Line", expected: NotAllowed },
    ClassRow { allow: &["Order"], deny: &[], class: "x.Order", expected: NotAllowed },
    // `pkg.*`: classes of that package and their nested classes.
    ClassRow { allow: &["com.acme.*"], deny: &[], class: "com.acme.Order", expected: Allowed("com.acme.*") },
    ClassRow { allow: &["com.acme.*"], deny: &[], class: "com.acme.Order$Line", expected: Allowed("com.acme.*") },
    ClassRow { allow: &["com.acme.*"], deny: &[], class: "com.acme.$Gen", expected: Allowed("com.acme.*") },
    ClassRow { allow: &["com.acme.*"], deny: &[], class: "com.acme.sub.Order", expected: NotAllowed },
    ClassRow { allow: &["com.acme.*"], deny: &[], class: "com.acmex.Order", expected: NotAllowed },
    ClassRow { allow: &["com.acme.*"], deny: &[], class: "com.acme_x.Order", expected: NotAllowed },
    ClassRow { allow: &["com.acme.*"], deny: &[], class: "com.acme", expected: NotAllowed },
    ClassRow { allow: &["com.acme.*"], deny: &[], class: "com.ACME.Order", expected: NotAllowed },
    ClassRow { allow: &["com.*"], deny: &[], class: "com.Order", expected: Allowed("com.*") },
    ClassRow { allow: &["com.*"], deny: &[], class: "com.acme.Order", expected: NotAllowed },
    // `pkg.**`: the package and every package below it, by whole segments.
    ClassRow { allow: &["com.acme.**"], deny: &[], class: "com.acme.Order", expected: Allowed("com.acme.**") },
    ClassRow { allow: &["com.acme.**"], deny: &[], class: "com.acme.a.b.Order", expected: Allowed("com.acme.**") },
    ClassRow { allow: &["com.acme.**"], deny: &[], class: "com.acme.a.b.Order$Line", expected: Allowed("com.acme.**") },
    ClassRow { allow: &["com.acme.**"], deny: &[], class: "com.acmex.Order", expected: NotAllowed },
    ClassRow { allow: &["com.acme.**"], deny: &[], class: "com.acme", expected: NotAllowed },
    ClassRow { allow: &["com.acme.**"], deny: &[], class: "com.acme$Inner", expected: NotAllowed },
    // Allow rules are case-sensitive.
    ClassRow { allow: &["com.acme.**"], deny: &[], class: "com.ACME.Order", expected: NotAllowed },
    ClassRow { allow: &["com.acme.**"], deny: &[], class: "COM.acme.Order", expected: NotAllowed },
    ClassRow { allow: &["com.ACME.**"], deny: &[], class: "com.ACME.Order", expected: Allowed("com.ACME.**") },
    ClassRow { allow: &["com.ACME.**"], deny: &[], class: "com.acme.Order", expected: NotAllowed },
    ClassRow { allow: &["com.Acme.**", "com.acme.*"], deny: &[], class: "com.acme.sub.Order", expected: NotAllowed },
    ClassRow { allow: &["com.Acme.**", "com.acme.*"], deny: &[], class: "com.Acme.sub.Order", expected: Allowed("com.Acme.**") },
    ClassRow { allow: &["com.Acme.**", "com.acme.*"], deny: &[], class: "com.acme.Order", expected: Allowed("com.acme.*") },
    // Segment boundaries under `java.lang.*`.
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang.String", expected: Allowed("java.lang.*") },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang.Integer", expected: Allowed("java.lang.*") },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang.Character$UnicodeBlock", expected: Allowed("java.lang.*") },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.langx.Evil", expected: NotAllowed },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang_evil.X", expected: NotAllowed },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.langEvil", expected: NotAllowed },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang", expected: NotAllowed },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang.annotation.Retention", expected: NotAllowed },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang.reflect.Proxy", expected: Denied("java.lang.reflect.Proxy", YSOSERIAL) },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang.reflect.Method", expected: Denied("java.lang.reflect.**", GUARD) },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "Java.Lang.String", expected: NotAllowed },
    ClassRow { allow: &["java.lang.**"], deny: &[], class: "java.lang.annotation.Retention", expected: Allowed("java.lang.**") },
    ClassRow { allow: &["java.lang.**"], deny: &[], class: "java.lang.reflect.Proxy", expected: Denied("java.lang.reflect.Proxy", YSOSERIAL) },
    ClassRow { allow: &["java.lang.**"], deny: &[], class: "java.lang.invoke.MethodHandles", expected: Denied("java.lang.invoke.**", GUARD) },
    // Deny beats allow: an exact deny also covers nested classes; deny rules
    // match case-insensitively.
    ClassRow { allow: &["com.acme.**"], deny: &["com.acme.Secret"], class: "com.acme.Secret", expected: Denied("com.acme.Secret", DENY) },
    ClassRow { allow: &["com.acme.**"], deny: &["com.acme.Secret"], class: "com.acme.Secret$Key", expected: Denied("com.acme.Secret", DENY) },
    ClassRow { allow: &["com.acme.**"], deny: &["com.acme.Secret"], class: "com.acme.Secret$Key$Part", expected: Denied("com.acme.Secret", DENY) },
    ClassRow { allow: &["com.acme.**"], deny: &["com.acme.Secret"], class: "com.acme.SECRET", expected: Denied("com.acme.Secret", DENY) },
    ClassRow { allow: &["com.acme.**"], deny: &["com.acme.Secret"], class: "com.acme.SECRET$key", expected: Denied("com.acme.Secret", DENY) },
    ClassRow { allow: &["com.acme.**"], deny: &["com.acme.Secret"], class: "com.acme.SecretSauce", expected: Allowed("com.acme.**") },
    ClassRow { allow: &["com.acme.**"], deny: &["com.acme.Secret"], class: "com.acme.Secret.Sub", expected: Allowed("com.acme.**") },
    ClassRow { allow: &["com.acme.**"], deny: &["com.acme.Secret"], class: "com.acme.Public", expected: Allowed("com.acme.**") },
    ClassRow { allow: &["com.acme.Order"], deny: &["com.acme.Order"], class: "com.acme.Order", expected: Denied("com.acme.Order", DENY) },
    ClassRow { allow: &["com.acme.Order"], deny: &["COM.ACME.ORDER"], class: "com.acme.Order", expected: Denied("COM.ACME.ORDER", DENY) },
    ClassRow { allow: &["com.acme.Order$Line"], deny: &["com.acme.Order"], class: "com.acme.Order$Line", expected: Denied("com.acme.Order", DENY) },
    ClassRow { allow: &["com.acme.Order$Line"], deny: &["com.acme.Order$Lin"], class: "com.acme.Order$Line", expected: Allowed("com.acme.Order$Line") },
    ClassRow { allow: &["Order$Line"], deny: &["Order"], class: "Order$Line", expected: Denied("Order", DENY) },
    // Deny `pkg.*`.
    ClassRow { allow: &["com.acme.**"], deny: &["com.acme.internal.*"], class: "com.acme.internal.Secret", expected: Denied("com.acme.internal.*", DENY) },
    ClassRow { allow: &["com.acme.**"], deny: &["com.acme.internal.*"], class: "com.acme.internal.Secret$Key", expected: Denied("com.acme.internal.*", DENY) },
    ClassRow { allow: &["com.acme.**"], deny: &["com.acme.internal.*"], class: "com.acme.Internal.Secret", expected: Denied("com.acme.internal.*", DENY) },
    ClassRow { allow: &["com.acme.**"], deny: &["com.acme.internal.*"], class: "com.acme.internal.sub.Thing", expected: Allowed("com.acme.**") },
    ClassRow { allow: &["com.acme.**"], deny: &["com.acme.internal.*"], class: "com.acme.internals.Thing", expected: Allowed("com.acme.**") },
    ClassRow { allow: &["com.acme.**"], deny: &["com.acme.*"], class: "com.acme.Order", expected: Denied("com.acme.*", DENY) },
    ClassRow { allow: &["com.acme.**"], deny: &["com.acme.*"], class: "com.acme.sub.Order", expected: Allowed("com.acme.**") },
    ClassRow { allow: &["com.acme.Order"], deny: &["com.acme.*"], class: "com.acme.Order", expected: Denied("com.acme.*", DENY) },
    // Deny `pkg.**`.
    ClassRow { allow: &["com.acme.**"], deny: &["com.acme.internal.**"], class: "com.acme.internal.Secret", expected: Denied("com.acme.internal.**", DENY) },
    ClassRow { allow: &["com.acme.**"], deny: &["com.acme.internal.**"], class: "com.acme.internal.a.b.Secret", expected: Denied("com.acme.internal.**", DENY) },
    ClassRow { allow: &["com.acme.**"], deny: &["com.acme.internal.**"], class: "com.acme.INTERNAL.Secret", expected: Denied("com.acme.internal.**", DENY) },
    ClassRow { allow: &["com.acme.**"], deny: &["com.acme.internal.**"], class: "com.acme.internalx.Secret", expected: Allowed("com.acme.**") },
    ClassRow { allow: &["com.acme.**"], deny: &["com.acme.internal.**"], class: "com.acme.internal", expected: Allowed("com.acme.**") },
    ClassRow { allow: &["com.acme.internal.Safe"], deny: &["com.acme.**"], class: "com.acme.internal.Safe", expected: Denied("com.acme.**", DENY) },
    ClassRow { allow: &["com.acme.internal.Safe"], deny: &["com.acmex.**"], class: "com.acme.internal.Safe", expected: Allowed("com.acme.internal.Safe") },
    // Nothing allowed means not allowed; a deny still says why.
    ClassRow { allow: &[], deny: &[], class: "com.acme.Order", expected: NotAllowed },
    ClassRow { allow: &[], deny: &[], class: "java.lang.String", expected: NotAllowed },
    ClassRow { allow: &[], deny: &[], class: "Order", expected: NotAllowed },
    ClassRow { allow: &[], deny: &["com.acme.Secret"], class: "com.acme.Order", expected: NotAllowed },
    ClassRow { allow: &[], deny: &["com.acme.Secret"], class: "com.acme.Secret", expected: Denied("com.acme.Secret", DENY) },
    ClassRow { allow: &[], deny: &[], class: "java.lang.Runtime", expected: Denied("java.lang.Runtime", GUARD) },
    ClassRow { allow: &[], deny: &[], class: "JAVA.LANG.RUNTIME", expected: Denied("java.lang.Runtime", GUARD) },
    // The gadget list beats broad allows, even an exact allow; it matches
    // case-insensitively; the near misses are allowed.
    ClassRow { allow: &["com.sun.**"], deny: &[], class: "com.sun.rowset.JdbcRowSetImpl", expected: Denied("com.sun.rowset.JdbcRowSetImpl", JACKSON) },
    ClassRow { allow: &["com.sun.**"], deny: &[], class: "com.sun.Anything", expected: Denied("com.sun.**", FASTJSON) },
    ClassRow { allow: &["com.sun.rowset.JdbcRowSetImpl"], deny: &[], class: "com.sun.rowset.JdbcRowSetImpl", expected: Denied("com.sun.rowset.JdbcRowSetImpl", JACKSON) },
    ClassRow { allow: &["COM.SUN.**"], deny: &[], class: "COM.SUN.ROWSET.JDBCROWSETIMPL", expected: Denied("com.sun.rowset.JdbcRowSetImpl", JACKSON) },
    ClassRow { allow: &["COM.SUN.**"], deny: &[], class: "COM.SUN.Anything", expected: Denied("com.sun.**", FASTJSON) },
    ClassRow { allow: &["com.sunx.**"], deny: &[], class: "com.sunx.Foo", expected: Allowed("com.sunx.**") },
    ClassRow { allow: &["com.sunx.**"], deny: &[], class: "com.sunx.rowset.JdbcRowSetImpl", expected: Allowed("com.sunx.**") },
    ClassRow { allow: &["COM.SUNX.**"], deny: &[], class: "COM.SUNX.ROWSET.JDBCROWSETIMPL", expected: Allowed("COM.SUNX.**") },
    ClassRow { allow: &["org.apache.**"], deny: &[], class: "org.apache.commons.collections.functors.InvokerTransformer", expected: Denied("org.apache.commons.collections.functors.InvokerTransformer", JACKSON) },
    ClassRow { allow: &["org.apache.**"], deny: &[], class: "ORG.APACHE.COMMONS.COLLECTIONS.FUNCTORS.INVOKERTRANSFORMER", expected: Denied("org.apache.commons.collections.functors.InvokerTransformer", JACKSON) },
    ClassRow { allow: &["org.apache.**"], deny: &[], class: "org.apache.commons.collections.functors.NOPTransformer", expected: Denied("org.apache.commons.collections.functors.**", FASTJSON) },
    ClassRow { allow: &["org.apache.**"], deny: &[], class: "org.apache.commons.collections4.functors.InvokerTransformer", expected: Denied("org.apache.commons.collections4.functors.InvokerTransformer", JACKSON) },
    ClassRow { allow: &["org.apache.**"], deny: &[], class: "org.apache.commons.collections4.functors.NOPTransformer", expected: Denied("org.apache.commons.collections4.functors.**", GUARD) },
    ClassRow { allow: &["org.apache.**"], deny: &[], class: "org.apache.commons.collections.map.LazyMap", expected: Denied("org.apache.commons.collections.map.LazyMap", YSOSERIAL) },
    ClassRow { allow: &["org.apache.**"], deny: &[], class: "org.apache.commons.collections.map.HashedMap", expected: Allowed("org.apache.**") },
    ClassRow { allow: &["org.apache.**"], deny: &[], class: "org.apache.commons.lang3.StringUtils", expected: Allowed("org.apache.**") },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang.Runtime", expected: Denied("java.lang.Runtime", GUARD) },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang.Runtime$Version", expected: Denied("java.lang.Runtime", GUARD) },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang.RUNTIME", expected: Denied("java.lang.Runtime", GUARD) },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang.RuntimeException", expected: Allowed("java.lang.*") },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang.ProcessBuilder", expected: Denied("java.lang.ProcessBuilder", XSTREAM) },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang.ProcessBuilder$Redirect", expected: Denied("java.lang.ProcessBuilder", XSTREAM) },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang.ProcessBuilder$NullInputStream", expected: Denied("java.lang.ProcessBuilder$NullInputStream", MARSHALSEC) },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang.Process", expected: Denied("java.lang.Process", GUARD) },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang.ProcessHandle", expected: Allowed("java.lang.*") },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang.Class", expected: Denied("java.lang.Class", FASTJSON) },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang.ClassLoader", expected: Denied("java.lang.ClassLoader", GUARD) },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang.ClassCastException", expected: Allowed("java.lang.*") },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang.Thread", expected: Denied("java.lang.Thread", FASTJSON) },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang.ThreadLocal", expected: Allowed("java.lang.*") },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang.System", expected: Denied("java.lang.System", GUARD) },
    ClassRow { allow: &["java.lang.*"], deny: &[], class: "java.lang.SystemX", expected: Allowed("java.lang.*") },
    ClassRow { allow: &["java.util.*"], deny: &[], class: "java.util.ServiceLoader", expected: Denied("java.util.ServiceLoader", GUARD) },
    ClassRow { allow: &["java.util.*"], deny: &[], class: "java.util.ServiceLoader$Provider", expected: Denied("java.util.ServiceLoader", GUARD) },
    ClassRow { allow: &["java.util.*"], deny: &[], class: "java.util.ServiceLoader$LazyIterator", expected: Denied("java.util.ServiceLoader$LazyIterator", XSTREAM) },
    ClassRow { allow: &["java.util.*"], deny: &[], class: "java.util.ArrayList", expected: Allowed("java.util.*") },
    ClassRow { allow: &["java.util.*"], deny: &[], class: "java.util.Arrays$ArrayList", expected: Allowed("java.util.*") },
    ClassRow { allow: &["java.util.**"], deny: &[], class: "java.util.logging.FileHandler", expected: Denied("java.util.logging.FileHandler", JACKSON) },
    ClassRow { allow: &["java.util.**"], deny: &[], class: "java.util.logging.Logger", expected: Denied("java.util.logging.**", FASTJSON) },
    ClassRow { allow: &["java.util.**"], deny: &[], class: "java.util.concurrent.ConcurrentHashMap", expected: Allowed("java.util.**") },
    ClassRow { allow: &["javax.swing.*"], deny: &[], class: "javax.swing.JEditorPane", expected: Denied("javax.swing.JEditorPane", JACKSON) },
    ClassRow { allow: &["javax.swing.*"], deny: &[], class: "javax.swing.JButton", expected: Allowed("javax.swing.*") },
    ClassRow { allow: &["java.net.*"], deny: &[], class: "java.net.URL", expected: Denied("java.net.URL", YSOSERIAL) },
    ClassRow { allow: &["java.net.*"], deny: &[], class: "java.net.URI", expected: Allowed("java.net.*") },
    ClassRow { allow: &["java.net.*"], deny: &[], class: "java.net.URLClassLoader", expected: Denied("java.net.URLClassLoader", MARSHALSEC) },
    ClassRow { allow: &["java.beans.*"], deny: &[], class: "java.beans.EventHandler", expected: Denied("java.beans.EventHandler", SERIALKILLER) },
    ClassRow { allow: &["java.beans.*"], deny: &[], class: "java.beans.PropertyChangeEvent", expected: Allowed("java.beans.*") },
    ClassRow { allow: &["javafx.collections.*"], deny: &[], class: "javafx.collections.ObservableList$Evil", expected: Denied("javafx.collections.ObservableList$*", XSTREAM) },
    ClassRow { allow: &["javafx.collections.*"], deny: &[], class: "javafx.collections.ObservableList", expected: Allowed("javafx.collections.*") },
    ClassRow { allow: &["sun.misc.*"], deny: &[], class: "sun.misc.Unsafe", expected: Denied("sun.**", GUARD) },
    ClassRow { allow: &["sunx.misc.*"], deny: &[], class: "sunx.misc.Unsafe", expected: Allowed("sunx.misc.*") },
    ClassRow { allow: &["System.Diagnostics.*"], deny: &[], class: "System.Diagnostics.Process", expected: Denied("System.Diagnostics.Process", YSOSERIAL_NET) },
    ClassRow { allow: &["System.Diagnostics.*"], deny: &[], class: "System.Diagnostics.Stopwatch", expected: Allowed("System.Diagnostics.*") },
];

#[test]
fn class_patterns_and_gadgets() {
    let mut failures = Vec::new();
    for &ClassRow {
        allow,
        deny,
        class,
        expected,
    } in CLASS_ROWS
    {
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
    for &ClassRow {
        expected: verdict, ..
    } in CLASS_ROWS
    {
        if let Denied(pattern, source) = verdict {
            expected.push((pattern, source));
        }
    }
    for &TypeRow {
        expected: verdict, ..
    } in TYPE_ROWS
    {
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

/// One whole type name through a filter of these allow and deny patterns.
#[derive(Clone, Copy)]
struct TypeRow {
    allow: &'static [&'static str],
    deny: &'static [&'static str],
    type_name: &'static str,
    expected: TypeVerdict,
}

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
    TypeRow { allow: UTIL, deny: &[], type_name: "java.util.ArrayList<com.evil.X>", expected: TypeVerdict::Denied("com.evil.X", NotAllowed) },
    TypeRow { allow: &["java.util.*", "com.evil.X"], deny: &[], type_name: "java.util.ArrayList<com.evil.X>", expected: TypeVerdict::Allowed },
    TypeRow { allow: &["java.util.*", "com.acme.**"], deny: &[], type_name: "java.util.ArrayList<com.acme.Order>", expected: TypeVerdict::Allowed },
    TypeRow { allow: &["com.acme.**"], deny: &[], type_name: "java.util.ArrayList<com.acme.Order>", expected: TypeVerdict::Denied("java.util.ArrayList", NotAllowed) },
    TypeRow { allow: MAP_ALLOW, deny: &[], type_name: "java.util.HashMap<java.lang.String, java.util.List<com.acme.Order>>", expected: TypeVerdict::Allowed },
    TypeRow { allow: MAP_ALLOW, deny: &[], type_name: "java.util.HashMap<java.lang.String, java.util.List<com.acme.Order$Line>>", expected: TypeVerdict::Denied("com.acme.Order$Line", NotAllowed) },
    TypeRow { allow: MAP_ALLOW, deny: &[], type_name: "java.util.HashMap<java.lang.Integer, java.util.List<com.acme.Order>>", expected: TypeVerdict::Denied("java.lang.Integer", NotAllowed) },
    TypeRow { allow: MAP_ALLOW, deny: &["com.acme.Order"], type_name: "java.util.HashMap<java.lang.String, java.util.List<com.acme.Order>>", expected: TypeVerdict::Denied("com.acme.Order", Denied("com.acme.Order", DENY)) },
    TypeRow { allow: &["java.util.*", "java.lang.*", "com.acme.Order"], deny: &[], type_name: "java.util.HashMap<java.lang.Runtime, java.util.List<com.acme.Order>>", expected: TypeVerdict::Denied("java.lang.Runtime", Denied("java.lang.Runtime", GUARD)) },
    TypeRow { allow: UTIL, deny: &[], type_name: "java.util.Map<com.evil.A,com.evil.B>", expected: TypeVerdict::Denied("com.evil.A", NotAllowed) },
    TypeRow { allow: UTIL, deny: &[], type_name: "java.util.ArrayList<java.util.ArrayList<java.util.ServiceLoader>>", expected: TypeVerdict::Denied("java.util.ServiceLoader", Denied("java.util.ServiceLoader", GUARD)) },
    TypeRow { allow: UTIL, deny: &[], type_name: "java.util.ArrayList<java.util.ArrayList<java.util.LinkedList>>", expected: TypeVerdict::Allowed },
    TypeRow { allow: UTIL_LANG, deny: &[], type_name: "java.util.List<java.lang.String>[]", expected: TypeVerdict::Allowed },
    TypeRow { allow: UTIL_LANG, deny: &[], type_name: "java.util.List<java.lang.ProcessBuilder>[]", expected: TypeVerdict::Denied("java.lang.ProcessBuilder", Denied("java.lang.ProcessBuilder", XSTREAM)) },
    TypeRow { allow: UTIL_LANG, deny: &[], type_name: "java.util.Map<java.lang.String, java.lang.Class>", expected: TypeVerdict::Denied("java.lang.Class", Denied("java.lang.Class", FASTJSON)) },
    // Array elements must pass.
    TypeRow { allow: &["com.sun.**"], deny: &[], type_name: "[Lcom.sun.rowset.JdbcRowSetImpl;", expected: TypeVerdict::Denied(ROWSET, ROWSET_DENIED) },
    TypeRow { allow: &["com.sun.**"], deny: &[], type_name: "[[Lcom.sun.rowset.JdbcRowSetImpl;", expected: TypeVerdict::Denied(ROWSET, ROWSET_DENIED) },
    TypeRow { allow: &["com.sun.**"], deny: &[], type_name: "com.sun.rowset.JdbcRowSetImpl[]", expected: TypeVerdict::Denied(ROWSET, ROWSET_DENIED) },
    TypeRow { allow: UTIL, deny: &[], type_name: "java.util.List<[Lcom.sun.rowset.JdbcRowSetImpl;>", expected: TypeVerdict::Denied(ROWSET, ROWSET_DENIED) },
    TypeRow { allow: &["com.acme.**"], deny: &[], type_name: "[Lcom.acme.Order;", expected: TypeVerdict::Allowed },
    TypeRow { allow: &["com.acme.**"], deny: &[], type_name: "[[Lcom.acme.Order;", expected: TypeVerdict::Allowed },
    TypeRow { allow: &["com.acme.**"], deny: &[], type_name: "com.acme.Order[][]", expected: TypeVerdict::Allowed },
    TypeRow { allow: &["java.lang.*"], deny: &[], type_name: "[Ljava.lang.String;", expected: TypeVerdict::Allowed },
    TypeRow { allow: &["java.lang.*"], deny: &[], type_name: "[Ljava.lang.Runtime;", expected: TypeVerdict::Denied("java.lang.Runtime", Denied("java.lang.Runtime", GUARD)) },
    // Primitives-only names are allowed even with nothing allowed.
    TypeRow { allow: &[], deny: &[], type_name: "int", expected: TypeVerdict::Allowed },
    TypeRow { allow: &[], deny: &[], type_name: "[[J", expected: TypeVerdict::Allowed },
    TypeRow { allow: &[], deny: &[], type_name: "[Z", expected: TypeVerdict::Allowed },
    TypeRow { allow: &[], deny: &[], type_name: "double[][]", expected: TypeVerdict::Allowed },
    TypeRow { allow: &[], deny: &[], type_name: " long ", expected: TypeVerdict::Allowed },
    TypeRow { allow: &[], deny: &[], type_name: "java.lang.Integer", expected: TypeVerdict::Denied("java.lang.Integer", NotAllowed) },
    TypeRow { allow: &[], deny: &[], type_name: "[Ljava.lang.Integer;", expected: TypeVerdict::Denied("java.lang.Integer", NotAllowed) },
    TypeRow { allow: &[], deny: &[], type_name: "Int[]", expected: TypeVerdict::Denied("Int", NotAllowed) },
    // Malformed names are denied as malformed, even when every class is allowed.
    TypeRow { allow: UTIL, deny: &[], type_name: "java.util.List<", expected: TypeVerdict::Malformed(UnexpectedEnd) },
    TypeRow { allow: UTIL, deny: &[], type_name: "java.util.ArrayList<com.evil.X", expected: TypeVerdict::Malformed(UnexpectedEnd) },
    TypeRow { allow: UTIL_LANG, deny: &[], type_name: "java.util.List<java.lang.String>>", expected: TypeVerdict::Malformed(UnexpectedChar) },
    TypeRow { allow: &["java.lang.*"], deny: &[], type_name: "java/lang/String", expected: TypeVerdict::Malformed(UnexpectedChar) },
    TypeRow { allow: &["java.lang.*"], deny: &[], type_name: "java.lang.Runt\u{0456}me", expected: TypeVerdict::Malformed(NonAscii) },
    TypeRow { allow: &["java.lang.*"], deny: &[], type_name: "java.lang.String\n", expected: TypeVerdict::Malformed(UnexpectedChar) },
    TypeRow { allow: &["java.lang.*"], deny: &[], type_name: "void", expected: TypeVerdict::Malformed(MisusedPrimitive) },
    TypeRow { allow: &["java.lang.*"], deny: &[], type_name: "[Ljava.lang.String", expected: TypeVerdict::Malformed(UnexpectedEnd) },
    TypeRow { allow: &["java.lang.*"], deny: &[], type_name: "Ljava.lang.String;", expected: TypeVerdict::Malformed(UnexpectedChar) },
    TypeRow { allow: &["java.lang.*"], deny: &[], type_name: "java.lang.String []", expected: TypeVerdict::Malformed(UnexpectedChar) },
    TypeRow { allow: UTIL_LANG, deny: &[], type_name: "java.util.List<?>", expected: TypeVerdict::Malformed(UnexpectedChar) },
    TypeRow { allow: &[], deny: &[], type_name: "", expected: TypeVerdict::Malformed(Empty) },
    TypeRow { allow: &[], deny: &[], type_name: "int<java.lang.String>", expected: TypeVerdict::Malformed(MisusedPrimitive) },
];

#[test]
fn whole_type_names() {
    let mut failures = Vec::new();
    for &TypeRow {
        allow,
        deny,
        type_name,
        expected,
    } in TYPE_ROWS
    {
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
