"""write_safetensors(path, tensors, metadata): the golden scripts' writer, a plain safetensors file (JSON header, then
raw little-endian float64 data), independent of helix's own reader, which the golden tests use."""
import json
import struct

import numpy as np


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {}, [], 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(np.asarray(array, dtype="<f8")).tobytes()
        header[name] = {"dtype": "F64", "shape": list(np.shape(array)), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
