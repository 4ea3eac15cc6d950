//! Nhập bảng tính: any bytes given to the workbook importer end in figures or in a
//! Vietnamese error, never in a panic, a hang or unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tuanle_domain::template::Template;

fuzz_target!(
    init: {
        // The importer turns a panic inside the spreadsheet reader into an error
        // (`SheetError::Corrupt`) with `catch_unwind`; libfuzzer-sys's hook would abort
        // before that. Any panic that escapes the importer still aborts the run.
        let _ = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
    },
    |data: &[u8]| {
        let template = Template::builtin_2021();
        if let Ok(book) = tuanle_sheets::read::open_workbook(data) {
            match book.parse(&template) {
                Ok(parsed) => {
                    // Every cell it read is a cell of the template.
                    for row in parsed.figures.0.keys() {
                        assert!(template.indicator(row).is_some(), "row {row}");
                    }
                }
                Err(problems) => assert!(problems.iter().all(|p| !p.message.is_empty())),
            }
        }
    }
);
