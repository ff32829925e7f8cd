//! Bodies in other encodings, and input shortened for failure messages.

/// `text` in UTF-16, little- or big-endian, with or without a byte order
/// mark.
pub fn utf16(text: &str, little_endian: bool, bom: bool) -> Vec<u8> {
    let bom = bom.then_some(0xFEFF);
    bom.into_iter()
        .chain(text.encode_utf16())
        .flat_map(|unit| {
            if little_endian {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            }
        })
        .collect()
}

/// `text` in UTF-32, little- or big-endian, with or without a byte order
/// mark.
pub fn utf32(text: &str, little_endian: bool, bom: bool) -> Vec<u8> {
    let bom = bom.then_some('\u{FEFF}');
    bom.into_iter()
        .chain(text.chars())
        .flat_map(|c| {
            if little_endian {
                u32::from(c).to_le_bytes()
            } else {
                u32::from(c).to_be_bytes()
            }
        })
        .collect()
}

/// At most the first `max` bytes of `bytes`, as a quoted string (invalid
/// UTF-8 replaced), with `...` when cut.
pub fn shorten(bytes: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(max)]);
    format!("{text:?}{}", if bytes.len() > max { "..." } else { "" })
}
