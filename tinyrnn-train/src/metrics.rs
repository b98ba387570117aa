//! Accuracy, per-class precision and recall, and the confusion matrix.

use std::fmt::Write;

/// Counts of (true class, predicted class).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confusion {
    /// Class names.
    pub labels: Vec<String>,
    /// `counts[true][predicted]`.
    pub counts: Vec<Vec<usize>>,
}

impl Confusion {
    /// An empty matrix over the given classes.
    pub fn new(labels: &[String]) -> Self {
        let c = labels.len();
        Confusion {
            labels: labels.to_vec(),
            counts: vec![vec![0; c]; c],
        }
    }

    /// Counts one prediction.
    pub fn add(&mut self, truth: usize, predicted: usize) {
        self.counts[truth][predicted] += 1;
    }

    /// Number of examples.
    pub fn total(&self) -> usize {
        self.counts.iter().flatten().sum()
    }

    /// Number of correct predictions.
    pub fn correct(&self) -> usize {
        (0..self.labels.len()).map(|i| self.counts[i][i]).sum()
    }

    /// Fraction correct (0 for no examples).
    pub fn accuracy(&self) -> f64 {
        self.correct() as f64 / self.total().max(1) as f64
    }

    /// The line `accuracy: 0.xxxx (k/n)`.
    pub fn accuracy_line(&self) -> String {
        format!(
            "accuracy: {:.4} ({}/{})",
            self.accuracy(),
            self.correct(),
            self.total()
        )
    }

    /// Per-class precision, recall, F1 and support, then the matrix, then the accuracy line.
    pub fn report(&self) -> String {
        let c = self.labels.len();
        let longest = self.labels.iter().map(|l| l.chars().count()).max();
        let w = longest.unwrap_or(5).clamp(5, 24);
        let mut s = String::new();
        let _ = writeln!(s, "{:<w$}  precision  recall      f1  support", "class");
        for i in 0..c {
            let tp = self.counts[i][i] as f64;
            let predicted: usize = (0..c).map(|t| self.counts[t][i]).sum();
            let actual: usize = self.counts[i].iter().sum();
            let p = if predicted > 0 {
                tp / predicted as f64
            } else {
                0.0
            };
            let r = if actual > 0 { tp / actual as f64 } else { 0.0 };
            let f1 = if p + r > 0.0 {
                2.0 * p * r / (p + r)
            } else {
                0.0
            };
            let _ = writeln!(
                s,
                "{:<w$}  {p:>9.4}  {r:>6.4}  {f1:>6.4}  {actual:>7}",
                self.labels[i]
            );
        }
        let cw = longest
            .unwrap_or(1)
            .max(self.total().to_string().len())
            .max(4);
        let _ = writeln!(
            s,
            "confusion matrix (rows: true class, columns: predicted):"
        );
        let _ = write!(s, "{:<w$}", "");
        for l in &self.labels {
            let _ = write!(s, "  {l:>cw$}");
        }
        s.push('\n');
        for i in 0..c {
            let _ = write!(s, "{:<w$}", self.labels[i]);
            for j in 0..c {
                let _ = write!(s, "  {:>cw$}", self.counts[i][j]);
            }
            s.push('\n');
        }
        s.push_str(&self.accuracy_line());
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_numbers() {
        let labels = vec!["neg".to_string(), "pos".to_string()];
        let mut m = Confusion::new(&labels);
        for (t, p) in [(0, 0), (0, 0), (0, 1), (1, 1)] {
            m.add(t, p);
        }
        assert_eq!(m.accuracy_line(), "accuracy: 0.7500 (3/4)");
        let r = m.report();
        assert!(r.contains("neg       1.0000  0.6667"), "{r}");
        assert!(r.contains("pos       0.5000  1.0000"), "{r}");
    }
}
