//! The binary frame format of TMC, Taobao's message channel, and its codec.
//!
//! TMC runs over a WebSocket (`ws://mc.api.taobao.com/`) whose every binary
//! frame is one message of the "top-link" protocol, version 2. The platform
//! publishes no specification of it; this codec follows the SDK sources that
//! implement it, read at these commits:
//!
//! - `wsky/top-link` (the Java library the official TOP SDK embeds as
//!   `com.taobao.top.link`), commit `0fb07cbadf80df10155c6c5041e4d003de27fa40`:
//!   `java/src/main/java/com/taobao/top/link/endpoint/protocol/MessageEncoder02.java`
//!   and `MessageDecoder02.java` (the layout), `MessageType.java` at
//!   `55b045eb7eef86bb5c6fabd7504e6b8b8247d91c` (the codes), and
//!   `EndpointChannelHandler.java` at `0304560397fb41750b8bd23d61d0fe4434e2eadb`
//!   (what a connect ack means);
//! - `TheNorthMemory/tmc.js`, `lib/message.js` at
//!   `1826f49c21189bbbed07d3d6b0be59ad0459308a` (encoder and decoder),
//!   `lib/header-type.js`, `lib/message-type.js`, `lib/value-format.js`,
//!   `lib/message-kind.js` at `729dd58a7b6b8b9e07654e97bffb16933e58c0bf`;
//! - `zsea/node-top` `tmc/tmcCodec.js` at
//!   `4cf0a1d351624c899f73b634f01caf91c9c372ad` (a copy of the official
//!   Node.js SDK's codec) and `period331/taobao-tmc-python`
//!   `taobaotmcpy/messageio.py` at `713032617fbe462f61dfb969e76a92c38632447a`,
//!   which agree with the two above.
//!
//! Layout, all integers little-endian:
//!
//! ```text
//! u8   protocol version (2)
//! u8   message type: 0 CONNECT, 1 CONNECTACK, 2 SEND, 3 SENDACK
//! then headers, each a u16 header type followed by its value:
//!   2 status code    i32                       (written only when > 0)
//!   3 status phrase  counted string            (written only when not empty)
//!   4 flag           i32                       (written only when > 0)
//!   5 token          counted string            (written only when not empty)
//!   1 custom         counted string name, u8 value format, value
//!   0 end of headers (no value; ends the frame)
//! counted string = i32 byte length, then that many UTF-8 bytes; a length of 0
//! or less reads as an empty value and is followed by no bytes.
//! value formats: 0 void (no bytes), 1 counted string, 2 byte (1 byte),
//!   3 int16, 4 int32, 5 int64, 6 date (int64 ms since the epoch),
//!   7 byte array (i32 length + bytes).
//! ```
//!
//! Decoding reads only within the frame: every length is checked against what
//! remains before anything is read or allocated, so truncated frames and
//! absurd length prefixes are errors, never panics. Where the sources
//! disagree or stay silent, the choices are the Java decoder's and are noted
//! where made.

use orderhub_adapter_kit::KitError;

/// The protocol version this codec speaks (top-link "02").
pub const PROTOCOL_VERSION: u8 = 2;

/// Header types (`MessageType.HeaderType`).
mod header {
    pub const END_OF_HEADERS: u16 = 0;
    pub const CUSTOM: u16 = 1;
    pub const STATUS_CODE: u16 = 2;
    pub const STATUS_PHRASE: u16 = 3;
    pub const FLAG: u16 = 4;
    pub const TOKEN: u16 = 5;
}

/// Value formats of custom headers (`MessageType.ValueFormat`).
mod format {
    pub const VOID: u8 = 0;
    pub const COUNTED_STRING: u8 = 1;
    pub const BYTE: u8 = 2;
    pub const INT16: u8 = 3;
    pub const INT32: u8 = 4;
    pub const INT64: u8 = 5;
    pub const DATE: u8 = 6;
    pub const BYTE_ARRAY: u8 = 7;
}

/// The `__kind` values of TMC `SEND` messages
/// (`com.taobao.api.internal.tmc.MessageKind`, sent as a byte).
pub mod kind {
    /// The name of the custom header carrying the kind.
    pub const FIELD: &str = "__kind";
    /// Asks the server to push the messages waiting for the group.
    pub const PULL_REQUEST: u8 = 1;
    /// Confirms one delivered message by its `id`.
    pub const CONFIRM: u8 = 2;
    /// A data message (topic, content, …).
    pub const DATA: u8 = 3;
}

/// The four message types of the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageType {
    /// Client → server: the signed login.
    Connect,
    /// Server → client: the login's answer, with the session token.
    ConnectAck,
    /// Either way: a message (data, pull request, confirm).
    Send,
    /// The reply to a `SEND` that asked for one.
    SendAck,
}

impl MessageType {
    fn code(self) -> u8 {
        match self {
            MessageType::Connect => 0,
            MessageType::ConnectAck => 1,
            MessageType::Send => 2,
            MessageType::SendAck => 3,
        }
    }

    fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(MessageType::Connect),
            1 => Some(MessageType::ConnectAck),
            2 => Some(MessageType::Send),
            3 => Some(MessageType::SendAck),
            _ => None,
        }
    }
}

/// The value of a custom header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Format 0: no value (Java's `null`).
    Void,
    /// Format 1: UTF-8 text; empty when the length is 0.
    Text(String),
    /// Format 2: one byte.
    Byte(u8),
    /// Format 3.
    Int16(i16),
    /// Format 4.
    Int32(i32),
    /// Format 5.
    Int64(i64),
    /// Format 6: milliseconds since the Unix epoch.
    Date(i64),
    /// Format 7: raw bytes (TMC uses it for gzip-compressed content).
    Bytes(Vec<u8>),
    /// A format beyond 7. The Java decoder reads any unknown format as a
    /// counted string, so this codec reads the same layout and keeps the
    /// bytes rather than refusing the frame.
    Other { format: u8, bytes: Vec<u8> },
}

impl Value {
    /// The value as an integer, for the integer formats.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Byte(v) => Some(i64::from(v)),
            Value::Int16(v) => Some(i64::from(v)),
            Value::Int32(v) => Some(i64::from(v)),
            Value::Int64(v) => Some(v),
            _ => None,
        }
    }
}

/// One decoded (or to-be-encoded) frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub message_type: MessageType,
    /// Non-zero on an error reply (written only when > 0).
    pub status_code: i32,
    /// The error text of an error reply (written only when not empty).
    pub status_phrase: String,
    /// The sender's correlation number (written only when > 0).
    pub flag: i32,
    /// The session token the connect ack hands out (written only when not empty).
    pub token: String,
    /// The custom headers, in frame order.
    pub content: Vec<(String, Value)>,
}

impl Frame {
    /// A frame of `message_type` with no headers.
    pub fn new(message_type: MessageType) -> Self {
        Frame {
            message_type,
            status_code: 0,
            status_phrase: String::new(),
            flag: 0,
            token: String::new(),
            content: Vec::new(),
        }
    }

    /// Adds a custom header.
    pub fn with(mut self, name: &str, value: Value) -> Self {
        self.content.push((name.to_string(), value));
        self
    }

    /// A custom header's value. A name given twice reads as its last value,
    /// as the Java decoder's map does.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.content
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// True when the frame reports an error the way top-link tests for one
    /// (`EndpointChannelHandler.isError`: a code above 0 or a phrase).
    pub fn is_error(&self) -> bool {
        self.status_code > 0 || !self.status_phrase.is_empty()
    }
}

/// The `CONNECT` frame: the signed login of `app_key` to `group_name`.
/// Custom headers in the order the Node.js clients write them; the server
/// reads them into a map, so the order carries no meaning.
pub fn connect(app_key: &str, group_name: &str, timestamp: &str, sign: &str, sdk: &str) -> Frame {
    let text = |v: &str| Value::Text(v.to_string());
    Frame::new(MessageType::Connect)
        .with("app_key", text(app_key))
        .with("group_name", text(group_name))
        .with("timestamp", text(timestamp))
        .with("sign", text(sign))
        .with("sdk", text(sdk))
}

/// A pull request: asks the server to push what waits for the group.
pub fn pull_request(token: &str) -> Frame {
    let mut frame =
        Frame::new(MessageType::Send).with(kind::FIELD, Value::Byte(kind::PULL_REQUEST));
    frame.token = token.to_string();
    frame
}

/// The confirmation of one message: its `id` sent back with the value
/// format it arrived in (an int64 from TMC), as the Java SDK does.
pub fn confirm(token: &str, id: Value) -> Frame {
    let mut frame = Frame::new(MessageType::Send)
        .with(kind::FIELD, Value::Byte(kind::CONFIRM))
        .with("id", id);
    frame.token = token.to_string();
    frame
}

/// Encodes a frame (`MessageEncoder02.writeMessage`).
pub fn encode(frame: &Frame) -> Result<Vec<u8>, KitError> {
    let mut out = vec![PROTOCOL_VERSION, frame.message_type.code()];
    if frame.status_code > 0 {
        out.extend_from_slice(&header::STATUS_CODE.to_le_bytes());
        out.extend_from_slice(&frame.status_code.to_le_bytes());
    }
    if !frame.status_phrase.is_empty() {
        out.extend_from_slice(&header::STATUS_PHRASE.to_le_bytes());
        counted(&mut out, frame.status_phrase.as_bytes(), "status phrase")?;
    }
    if frame.flag > 0 {
        out.extend_from_slice(&header::FLAG.to_le_bytes());
        out.extend_from_slice(&frame.flag.to_le_bytes());
    }
    if !frame.token.is_empty() {
        out.extend_from_slice(&header::TOKEN.to_le_bytes());
        counted(&mut out, frame.token.as_bytes(), "token")?;
    }
    for (name, value) in &frame.content {
        out.extend_from_slice(&header::CUSTOM.to_le_bytes());
        counted(&mut out, name.as_bytes(), name)?;
        match value {
            Value::Void => out.push(format::VOID),
            Value::Text(text) => {
                out.push(format::COUNTED_STRING);
                counted(&mut out, text.as_bytes(), name)?;
            }
            Value::Byte(v) => out.extend_from_slice(&[format::BYTE, *v]),
            Value::Int16(v) => {
                out.push(format::INT16);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Value::Int32(v) => {
                out.push(format::INT32);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Value::Int64(v) => {
                out.push(format::INT64);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Value::Date(v) => {
                out.push(format::DATE);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Value::Bytes(bytes) => {
                out.push(format::BYTE_ARRAY);
                counted(&mut out, bytes, name)?;
            }
            Value::Other { format, bytes } => {
                out.push(*format);
                counted(&mut out, bytes, name)?;
            }
        }
    }
    out.extend_from_slice(&header::END_OF_HEADERS.to_le_bytes());
    Ok(out)
}

/// Appends an i32 length and the bytes.
fn counted(out: &mut Vec<u8>, bytes: &[u8], what: &str) -> Result<(), KitError> {
    let len = i32::try_from(bytes.len()).map_err(|_| {
        KitError::invalid(
            what,
            "longer than a TMC counted string can be (2^31 - 1 bytes)",
        )
    })?;
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(bytes);
    Ok(())
}

/// Decodes one frame (`MessageDecoder02.readMessage`). Bytes after the end
/// of the headers are ignored, as the Java decoder ignores them.
pub fn decode(bytes: &[u8]) -> Result<Frame, KitError> {
    let mut r = Reader { bytes, at: 0 };
    let version = r.u8("the protocol version")?;
    if version != PROTOCOL_VERSION {
        return Err(KitError::MalformedPayload(format!(
            "TMC frame: protocol version {version} is not 2, the only version this adapter speaks"
        )));
    }
    let type_code = r.u8("the message type")?;
    let message_type = MessageType::from_code(type_code).ok_or_else(|| {
        KitError::MalformedPayload(format!(
            "TMC frame: message type {type_code} is not one of 0 CONNECT, 1 CONNECTACK, 2 SEND, 3 SENDACK"
        ))
    })?;
    let mut frame = Frame::new(message_type);
    loop {
        let at = r.at;
        match r.u16("a header type")? {
            header::END_OF_HEADERS => return Ok(frame),
            header::CUSTOM => {
                let name = r.text("a custom header name")?;
                let value = r.value(&name)?;
                frame.content.push((name, value));
            }
            header::STATUS_CODE => frame.status_code = r.i32("the status code")?,
            header::STATUS_PHRASE => frame.status_phrase = r.text("the status phrase")?,
            header::FLAG => frame.flag = r.i32("the flag")?,
            header::TOKEN => frame.token = r.text("the token")?,
            // The Java decoder skips an unknown header type without reading a
            // value, which misreads everything after it; refusing is safer.
            other => {
                return Err(KitError::MalformedPayload(format!(
                    "TMC frame: header type {other} at byte {at} is not one of 0-5"
                )));
            }
        }
    }
}

/// A bounds-checked cursor over one frame.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], KitError> {
        let slice = self
            .at
            .checked_add(n)
            .and_then(|end| self.bytes.get(self.at..end))
            .ok_or_else(|| {
                KitError::MalformedPayload(format!(
                    "TMC frame: {what} at byte {} needs {n} bytes, only {} remain",
                    self.at,
                    self.bytes.len().saturating_sub(self.at)
                ))
            })?;
        self.at += n;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], KitError> {
        let slice = self.take(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    fn u8(&mut self, what: &str) -> Result<u8, KitError> {
        Ok(self.array::<1>(what)?[0])
    }

    fn u16(&mut self, what: &str) -> Result<u16, KitError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    fn i32(&mut self, what: &str) -> Result<i32, KitError> {
        Ok(i32::from_le_bytes(self.array(what)?))
    }

    fn i64(&mut self, what: &str) -> Result<i64, KitError> {
        Ok(i64::from_le_bytes(self.array(what)?))
    }

    /// A counted byte string. A length of 0 or less reads as empty with no
    /// bytes after it (the Java decoder's `size > 0` test).
    fn counted(&mut self, what: &str) -> Result<&'a [u8], KitError> {
        let len = self.i32(what)?;
        match usize::try_from(len) {
            Ok(len) if len > 0 => self.take(len, what),
            _ => Ok(&[]),
        }
    }

    fn text(&mut self, what: &str) -> Result<String, KitError> {
        let at = self.at;
        let bytes = self.counted(what)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| {
            KitError::MalformedPayload(format!("TMC frame: {what} at byte {at} is not UTF-8"))
        })
    }

    fn value(&mut self, name: &str) -> Result<Value, KitError> {
        let what = format!("the value of {name:?}");
        Ok(match self.u8(&what)? {
            format::VOID => Value::Void,
            format::COUNTED_STRING => Value::Text(self.text(&what)?),
            format::BYTE => Value::Byte(self.u8(&what)?),
            format::INT16 => Value::Int16(i16::from_le_bytes(self.array(&what)?)),
            format::INT32 => Value::Int32(self.i32(&what)?),
            format::INT64 => Value::Int64(self.i64(&what)?),
            format::DATE => Value::Date(self.i64(&what)?),
            format::BYTE_ARRAY => Value::Bytes(self.counted(&what)?.to_vec()),
            other => Value::Other {
                format: other,
                bytes: self.counted(&what)?.to_vec(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(text: &str) -> Vec<u8> {
        let digits: Vec<u8> = text
            .bytes()
            .filter(u8::is_ascii_hexdigit)
            .map(|b| match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                _ => b - b'A' + 10,
            })
            .collect();
        digits.chunks(2).map(|p| p[0] << 4 | p[1]).collect()
    }

    /// The connect frame for app key `12345678`, group `default`, timestamp
    /// `1711929600000`, sign `01F1859BA6CAD9D9E87B805F8D68502A`, sdk
    /// `orderhub-taobao`, written out byte by byte from the encoder's rules
    /// (version, type, then per custom header: `01 00`, i32 name length,
    /// name, format `01`, i32 value length, value; then `00 00`).
    const CONNECT_HEX: &str = "
        02 00
        01 00  07 00 00 00  61 70 70 5f 6b 65 79  01  08 00 00 00  31 32 33 34 35 36 37 38
        01 00  0a 00 00 00  67 72 6f 75 70 5f 6e 61 6d 65  01  07 00 00 00  64 65 66 61 75 6c 74
        01 00  09 00 00 00  74 69 6d 65 73 74 61 6d 70  01  0d 00 00 00
               31 37 31 31 39 32 39 36 30 30 30 30 30
        01 00  04 00 00 00  73 69 67 6e  01  20 00 00 00
               30 31 46 31 38 35 39 42 41 36 43 41 44 39 44 39
               45 38 37 42 38 30 35 46 38 44 36 38 35 30 32 41
        01 00  03 00 00 00  73 64 6b  01  0f 00 00 00
               6f 72 64 65 72 68 75 62 2d 74 61 6f 62 61 6f
        00 00";

    #[test]
    fn connect_frame_is_byte_exact() {
        let frame = connect(
            "12345678",
            "default",
            "1711929600000",
            "01F1859BA6CAD9D9E87B805F8D68502A",
            "orderhub-taobao",
        );
        let bytes = encode(&frame).unwrap();
        assert_eq!(bytes, hex(CONNECT_HEX));
        assert_eq!(bytes.len(), 167);
        assert_eq!(decode(&bytes).unwrap(), frame);
    }

    #[test]
    fn confirm_and_pull_frames_are_byte_exact() {
        let confirm = encode(&confirm("tok", Value::Int64(1001))).unwrap();
        assert_eq!(
            confirm,
            hex("02 02  05 00 03 00 00 00 74 6f 6b
                 01 00 06 00 00 00 5f 5f 6b 69 6e 64 02 02
                 01 00 02 00 00 00 69 64 05 e9 03 00 00 00 00 00 00
                 00 00")
        );
        let pull = encode(&pull_request("tok")).unwrap();
        assert_eq!(
            pull,
            hex("02 02  05 00 03 00 00 00 74 6f 6b
                 01 00 06 00 00 00 5f 5f 6b 69 6e 64 02 01
                 00 00")
        );
    }

    #[test]
    fn every_header_and_value_format_round_trips() {
        let mut frame = Frame::new(MessageType::SendAck)
            .with("void", Value::Void)
            .with("text", Value::Text("淘宝".into()))
            .with("empty", Value::Text(String::new()))
            .with("byte", Value::Byte(200))
            .with("i16", Value::Int16(-2))
            .with("i32", Value::Int32(i32::MIN))
            .with("i64", Value::Int64(4_011_876_543_210_987_654))
            .with("date", Value::Date(1_711_929_570_000))
            .with("bytes", Value::Bytes(vec![0x1f, 0x8b, 0]))
            .with(
                "odd",
                Value::Other {
                    format: 9,
                    bytes: b"x".to_vec(),
                },
            );
        frame.status_code = 500;
        frame.status_phrase = "busy".into();
        frame.flag = 7;
        frame.token = "t".into();
        let bytes = encode(&frame).unwrap();
        assert_eq!(decode(&bytes), Ok(frame.clone()));
        // Trailing bytes after the end of headers are ignored.
        let mut longer = bytes.clone();
        longer.extend_from_slice(b"junk");
        assert_eq!(decode(&longer), Ok(frame));
    }

    #[test]
    fn zero_and_negative_lengths_read_as_empty() {
        // A token header whose length is -1: empty, no bytes consumed.
        let bytes = hex("02 01 05 00 ff ff ff ff 00 00");
        let frame = decode(&bytes).unwrap();
        assert_eq!(frame.message_type, MessageType::ConnectAck);
        assert_eq!(frame.token, "");
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let frame = confirm("token", Value::Int64(1)).with("content", Value::Text("{}".into()));
        let bytes = encode(&frame).unwrap();
        for len in 0..bytes.len() {
            let cut = bytes.get(..len).unwrap();
            assert!(
                matches!(decode(cut), Err(KitError::MalformedPayload(_))),
                "a frame cut to {len} bytes must be refused"
            );
        }
    }

    #[test]
    fn huge_length_prefixes_are_refused_without_allocating() {
        // A custom header name claiming 2^31 - 1 bytes.
        let err = decode(&hex("02 02 01 00 ff ff ff 7f 61")).unwrap_err();
        assert_eq!(
            err,
            KitError::MalformedPayload(
                "TMC frame: a custom header name at byte 8 needs 2147483647 bytes, only 1 remain"
                    .into()
            )
        );
        // A byte-array value claiming 2^31 - 1 bytes.
        let err = decode(&hex("02 02 01 00 01 00 00 00 63 07 ff ff ff 7f")).unwrap_err();
        assert!(matches!(err, KitError::MalformedPayload(m) if m.contains("\"c\"")));
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        assert!(
            matches!(decode(&[1, 2, 0, 0]), Err(KitError::MalformedPayload(m)) if m.contains("protocol version 1"))
        );
        assert!(
            matches!(decode(&[2, 9, 0, 0]), Err(KitError::MalformedPayload(m)) if m.contains("message type 9"))
        );
        assert!(
            matches!(decode(&[2, 2, 6, 0]), Err(KitError::MalformedPayload(m)) if m.contains("header type 6 at byte 2"))
        );
        assert!(
            matches!(decode(&hex("02 02 05 00 01 00 00 00 ff 00 00")), Err(KitError::MalformedPayload(m)) if m.contains("not UTF-8"))
        );
        // Every two-byte and a sample of three-byte inputs: errors or frames, never panics.
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                let _ = decode(&[a, b]);
                let _ = decode(&[2, a, b]);
            }
        }
    }
}
