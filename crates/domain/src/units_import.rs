//! Import of administrative-unit lists (*danh mục đơn vị hành chính*) and of the bodies
//! under them (*cơ quan, đơn vị trực thuộc*: UBND, Phòng GDĐT, TTHTCĐ, schools…).
//!
//! This module only parses a byte slice; it does no IO. Three unit formats are accepted:
//!
//! - [`UnitsFormat::Clean`]: the project's own list, header `code,name,type,level,parent_code`.
//! - [`UnitsFormat::GsoWard`]: the commune export of the statistics office (GSO, *Tổng cục
//!   Thống kê*). Each row is a commune and also names its district and province; those parent
//!   records are synthesised and deduplicated.
//! - [`UnitsFormat::GsoDistrict`]: the GSO district export; provinces are synthesised.
//!
//! Codes (*mã đơn vị hành chính*) stay strings: province 2 digits, district 3, commune 5,
//! zero-padded. Parsed as integers they would collide across levels (01 / 001 / 00001).
//!
//! Parsing is all-or-nothing: the first error is returned. Its message is in Vietnamese and
//! names the 1-based line of the file, counting the header as line 1.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

/// Một dòng đơn vị hành chính đọc từ tệp.
///
/// An administrative unit read from a file. `level` is the depth in the tree
/// (1 = province *cấp tỉnh*, 2 = district *cấp huyện*, 3 = commune *cấp xã*; in the
/// two-level structure from 1 July 2025, communes are level 2). `line` is the 1-based file
/// line of the row; for a parent synthesised from a GSO export, it is the first row naming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRecord {
    pub code: String,
    pub name: String,
    pub unit_type: String,
    pub level: u8,
    pub parent_code: Option<String>,
    pub line: usize,
}

/// Một cơ quan, đơn vị trực thuộc đọc từ tệp.
///
/// A body under a unit (UBND, Phòng GDĐT, TTHTCĐ, a school…). `code` is a free code such as
/// `27490-TTHTCD`; `parent_code` is the code of an existing unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyRecord {
    pub code: String,
    pub name: String,
    pub unit_type: String,
    pub parent_code: String,
    pub line: usize,
}

/// Định dạng tệp danh mục — the format of an administrative-unit file, told by its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitsFormat {
    /// `code,name,type,level,parent_code`.
    Clean,
    /// GSO commune export: `Mã,Tên,Tên Tiếng Anh,Cấp,Mã QH,Quận Huyện,Mã TP,Tỉnh / Thành Phố`.
    GsoWard,
    /// GSO district export: `Mã,Tên,Tên Tiếng Anh,Cấp,Mã TP,Tỉnh / Thành Phố`.
    GsoDistrict,
}

/// Lỗi nhập danh mục — why a units or bodies file was rejected.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum UnitsImportError {
    /// A row is invalid; `line` is 1-based, the header being line 1.
    #[error("Dòng {line}: {message}")]
    Line { line: usize, message: String },
    /// The file as a whole is unusable: not UTF-8, empty, or with an unknown header.
    #[error("Tệp không đúng định dạng: {0}")]
    Format(String),
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

const CLEAN_HEADER: &[&str] = &["code", "name", "type", "level", "parent_code"];
const GSO_WARD_HEADER: &[&str] = &[
    "Mã",
    "Tên",
    "Tên Tiếng Anh",
    "Cấp",
    "Mã QH",
    "Quận Huyện",
    "Mã TP",
    "Tỉnh / Thành Phố",
];
const GSO_DISTRICT_HEADER: &[&str] = &[
    "Mã",
    "Tên",
    "Tên Tiếng Anh",
    "Cấp",
    "Mã TP",
    "Tỉnh / Thành Phố",
];
const BODIES_HEADER: &[&str] = &["code", "name", "type", "parent_code"];

/// The unit formats with a description of each, for error messages.
const UNIT_FORMATS: &[(UnitsFormat, &str)] = &[
    (UnitsFormat::Clean, "danh mục chuẩn"),
    (UnitsFormat::GsoWard, "tệp xã/phường tải từ trang GSO"),
    (UnitsFormat::GsoDistrict, "tệp quận/huyện tải từ trang GSO"),
];

/// Longest accepted body code, in characters.
const MAX_BODY_CODE_CHARS: usize = 40;

/// Commune-level types (*cấp xã*). At level 2 (the two-level structure from 1 July 2025) they
/// keep their 5-digit codes.
const COMMUNE_TYPES: &[&str] = &["Phường", "Xã", "Thị trấn", "Đặc khu"];

/// Name prefixes of each level in GSO exports, with the unit type each one gives.
const PROVINCE_PREFIXES: &[(&str, &str)] =
    &[("Thành phố", "Thành phố Trung ương"), ("Tỉnh", "Tỉnh")];
const DISTRICT_PREFIXES: &[(&str, &str)] = &[
    ("Quận", "Quận"),
    ("Huyện", "Huyện"),
    ("Thị xã", "Thị xã"),
    ("Thành phố", "Thành phố"),
];
const COMMUNE_PREFIXES: &[(&str, &str)] = &[
    ("Phường", "Phường"),
    ("Xã", "Xã"),
    ("Thị trấn", "Thị trấn"),
    ("Đặc khu", "Đặc khu"),
];

impl UnitsFormat {
    fn header(self) -> &'static [&'static str] {
        match self {
            UnitsFormat::Clean => CLEAN_HEADER,
            UnitsFormat::GsoWard => GSO_WARD_HEADER,
            UnitsFormat::GsoDistrict => GSO_DISTRICT_HEADER,
        }
    }
}

/// Tells the format of a units file from its header row (a UTF-8 BOM is allowed).
pub fn detect_format(bytes: &[u8]) -> Result<UnitsFormat, UnitsImportError> {
    let text = decode(bytes)?;
    let header = read_header(&mut read_rows(text))?;
    format_of(&header)
}

/// Parses a units file of any supported format; returns records parents-first (sorted by
/// level, then file order), deduplicated for GSO-synthesised parents.
///
/// In GSO exports the type comes from the name prefix ("Phường 5" → "Phường"), never from the
/// `Cấp` column, which is wrong for some rows; the prefix is also written in its canonical case
/// ("Thị Trấn Ái Tử" → "Thị trấn Ái Tử"). A parent missing from the file is accepted: the
/// caller checks it against the database.
pub fn parse_units(bytes: &[u8]) -> Result<Vec<UnitRecord>, UnitsImportError> {
    let text = decode(bytes)?;
    let mut rows = read_rows(text);
    let header = read_header(&mut rows)?;
    let format = format_of(&header)?;
    let mut units = UnitsBuilder::default();
    for row in rows {
        let row = row?;
        check_columns(&row, format.header())?;
        match format {
            UnitsFormat::Clean => units.add_row(clean_unit(&row).map_err(at(row.line))?)?,
            UnitsFormat::GsoWard => {
                let [commune, district, province] = gso_ward_units(&row).map_err(at(row.line))?;
                units.add_row(commune)?;
                units.add_synthesised(district)?;
                units.add_synthesised(province)?;
            }
            UnitsFormat::GsoDistrict => {
                let [district, province] = gso_district_units(&row).map_err(at(row.line))?;
                units.add_row(district)?;
                units.add_synthesised(province)?;
            }
        }
    }
    units.finish()
}

/// Parses a bodies file (`code,name,type,parent_code`), in file order.
///
/// The code is free (printable, no white space, at most 40 characters) and unique in the file;
/// the parent is not looked up here.
pub fn parse_bodies(bytes: &[u8]) -> Result<Vec<BodyRecord>, UnitsImportError> {
    let text = decode(bytes)?;
    let mut rows = read_rows(text);
    let header = read_header(&mut rows)?;
    if !header_is(&header, BODIES_HEADER) {
        let is_units = UNIT_FORMATS
            .iter()
            .any(|(f, _)| header_is(&header, f.header()));
        let hint = is_units.then_some("đây là tiêu đề của tệp danh mục đơn vị hành chính");
        let accepted = [(BODIES_HEADER, "cơ quan, đơn vị trực thuộc")];
        return Err(unknown_header(&header, &accepted, hint));
    }
    let mut bodies: Vec<BodyRecord> = Vec::new();
    let mut lines_by_code: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let row = row?;
        check_columns(&row, BODIES_HEADER)?;
        let body = body_record(&row).map_err(at(row.line))?;
        if let Some(first) = lines_by_code.insert(body.code.clone(), body.line) {
            return Err(duplicate(&body.code, body.line, first));
        }
        bodies.push(body);
    }
    Ok(bodies)
}

// ---------------------------------------------------------------------------------------------
// Reading the file

/// Strips a UTF-8 BOM and checks the rest is UTF-8.
fn decode(bytes: &[u8]) -> Result<&str, UnitsImportError> {
    const HINT: &str = "hãy lưu lại tệp dưới dạng “CSV UTF-8”";
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(UnitsImportError::Format(format!(
            "Tệp không phải UTF-8 (tệp đang ở bảng mã UTF-16); {HINT}"
        )));
    }
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        UnitsImportError::Format(format!(
            "Tệp không phải UTF-8 (ký tự không đọc được ở dòng {line}); {HINT}"
        ))
    })
}

/// A CSV record with the 1-based file line it starts on.
struct Row {
    line: usize,
    fields: csv::StringRecord,
}

impl Row {
    /// Field `i`, trimmed ("" if missing).
    fn field(&self, i: usize) -> &str {
        self.fields.get(i).unwrap_or("").trim()
    }
}

/// The CSV records of `text`, skipping rows whose fields are all blank (such as the `,,,,`
/// lines spreadsheets leave at the end). Rows may have any number of fields.
fn read_rows(text: &str) -> impl Iterator<Item = Result<Row, UnitsImportError>> + '_ {
    let mut lines = LineCounter {
        text: text.as_bytes(),
        offset: 0,
        line: 1,
    };
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .into_records()
        .map(move |record| match record {
            Ok(fields) => {
                let line = fields.position().map_or(0, |p| lines.line_at(p.byte()));
                Ok(Row { line, fields })
            }
            Err(e) => Err(match e.position() {
                Some(p) => UnitsImportError::Line {
                    line: lines.line_at(p.byte()),
                    message: format!("không đọc được dòng CSV: {e}"),
                },
                None => UnitsImportError::Format(format!("không đọc được tệp CSV: {e}")),
            }),
        })
        .filter(|row| !matches!(row, Ok(row) if row.fields.iter().all(|f| f.trim().is_empty())))
}

/// Turns byte offsets into 1-based line numbers, counting forward from the last offset.
///
/// The csv crate's own line numbers lag by one in CRLF files, and its record offsets may point
/// at the line break before the record; both are handled here.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl LineCounter<'_> {
    fn line_at(&mut self, byte: u64) -> usize {
        let mut start = usize::try_from(byte).map_or(self.text.len(), |b| b.min(self.text.len()));
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start < self.offset {
            (self.offset, self.line) = (0, 1);
        }
        self.line += self.text[self.offset..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.offset = start;
        self.line
    }
}

fn read_header(
    rows: &mut impl Iterator<Item = Result<Row, UnitsImportError>>,
) -> Result<Row, UnitsImportError> {
    rows.next().unwrap_or_else(|| {
        Err(UnitsImportError::Format(
            "tệp trống, không có dòng tiêu đề".into(),
        ))
    })
}

/// Whether the header row has the expected columns (ignoring case, spacing and Unicode form).
fn header_is(header: &Row, expected: &[&str]) -> bool {
    let key = |s: &str| normalize_text(s).to_lowercase();
    header.fields.len() == expected.len()
        && header
            .fields
            .iter()
            .zip(expected)
            .all(|(got, want)| key(got) == key(want))
}

fn format_of(header: &Row) -> Result<UnitsFormat, UnitsImportError> {
    UNIT_FORMATS
        .iter()
        .map(|&(format, _)| format)
        .find(|format| header_is(header, format.header()))
        .ok_or_else(|| {
            let hint = header_is(header, BODIES_HEADER)
                .then_some("đây là tiêu đề của tệp cơ quan, đơn vị trực thuộc");
            let accepted: Vec<_> = UNIT_FORMATS
                .iter()
                .map(|&(f, what)| (f.header(), what))
                .collect();
            unknown_header(header, &accepted, hint)
        })
}

/// The Format error for an unknown header, listing the accepted ones.
fn unknown_header(
    header: &Row,
    accepted: &[(&[&str], &str)],
    hint: Option<&str>,
) -> UnitsImportError {
    let got: Vec<&str> = header.fields.iter().collect();
    let hint = hint.map(|h| format!(" ({h})")).unwrap_or_default();
    let accepted: Vec<String> = accepted
        .iter()
        .map(|(columns, what)| format!("\"{}\" ({what})", columns.join(",")))
        .collect();
    UnitsImportError::Format(format!(
        "tiêu đề \"{}\" không được hỗ trợ{hint}. Tiêu đề được chấp nhận: {}",
        got.join(","),
        accepted.join("; ")
    ))
}

fn check_columns(row: &Row, header: &[&str]) -> Result<(), UnitsImportError> {
    if row.fields.len() == header.len() {
        return Ok(());
    }
    Err(UnitsImportError::Line {
        line: row.line,
        message: format!(
            "có {} cột, cần đúng {} cột ({})",
            row.fields.len(),
            header.len(),
            header.join(",")
        ),
    })
}

/// Turns a row-level message into a [`UnitsImportError::Line`].
fn at(line: usize) -> impl Fn(String) -> UnitsImportError {
    move |message| UnitsImportError::Line { line, message }
}

fn duplicate(code: &str, line: usize, first_line: usize) -> UnitsImportError {
    UnitsImportError::Line {
        line,
        message: format!("mã {code} bị trùng (đã có ở dòng {first_line})"),
    }
}

/// NFC, trimmed, with every run of white space folded to one space.
fn normalize_text(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------------
// Unit rows

/// What an administrative level is called (*cấp tỉnh / cấp huyện / cấp xã*).
fn level_name(level: u8) -> &'static str {
    match level {
        1 => "cấp tỉnh",
        2 => "cấp huyện",
        _ => "cấp xã",
    }
}

/// Number of digits of a code at `level`: 2 for a province, 3 for a district, 5 for a commune
/// (including a commune at level 2 in the two-level structure).
fn code_digits(level: u8, unit_type: &str) -> usize {
    match level {
        1 => 2,
        2 if !COMMUNE_TYPES.contains(&unit_type) => 3,
        _ => 5,
    }
}

/// A unit code must be non-empty ASCII digits.
fn check_digits(label: &str, code: &str) -> Result<(), String> {
    if code.is_empty() {
        return Err(format!("thiếu {label}"));
    }
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{label} \"{code}\" không hợp lệ (chỉ được gồm chữ số)"
        ));
    }
    Ok(())
}

fn check_length(label: &str, code: &str, digits: usize, level: u8) -> Result<(), String> {
    if code.len() == digits {
        return Ok(());
    }
    Err(format!(
        "{label} \"{code}\" phải có đúng {digits} chữ số (đơn vị {})",
        level_name(level)
    ))
}

fn parse_level(raw: &str) -> Result<u8, String> {
    match raw {
        "" => Err("thiếu cấp".into()),
        "1" => Ok(1),
        "2" => Ok(2),
        "3" => Ok(3),
        _ => Err(format!("cấp \"{raw}\" không hợp lệ (phải là 1, 2 hoặc 3)")),
    }
}

/// One row of the clean format `code,name,type,level,parent_code`.
fn clean_unit(row: &Row) -> Result<UnitRecord, String> {
    let code = row.field(0);
    check_digits("mã", code)?;
    let name = normalize_text(row.field(1));
    if name.is_empty() {
        return Err("thiếu tên đơn vị".into());
    }
    let unit_type = normalize_text(row.field(2));
    if unit_type.is_empty() {
        return Err("thiếu loại đơn vị".into());
    }
    let level = parse_level(row.field(3))?;
    check_length("mã", code, code_digits(level, &unit_type), level)?;
    let parent = row.field(4);
    let parent_code = match (level, parent.is_empty()) {
        (1, true) => None,
        (1, false) => {
            return Err(format!(
                "đơn vị cấp 1 (tỉnh/thành phố) không có mã cha, nhưng dòng ghi mã cha \"{parent}\""
            ))
        }
        (_, true) => return Err(format!("thiếu mã cha của đơn vị cấp {level}")),
        (_, false) => {
            check_digits("mã cha", parent)?;
            Some(parent.to_owned())
        }
    };
    Ok(UnitRecord {
        code: code.to_owned(),
        name,
        unit_type,
        level,
        parent_code,
        line: row.line,
    })
}

/// One row of the GSO commune export: the commune, its district and its province.
fn gso_ward_units(row: &Row) -> Result<[UnitRecord; 3], String> {
    // Mã, Tên, Tên Tiếng Anh, Cấp, Mã QH, Quận Huyện, Mã TP, Tỉnh / Thành Phố
    let (district_code, province_code) = (row.field(4), row.field(6));
    let commune = gso_unit(
        row,
        3,
        ("mã", row.field(0)),
        ("tên", row.field(1)),
        Some(district_code),
    )?;
    let district = gso_unit(
        row,
        2,
        ("mã quận/huyện", district_code),
        ("tên quận/huyện", row.field(5)),
        Some(province_code),
    )?;
    let province = gso_unit(
        row,
        1,
        ("mã tỉnh/thành phố", province_code),
        ("tên tỉnh/thành phố", row.field(7)),
        None,
    )?;
    Ok([commune, district, province])
}

/// One row of the GSO district export: the district and its province.
fn gso_district_units(row: &Row) -> Result<[UnitRecord; 2], String> {
    // Mã, Tên, Tên Tiếng Anh, Cấp, Mã TP, Tỉnh / Thành Phố
    let province_code = row.field(4);
    let district = gso_unit(
        row,
        2,
        ("mã", row.field(0)),
        ("tên", row.field(1)),
        Some(province_code),
    )?;
    let province = gso_unit(
        row,
        1,
        ("mã tỉnh/thành phố", province_code),
        ("tên tỉnh/thành phố", row.field(5)),
        None,
    )?;
    Ok([district, province])
}

/// A unit named in a GSO row; `code` and `name` are (label for messages, raw value).
fn gso_unit(
    row: &Row,
    level: u8,
    (code_label, code): (&str, &str),
    (name_label, name): (&str, &str),
    parent_code: Option<&str>,
) -> Result<UnitRecord, String> {
    check_digits(code_label, code)?;
    let name = normalize_text(name);
    if name.is_empty() {
        return Err(format!("thiếu {name_label}"));
    }
    let (name, unit_type) = type_from_name(level, &name)?;
    check_length(code_label, code, code_digits(level, unit_type), level)?;
    Ok(UnitRecord {
        code: code.to_owned(),
        name,
        unit_type: unit_type.to_owned(),
        level,
        parent_code: parent_code.map(str::to_owned),
        line: row.line,
    })
}

/// The type of a unit from the prefix of its (normalised) name, matched without regard to
/// case; returns the name with the prefix in its canonical case, and the type.
fn type_from_name(level: u8, name: &str) -> Result<(String, &'static str), String> {
    let prefixes = match level {
        1 => PROVINCE_PREFIXES,
        2 => DISTRICT_PREFIXES,
        _ => COMMUNE_PREFIXES,
    };
    for &(prefix, unit_type) in prefixes {
        if let Some(rest) = strip_prefix_ignoring_case(name, prefix) {
            return Ok((format!("{prefix} {rest}"), unit_type));
        }
    }
    let names: Vec<&str> = prefixes.iter().map(|&(prefix, _)| prefix).collect();
    let (last, others) = names.split_last().expect("each level has prefixes");
    Err(format!(
        "không xác định được loại đơn vị từ tên \"{name}\": tên đơn vị {} phải bắt đầu bằng {} hoặc {last}",
        level_name(level),
        others.join(", ")
    ))
}

/// The rest of `name` after the whole words of `prefix` (case-insensitive), if non-empty.
fn strip_prefix_ignoring_case<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    let words = prefix.split(' ').count();
    let mut parts = name.splitn(words + 1, ' ');
    let head: Vec<&str> = parts.by_ref().take(words).collect();
    let rest = parts.next()?;
    (head.join(" ").to_lowercase() == prefix.to_lowercase()).then_some(rest)
}

// ---------------------------------------------------------------------------------------------
// Collecting units

/// The units read so far, with an index by code.
#[derive(Default)]
struct UnitsBuilder {
    records: Vec<UnitRecord>,
    by_code: HashMap<String, Seen>,
}

struct Seen {
    index: usize,
    synthesised: bool,
}

impl UnitsBuilder {
    /// Adds a unit given by its own row; its code must be new.
    fn add_row(&mut self, record: UnitRecord) -> Result<(), UnitsImportError> {
        if let Some(seen) = self.by_code.get(&record.code) {
            return Err(duplicate(
                &record.code,
                record.line,
                self.records[seen.index].line,
            ));
        }
        self.insert(record, false);
        Ok(())
    }

    /// Adds a parent synthesised from a GSO row; a repeat is dropped if it agrees with the
    /// first mention (same name and parent).
    fn add_synthesised(&mut self, record: UnitRecord) -> Result<(), UnitsImportError> {
        let Some(seen) = self.by_code.get(&record.code) else {
            self.insert(record, true);
            return Ok(());
        };
        let first = &self.records[seen.index];
        let what = match record.level {
            1 => "tỉnh/thành phố",
            _ => "quận/huyện",
        };
        let message = if !seen.synthesised {
            return Err(duplicate(&record.code, record.line, first.line));
        } else if first.name != record.name {
            format!(
                "{what} mã {} có tên \"{}\", khác với tên \"{}\" ở dòng {}",
                record.code, record.name, first.name, first.line
            )
        } else if first.parent_code != record.parent_code {
            format!(
                "{what} mã {} thuộc tỉnh/thành phố mã {}, khác với mã {} ở dòng {}",
                record.code,
                record.parent_code.as_deref().unwrap_or(""),
                first.parent_code.as_deref().unwrap_or(""),
                first.line
            )
        } else {
            return Ok(());
        };
        Err(UnitsImportError::Line {
            line: record.line,
            message,
        })
    }

    fn insert(&mut self, record: UnitRecord, synthesised: bool) {
        let seen = Seen {
            index: self.records.len(),
            synthesised,
        };
        self.by_code.insert(record.code.clone(), seen);
        self.records.push(record);
    }

    /// Checks each parent: one level up if it is in the file, otherwise a well-formed code
    /// (the caller looks it up in the database). Returns the units parents-first.
    fn finish(self) -> Result<Vec<UnitRecord>, UnitsImportError> {
        for record in &self.records {
            let Some(parent_code) = &record.parent_code else {
                continue;
            };
            let parent_level = record.level - 1;
            let message = match self.by_code.get(parent_code) {
                Some(seen) => {
                    let parent = &self.records[seen.index];
                    if parent.level == parent_level {
                        continue;
                    }
                    format!(
                        "mã cha {parent_code} là đơn vị cấp {} (dòng {}), nhưng đơn vị cấp {} phải thuộc đơn vị cấp {parent_level}",
                        parent.level, parent.line, record.level
                    )
                }
                None => match check_length(
                    "mã cha",
                    parent_code,
                    code_digits(parent_level, ""),
                    parent_level,
                ) {
                    Ok(()) => continue,
                    Err(message) => message,
                },
            };
            return Err(UnitsImportError::Line {
                line: record.line,
                message,
            });
        }
        let mut records = self.records;
        records.sort_by_key(|record| record.level); // stable: file order within a level
        Ok(records)
    }
}

// ---------------------------------------------------------------------------------------------
// Body rows

/// One row of a bodies file `code,name,type,parent_code`.
fn body_record(row: &Row) -> Result<BodyRecord, String> {
    let code: String = row.field(0).nfc().collect();
    check_body_code("mã", &code)?;
    let name = normalize_text(row.field(1));
    if name.is_empty() {
        return Err("thiếu tên cơ quan, đơn vị".into());
    }
    let unit_type = normalize_text(row.field(2));
    if unit_type.is_empty() {
        return Err("thiếu loại cơ quan, đơn vị".into());
    }
    let parent_code: String = row.field(3).nfc().collect();
    check_body_code("mã cha", &parent_code)?;
    if parent_code == code {
        return Err(format!(
            "cơ quan, đơn vị {code} không thể trực thuộc chính nó"
        ));
    }
    Ok(BodyRecord {
        code,
        name,
        unit_type,
        parent_code,
        line: row.line,
    })
}

/// A body code is non-empty, printable, without white space, and at most 40 characters.
fn check_body_code(label: &str, code: &str) -> Result<(), String> {
    if code.is_empty() {
        return Err(format!("thiếu {label}"));
    }
    if code.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "{label} \"{code}\" không hợp lệ (không được chứa khoảng trắng hay ký tự điều khiển)"
        ));
    }
    let chars = code.chars().count();
    if chars > MAX_BODY_CODE_CHARS {
        return Err(format!(
            "{label} \"{code}\" dài {chars} ký tự, tối đa {MAX_BODY_CODE_CHARS} ký tự"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Reads a file of /work/shared/data/units.
    macro_rules! shared {
        ($name:literal) => {
            std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/data/units/",
                $name
            ))
            .expect(concat!("cannot read shared/data/units/", $name))
        };
    }

    fn by_level(units: &[UnitRecord]) -> [usize; 4] {
        let mut counts = [0; 4];
        for unit in units {
            counts[unit.level as usize] += 1;
        }
        counts
    }

    fn types_at(units: &[UnitRecord], level: u8) -> BTreeMap<&str, usize> {
        let mut counts = BTreeMap::new();
        for unit in units.iter().filter(|u| u.level == level) {
            *counts.entry(unit.unit_type.as_str()).or_default() += 1;
        }
        counts
    }

    fn find<'a>(units: &'a [UnitRecord], code: &str) -> &'a UnitRecord {
        units
            .iter()
            .find(|u| u.code == code)
            .unwrap_or_else(|| panic!("no unit {code}"))
    }

    fn assert_parents_first(units: &[UnitRecord]) {
        assert!(units.windows(2).all(
            |w| w[0].level < w[1].level || (w[0].level == w[1].level && w[0].line <= w[1].line)
        ));
    }

    /// A clean-format file with the given data rows (LF line endings).
    fn clean(rows: &[&str]) -> Vec<u8> {
        let mut text = String::from("code,name,type,level,parent_code\n");
        for row in rows {
            text.push_str(row);
            text.push('\n');
        }
        text.into_bytes()
    }

    fn gso_ward(rows: &[&str]) -> Vec<u8> {
        let mut text = String::from("\u{feff}");
        text.push_str(&GSO_WARD_HEADER.join(","));
        for row in rows {
            text.push('\n');
            text.push_str(row);
        }
        text.into_bytes()
    }

    fn bodies(rows: &[&str]) -> Vec<u8> {
        let mut text = String::from("code,name,type,parent_code\n");
        for row in rows {
            text.push_str(row);
            text.push('\n');
        }
        text.into_bytes()
    }

    fn line_error(result: Result<impl std::fmt::Debug, UnitsImportError>) -> (usize, String) {
        match result {
            Err(UnitsImportError::Line { line, message }) => (line, message),
            other => panic!("expected a line error, got {other:?}"),
        }
    }

    fn format_error(result: Result<impl std::fmt::Debug, UnitsImportError>) -> String {
        match result {
            Err(UnitsImportError::Format(message)) => message,
            other => panic!("expected a format error, got {other:?}"),
        }
    }

    const HANOI: &str = "01,Thành phố Hà Nội,Thành phố Trung ương,1,";
    const BA_DINH: &str = "001,Quận Ba Đình,Quận,2,01";
    const PHUC_XA: &str = "00001,Phường Phúc Xá,Phường,3,001";

    // --- real files -----------------------------------------------------------------------

    #[test]
    fn parses_the_2021_list() {
        let bytes = shared!("units-2021-11-01.csv");
        assert_eq!(detect_format(&bytes), Ok(UnitsFormat::Clean));
        let units = parse_units(&bytes).unwrap();
        assert_eq!(by_level(&units), [0, 63, 705, 10_599]);
        let tan_phong = find(&units, "27490");
        assert_eq!(tan_phong.name, "Phường Tân Phong");
        assert_eq!(tan_phong.unit_type, "Phường");
        assert_eq!(tan_phong.level, 3);
        assert_eq!(tan_phong.parent_code.as_deref(), Some("778"));
        assert_eq!(tan_phong.line, 9_699);
        assert_eq!(
            units.last().map(|u| (u.code.as_str(), u.line)),
            Some(("32248", 11_368))
        );
        assert_eq!(units[0].code, "01");
        assert_eq!(units[0].line, 2);
        assert_parents_first(&units);
    }

    #[test]
    fn parses_the_2025_two_level_list() {
        let units = parse_units(&shared!("units-2025-07-01.csv")).unwrap();
        assert_eq!(by_level(&units), [0, 34, 3_321, 0]);
        assert_eq!(
            types_at(&units, 1),
            BTreeMap::from([("Thành phố Trung ương", 6), ("Tỉnh", 28)])
        );
        assert_eq!(
            types_at(&units, 2),
            BTreeMap::from([("Phường", 687), ("Xã", 2_621), ("Đặc khu", 13)])
        );
        assert!(units
            .iter()
            .filter(|u| u.level == 2)
            .all(|u| u.code.len() == 5));
        assert_parents_first(&units);
    }

    #[test]
    fn parses_the_gso_ward_export() {
        let bytes = shared!("gso-export/danhmuchanhchinh.gso.gov.vn_ward_2025-07-18.csv");
        assert_eq!(detect_format(&bytes), Ok(UnitsFormat::GsoWard));
        let units = parse_units(&bytes).unwrap();
        // 696 districts minus the 5 island districts without communes.
        assert_eq!(by_level(&units), [0, 63, 691, 10_035]);
        assert_eq!(
            types_at(&units, 1),
            BTreeMap::from([("Thành phố Trung ương", 6), ("Tỉnh", 57)])
        );
        assert_eq!(
            types_at(&units, 2),
            BTreeMap::from([
                ("Huyện", 503),
                ("Quận", 49),
                ("Thành phố", 87),
                ("Thị xã", 52)
            ])
        );
        assert_eq!(
            types_at(&units, 3),
            BTreeMap::from([("Phường", 1_726), ("Thị trấn", 617), ("Xã", 7_692)])
        );
        // `Cấp` says "Xã" for these; the name prefix wins.
        assert_eq!(find(&units, "15061").unit_type, "Thị trấn");
        assert_eq!(find(&units, "27046").unit_type, "Phường");
        assert_eq!(find(&units, "27076").unit_type, "Phường");
        // Prefix case and white space are cleaned.
        assert_eq!(find(&units, "19624").name, "Thị trấn Ái Tử");
        assert_eq!(find(&units, "19306").name, "Xã Ngư Thủy");
        let vung_liem = find(&units, "859");
        assert_eq!(vung_liem.name, "Huyện Vũng Liêm");
        assert_eq!(vung_liem.parent_code.as_deref(), Some("86"));
        let hanoi = find(&units, "01");
        assert_eq!((hanoi.line, hanoi.parent_code.as_deref()), (2, None));
        assert_eq!(find(&units, "00001").parent_code.as_deref(), Some("001"));
        assert_parents_first(&units);
    }

    #[test]
    fn parses_the_gso_district_export() {
        let bytes = shared!("gso-export/danhmuchanhchinh.gso.gov.vn_district_2025-07-18.csv");
        assert_eq!(detect_format(&bytes), Ok(UnitsFormat::GsoDistrict));
        let units = parse_units(&bytes).unwrap();
        assert_eq!(by_level(&units), [0, 63, 696, 0]);
        assert_eq!(
            types_at(&units, 2),
            BTreeMap::from([
                ("Huyện", 508),
                ("Quận", 49),
                ("Thành phố", 87),
                ("Thị xã", 52)
            ])
        );
        assert_parents_first(&units);
    }

    /// The GSO exports, once parsed, give exactly the cleaned list of 30 June 2025.
    #[test]
    fn gso_exports_match_the_cleaned_list() {
        let key = |u: &UnitRecord| {
            (
                u.name.clone(),
                u.unit_type.clone(),
                u.level,
                u.parent_code.clone(),
            )
        };
        let cleaned: HashMap<String, _> = parse_units(&shared!("units-2025-06-30.csv"))
            .unwrap()
            .into_iter()
            .map(|u| (u.code.clone(), key(&u)))
            .collect();
        let wards = parse_units(&shared!(
            "gso-export/danhmuchanhchinh.gso.gov.vn_ward_2025-07-18.csv"
        ))
        .unwrap();
        let districts = parse_units(&shared!(
            "gso-export/danhmuchanhchinh.gso.gov.vn_district_2025-07-18.csv"
        ))
        .unwrap();
        for unit in wards.iter().chain(&districts) {
            assert_eq!(
                cleaned.get(&unit.code),
                Some(&key(unit)),
                "unit {}",
                unit.code
            );
        }
        assert_eq!(wards.len() + 5, cleaned.len());
    }

    // --- encodings and layout ---------------------------------------------------------------

    #[test]
    fn accepts_bom_and_crlf_with_right_line_numbers() {
        let text = format!("\u{feff}code,name,type,level,parent_code\r\n{HANOI}\r\n{BA_DINH}\r\n");
        let units = parse_units(text.as_bytes()).unwrap();
        assert_eq!(units.len(), 2);
        assert_eq!((units[1].code.as_str(), units[1].line), ("001", 3));
        assert_eq!(detect_format(text.as_bytes()), Ok(UnitsFormat::Clean));

        // A quoted name spanning two lines: the next row is still numbered right.
        let text = format!(
            "code,name,type,level,parent_code\r\n{HANOI}\r\n\"001\",\"Quận\r\nBa Đình\",Quận,2,01\r\n{PHUC_XA}\r\n"
        );
        let units = parse_units(text.as_bytes()).unwrap();
        let lines: Vec<(&str, &str, usize)> = units
            .iter()
            .map(|u| (u.code.as_str(), u.name.as_str(), u.line))
            .collect();
        assert_eq!(
            lines,
            [
                ("01", "Thành phố Hà Nội", 2),
                ("001", "Quận Ba Đình", 3),
                ("00001", "Phường Phúc Xá", 5)
            ]
        );

        let bad = format!(
            "\u{feff}code,name,type,level,parent_code\r\n{HANOI}\r\n\r\nabc,Quận X,Quận,2,01\r\n"
        );
        assert_eq!(line_error(parse_units(bad.as_bytes())).0, 4);
    }

    #[test]
    fn rejects_non_utf8() {
        // "Hà Nội" in Windows-1258 is not UTF-8.
        let mut bytes = b"code,name,type,level,parent_code\n01,H\xE0 N\xF4i,T\xEDnh,1,\n".to_vec();
        let message = format_error(parse_units(&bytes));
        assert!(message.starts_with("Tệp không phải UTF-8"), "{message}");
        assert!(message.contains("dòng 2"), "{message}");
        assert!(format_error(detect_format(&bytes)).starts_with("Tệp không phải UTF-8"));
        bytes = b"\xFF\xFEc\0o\0".to_vec();
        assert!(format_error(parse_bodies(&bytes)).contains("UTF-16"));
    }

    #[test]
    fn normalises_names_to_nfc_and_folds_spaces() {
        let nfd: String = "Quận  Ba\u{a0}Đình ".nfd().collect();
        let row = format!(" 001 , {nfd},Quận ,2, 01 ");
        let units = parse_units(&clean(&[&row])).unwrap();
        assert_eq!(units[0].code, "001");
        assert_eq!(units[0].name, "Quận Ba Đình");
        assert_eq!(units[0].unit_type, "Quận");
        assert_eq!(units[0].parent_code.as_deref(), Some("01"));
    }

    #[test]
    fn reads_quoted_fields_and_skips_blank_rows() {
        let units = parse_units(&clean(&[
            HANOI,
            "",
            ",,,,",
            "\"001\",\"Quận Ba Đình, cũ\",Quận,2,01",
        ]))
        .unwrap();
        assert_eq!(units[1].name, "Quận Ba Đình, cũ");
        assert_eq!(units[1].line, 5);
    }

    #[test]
    fn sorts_parents_first_and_accepts_parents_outside_the_file() {
        let units = parse_units(&clean(&[
            PHUC_XA,
            BA_DINH,
            "79,Thành phố Hồ Chí Minh,Thành phố Trung ương,1,",
        ]))
        .unwrap();
        let order: Vec<(&str, usize)> = units.iter().map(|u| (u.code.as_str(), u.line)).collect();
        assert_eq!(order, [("79", 4), ("001", 3), ("00001", 2)]);
    }

    #[test]
    fn empty_file_and_unknown_header_are_format_errors() {
        assert!(format_error(parse_units(b"")).contains("tệp trống"));
        assert!(format_error(parse_units(b"\xEF\xBB\xBF\n\n")).contains("tệp trống"));
        let message = format_error(parse_units(b"ma,ten,cap\n01,X,1\n"));
        assert!(
            message.contains("tiêu đề \"ma,ten,cap\" không được hỗ trợ"),
            "{message}"
        );
        assert!(
            message.contains("\"code,name,type,level,parent_code\""),
            "{message}"
        );
        assert!(
            message.contains(&format!("\"{}\"", GSO_WARD_HEADER.join(","))),
            "{message}"
        );
        assert!(
            message.contains(&format!("\"{}\"", GSO_DISTRICT_HEADER.join(","))),
            "{message}"
        );
        let message = format_error(detect_format(b"code,name,type,parent_code\n"));
        assert!(
            message.contains("tệp cơ quan, đơn vị trực thuộc"),
            "{message}"
        );
    }

    #[test]
    fn header_matching_ignores_case_and_spacing() {
        assert_eq!(
            detect_format(b" Code , NAME,type,level,parent_code\r\n"),
            Ok(UnitsFormat::Clean)
        );
        let nfd: String = GSO_DISTRICT_HEADER.join(",").nfd().collect();
        assert_eq!(detect_format(nfd.as_bytes()), Ok(UnitsFormat::GsoDistrict));
    }

    // --- clean-format rules -------------------------------------------------------------------

    #[test]
    fn rejects_bad_codes() {
        let (line, message) = line_error(parse_units(&clean(&[HANOI, "abc,Quận X,Quận,2,01"])));
        assert_eq!(
            (line, message.as_str()),
            (3, "mã \"abc\" không hợp lệ (chỉ được gồm chữ số)")
        );
        let (line, message) = line_error(parse_units(&clean(&[",Quận X,Quận,2,01"])));
        assert_eq!((line, message.as_str()), (2, "thiếu mã"));
        let (_, message) = line_error(parse_units(&clean(&["0 1,Tỉnh X,Tỉnh,1,"])));
        assert!(message.starts_with("mã \"0 1\" không hợp lệ"), "{message}");
    }

    #[test]
    fn rejects_bad_levels() {
        let (line, message) = line_error(parse_units(&clean(&[HANOI, "001,Quận X,Quận,x,01"])));
        assert_eq!(
            (line, message.as_str()),
            (3, "cấp \"x\" không hợp lệ (phải là 1, 2 hoặc 3)")
        );
        let (_, message) = line_error(parse_units(&clean(&["00001,Xã X,Xã,4,001"])));
        assert!(message.starts_with("cấp \"4\" không hợp lệ"), "{message}");
        let (_, message) = line_error(parse_units(&clean(&["00001,Xã X,Xã,,001"])));
        assert_eq!(message, "thiếu cấp");
    }

    #[test]
    fn checks_parent_presence_by_level() {
        let (line, message) = line_error(parse_units(&clean(&["01,Tỉnh X,Tỉnh,1,00"])));
        assert_eq!(line, 2);
        assert!(
            message.starts_with("đơn vị cấp 1 (tỉnh/thành phố) không có mã cha"),
            "{message}"
        );
        let (line, message) = line_error(parse_units(&clean(&[HANOI, "001,Quận X,Quận,2,"])));
        assert_eq!(
            (line, message.as_str()),
            (3, "thiếu mã cha của đơn vị cấp 2")
        );
        let (_, message) = line_error(parse_units(&clean(&["00001,Xã X,Xã,3,"])));
        assert_eq!(message, "thiếu mã cha của đơn vị cấp 3");
        let (_, message) = line_error(parse_units(&clean(&["001,Quận X,Quận,2,x1"])));
        assert!(
            message.starts_with("mã cha \"x1\" không hợp lệ"),
            "{message}"
        );
    }

    #[test]
    fn code_length_must_fit_the_level() {
        let (line, message) = line_error(parse_units(&clean(&[HANOI, "0001,Quận X,Quận,2,01"])));
        assert_eq!(
            (line, message.as_str()),
            (3, "mã \"0001\" phải có đúng 3 chữ số (đơn vị cấp huyện)")
        );
        let (_, message) = line_error(parse_units(&clean(&["001,Tỉnh X,Tỉnh,1,"])));
        assert_eq!(
            message,
            "mã \"001\" phải có đúng 2 chữ số (đơn vị cấp tỉnh)"
        );
        let (_, message) = line_error(parse_units(&clean(&["001,Xã X,Xã,3,001"])));
        assert_eq!(message, "mã \"001\" phải có đúng 5 chữ số (đơn vị cấp xã)");
        // A commune at level 2 (two-level structure) keeps its 5-digit code.
        assert!(parse_units(&clean(&["00004,Phường Ba Đình,Phường,2,01"])).is_ok());
        let (_, message) = line_error(parse_units(&clean(&["004,Phường Ba Đình,Phường,2,01"])));
        assert_eq!(
            message,
            "mã \"004\" phải có đúng 5 chữ số (đơn vị cấp huyện)"
        );
        // A parent outside the file must still be a well-formed code of the level above.
        let (line, message) = line_error(parse_units(&clean(&[HANOI, "001,Quận X,Quận,2,1"])));
        assert_eq!(
            (line, message.as_str()),
            (3, "mã cha \"1\" phải có đúng 2 chữ số (đơn vị cấp tỉnh)")
        );
    }

    #[test]
    fn rejects_duplicate_codes_naming_both_lines() {
        let (line, message) = line_error(parse_units(&clean(&[
            HANOI,
            BA_DINH,
            PHUC_XA,
            "00001,Phường Khác,Phường,3,001",
        ])));
        assert_eq!(
            (line, message.as_str()),
            (5, "mã 00001 bị trùng (đã có ở dòng 4)")
        );
    }

    #[test]
    fn parent_in_the_file_must_be_one_level_up() {
        // Commune 00004 (level 2, two-level structure) cannot be the parent of a level-2 unit.
        let (line, message) = line_error(parse_units(&clean(&[
            "00005,Xã Y,Xã,2,00004",
            "00004,Phường Ba Đình,Phường,2,01",
        ])));
        assert_eq!(line, 2);
        assert_eq!(
            message,
            "mã cha 00004 là đơn vị cấp 2 (dòng 3), nhưng đơn vị cấp 2 phải thuộc đơn vị cấp 1"
        );
        // A level-3 unit under a province.
        let (line, message) =
            line_error(parse_units(&clean(&[HANOI, "00001,Phường X,Phường,3,01"])));
        assert_eq!(line, 3);
        assert!(
            message.starts_with("mã cha 01 là đơn vị cấp 1 (dòng 2)"),
            "{message}"
        );
    }

    #[test]
    fn rejects_wrong_column_counts() {
        let (line, message) = line_error(parse_units(&clean(&[HANOI, "001,Quận X,Quận,2"])));
        assert_eq!(line, 3);
        assert_eq!(
            message,
            "có 4 cột, cần đúng 5 cột (code,name,type,level,parent_code)"
        );
        let (line, _) = line_error(parse_units(&clean(&[HANOI, "001,Quận X,Quận,2,01,"])));
        assert_eq!(line, 3);
    }

    #[test]
    fn rejects_empty_names_and_types() {
        let (line, message) = line_error(parse_units(&clean(&[HANOI, "001,  ,Quận,2,01"])));
        assert_eq!((line, message.as_str()), (3, "thiếu tên đơn vị"));
        let (_, message) = line_error(parse_units(&clean(&["001,Quận X,,2,01"])));
        assert_eq!(message, "thiếu loại đơn vị");
    }

    #[test]
    fn is_all_or_nothing() {
        let result = parse_units(&clean(&[
            HANOI,
            BA_DINH,
            PHUC_XA,
            "bad,Xã X,Xã,3,001",
            "00007,Xã Y,Xã,3,001",
        ]));
        assert_eq!(
            result,
            Err(UnitsImportError::Line {
                line: 5,
                message: "mã \"bad\" không hợp lệ (chỉ được gồm chữ số)".into()
            })
        );
        assert_eq!(
            result.unwrap_err().to_string(),
            "Dòng 5: mã \"bad\" không hợp lệ (chỉ được gồm chữ số)"
        );
    }

    // --- GSO rules ----------------------------------------------------------------------------

    const GSO_PHUC_XA: &str = "00001,Phường Phúc Xá,,Phường,001,Quận Ba Đình,01,Thành phố Hà Nội";
    const GSO_TRUC_BACH: &str =
        "00004,Phường Trúc Bạch,,Phường,001,Quận Ba Đình,01,Thành phố Hà Nội";

    /// (code, name, type, level, parent, line)
    type UnitSummary<'a> = (&'a str, &'a str, &'a str, u8, Option<&'a str>, usize);

    #[test]
    fn gso_ward_synthesises_deduplicated_parents() {
        let units = parse_units(&gso_ward(&[
            GSO_PHUC_XA,
            GSO_TRUC_BACH,
            "00007,Thị Trấn  X,,Xã,002,Thị Xã Y,01,Thành Phố Hà Nội",
        ]))
        .unwrap();
        let summary: Vec<UnitSummary> = units
            .iter()
            .map(|u| {
                (
                    u.code.as_str(),
                    u.name.as_str(),
                    u.unit_type.as_str(),
                    u.level,
                    u.parent_code.as_deref(),
                    u.line,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("01", "Thành phố Hà Nội", "Thành phố Trung ương", 1, None, 2),
                ("001", "Quận Ba Đình", "Quận", 2, Some("01"), 2),
                ("002", "Thị xã Y", "Thị xã", 2, Some("01"), 4),
                ("00001", "Phường Phúc Xá", "Phường", 3, Some("001"), 2),
                ("00004", "Phường Trúc Bạch", "Phường", 3, Some("001"), 3),
                ("00007", "Thị trấn X", "Thị trấn", 3, Some("002"), 4),
            ]
        );
    }

    #[test]
    fn gso_synthesised_parents_must_agree() {
        let (line, message) = line_error(parse_units(&gso_ward(&[
            GSO_PHUC_XA,
            "00004,Phường Trúc Bạch,,Phường,001,Quận Tây Hồ,01,Thành phố Hà Nội",
        ])));
        assert_eq!(line, 3);
        assert_eq!(
            message,
            "quận/huyện mã 001 có tên \"Quận Tây Hồ\", khác với tên \"Quận Ba Đình\" ở dòng 2"
        );
        let (_, message) = line_error(parse_units(&gso_ward(&[
            GSO_PHUC_XA,
            "00004,Phường Trúc Bạch,,Phường,001,Quận Ba Đình,02,Tỉnh Hà Giang",
        ])));
        assert_eq!(
            message,
            "quận/huyện mã 001 thuộc tỉnh/thành phố mã 02, khác với mã 01 ở dòng 2"
        );
        let (_, message) = line_error(parse_units(&gso_ward(&[
            GSO_PHUC_XA,
            "00004,Phường Trúc Bạch,,Phường,001,Quận Ba Đình,01,Tỉnh Hà Nội",
        ])));
        assert!(
            message.starts_with("tỉnh/thành phố mã 01 có tên \"Tỉnh Hà Nội\""),
            "{message}"
        );
        // A commune row is not deduplicated.
        let (line, message) = line_error(parse_units(&gso_ward(&[GSO_PHUC_XA, GSO_PHUC_XA])));
        assert_eq!(
            (line, message.as_str()),
            (3, "mã 00001 bị trùng (đã có ở dòng 2)")
        );
    }

    #[test]
    fn gso_type_comes_from_a_known_prefix() {
        let (line, message) = line_error(parse_units(&gso_ward(&[
            "00001,Khu phố Phúc Xá,,Phường,001,Quận Ba Đình,01,Thành phố Hà Nội",
        ])));
        assert_eq!(line, 2);
        assert_eq!(
            message,
            "không xác định được loại đơn vị từ tên \"Khu phố Phúc Xá\": tên đơn vị cấp xã phải bắt đầu bằng Phường, Xã, Thị trấn hoặc Đặc khu"
        );
        // A district prefix is not valid for a province, and a bare prefix is not a name.
        let (_, message) = line_error(parse_units(&gso_ward(&[
            "00001,Phường Phúc Xá,,Phường,001,Quận Ba Đình,01,Quận Hà Nội",
        ])));
        assert!(
            message.contains("tên đơn vị cấp tỉnh phải bắt đầu bằng Thành phố hoặc Tỉnh"),
            "{message}"
        );
        let (_, message) = line_error(parse_units(&gso_ward(&[
            "00001,Xã,,Xã,001,Quận Ba Đình,01,Thành phố Hà Nội",
        ])));
        assert!(
            message.starts_with("không xác định được loại đơn vị từ tên \"Xã\""),
            "{message}"
        );
        // "Xãy" is not the prefix "Xã".
        assert!(parse_units(&gso_ward(&[
            "00001,Xãy A,,Xã,001,Quận Ba Đình,01,Thành phố Hà Nội"
        ]))
        .is_err());
    }

    #[test]
    fn gso_rows_are_checked_like_clean_rows() {
        let (line, message) = line_error(parse_units(&gso_ward(&[
            GSO_PHUC_XA,
            "00004,Phường Trúc Bạch,,Phường,1,Quận Ba Đình,01,Thành phố Hà Nội",
        ])));
        assert_eq!(
            (line, message.as_str()),
            (
                3,
                "mã quận/huyện \"1\" phải có đúng 3 chữ số (đơn vị cấp huyện)"
            )
        );
        let (_, message) = line_error(parse_units(&gso_ward(&[
            "00001,Phường Phúc Xá,,Phường,001,Quận Ba Đình,,Thành phố Hà Nội",
        ])));
        assert_eq!(message, "thiếu mã tỉnh/thành phố");
        let (_, message) = line_error(parse_units(&gso_ward(&[
            "00001,Phường Phúc Xá,,Phường,001,,01,Thành phố Hà Nội",
        ])));
        assert_eq!(message, "thiếu tên quận/huyện");
        let (line, message) = line_error(parse_units(&gso_ward(&[
            "00001,Phường Phúc Xá,,Phường,001,Quận Ba Đình,01",
        ])));
        assert_eq!(line, 2);
        assert!(message.starts_with("có 7 cột, cần đúng 8 cột"), "{message}");
    }

    #[test]
    fn gso_district_synthesises_provinces() {
        let text = format!(
            "\u{feff}{}\n001,Quận Ba Đình,,Quận,01,Thành phố Hà Nội\n002,Quận Hoàn Kiếm,,Huyện,01,Thành phố Hà Nội\n\
             026,Thành phố Hà Giang,,Thành phố,02,Tỉnh Hà Giang",
            GSO_DISTRICT_HEADER.join(",")
        );
        let units = parse_units(text.as_bytes()).unwrap();
        let summary: Vec<(&str, &str, u8)> = units
            .iter()
            .map(|u| (u.code.as_str(), u.unit_type.as_str(), u.level))
            .collect();
        assert_eq!(
            summary,
            [
                ("01", "Thành phố Trung ương", 1),
                ("02", "Tỉnh", 1),
                ("001", "Quận", 2),
                ("002", "Quận", 2),
                ("026", "Thành phố", 2),
            ]
        );
    }

    // --- bodies -------------------------------------------------------------------------------

    #[test]
    fn parses_bodies() {
        let text = "\u{feff}code,name,type,parent_code\r\n\
                    27490-UBND,UBND  Phường Tân Phong,UBND,27490\r\n\
                    27490-TTHTCD,\"Trung tâm học tập cộng đồng phường Tân Phong\",TTHTCĐ,27490\r\n\
                    778-PGDDT,Phòng GDĐT Thành phố Biên Hòa,Phòng GDĐT,778\r\n";
        let parsed = parse_bodies(text.as_bytes()).unwrap();
        assert_eq!(parsed.len(), 3);
        assert_eq!(
            parsed[0],
            BodyRecord {
                code: "27490-UBND".into(),
                name: "UBND Phường Tân Phong".into(),
                unit_type: "UBND".into(),
                parent_code: "27490".into(),
                line: 2,
            }
        );
        assert_eq!(
            (parsed[1].unit_type.as_str(), parsed[1].line),
            ("TTHTCĐ", 3)
        );
        assert_eq!(parsed[2].parent_code, "778");
    }

    #[test]
    fn checks_body_rows() {
        let ok = "27490-UBND,UBND Phường Tân Phong,UBND,27490";
        let (line, message) = line_error(parse_bodies(&bodies(&[ok, "27490 TT,TT,TTHTCĐ,27490"])));
        assert_eq!(line, 3);
        assert!(
            message.starts_with("mã \"27490 TT\" không hợp lệ"),
            "{message}"
        );
        let long = format!("{},X,UBND,27490", "A".repeat(41));
        let (_, message) = line_error(parse_bodies(&bodies(&[&long])));
        assert!(
            message.ends_with("dài 41 ký tự, tối đa 40 ký tự"),
            "{message}"
        );
        assert!(parse_bodies(&bodies(&[&format!("{},X,UBND,27490", "Đ".repeat(40))])).is_ok());
        assert_eq!(
            line_error(parse_bodies(&bodies(&[",X,UBND,27490"]))).1,
            "thiếu mã"
        );
        assert_eq!(
            line_error(parse_bodies(&bodies(&["A,,UBND,27490"]))).1,
            "thiếu tên cơ quan, đơn vị"
        );
        assert_eq!(
            line_error(parse_bodies(&bodies(&["A,X, ,27490"]))).1,
            "thiếu loại cơ quan, đơn vị"
        );
        assert_eq!(
            line_error(parse_bodies(&bodies(&["A,X,UBND,"]))).1,
            "thiếu mã cha"
        );
        assert_eq!(
            line_error(parse_bodies(&bodies(&["A,X,UBND,A"]))).1,
            "cơ quan, đơn vị A không thể trực thuộc chính nó"
        );
        let (line, message) = line_error(parse_bodies(&bodies(&[ok, "B,X,UBND,1", ok])));
        assert_eq!(
            (line, message.as_str()),
            (4, "mã 27490-UBND bị trùng (đã có ở dòng 2)")
        );
        let (line, message) = line_error(parse_bodies(&bodies(&["A,X,UBND"])));
        assert_eq!(
            (line, message.as_str()),
            (2, "có 3 cột, cần đúng 4 cột (code,name,type,parent_code)")
        );
    }

    #[test]
    fn bodies_need_their_header() {
        let message = format_error(parse_bodies(&clean(&[HANOI])));
        assert!(
            message.contains("đây là tiêu đề của tệp danh mục đơn vị hành chính"),
            "{message}"
        );
        assert!(
            message.contains("\"code,name,type,parent_code\""),
            "{message}"
        );
        assert!(format_error(parse_bodies(b"")).contains("tệp trống"));
    }
}
