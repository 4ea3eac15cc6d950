//! Nhập danh mục đơn vị: any bytes given to the units CSV / GSO importer and to the
//! bodies importer end in records or in a Vietnamese error, never in a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tuanle_domain::units_import::{detect_format, parse_bodies, parse_units};

fuzz_target!(|data: &[u8]| {
    let _ = detect_format(data);
    if let Err(e) = parse_units(data) {
        assert!(!e.to_string().is_empty(), "an error without a message");
    }
    if let Err(e) = parse_bodies(data) {
        assert!(!e.to_string().is_empty(), "an error without a message");
    }
});
