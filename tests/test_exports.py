"""The packages' public faces (``studioflow.exports.lazy_exports``): every name resolves, no module shadows one."""

import importlib
import importlib.util

import pytest

FACES = ["studioflow", "studioflow.recording", "studioflow.mixing", "studioflow.mixing.automix",
         "studioflow.mixing.revise", "studioflow.mastering", "studioflow.demo"]


@pytest.mark.parametrize("package", FACES)
def test_every_public_name_resolves_and_is_no_module_of_its_package(package):
    face = importlib.import_module(package)
    for name in face.__all__:
        if name == "__version__":
            continue
        assert importlib.util.find_spec(f"{package}.{name}") is None, f"{package}.{name} is also a module"
        value = getattr(face, name)
        assert not hasattr(value, "__path__") and type(value).__name__ != "module", f"{package}.{name}"
        assert name in dir(face)
