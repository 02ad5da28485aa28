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
MAX_CHUNKS = 300  # batches one Stateful lesson feeds (one forward pass each): its cost, checked before work
