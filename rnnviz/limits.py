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

# Opening a model file (rnnviz/loading.py and the checks it runs before Keras builds anything)
MAX_UNPACKED_BYTES = 4 * MAX_MODEL_BYTES  # the members rnnviz reads, decompressed, counted as they stream
MAX_ARCHIVE_MEMBERS = 32  # a Keras save has 3 (config.json, metadata.json, model.weights.h5)
MAX_CONFIG_BYTES = 2 * 1024**2  # config.json itself, before it is parsed
MAX_CONFIG_DEPTH = 100  # nesting of lists and objects in config.json
MAX_CONFIG_VALUES = 200_000  # lists, objects, strings and numbers in config.json
MAX_MODEL_LAYERS = 200  # layers of a loaded model, counting those inside wrappers and nested models
MAX_MODEL_NESTING = 8  # models and wrappers inside one another
MAX_GRAPH_NODES = 400  # calls of layers (inbound nodes) in a loaded model's graph, all together
MAX_GRAPH_DEPTH = 200  # the longest path through that graph
MAX_NODE_INPUTS = 64  # tensors one layer call takes
MAX_PARAMS = 16_000_000  # parameters of a loaded model, all layers
# Its variables at their dtype (16 M float32), and the weights file's datasets. Loading peaks at about
# five times this (initial values, the file in memory, the array read, the tensor assigned): 64 MB
# measured 320 MB, within the 500 MB an upload may cost.
MAX_WEIGHT_BYTES = 64 * 1024**2
MAX_ORTHOGONAL_DIM = 2048  # shorter side of a matrix an Orthogonal initializer fills (a QR decomposition)
MAX_CONSTANT_VALUES = 10_000  # numbers in an array written into config.json (a __numpy__ or __tensor__)
MAX_H5_OBJECTS = 10_000  # groups and datasets in model.weights.h5
MAX_H5_ATTRIBUTE_BYTES = 64 * 1024  # one attribute in model.weights.h5
MAX_TRAIN_SECONDS = 30  # the longest one training run may last (the Train page and train_task)
MAX_TRAIN_UNITS = 64  # units of a model trained on a toy task
MAX_LOAD_MEMORY = 512 * 1024**2  # memory an upload's load may add, in its capped worker process
MAX_LOAD_SECONDS = 20.0  # wall-clock time an upload's load may take in that worker
MAX_CHUNKS = 300  # batches one Stateful lesson feeds (one forward pass each): its cost, checked before work
# Models kept for a reload of the page (rnnviz/kept.py, the `?own=` link): an uploaded file's bytes or a
# trained model's weights, never a live model. Each is dropped this long after its last use, and the
# least recently used go first when there are more than KEPT_MODELS or they hold more than KEPT_MODEL_BYTES.
KEPT_MODEL_SECONDS = 30 * 60
KEPT_MODELS = 32
KEPT_MODEL_BYTES = 256 * 1024**2
