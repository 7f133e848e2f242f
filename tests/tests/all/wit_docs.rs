//! The contract documents itself: every WIT item carries a `///` comment.

use pos_tests::root;

/// Lines that declare something a plugin author reads about.
fn declares_item(line: &str) -> bool {
    let line = line.trim();
    let keyword = line.split_whitespace().next().unwrap_or("");
    if ["package", "use", "import", "export", "include", "}", "//", "///"].iter().any(|k| keyword.starts_with(k)) {
        return false;
    }
    ["interface", "world", "record", "variant", "enum", "flags", "resource", "type"].contains(&keyword)
        || line.contains(": func(")
        || line.ends_with(',')
}

#[test]
fn every_wit_item_is_documented() {
    let mut undocumented = Vec::new();
    let mut files = 0;
    for version in std::fs::read_dir(root().join("wit")).unwrap() {
        for file in std::fs::read_dir(version.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            files += 1;
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                if declares_item(line) && (i == 0 || !lines[i - 1].trim().starts_with("///")) {
                    undocumented.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(files >= 5, "the WIT files were found");
    assert!(undocumented.is_empty(), "undocumented WIT items:\n{}", undocumented.join("\n"));
}

/// A released version of the contract never changes: plugins built against it must keep
/// loading as they were built. A change is a new version folder.
#[test]
fn released_versions_are_frozen() {
    let released = [("v0.1.0", "ab9c3b56"), ("v0.2.0", "f1446734")];
    for (version, expected) in released {
        let dir = root().join("wit").join(version);
        let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|f| f.unwrap().file_name()).collect();
        names.sort();
        let mut hasher = blake3::Hasher::new();
        for name in names {
            hasher.update(name.as_encoded_bytes());
            hasher.update(&std::fs::read(dir.join(&name)).unwrap());
        }
        let found = hasher.finalize().to_hex();
        assert_eq!(&found[..8], expected, "wit/{version} changed; put the change in a new version folder");
    }
}
