"""The Keras guide "Working with RNNs", one lesson per module, each claim computed live.

Every lesson builds its own small Keras layers from seeded initializers, runs them on seeded
random input and returns a frozen dataclass of float32 numpy arrays (read-only), so pages,
figures and tests need no model. `codegen` writes the Keras code that reproduces each lesson.

- `outputs`: what return_sequences and return_state make a layer return.
- `seq2seq`: the encoder's final states handed to the decoder (initial_state).
- `stateful`: a long sequence fed chunk by chunk to a stateful layer.
- `bidirectional`: forward and backward halves, merge modes, parameter counts.
- `cells`: RNN(cell) against the built-in layer, the cuDNN kernel, a custom cell.
"""
