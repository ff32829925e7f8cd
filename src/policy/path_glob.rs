//! Route path globs, compiled without a regex where the glob allows.
//!
//! A route's `path` is a [globset] glob with `literal_separator` on: `*`
//! stays within one path segment, `/**/` and a trailing `/**` cross
//! segments, `{a,b}` lists alternatives. globset turns every glob into a
//! regular expression, and compiling the bundled policy's 49 globs (each
//! with a four-way alternation) took about 2 ms: most of what building a
//! guard cost, paid by every `input-guard check` process and every reload.
//!
//! The globs routes are written with need none of that machinery. A glob
//! made only of literal text, single `*`s, whole-segment `**`s and one level
//! of `{...}` is compiled here instead: its alternatives are spelled out
//! (a product of at most [`MAX_ALTERNATIVES`]), each split into segments, and
//! matched segment by segment in linear-ish time with no allocation. Any
//! other glob (character classes, `?`, escapes, nested or empty
//! alternatives, `**` anywhere but a whole segment outside braces) is left
//! to globset, as before, so the syntax routes accept is unchanged.
//!
//! # Security
//!
//! A route that matched differently from the glob its author wrote would
//! move a request to another route's limits (or to none), so the fast form
//! must agree with globset on every path. It is built from the tokens
//! globset's own parser would produce for the same text (`/**/` becomes
//! "zero or more segments", a trailing `/**` "one or more", since globset
//! reads them as `(?:/|/.*/)` and `/.*`), anything whose reading depends on
//! finer parser rules goes to globset, and a property test compares the two
//! on generated globs and paths.
//!
//! Matching cannot be made slow by a path: a segment pattern is matched
//! with the one-star backtracking scheme (at most `pattern x segment` byte
//! steps), and the segment sequence the same way over segments
//! ([`star_match`] does both).

use globset::{GlobBuilder, GlobMatcher};

/// The most alternatives a glob's braces may spell out before it is left to
/// globset (whose regex holds the alternation without multiplying it).
pub(crate) const MAX_ALTERNATIVES: usize = 64;

/// One compiled route path.
#[derive(Debug, Clone)]
pub(crate) enum PathGlob {
    /// The glob, spelled out as alternatives of segments.
    Segments(Spelled),
    /// A glob outside the subset above, matched by globset.
    Glob(Box<GlobMatcher>),
}

/// A glob's alternatives, spelled out: every segment's bytes in one buffer,
/// every alternative's segments in one list (few allocations, so a policy
/// of many routes compiles in microseconds).
#[derive(Debug, Clone, Default)]
pub(crate) struct Spelled {
    bytes: Vec<u8>,
    segments: Vec<Segment>,
    /// Each alternative's range in `segments`.
    alternatives: Vec<(u32, u32)>,
}

/// One segment of an alternative; the first of each is the empty one
/// before the leading `/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    kind: Kind,
    /// The segment's range in [`Spelled::bytes`].
    from: u32,
    to: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Exactly these bytes.
    Literal,
    /// One segment matching a pattern whose `*`s stand for any bytes but
    /// `/` (the only wildcard this form admits, so a `*` byte is always
    /// one).
    Pattern,
    /// Zero or more whole segments.
    AnyDepth,
}

/// A glob token, as globset's parser reads the subset compiled here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Byte(u8),
    Star,
    /// `/**/`: a `/`, then zero or more segments each followed by `/`.
    AnyDepth,
    /// A final `/**`: a `/`, then anything.
    AnyBelow,
}

impl PathGlob {
    /// Compiles a route's path; the error says what is wrong with it.
    pub(crate) fn new(path: &str) -> Result<Self, String> {
        if !path.starts_with('/') {
            return Err(format!("`{path}` must start with `/`"));
        }
        if let Some(alternatives) = spell_out(path) {
            return Ok(PathGlob::Segments(alternatives));
        }
        let glob = GlobBuilder::new(path)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("`{path}` is not a glob: {}", e.kind()))?;
        Ok(PathGlob::Glob(Box::new(glob.compile_matcher())))
    }

    /// What [`PathGlob::new`] would say of `path`, without compiling a
    /// regex for globs outside the fast form.
    pub(crate) fn check(path: &str) -> Result<(), String> {
        if !path.starts_with('/') {
            return Err(format!("`{path}` must start with `/`"));
        }
        // The fast form's own check, without spelling the glob out: its
        // tokens read, and its alternatives within bounds.
        if tokens(path.as_bytes()).is_some_and(|read| read.count() <= MAX_ALTERNATIVES) {
            return Ok(());
        }
        GlobBuilder::new(path)
            .literal_separator(true)
            .build()
            .map(drop)
            .map_err(|e| format!("`{path}` is not a glob: {}", e.kind()))
    }

    /// Whether `path`, split into `segments` (on every `/`, so the first is
    /// empty for a path starting with `/`), matches.
    pub(crate) fn is_match(&self, path: &str, segments: &[&[u8]]) -> bool {
        match self {
            PathGlob::Segments(spelled) => spelled
                .alternatives()
                .any(|alternative| sequence_matches(&spelled.bytes, alternative, segments)),
            PathGlob::Glob(glob) => glob.is_match(path),
        }
    }

    /// The literal last segment every alternative ends with, when there is
    /// one per alternative (the route table indexes routes by them); `None`
    /// when some alternative ends in a wildcard.
    pub(crate) fn last_literals(&self) -> Option<Vec<&[u8]>> {
        let PathGlob::Segments(spelled) = self else {
            return None;
        };
        spelled
            .alternatives()
            .map(|alternative| match alternative.last() {
                Some(last) if last.kind == Kind::Literal => spelled.bytes_of(*last),
                _ => None,
            })
            .collect()
    }

    #[cfg(test)]
    fn is_fast(&self) -> bool {
        matches!(self, PathGlob::Segments(_))
    }
}

impl Spelled {
    fn alternatives(&self) -> impl Iterator<Item = &[Segment]> {
        self.alternatives
            .iter()
            .map(|&(from, to)| self.segments.get(from as usize..to as usize).unwrap_or(&[]))
    }

    fn bytes_of(&self, segment: Segment) -> Option<&[u8]> {
        self.bytes.get(segment.from as usize..segment.to as usize)
    }

    /// Appends one alternative, read from its tokens.
    fn push(&mut self, tokens: impl Iterator<Item = Token>) -> Option<()> {
        let first = self.segments.len();
        let mut start = self.bytes.len();
        let mut wild = false;
        // Whether the last token was a `/` (or ended in one, as `/**/`
        // does): globset folds that slash into a following `**`.
        let mut after_slash = false;
        let mut below = false;
        for token in tokens {
            if below {
                return None; // a final `/**` is final
            }
            match token {
                Token::Byte(b'/') => {
                    self.finish(start, wild)?;
                    (start, wild, after_slash) = (self.bytes.len(), false, true);
                    continue;
                }
                Token::Byte(byte) => self.bytes.push(byte),
                Token::Star => {
                    self.bytes.push(b'*');
                    wild = true;
                }
                Token::AnyDepth | Token::AnyBelow => {
                    if !after_slash {
                        return None;
                    }
                    // After `/**/`, a `**` replaces it (`/a/**/**` is
                    // `/a/.*` to globset); after a plain `/`, the segment
                    // before it is already finished.
                    if self.segments.len() > first
                        && self
                            .segments
                            .last()
                            .is_some_and(|s| s.kind == Kind::AnyDepth)
                    {
                        self.segments.pop();
                    }
                    if token == Token::AnyBelow {
                        // `/.*` at the end: one segment of anything, then
                        // any more.
                        let at = self.offset()?;
                        self.bytes.push(b'*');
                        let to = self.offset()?;
                        self.segments.push(Segment {
                            kind: Kind::Pattern,
                            from: at,
                            to,
                        });
                        below = true;
                    }
                    let at = self.offset()?;
                    self.segments.push(Segment {
                        kind: Kind::AnyDepth,
                        from: at,
                        to: at,
                    });
                    (start, wild, after_slash) = (self.bytes.len(), false, true);
                    continue;
                }
            }
            after_slash = false;
        }
        if !below {
            self.finish(start, wild)?;
        }
        let from = u32::try_from(first).ok()?;
        let to = u32::try_from(self.segments.len()).ok()?;
        self.alternatives.push((from, to));
        Some(())
    }

    fn finish(&mut self, start: usize, wild: bool) -> Option<()> {
        let kind = if wild { Kind::Pattern } else { Kind::Literal };
        let (from, to) = (u32::try_from(start).ok()?, self.offset()?);
        self.segments.push(Segment { kind, from, to });
        Some(())
    }

    fn offset(&self) -> Option<u32> {
        u32::try_from(self.bytes.len()).ok()
    }
}

/// The glob's alternatives as segment lists, or `None` when the glob is
/// outside the subset compiled here (globset then judges and compiles it).
fn spell_out(glob: &str) -> Option<Spelled> {
    let read = tokens(glob.as_bytes())?;
    let count = read.count();
    if count > MAX_ALTERNATIVES {
        return None;
    }
    let mut spelled = Spelled {
        bytes: Vec::with_capacity(count * glob.len()),
        segments: Vec::with_capacity(count * 8),
        alternatives: Vec::with_capacity(count),
    };
    for n in 0..count {
        // The n-th alternative: a mixed-radix number over the groups, the
        // first group turning fastest (any order would do: a path matches
        // when any alternative does).
        let mut rest = n;
        let chosen = read.pieces.iter().map(|piece| match *piece {
            Piece::Run(from, to) => read.run(from, to),
            Piece::Group(from, to) => {
                let k = to - from;
                let pick = read.alternatives.get(from + rest % k.max(1));
                rest /= k.max(1);
                pick.map_or(&[][..], |&(from, to)| read.run(from, to))
            }
        });
        spelled.push(chosen.flat_map(|tokens| tokens.iter().copied()))?;
    }
    Some(spelled)
}

/// The glob as globset would read it: its tokens in order, cut into pieces
/// that are either a run of tokens outside braces or a brace group, whose
/// alternatives are ranges of tokens too (three allocations in all).
#[derive(Default)]
struct Read {
    tokens: Vec<Token>,
    pieces: Vec<Piece>,
    /// Every group's alternatives, as ranges in `tokens`.
    alternatives: Vec<(usize, usize)>,
}

#[derive(Clone, Copy)]
enum Piece {
    /// Tokens outside braces.
    Run(usize, usize),
    /// A brace group: its alternatives' range in [`Read::alternatives`].
    Group(usize, usize),
}

impl Read {
    /// How many alternatives the brace groups spell out.
    fn count(&self) -> usize {
        self.pieces
            .iter()
            .fold(1usize, |count, piece| match *piece {
                Piece::Group(from, to) => count.saturating_mul(to - from),
                Piece::Run(..) => count,
            })
    }

    fn run(&self, from: usize, to: usize) -> &[Token] {
        self.tokens.get(from..to).unwrap_or(&[])
    }
}

/// Reads the glob as globset would, for the subset compiled here; `None`
/// for anything else.
fn tokens(glob: &[u8]) -> Option<Read> {
    let mut read = Read {
        tokens: Vec::with_capacity(glob.len()),
        ..Read::default()
    };
    // Where the current run of tokens outside braces began, and, inside a
    // brace group, where its alternatives and the current one began.
    let mut run = 0;
    let mut group: Option<(usize, usize)> = None;
    let mut i = 0;
    while let Some(&byte) = glob.get(i) {
        let token = match byte {
            // Classes, single-character wildcards and escapes: globset's.
            b'[' | b']' | b'?' | b'\\' => return None,
            b'{' => {
                if group.is_some() {
                    return None; // nested alternatives
                }
                if run < read.tokens.len() {
                    read.pieces.push(Piece::Run(run, read.tokens.len()));
                }
                group = Some((read.alternatives.len(), read.tokens.len()));
                i += 1;
                continue;
            }
            b'}' | b',' if group.is_some() => {
                let (first, start) = group?;
                // globset drops empty alternatives (`{,a}` is `a`).
                if start == read.tokens.len() {
                    return None;
                }
                read.alternatives.push((start, read.tokens.len()));
                if byte == b'}' {
                    read.pieces
                        .push(Piece::Group(first, read.alternatives.len()));
                    group = None;
                    run = read.tokens.len();
                } else {
                    group = Some((first, read.tokens.len()));
                }
                i += 1;
                continue;
            }
            b'}' => return None, // unopened: globset reports it
            b'*' => {
                let run = glob.get(i..)?.iter().take_while(|&&b| b == b'*').count();
                match run {
                    1 => Token::Star,
                    // `**` is recursive only as a whole segment; inside
                    // braces globset reads `**` by rules of its own.
                    2 if group.is_none() && i > 0 && glob.get(i - 1) == Some(&b'/') => {
                        match glob.get(i + 2) {
                            None => Token::AnyBelow,
                            Some(b'/') => {
                                i += 1; // the `/` after is part of the token
                                Token::AnyDepth
                            }
                            Some(_) => return None,
                        }
                    }
                    _ => return None,
                }
            }
            _ => Token::Byte(byte),
        };
        i += match token {
            Token::AnyDepth | Token::AnyBelow => 2,
            _ => 1,
        };
        read.tokens.push(token);
    }
    if group.is_some() {
        return None; // unclosed: globset reports it
    }
    if run < read.tokens.len() {
        read.pieces.push(Piece::Run(run, read.tokens.len()));
    }
    Some(read)
}

/// Whether `text` matches `pattern`, in which the elements `is_star` picks
/// match any run of text elements and every other element matches exactly
/// one, as `matches` says. Backtracks only to the last star, which is
/// enough under that condition: at most `pattern x text` steps, however the
/// text is crafted. Used on bytes within a segment (`*`) and on segments
/// within a path (`/**/`).
fn star_match<P, T>(
    pattern: &[P],
    text: &[T],
    is_star: impl Fn(&P) -> bool,
    matches: impl Fn(&P, &T) -> bool,
) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while let Some(element) = text.get(t) {
        match pattern.get(p) {
            Some(wild) if is_star(wild) => {
                star = Some((p, t));
                p += 1;
            }
            Some(one) if matches(one, element) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(is_star))
}

fn one_matches(bytes: &[u8], segment: &Segment, text: &[u8]) -> bool {
    let pattern = bytes
        .get(segment.from as usize..segment.to as usize)
        .unwrap_or(&[]);
    match segment.kind {
        Kind::Literal => pattern == text,
        Kind::Pattern => star_match(pattern, text, |&b| b == b'*', |a, b| a == b),
        Kind::AnyDepth => false,
    }
}

fn sequence_matches(bytes: &[u8], pattern: &[Segment], path: &[&[u8]]) -> bool {
    star_match(
        pattern,
        path,
        |segment| segment.kind == Kind::AnyDepth,
        |segment, text| one_matches(bytes, segment, text),
    )
}

/// Splits a path on every `/` into `buffer`, or into a new vector when it
/// has more segments than the buffer holds.
pub(crate) fn split_path<'p, 'b>(
    path: &'p str,
    buffer: &'b mut [&'p [u8]; 32],
    spill: &'b mut Vec<&'p [u8]>,
) -> &'b [&'p [u8]] {
    let mut n = 0;
    for segment in path.as_bytes().split(|&b| b == b'/') {
        match buffer.get_mut(n) {
            Some(slot) => *slot = segment,
            None => {
                spill.clear();
                spill.extend(path.as_bytes().split(|&b| b == b'/'));
                return spill;
            }
        }
        n += 1;
    }
    buffer.get(..n).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    //! Unwraps here are test failures, not request paths.
    use super::*;
    use proptest::prelude::*;

    fn matches(glob: &str, path: &str) -> bool {
        let compiled = PathGlob::new(glob).unwrap();
        let (mut buffer, mut spill) = ([&[][..]; 32], Vec::new());
        compiled.is_match(path, split_path(path, &mut buffer, &mut spill))
    }

    fn globset(glob: &str) -> Option<GlobMatcher> {
        GlobBuilder::new(glob)
            .literal_separator(true)
            .build()
            .ok()
            .map(|g| g.compile_matcher())
    }

    #[test]
    fn the_bundled_globs_are_compiled_without_globset() {
        let policy = crate::Policy::camunda7();
        let builtin = crate::policy::BuiltinRoutes::Camunda7.routes();
        assert!(builtin.len() > 40);
        for route in policy.routes.iter().chain(builtin) {
            assert!(
                PathGlob::new(&route.path).unwrap().is_fast(),
                "{}",
                route.path
            );
        }
    }

    #[test]
    fn engine_paths_match_as_written() {
        let glob =
            "/{engine-rest,engine-rest/engine/*,api/engine/engine/*,*/api/engine/engine/*}/task";
        for path in [
            "/engine-rest/task",
            "/engine-rest/engine/default/task",
            "/api/engine/engine/default/task",
            "/camunda/api/engine/engine/default/task",
        ] {
            assert!(matches(glob, path), "{path}");
        }
        for path in [
            "/engine-rest/task/",
            "/engine-rest/tasks",
            "/engine-rest/engine/task",
            "/engine-rest/engine/a/b/task",
            "/x/y/api/engine/engine/default/task",
            "engine-rest/task",
        ] {
            assert!(!matches(glob, path), "{path}");
        }
    }

    #[test]
    fn recursive_segments_read_as_globset_reads_them() {
        // `/**/` is zero or more segments; a final `/**` one or more (an
        // empty one counts: `/a/` is under `/a/**`, `/a` is not).
        assert!(matches("/a/**/b", "/a/b"));
        assert!(matches("/a/**/b", "/a/x/y/b"));
        assert!(matches("/a/**/b", "/a//b"));
        assert!(!matches("/a/**/b", "/ab"));
        assert!(matches("/a/**", "/a/"));
        assert!(matches("/a/**", "/a/x/y"));
        assert!(!matches("/a/**", "/a"));
        assert!(matches("/a/**/**", "/a/x"));
        assert!(!matches("/a/**/**", "/a"));
        assert!(matches("/**", "/"));
        assert!(matches("/x*y/*", "/xay/z"));
        assert!(!matches("/x*y/*", "/xa/y/z"));
    }

    #[test]
    fn other_globs_go_to_globset_and_keep_its_errors() {
        for glob in [
            "/a/[bc]",
            "/a?",
            "/a/\\*",
            "/{a,{b,c}}",
            "/{,a}",
            "/a**",
            "/{a/**,b}",
        ] {
            assert!(!PathGlob::new(glob).unwrap().is_fast(), "{glob}");
        }
        assert!(matches("/a/[bc]", "/a/c"));
        assert!(!matches("/a/[bc]", "/a/d"));
        assert!(
            PathGlob::new("/{a,b")
                .unwrap_err()
                .contains("is not a glob")
        );
        assert!(
            PathGlob::new("a/b")
                .unwrap_err()
                .contains("must start with `/`")
        );
        let many = "/{a,b,c,d}/{a,b,c,d}/{a,b,c,d}/{a,b}";
        assert!(!PathGlob::new(many).unwrap().is_fast());
        assert!(
            PathGlob::new("/{a,b,c,d}/{a,b,c,d}/{a,b,c,d}")
                .unwrap()
                .is_fast()
        );
    }

    #[test]
    fn long_paths_spill_and_still_match() {
        let path = format!("/a{}/b", "/x".repeat(40));
        assert!(matches("/a/**/b", &path));
        assert!(!matches("/a/*/b", &path));
    }

    #[test]
    fn hostile_paths_stay_cheap() {
        // Many stars against a long segment that almost matches.
        let glob = "/*a*a*a*a*a*a*a*a*b";
        let path = format!("/{}", "a".repeat(8000));
        assert!(!matches(glob, &path));
        let path = format!("/{}", "a/".repeat(4000));
        assert!(!matches("/**/a/**/a/**/b", &path));
    }

    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "/", "a", "b", "ab", "*", "**", "/**", "/**/", "{", "}", ",", "{a,b}", "{a/*,b}",
            "{*,ab}", "-",
        ])
    }

    fn path_piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec!["/", "a", "b", "ab", "-", "//", "ba", "*"])
    }

    /// A path the glob is likely to match: each `*` replaced by a short run,
    /// each `**` by a few segments, each brace group by one alternative,
    /// chosen by `choices`.
    fn instance(glob: &str, choices: &[u8]) -> String {
        let mut choices = choices.iter().copied().cycle();
        let mut pick = |n: usize| usize::from(choices.next().unwrap_or(0)) % n;
        let mut out = String::new();
        let mut rest = glob;
        while let Some(c) = rest.chars().next() {
            if let Some(after) = rest.strip_prefix("**") {
                out.push_str(["", "x", "x/y", "/"][pick(4)]);
                rest = after;
            } else if let Some(after) = rest.strip_prefix('*') {
                out.push_str(["", "a", "ab", "b/a"][pick(4)]);
                rest = after;
            } else if let (Some(after), Some(end)) = (rest.strip_prefix('{'), rest.find('}')) {
                let group: Vec<&str> = rest[1..end].split(',').collect();
                out.push_str(group[pick(group.len())]);
                rest = &after[end..];
            } else {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Whatever the fast form accepts, it reads as globset does.
        #[test]
        fn the_fast_form_agrees_with_globset(
            glob in prop::collection::vec(piece(), 0..8),
            paths in prop::collection::vec(prop::collection::vec(path_piece(), 0..8), 1..12),
        ) {
            let glob = format!("/{}", glob.concat());
            // What the loader checks is what the table compiles.
            prop_assert_eq!(PathGlob::check(&glob).is_ok(), PathGlob::new(&glob).is_ok());
            let Ok(compiled) = PathGlob::new(&glob) else {
                prop_assert!(globset(&glob).is_none(), "globset accepts {glob}");
                return Ok(());
            };
            let reference = globset(&glob);
            prop_assert!(reference.is_some(), "globset refuses {glob}");
            let reference = reference.unwrap();
            let likely = paths.iter().enumerate().map(|(i, path)| {
                let choices: Vec<u8> = path.iter().map(|p| p.len() as u8 + i as u8).collect();
                instance(&glob, &choices)
            });
            let random = paths.iter().map(|path| format!("/{}", path.concat()));
            for path in likely.collect::<Vec<_>>().into_iter().chain(random) {
                let (mut buffer, mut spill) = ([&[][..]; 32], Vec::new());
                let ours = compiled.is_match(&path, split_path(&path, &mut buffer, &mut spill));
                prop_assert_eq!(ours, reference.is_match(&path), "{} on {}", glob, path);
            }
        }
    }
}
