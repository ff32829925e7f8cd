//! What JSON means to a Java engine: typed variables, polymorphic type ids
//! and Jackson wrapper arrays, found wherever they are.
//!
//! A typed variable (`{"value": ..., "type": "Object", "valueInfo": {...}}`)
//! can sit under any key at any depth, with its members in any order, so
//! each object gathers what it learns about itself while it is read and is
//! judged when it closes. Class names are checked the moment they are read:
//! `objectTypeName` under any key (shape or not) and every configured
//! type-id key.

use std::borrow::Cow;

use super::JsonInspector;
use super::scan::{Event, Fault, Visitor};
use super::strings::Str;
use crate::classes::TypeDecision;
use crate::violation::{Code, Violation};

/// What a member's key means here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Type,
    Value,
    ValueInfo,
    ObjectTypeName,
    SerializationDataFormat,
    /// A polymorphic type id; `true` for .NET-style keys (`$type`).
    TypeId(bool),
    /// A task-query expression parameter, where expressions are forbidden.
    Expression,
    Other,
}

/// What an object's `value` member held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot<'a> {
    Absent,
    Null,
    Str(Str<'a>),
    /// A number, boolean, object or array, at this offset.
    Other(usize),
}

/// `objectTypeName` and `serializationDataFormat` seen in one object.
#[derive(Debug, Clone, Copy, Default)]
struct Info<'a> {
    object_type_name: Option<Str<'a>>,
    format: Option<Str<'a>>,
}

#[derive(Debug)]
struct Frame<'a> {
    object: bool,
    /// The key of the member being read (objects).
    key: Key,
    at: usize,
    type_name: Option<Str<'a>>,
    value: Slot<'a>,
    value_info: Option<Info<'a>>,
    /// This object's own `objectTypeName`/`serializationDataFormat`, for
    /// when it is a `valueInfo`.
    info: Info<'a>,
    /// Arrays: how many elements, and the first if it is a string.
    len: usize,
    first: Option<Str<'a>>,
}

impl<'a> Frame<'a> {
    fn new(object: bool, at: usize) -> Self {
        Frame {
            object,
            key: Key::Other,
            at,
            type_name: None,
            value: Slot::Absent,
            value_info: None,
            info: Info::default(),
            len: 0,
            first: None,
        }
    }
}

pub(crate) struct Typed<'a, 'i> {
    inspector: &'i JsonInspector<'i>,
    frames: Vec<Frame<'a>>,
    /// How deep inside carried documents this one sits (0: the body).
    embedded: usize,
    /// The last Java type name that passed: bodies repeat the same
    /// `objectTypeName` for many variables, and a repeat needs no parse.
    last_allowed: Option<&'a str>,
    /// Reused for unescaping carried documents.
    scratch: String,
}

const JAVA_SERIALIZED: &str = "application/x-java-serialized-object";

#[cold]
fn fault(code: Code, at: usize, message: impl Into<Cow<'static, str>>, tail: &str) -> Box<Fault> {
    Box::new(Fault {
        violation: Violation::new(code, "", message).at_offset(at),
        tail: tail.to_owned(),
    })
}

/// Shortens client-supplied text for a message.
fn quoted(text: &str) -> String {
    let mut end = text.len().min(200);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "`{}`{}",
        &text[..end],
        if end < text.len() { "..." } else { "" }
    )
}

impl<'a, 'i> Typed<'a, 'i> {
    pub(crate) fn new(inspector: &'i JsonInspector<'i>, embedded: usize) -> Self {
        Typed {
            inspector,
            frames: Vec::new(),
            embedded,
            last_allowed: None,
            scratch: String::new(),
        }
    }

    fn classify(&self, key: &Str<'a>) -> Key {
        // Escaped keys are rare (and suspicious): decode them, then compare
        // like any other.
        let decoded;
        let text: &str = if key.escaped() {
            decoded = key.text();
            &decoded
        } else {
            key.raw
        };
        match text {
            "type" => return Key::Type,
            "value" => return Key::Value,
            "valueInfo" => return Key::ValueInfo,
            "objectTypeName" => return Key::ObjectTypeName,
            "serializationDataFormat" => return Key::SerializationDataFormat,
            _ => {}
        }
        for id in &self.inspector.policy.type_id_keys {
            if id.len() == text.len() && id == text {
                return Key::TypeId(id.starts_with('$') || id.starts_with("__"));
            }
        }
        if self.inspector.forbid_expressions && crate::inspect::query::is_expression_name(text) {
            return Key::Expression;
        }
        Key::Other
    }

    /// Checks a type name against the class filter.
    fn check_class(&mut self, name: &Str<'a>, dotnet: bool, tail: &str) -> Result<(), Box<Fault>> {
        if !dotnet && !name.escaped() && self.last_allowed == Some(name.raw) {
            return Ok(());
        }
        let text = name.text();
        let filter = self.inspector.classes;
        let decision = if dotnet {
            filter.check_dotnet(&text)
        } else {
            filter.check(&text)
        };
        match decision {
            TypeDecision::Allowed => {
                if !dotnet && !name.escaped() {
                    self.last_allowed = Some(name.raw);
                }
                Ok(())
            }
            TypeDecision::Denied { class, .. } => Err(fault(
                Code::ClassNotAllowed,
                name.at(),
                format!("class {} is not allowed", quoted(class)),
                tail,
            )),
            TypeDecision::Malformed(_) => Err(fault(
                Code::ClassNotAllowed,
                name.at(),
                format!("{} is not a type name", quoted(&text)),
                tail,
            )),
        }
    }

    /// A scalar or string value for the member being read.
    #[inline]
    fn member_value(&mut self, value: Slot<'a>, at: usize) -> Result<(), Box<Fault>> {
        let Some(frame) = self.frames.last_mut() else {
            return Ok(());
        };
        if !frame.object {
            if frame.len == 0 {
                frame.first = match value {
                    Slot::Str(s) => Some(s),
                    _ => None,
                };
            }
            frame.len += 1;
            return Ok(());
        }
        let key = frame.key;
        match (key, value) {
            (Key::Type, Slot::Str(s)) => frame.type_name = Some(s),
            (Key::Value, v) => frame.value = v,
            (Key::ObjectTypeName, Slot::Str(s)) => {
                frame.info.object_type_name = Some(s);
                return self.check_class(&s, false, "");
            }
            (Key::ObjectTypeName, Slot::Null) => {}
            (Key::ObjectTypeName, _) => {
                return Err(fault(
                    Code::TypedVariableInvalid,
                    at,
                    "objectTypeName must be a string",
                    "",
                ));
            }
            (Key::SerializationDataFormat, Slot::Str(s)) => frame.info.format = Some(s),
            (Key::TypeId(dotnet), Slot::Str(s)) => return self.check_class(&s, dotnet, ""),
            (Key::Expression, Slot::Str(_)) => {
                return Err(fault(
                    Code::ExpressionNotAllowed,
                    at,
                    "expressions are not accepted in queries",
                    "",
                ));
            }
            _ => {}
        }
        Ok(())
    }

    /// Judges an object that just closed, if it is a typed variable.
    fn typed_variable(&mut self, frame: &Frame<'a>) -> Result<(), Box<Fault>> {
        let info = frame.value_info.unwrap_or_default();
        if frame.type_name.is_none() && frame.value_info.is_none() {
            return Ok(());
        }
        let type_name = frame.type_name.map(|t| t.text());
        let type_is = |name: &str| {
            type_name
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case(name))
        };
        let serializable = type_is("object") || type_is("json") || type_is("xml");
        let non_null = matches!(frame.value, Slot::Str(_) | Slot::Other(_));
        if serializable && let Slot::Other(at) = frame.value {
            return Err(fault(
                Code::TypedVariableInvalid,
                at,
                "the value of a serialized variable must be a string or null",
                "value",
            ));
        }
        let format = info.format.map(|f| f.text());
        if type_is("object") && non_null {
            if info.object_type_name.is_none() {
                return Err(fault(
                    Code::TypedVariableInvalid,
                    frame.at,
                    "an Object value needs valueInfo.objectTypeName",
                    "valueInfo",
                ));
            }
            if format.is_none() {
                return Err(fault(
                    Code::TypedVariableInvalid,
                    frame.at,
                    "an Object value needs valueInfo.serializationDataFormat",
                    "valueInfo",
                ));
            }
        }
        // The format rules apply to Object variables and to values whose
        // type is left to the engine; other types ignore valueInfo.
        if let Some(format) = format.as_deref().map(str::trim)
            && (type_is("object") || type_name.is_none())
        {
            let at = info.format.map_or(frame.at, |f| f.at());
            if format.eq_ignore_ascii_case(JAVA_SERIALIZED) {
                if !self.inspector.allow_java_serialization {
                    return Err(fault(
                        Code::JavaSerializationNotAllowed,
                        at,
                        "Java serialization is not accepted",
                        "valueInfo/serializationDataFormat",
                    ));
                }
            } else if format.eq_ignore_ascii_case("application/json") {
                return self.embedded(frame.value, Carried::Json);
            } else if format.eq_ignore_ascii_case("application/xml") {
                return self.embedded(frame.value, Carried::Xml);
            } else if type_is("object") {
                return Err(fault(
                    Code::TypedVariableInvalid,
                    at,
                    "unknown serializationDataFormat",
                    "valueInfo/serializationDataFormat",
                ));
            }
        }
        if type_is("json") {
            return self.embedded(frame.value, Carried::Json);
        }
        if type_is("xml") {
            return self.embedded(frame.value, Carried::Xml);
        }
        Ok(())
    }

    /// Inspects a document carried in a string `value`.
    fn embedded(&mut self, value: Slot<'a>, carried: Carried) -> Result<(), Box<Fault>> {
        let Slot::Str(s) = value else {
            return Ok(());
        };
        if self.embedded + 1 > self.inspector.policy.max_embedded_depth {
            return Err(fault(
                Code::JsonTooDeep,
                s.at(),
                "documents carried in strings are nested too deeply",
                "value",
            ));
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        let text: &str = if s.escaped() {
            scratch.clear();
            super::strings::unescape_into(s.raw, &mut scratch);
            &scratch
        } else {
            s.raw
        };
        let result = match carried {
            Carried::Json => self.inspector.inspect_embedded(text, self.embedded + 1),
            Carried::Xml => self.inspector.xml.inspect_str(text),
        };
        self.scratch = scratch;
        result.map_err(|inner| {
            // The inner location continues the outer pointer.
            let inner_location = inner.location().trim_start_matches('/');
            let tail = if inner_location.is_empty() {
                "value".to_owned()
            } else {
                format!("value/{inner_location}")
            };
            Box::new(Fault {
                violation: Violation::new(inner.code(), "", inner.message().to_owned())
                    .at_offset(s.at()),
                tail,
            })
        })
    }

    /// Judges an array that just closed: Jackson's `WRAPPER_ARRAY` form,
    /// `["com.acme.Order", {...}]`, when the policy asks for it.
    fn wrapper_array(&mut self, frame: &Frame<'a>) -> Result<(), Box<Fault>> {
        if !self.inspector.policy.wrapper_arrays || frame.len != 2 {
            return Ok(());
        }
        let Some(first) = frame.first else {
            return Ok(());
        };
        // Only strings shaped like a qualified class name are type ids;
        // `["a", 1]` is data.
        let text = first.text();
        let looks_like_class = text.contains('.')
            && !text.contains([' ', '/', ':', '@'])
            && crate::classes::parse_type_name(&text, |_| {}).is_ok();
        if looks_like_class {
            return self.check_class(&first, false, "0");
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy)]
enum Carried {
    Json,
    Xml,
}

impl<'a> Visitor<'a> for Typed<'a, '_> {
    // Inlined into the scanner, so that the event is taken apart in
    // registers instead of being written to the stack and read back.
    #[inline(always)]
    fn event(&mut self, event: Event<'a>, at: usize) -> Result<(), Box<Fault>> {
        match event {
            Event::BeginObject | Event::BeginArray => {
                // A container as the value of the enclosing member.
                if let Some(parent) = self.frames.last_mut() {
                    if parent.object {
                        match parent.key {
                            Key::Value => parent.value = Slot::Other(at),
                            // A class name is a string; anything else is
                            // no name the guard can check.
                            Key::ObjectTypeName => {
                                return Err(fault(
                                    Code::TypedVariableInvalid,
                                    at,
                                    "objectTypeName must be a string",
                                    "",
                                ));
                            }
                            _ => {}
                        }
                    } else {
                        parent.len += 1;
                    }
                }
                self.frames
                    .push(Frame::new(matches!(event, Event::BeginObject), at));
                Ok(())
            }
            Event::Key(key) => {
                let class = self.classify(&key);
                if let Some(frame) = self.frames.last_mut() {
                    frame.key = class;
                }
                Ok(())
            }
            Event::String(s) => self.member_value(Slot::Str(s), at),
            Event::Null => self.member_value(Slot::Null, at),
            Event::Scalar => self.member_value(Slot::Other(at), at),
            Event::EndObject => {
                let Some(frame) = self.frames.pop() else {
                    return Ok(());
                };
                self.typed_variable(&frame)?;
                if let Some(parent) = self.frames.last_mut()
                    && parent.object
                    && parent.key == Key::ValueInfo
                {
                    parent.value_info = Some(frame.info);
                }
                Ok(())
            }
            Event::EndArray => {
                let Some(frame) = self.frames.pop() else {
                    return Ok(());
                };
                self.wrapper_array(&frame)
            }
        }
    }
}
