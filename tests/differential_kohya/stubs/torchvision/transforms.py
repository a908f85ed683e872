"""The names sd-scripts imports from torchvision.transforms; none of them is called by the oracle."""

from typing import Any


class _Transform:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args

    def __call__(self, value: Any) -> Any:
        return value


Compose = ToTensor = Normalize = Resize = CenterCrop = RandomCrop = InterpolationMode = _Transform
