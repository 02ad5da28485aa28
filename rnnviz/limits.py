"""The stated limits of rnnviz, in one place (the README quotes them)."""

MAX_UNITS = 1024  # units of a recurrent or Dense layer, output_dim of an Embedding
MAX_TIMESTEPS = 2000
MAX_BATCH = 256
MAX_FEATURES = 1024
MAX_VOCAB = 100_000  # input_dim of an Embedding
MAX_LAYERS = 8  # layers in one stack
MAX_STACKS = 4
MAX_TRACE_BYTES = 1024**3  # arrays one trace may hold
MAX_MODEL_BYTES = 50 * 1024**2  # size of an uploaded .keras file
# Gradients over time (rnnviz.gradients): rows x timesteps x units one backward pass may run, where rows
# is batch x units for the exact norm (batch x samples for the estimate); about 4 bytes per cell per
# saved activation, so this keeps one computation under a few GB.
MAX_GRADIENT_CELLS = 50_000_000
MAX_DATA_BYTES = 64 * 1024**2  # an uploaded .npy/.csv of sequences, or a typed list of token ids
MAX_VOCAB_FILE_BYTES = 8 * 1024**2  # an uploaded vocabulary file (one token per line)
