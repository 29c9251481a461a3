//! Every example and tool answers `--help` with its usage and exits 0: a reader who types
//! it first learns the flags instead of meeting "unknown flag".

mod support;

use std::fs;

#[test]
fn every_example_answers_help_with_its_usage() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("examples/")
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".rs").map(str::to_string)
        })
        .collect();
    names.sort();
    /* ch01 < ch11 every chapter adds examples; chapter 11 has fourteen
    assert!(names.len() >= 2, "found only {names:?}");
    */
    // > ch11
    assert!(names.len() >= 14, "found only {names:?}");
    // < ch11
    support::all_example_paths(&names);
    for name in &names {
        let output = support::run_example(name, &["--help"]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{name} --help: {:?}",
            output.status
        );
        assert!(
            stdout.to_lowercase().contains("usage"),
            "{name} --help printed {stdout:?}"
        );
    }
}
