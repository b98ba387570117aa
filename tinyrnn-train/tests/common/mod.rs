//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::PathBuf;

/// A fresh, empty scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("tinyrnn-train-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A tiny sentiment-like TSV data set: "good"/"great" positive unless "not" comes right before.
pub fn tiny_tsv() -> String {
    let mut s = String::from("label\ttext\n");
    let subjects = ["the film", "this phone", "the food", "it"];
    for (i, subj) in subjects.iter().enumerate() {
        for (j, adj) in ["good", "great", "bad", "awful"].iter().enumerate() {
            for not in [false, true] {
                let positive = (j < 2) != not;
                let text = format!(
                    "{subj} was {}{adj}{}",
                    if not { "not " } else { "" },
                    if (i + j) % 2 == 0 { "!" } else { "" }
                );
                s.push_str(&format!("{}\t{text}\n", u8::from(positive)));
            }
        }
    }
    s
}

/// A tiny `.ts` data set: 2 dimensions, variable length, class = sign of the mean of dim 1.
pub fn tiny_ts() -> String {
    let mut s = String::from(
        "@problemName tiny\n@dimensions 2\n@equalLength false\n@classLabel true up down\n@data\n",
    );
    for i in 0..24 {
        let len = 3 + i % 5;
        let up = i % 2 == 0;
        let d1: Vec<String> = (0..len)
            .map(|t| {
                format!(
                    "{:.3}",
                    if up { 1.0 } else { -1.0 } * (0.5 + 0.1 * t as f64) + 0.01 * i as f64
                )
            })
            .collect();
        let d2: Vec<String> = (0..len)
            .map(|t| format!("{:.3}", (t as f64 * 0.7 + i as f64).sin()))
            .collect();
        s.push_str(&format!(
            "{}:{}:{}\n",
            d1.join(","),
            d2.join(","),
            if up { "up" } else { "down" }
        ));
    }
    s
}
