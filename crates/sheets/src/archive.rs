//! Tệp nén — .zip uploads and the zip container of an .xlsx, read with limits on size,
//! count and compression ratio so that a "zip bomb" is refused before it is expanded.

use std::io::{Cursor, Read};

use crate::{SheetError, MAX_RATIO, MAX_WORKBOOK_BYTES, MAX_ZIP_ENTRIES, MAX_ZIP_EXPANDED};

/// Whether the bytes start like a zip archive (an .xlsx or a .zip).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Whether the bytes are an OLE compound file (an old .xls, or an encrypted .xlsx).
pub fn is_compound(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}

/// Whether a compound file is an Office document encrypted with a password
/// (it carries an `EncryptionInfo` stream, named in UTF-16).
pub fn is_encrypted_office(bytes: &[u8]) -> bool {
    if !is_compound(bytes) {
        return false;
    }
    let needle: Vec<u8> = "EncryptionInfo"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}

/// Checks the zip container of an .xlsx: total declared expanded size and each part's
/// compression ratio, before a reader expands anything.
pub fn check_container(bytes: &[u8], max_expanded: u64) -> Result<(), SheetError> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| SheetError::Corrupt(e.to_string()))?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let f = zip
            .by_index_raw(i)
            .map_err(|e| SheetError::Corrupt(e.to_string()))?;
        if f.encrypted() {
            return Err(SheetError::Encrypted);
        }
        total = total.saturating_add(f.size());
        if total > max_expanded || f.size() > f.compressed_size().max(1).saturating_mul(MAX_RATIO) {
            return Err(SheetError::ZipBomb);
        }
    }
    Ok(())
}

/// Whether a zip archive is itself a workbook (it has the Office content-types part).
fn is_office_container(bytes: &[u8]) -> bool {
    zip::ZipArchive::new(Cursor::new(bytes))
        .map(|z| z.index_for_name("[Content_Types].xml").is_some())
        .unwrap_or(false)
}

/// One uploaded file expanded into the workbooks it holds: a .zip gives its .xlsx
/// entries (named `archive.zip/inner/path.xlsx`), anything else is one file as is.
/// Limits: [`MAX_ZIP_ENTRIES`] workbooks, [`MAX_ZIP_EXPANDED`] bytes in all,
/// [`MAX_WORKBOOK_BYTES`] per workbook and [`MAX_RATIO`] per entry; entries are read
/// through a bounded reader, so a lying size header cannot expand further either.
pub fn expand_upload(name: &str, bytes: Vec<u8>) -> Result<Vec<(String, Vec<u8>)>, SheetError> {
    let zip_named = name.to_lowercase().ends_with(".zip");
    let archive = zip_named
        || (is_zip(&bytes)
            && zip::ZipArchive::new(Cursor::new(&bytes)).is_ok()
            && !is_office_container(&bytes));
    if !archive {
        return Ok(vec![(name.to_string(), bytes)]);
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(&bytes))
        .map_err(|e| SheetError::Corrupt(e.to_string()))?;
    let mut out = Vec::new();
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut f = zip
            .by_index(i)
            .map_err(|e| SheetError::Corrupt(e.to_string()))?;
        let inner = f.name().to_string();
        let base = inner.rsplit('/').next().unwrap_or("");
        if f.is_dir() || inner.starts_with("__MACOSX/") || base.starts_with('.') || base.is_empty()
        {
            continue;
        }
        if out.len() >= MAX_ZIP_ENTRIES {
            return Err(SheetError::TooManyFiles(MAX_ZIP_ENTRIES));
        }
        if f.size() > f.compressed_size().max(1).saturating_mul(MAX_RATIO) {
            return Err(SheetError::ZipBomb);
        }
        let mut data = Vec::new();
        (&mut f)
            .take(MAX_WORKBOOK_BYTES as u64 + 1)
            .read_to_end(&mut data)
            .map_err(|e| SheetError::Corrupt(e.to_string()))?;
        total = total.saturating_add(data.len() as u64);
        if data.len() > MAX_WORKBOOK_BYTES || total > MAX_ZIP_EXPANDED {
            return Err(SheetError::ZipBomb);
        }
        out.push((format!("{name}/{inner}"), data));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (n, d) in entries {
            w.start_file(*n, opts).unwrap();
            w.write_all(d).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn a_zip_of_workbooks_is_expanded_and_a_bomb_refused() {
        let z = zip_of(&[
            ("a/1.xlsx", b"one"),
            ("__MACOSX/x", b"y"),
            ("2.xlsx", b"two"),
        ]);
        let files = expand_upload("up.zip", z).unwrap();
        let names: Vec<_> = files.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(names, ["up.zip/a/1.xlsx", "up.zip/2.xlsx"]);
        let zeros = vec![0u8; 20 * 1024 * 1024];
        let bomb = zip_of(&[("big.xlsx", &zeros)]);
        assert_eq!(
            expand_upload("b.zip", bomb.clone()),
            Err(SheetError::ZipBomb)
        );
        assert_eq!(check_container(&bomb, 1 << 30), Err(SheetError::ZipBomb));
        let single = expand_upload("x.xlsx", b"not a zip".to_vec()).unwrap();
        assert_eq!(single.len(), 1);
    }
}
