"""Which device TensorFlow computes on, set up before first use."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import keras
import tensorflow as tf

from rnnviz.i18n import _

_configured = threading.Lock()
_done = False


@dataclass(frozen=True)
class DeviceInfo:
    """What the device line shows."""

    gpus: tuple[str, ...]
    tensorflow_version: str
    keras_version: str
    memory_growth: bool

    @property
    def label(self) -> str:
        """One line for people, e.g. "GPU: /physical_device:GPU:0 · TensorFlow 2.21.0 · Keras 3.15.1"."""
        where = f"GPU: {', '.join(self.gpus)}" if self.gpus else _("CPU only (TensorFlow sees no GPU)")
        return f"{where} · TensorFlow {self.tensorflow_version} · Keras {self.keras_version}"


def configure_gpus() -> bool:
    """Turn on memory growth for every GPU, once, before TensorFlow first uses one.

    Returns:
        True if memory growth is on for every GPU (vacuously true with none).
    """
    global _done
    with _configured:
        if _done:
            return True
        try:
            for gpu in tf.config.list_physical_devices("GPU"):
                tf.config.experimental.set_memory_growth(gpu, True)
            _done = True
        except RuntimeError:  # a GPU was already initialized: growth can no longer be changed
            _done = False
        return _done


def device_info() -> DeviceInfo:
    """Describe the devices TensorFlow sees and the library versions."""
    gpus = tuple(d.name for d in tf.config.list_physical_devices("GPU"))
    growth = all(tf.config.experimental.get_memory_growth(g) for g in tf.config.list_physical_devices("GPU"))
    return DeviceInfo(gpus, tf.__version__, keras.__version__, growth)
