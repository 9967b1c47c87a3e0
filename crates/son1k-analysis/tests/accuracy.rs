//! Accuracy on the synthetic labelled corpus: tempo Acc1/Acc2 and the MIREX weighted key score.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use son1k_analysis::corpus::{acc1, acc2, corpus, render};
use son1k_analysis::key::mirex_score;

#[test]
fn tempo_and_key_accuracy_on_the_labelled_corpus() {
    let songs = corpus(30, 16.0);
    let (mut a1, mut a2, mut key) = (0, 0, 0.0);
    let mut misses = Vec::new();
    for s in &songs {
        let a = son1k_analysis::analyze(&render(s), Path::new("corpus")).unwrap();
        let est_key: son1k_core::Key = a.key.parse().unwrap();
        if acc1(a.bpm, s.bpm) {
            a1 += 1;
        }
        if acc2(a.bpm, s.bpm) {
            a2 += 1;
        }
        key += mirex_score(est_key, s.key);
        if !acc1(a.bpm, s.bpm) || est_key != s.key {
            misses.push(format!(
                "{:?} {} {}: got {} {}",
                s.pattern, s.bpm, s.key, a.bpm, a.key
            ));
        }
    }
    let n = songs.len() as f64;
    let (acc1, acc2, weighted) = (a1 as f64 / n, a2 as f64 / n, key / n * 100.0);
    println!(
        "Acc1 {acc1:.3}  Acc2 {acc2:.3}  weighted key {weighted:.1}\n{}",
        misses.join("\n")
    );
    assert!(acc1 >= 0.92, "Acc1 {acc1:.3}\n{}", misses.join("\n"));
    assert!(acc2 >= 0.98, "Acc2 {acc2:.3}\n{}", misses.join("\n"));
    assert!(weighted >= 85.0, "key {weighted:.1}\n{}", misses.join("\n"));
}
