//! Text helpers: the search key used for diacritic-insensitive name search.

use unicode_normalization::UnicodeNormalization;

/// Khóa tìm kiếm — the search key of a name: NFC, transliterated to ASCII
/// (`Đ` → `d`, `ắ` → `a`), lower-cased, with runs of white space folded to one space.
///
/// "Thành phố Thủ Dầu Một" → "thanh pho thu dau mot"; "Đắk Lắk" → "dak lak".
pub fn search_key(name: &str) -> String {
    let nfc: String = name.nfc().collect();
    let ascii = deunicode::deunicode(&nfc).to_lowercase();
    ascii.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese_marks_and_d_bar() {
        assert_eq!(search_key("Thành phố Thủ Dầu Một"), "thanh pho thu dau mot");
        assert_eq!(search_key("Tỉnh Đắk Lắk"), "tinh dak lak");
        assert_eq!(search_key("  Phường   Tân  Phong "), "phuong tan phong");
    }

    #[test]
    fn nfd_input_gives_the_same_key_as_nfc() {
        let nfd: String = "Đắk Lắk".nfd().collect();
        assert_eq!(search_key(&nfd), search_key("Đắk Lắk"));
    }
}
