import tensorflow as tf

from rnnviz import device


def test_memory_growth_is_set_on_every_gpu_before_use(monkeypatch):
    fake_gpus = ["GPU:0", "GPU:1"]
    grown = []
    monkeypatch.setattr(device, "_done", False)
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: fake_gpus if kind == "GPU" else [])
    monkeypatch.setattr(tf.config.experimental, "set_memory_growth", lambda gpu, on: grown.append((gpu, on)))
    assert device.configure_gpus()
    assert grown == [("GPU:0", True), ("GPU:1", True)]
    assert device.configure_gpus() and len(grown) == 2  # once only


def test_gpu_already_in_use_is_reported_not_raised(monkeypatch):
    def refuse(gpu, on):
        raise RuntimeError("Physical devices cannot be modified after being initialized")

    monkeypatch.setattr(device, "_done", False)
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: ["GPU:0"] if kind == "GPU" else [])
    monkeypatch.setattr(tf.config.experimental, "set_memory_growth", refuse)
    assert device.configure_gpus() is False


def test_device_line_names_the_device_and_versions():
    info = device.device_info()
    assert info.tensorflow_version == tf.__version__
    assert "TensorFlow 2.21" in info.label and "Keras 3." in info.label
    assert info.label.startswith("GPU: ") == bool(info.gpus)
    assert info.label.startswith("CPU only") != bool(info.gpus)
