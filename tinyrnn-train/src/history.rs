//! The numbers of a training run, epoch by epoch: what the training loop records and the
//! training-curve plot reads.

/// One epoch's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochStats {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean training loss over the epoch (while the weights moved).
    pub train_loss: f64,
    /// Accuracy of the training batches as they were seen (with dropout).
    pub train_acc: f64,
    /// Validation loss after the epoch.
    pub val_loss: Option<f64>,
    /// Validation accuracy after the epoch.
    pub val_acc: Option<f64>,
}

impl EpochStats {
    /// The progress line of the epoch, out of `epochs`: losses and accuracies, a `*` when the
    /// epoch is the best so far (`improved`), and how long it took.
    pub fn line(&self, epochs: usize, improved: bool, seconds: f64) -> String {
        format!(
            "epoch {:>3}/{epochs}  loss {:.4}  train acc {:.4}{}{}  {seconds:.1} s",
            self.epoch,
            self.train_loss,
            self.train_acc,
            match (self.val_loss, self.val_acc) {
                (Some(l), Some(a)) => format!("  val loss {l:.4}  val acc {a:.4}"),
                _ => String::new(),
            },
            if improved { " *" } else { "  " },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_line() {
        let mut s = EpochStats {
            epoch: 3,
            train_loss: 0.5,
            train_acc: 0.75,
            val_loss: None,
            val_acc: None,
        };
        assert_eq!(
            s.line(20, false, 1.5),
            "epoch   3/20  loss 0.5000  train acc 0.7500    1.5 s"
        );
        (s.val_loss, s.val_acc) = (Some(0.25), Some(1.0));
        assert_eq!(
            s.line(20, true, 0.0),
            "epoch   3/20  loss 0.5000  train acc 0.7500  val loss 0.2500  val acc 1.0000 *  0.0 s"
        );
    }
}
