//! Case and diacritics folding, so that "Łukasz Żółć" and "lukasz zolc" compare equal.

/// Folds `text` for comparison: lower case, Latin diacritics removed (whether a letter
/// carries them or combining marks follow it, as in "u" + U+0308), runs of whitespace
/// collapsed to one space, and leading and trailing whitespace dropped. Folding a folded
/// text changes nothing.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if COMBINING_DIACRITICS.contains(&c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match base_letters(c) {
            Some(base) => out.push_str(base),
            None => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The combining marks that put diacritics on the letter before them.
const COMBINING_DIACRITICS: std::ops::RangeInclusive<char> = '\u{300}'..='\u{36f}';

/// Whether two texts are equal once folded.
pub fn same(a: &str, b: &str) -> bool {
    fold(a) == fold(b)
}

/// The ASCII letters a Latin letter with diacritics folds to (Latin-1 Supplement and
/// Latin Extended-A/B, which cover Polish, Dutch, German and the other European names).
fn base_letters(c: char) -> Option<&'static str> {
    Some(match c {
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'Ā' | 'ā' | 'Ă' | 'ă' | 'Ą' | 'ą'
        | 'Ǎ' | 'ǎ' | 'Ǟ' | 'ǟ' | 'Ǡ' | 'ǡ' | 'Ǻ' | 'ǻ' | 'Ȁ' | 'ȁ' | 'Ȃ' | 'ȃ' | 'Ȧ' | 'ȧ' => "a",
        'Æ' | 'æ' => "ae",
        'Ç' | 'ç' | 'Ć' | 'ć' | 'Ĉ' | 'ĉ' | 'Ċ' | 'ċ' | 'Č' | 'č' => "c",
        'Ð' | 'ð' | 'Ď' | 'ď' | 'Đ' | 'đ' => "d",
        'È' | 'É' | 'Ê' | 'Ë' | 'è' | 'é' | 'ê' | 'ë' | 'Ē' | 'ē' | 'Ĕ' | 'ĕ' | 'Ė' | 'ė' | 'Ę' | 'ę' | 'Ě' | 'ě'
        | 'Ȅ' | 'ȅ' | 'Ȇ' | 'ȇ' | 'Ȩ' | 'ȩ' => "e",
        'Ĝ' | 'ĝ' | 'Ğ' | 'ğ' | 'Ġ' | 'ġ' | 'Ģ' | 'ģ' | 'Ǧ' | 'ǧ' | 'Ǵ' | 'ǵ' => "g",
        'Ĥ' | 'ĥ' | 'Ħ' | 'ħ' | 'Ȟ' | 'ȟ' => "h",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'ì' | 'í' | 'î' | 'ï' | 'Ĩ' | 'ĩ' | 'Ī' | 'ī' | 'Ĭ' | 'ĭ' | 'Į' | 'į' | 'İ' | 'ı'
        | 'Ǐ' | 'ǐ' | 'Ȉ' | 'ȉ' | 'Ȋ' | 'ȋ' => "i",
        'Ĳ' | 'ĳ' => "ij",
        'Ĵ' | 'ĵ' | 'ǰ' => "j",
        'Ķ' | 'ķ' | 'Ǩ' | 'ǩ' => "k",
        'Ĺ' | 'ĺ' | 'Ļ' | 'ļ' | 'Ľ' | 'ľ' | 'Ŀ' | 'ŀ' | 'Ł' | 'ł' => "l",
        'Ñ' | 'ñ' | 'Ń' | 'ń' | 'Ņ' | 'ņ' | 'Ň' | 'ň' | 'Ŋ' | 'ŋ' | 'Ǹ' | 'ǹ' => "n",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ō' | 'ō' | 'Ŏ' | 'ŏ' | 'Ő' | 'ő'
        | 'Ơ' | 'ơ' | 'Ǒ' | 'ǒ' | 'Ǫ' | 'ǫ' | 'Ǭ' | 'ǭ' | 'Ȍ' | 'ȍ' | 'Ȏ' | 'ȏ' | 'Ȫ' | 'ȫ' | 'Ȭ' | 'ȭ' | 'Ȯ' | 'ȯ'
        | 'Ȱ' | 'ȱ' => "o",
        'Œ' | 'œ' => "oe",
        'Ŕ' | 'ŕ' | 'Ŗ' | 'ŗ' | 'Ř' | 'ř' | 'Ȑ' | 'ȑ' | 'Ȓ' | 'ȓ' => "r",
        'Ś' | 'ś' | 'Ŝ' | 'ŝ' | 'Ş' | 'ş' | 'Š' | 'š' | 'ſ' | 'Ș' | 'ș' => "s",
        'ß' | 'ẞ' => "ss",
        'Ţ' | 'ţ' | 'Ť' | 'ť' | 'Ț' | 'ț' => "t",
        'Þ' | 'þ' => "th",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'ù' | 'ú' | 'û' | 'ü' | 'Ũ' | 'ũ' | 'Ū' | 'ū' | 'Ŭ' | 'ŭ' | 'Ů' | 'ů' | 'Ű' | 'ű'
        | 'Ų' | 'ų' | 'Ư' | 'ư' | 'Ǔ' | 'ǔ' | 'Ǖ' | 'ǖ' | 'Ǘ' | 'ǘ' | 'Ǚ' | 'ǚ' | 'Ǜ' | 'ǜ' | 'Ȕ' | 'ȕ' | 'Ȗ' | 'ȗ' => {
            "u"
        }
        'Ŵ' | 'ŵ' => "w",
        'Ý' | 'ý' | 'ÿ' | 'Ŷ' | 'ŷ' | 'Ÿ' | 'Ȳ' | 'ȳ' => "y",
        'Ź' | 'ź' | 'Ż' | 'ż' | 'Ž' | 'ž' => "z",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_polish_dutch_and_german_names() {
        assert_eq!(fold("Łukasz ŻÓŁĆ"), "lukasz zolc");
        assert_eq!(fold("  Zoë   de  Vries "), "zoe de vries");
        assert_eq!(fold("Weiß"), "weiss");
        assert!(same("Wójcik", "WOJCIK"));
        assert!(!same("Kowalski", "Kowalska"));
    }

    #[test]
    fn combining_diacritics_and_the_capital_sharp_s_fold_as_the_letters_written_as_one() {
        assert_eq!(fold("Mu\u{308}ller"), "muller");
        assert_eq!(fold("Z\u{307}o\u{301}\u{142}c\u{301}"), "zolc");
        assert_eq!(fold("STRAUẞ"), "strauss");
        assert!(same("STRAUẞ", "Strauß"));
    }

    #[test]
    fn folding_twice_changes_nothing() {
        for text in ["STRAUẞ", "Łukasz ŻÓŁĆ", "Mu\u{308}ller", "Ĳsselmeer", "Þór", "İzmir", "Ολγα 🙂", " a \u{308} b "]
        {
            assert_eq!(fold(&fold(text)), fold(text), "{text:?}");
        }
    }

    #[test]
    fn keeps_other_scripts_and_emoji() {
        assert_eq!(fold("Ολγα 🙂"), "ολγα 🙂");
    }
}
