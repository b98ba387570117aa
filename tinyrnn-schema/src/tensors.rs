//! The tensors a model file stores for its recurrent layers, named and shaped once for the
//! trainer that writes them and for whoever builds a model file by hand.

use crate::CellKind;

impl CellKind {
    /// The name and shape of every tensor of `layers` stacked layers of this cell with
    /// `hidden` units, the first reading `input` values: the entries of PyTorch's
    /// `nn.RNN`/`nn.LSTM`/`nn.GRU` `state_dict()` under the prefix `rnn.`, layer by layer, each
    /// layer's in PyTorch's order (docs/model-format.md).
    ///
    /// ```
    /// use tinyrnn_schema::CellKind;
    ///
    /// let tensors = CellKind::Gru.layer_tensors(2, 8, 5);
    /// let names: Vec<&str> = tensors.iter().map(|(n, _)| n.as_str()).collect();
    /// assert_eq!(&names[..4], ["rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0"]);
    /// assert_eq!(tensors[0].1, [24, 5]); // 3 gates × 8 units, 5 inputs
    /// assert_eq!(tensors[4].1, [24, 8]); // layer 1 reads layer 0's 8 units
    /// assert_eq!(tensors.len(), 8);
    /// ```
    pub fn layer_tensors(
        self,
        layers: usize,
        hidden: usize,
        input: usize,
    ) -> Vec<(String, Vec<usize>)> {
        let rows = self.gates() * hidden;
        let mut tensors = Vec::with_capacity(4 * layers);
        for k in 0..layers {
            let columns = if k == 0 { input } else { hidden };
            tensors.push((format!("rnn.weight_ih_l{k}"), vec![rows, columns]));
            tensors.push((format!("rnn.weight_hh_l{k}"), vec![rows, hidden]));
            tensors.push((format!("rnn.bias_ih_l{k}"), vec![rows]));
            tensors.push((format!("rnn.bias_hh_l{k}"), vec![rows]));
        }
        tensors
    }
}
