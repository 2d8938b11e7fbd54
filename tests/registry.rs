//! The check registry and the `checks/` folder stay in step; every doc is complete.

use crate::common::{repo_root, shopaudit, stdout};
use std::collections::BTreeSet;

#[test]
fn every_doc_has_a_check_and_every_check_a_doc() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(repo_root().join("checks"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".md").map(str::to_string)
        })
        .collect();
    let registered: BTreeSet<String> = shopaudit::checks::registry()
        .iter()
        .map(|c| c.doc.id.clone())
        .collect();
    assert_eq!(on_disk, registered);
    for check in shopaudit::checks::registry() {
        assert!(check.doc.weight > 0.0, "{} has no weight", check.doc.id);
        for (name, list) in &check.doc.phrases {
            for lang in [&list.en, &list.es, &list.fr] {
                assert!(
                    !lang.is_empty(),
                    "{}: phrase list `{name}` lacks a language",
                    check.doc.id
                );
            }
        }
    }
}

#[test]
fn explain_prints_the_doc_and_unknown_ids_exit_2() {
    let out = shopaudit(&["explain", "hidden-phone-number"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("## Why it matters"), "{text}");
    assert!(text.contains("category: contact"), "{text}");

    let out = shopaudit(&["explain", "no-such-check"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn checks_lists_every_id() {
    let out = shopaudit(&["checks"]);
    let text = stdout(&out);
    for check in shopaudit::checks::registry() {
        assert!(
            text.contains(&check.doc.id),
            "{} missing from:\n{text}",
            check.doc.id
        );
    }
}
