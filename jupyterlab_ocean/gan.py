"""GAN output cells on the kernel side.

``%ocean gan <did> --n 16 --seed 42`` displays a GAN cell: the browser
buys access (through the wallet's dialog), runs the generator and draws the
grid. The kernel only emits the cell's settings; the images come back into
the kernel on request through the bridge command ``gan.images``.

The shapes here mirror src/gan/protocol.ts.
"""

import argparse
import base64
import re
import shlex

GAN_MIME_TYPE = "application/vnd.ocean.gan+json"
GAN_MAX_IMAGES = 64
_DID = re.compile(r"^did:op:[0-9a-f]{64}$")


def gan_payload(did, n=16, seed=42, seed_b=None, scale=3):
    """The cell's settings, checked the way the browser checks them. A
    ``None`` DID leaves the choice of model to the browser (gan_images)."""
    if did is not None:
        did = str(did).strip().lower()
        if not _DID.match(did):
            raise ValueError("The GAN model DID must be did:op: followed by 64 hex digits.")
    for name, value, low, high in (
        ("n", n, 1, GAN_MAX_IMAGES),
        ("seed", seed, 0, 0xFFFFFFFF),
        ("scale", scale, 1, 8),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError(f'"{name}" must be a whole number from {low} to {high}.')
    payload = {"n": n, "seed": seed, "scale": scale}
    if did is not None:
        payload = {"did": did, **payload}
    if seed_b is not None:
        if not isinstance(seed_b, int) or not 0 <= seed_b <= 0xFFFFFFFF:
            raise ValueError('"seed_b" must be a whole number from 0 to 4294967295.')
        payload["seedB"] = seed_b
    return payload


def gan_bundle(did, n=16, seed=42, seed_b=None, scale=3):
    """The MIME bundle of a GAN cell. The text is what a reader without the
    extension sees until the browser has written the PNG into the output."""
    payload = gan_payload(did, n=n, seed=seed, seed_b=seed_b, scale=scale)
    text = (
        f"GAN cell: {n} images from {payload['did']} (seed {seed}). "
        "Open in JupyterLab with jupyterlab-ocean to generate them."
    )
    return {GAN_MIME_TYPE: payload, "text/plain": text}


def display_gan(did, n=16, seed=42, seed_b=None, scale=3):
    """Show a GAN cell in the current output."""
    from IPython.display import display

    display(gan_bundle(did, n=n, seed=seed, seed_b=seed_b, scale=scale), raw=True)


def parse_gan_line(line):
    """``<did> [--n 16] [--seed 42] [--to SEED] [--scale 3]`` → payload."""
    parser = argparse.ArgumentParser(prog="%ocean gan", add_help=False)
    parser.add_argument("did")
    parser.add_argument("--n", type=int, default=16)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--to", type=int, default=None, dest="seed_b")
    parser.add_argument("--scale", type=int, default=3)
    try:
        args = parser.parse_args(shlex.split(line))
    except SystemExit:
        raise ValueError(
            "Usage: %ocean gan <did> [--n 16] [--seed 42] [--to SEED] [--scale 3]"
        ) from None
    return gan_payload(args.did, n=args.n, seed=args.seed, seed_b=args.seed_b, scale=args.scale)


def images_from_result(result):
    """The ``gan_images`` command's result → a NumPy array (n, h, w, 3) of
    uint8 when NumPy is installed, else ``(bytes, shape)``."""
    if result.get("dtype") != "uint8":
        raise ValueError("Unexpected image data type from the browser.")
    shape = tuple(int(v) for v in result["shape"])
    data = result["data"]
    if isinstance(data, str):  # base64, if a client left it encoded
        data = base64.b64decode(data)
    data = bytes(data)
    expected = 1
    for v in shape:
        expected *= v
    if len(data) != expected:
        raise ValueError("The browser sent a truncated image batch.")
    try:
        import numpy
    except ImportError:
        return data, shape
    return numpy.frombuffer(data, dtype=numpy.uint8).reshape(shape).copy()


def gan_images(did=None, n=16, seed=42, seed_b=None):
    """Generate images in the browser (the GAN cell's model, same seeds, same
    pixels) and bring them into this kernel: a NumPy array (n, 16, 16, 3) of
    uint8 when NumPy is installed, else ``(bytes, shape)``. Without a DID, the
    network's GAN model (as ``%ocean gan`` does). Needs access to the model:
    without an order the wallet asks to buy one first."""
    from . import ocean

    payload = gan_payload(did, n=n, seed=seed, seed_b=seed_b)
    options = {"n": payload["n"], "seed": payload["seed"]}
    if seed_b is not None:
        options["seedB"] = seed_b
    # Without a DID the browser picks the network's GAN model.
    args = [payload["did"]] if "did" in payload else []
    return images_from_result(ocean.call("gan_images", *args, **options))
