"""Every `st.session_state` key rnnviz uses, in one place; prefixed so pages never collide."""

# The current model, shared by every page.
DRAFT_SPEC = "model.draft"  # ModelSpec being edited on the Build page (may be invalid)
GOOD_SPEC = "model.good"  # last valid ModelSpec: what every page shows
PRESET = "model.preset"  # preset name the model came from, or None
EDITED = "model.edited"  # True once the user changed the preset's model
MODELS = "model.built"  # {ModelSpec: keras.Model} built for this session only
PRESET_PICKER = "sidebar.preset"  # the sidebar's preset selectbox
SOURCE = "model.source"  # "preset" (a spec, maybe edited) or "upload"
UPLOADED = "model.uploaded"  # UploadedModel opened by this session
UPLOADER = "sidebar.uploader"  # the sidebar's file uploader
UPLOAD_ERROR = "model.upload_error"  # message about the last refused file

# Build page.
EDITOR_GENERATION = "build.generation"  # bumped on a structural edit so widgets start afresh
EDITOR_PREFIX = "build.w"  # prefix of every editor widget key
ADD_KIND = "build.add_kind"

# Input panel (shared by every page that runs a model).
INPUT_WIDGET = "input.w"  # prefix: input.w.<input name>.<field>
INPUT_GOOD = "input.good"  # {input name: last valid InputChoice}
TRACES = "trace.cache"  # {(model key, choices): Trace} for this session

# States page.
STATES_LAYER = "states.layer"
STATES_DIRECTION = "states.direction"
STATES_STEP = "states.step"
STATES_PLAYING = "states.playing"
STATES_UNITS = "states.units"
