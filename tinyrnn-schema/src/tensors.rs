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
        self.directed_tensors(layers, hidden, input, &[""])
    }

    /// [`layer_tensors`](Self::layer_tensors) of bidirectional layers (`bidirectional=True`):
    /// each layer's forward tensors, then its backward ones named with `_reverse`, and layer
    /// `k + 1` reading the `2 · hidden` outputs of both directions of layer `k`.
    ///
    /// ```
    /// use tinyrnn_schema::CellKind;
    ///
    /// let tensors = CellKind::Gru.bidirectional_layer_tensors(2, 8, 5);
    /// assert_eq!(tensors[4].0, "rnn.weight_ih_l0_reverse");
    /// assert_eq!(tensors[8], ("rnn.weight_ih_l1".to_string(), vec![24, 16]));
    /// assert_eq!(tensors.len(), 16);
    /// ```
    pub fn bidirectional_layer_tensors(
        self,
        layers: usize,
        hidden: usize,
        input: usize,
    ) -> Vec<(String, Vec<usize>)> {
        self.directed_tensors(layers, hidden, input, &["", "_reverse"])
    }

    /// The tensors of `layers` layers with one direction per name suffix in `directions`.
    fn directed_tensors(
        self,
        layers: usize,
        hidden: usize,
        input: usize,
        directions: &[&str],
    ) -> Vec<(String, Vec<usize>)> {
        let rows = self.gates() * hidden;
        let mut tensors = Vec::with_capacity(4 * layers * directions.len());
        for k in 0..layers {
            let columns = if k == 0 {
                input
            } else {
                hidden * directions.len()
            };
            for d in directions {
                tensors.push((format!("rnn.weight_ih_l{k}{d}"), vec![rows, columns]));
                tensors.push((format!("rnn.weight_hh_l{k}{d}"), vec![rows, hidden]));
                tensors.push((format!("rnn.bias_ih_l{k}{d}"), vec![rows]));
                tensors.push((format!("rnn.bias_hh_l{k}{d}"), vec![rows]));
            }
        }
        tensors
    }
}
