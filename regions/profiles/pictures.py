"""Profile pictures: checked by content (not by name), size-limited, resized, stored as JPEG."""

from __future__ import annotations

import io
import secrets
import warnings
from pathlib import PurePosixPath

from hub.core import storage
from hub.core.schemas import ServiceError, _m

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
SIZE = 512


class PictureError(ServiceError):
    """The upload is not a picture we accept (refused beside the picture field)."""

    def __init__(self, message):
        super().__init__(message, "picture")


def picture_key(name: str) -> str:
    """The key of a stored picture (its path under uploads/ before the store)."""
    return f"profiles/{PurePosixPath(name).name}"


def store_picture(stream) -> str:
    """Check and resize an uploaded picture and keep it in the current transaction; return its name."""
    from PIL import Image, ImageOps, UnidentifiedImageError  # loaded by the first upload, not at start-up

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise PictureError(_m("The picture is larger than 5 MB."))
    if not data:
        raise PictureError(_m("The file is empty."))
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that: make the warning a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
        with probe:
            if probe.format not in ALLOWED_FORMATS:
                raise PictureError(_m("Please upload a JPEG, PNG, WebP or GIF picture."))
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise PictureError(_m("The picture has too many pixels (at most 40 megapixels)."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((SIZE, SIZE))
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGBA")
                background = Image.new("RGB", image.size, (255, 255, 255))
                background.paste(image, mask=image.getchannel("A"))
                image = background
            out = io.BytesIO()
            image.save(out, "JPEG", quality=85, optimize=True)
    except PictureError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise PictureError(_m("The picture has too many pixels (at most 40 megapixels).")) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PictureError(_m("This file is not a picture we can read.")) from exc
    name = f"{secrets.token_hex(16)}.jpg"
    storage.put(picture_key(name), out.getvalue(), "image/jpeg")
    return name


def remove_picture(name: str | None) -> None:
    """Delete a stored picture in the current transaction."""
    if name:
        storage.delete(picture_key(name))
