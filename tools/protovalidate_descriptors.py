"""Writes buf/validate/validate.proto, and the google/protobuf files it imports, as a
FileDescriptorSet, so that protoc and buf compile o2c's protos offline: validate.proto as the
installed protovalidate package embeds it (exactly the rules the pinned validator enforces), the
google/protobuf files as the installed protobuf runtime has them (the ones buf knows too).

Usage: python tools/protovalidate_descriptors.py OUT.binpb
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

from google.protobuf import descriptor_pb2
from protovalidate._gen.buf.validate import validate_pb


def with_imports(file: Any, seen: set[str]) -> list[descriptor_pb2.FileDescriptorProto]:
    """`file` after everything it imports, each once: the order protoc expects."""
    if file.name in seen:
        return []
    seen.add(file.name)
    imported = [proto for each in file.dependencies for proto in with_imports(each, seen)]
    return [*imported, descriptor_pb2.FileDescriptorProto.FromString(serialized(file))]


def serialized(file: Any) -> bytes:
    if not file.name.startswith("google/protobuf/"):
        return bytes(file.proto.to_binary())
    module = file.name.removesuffix(".proto").replace("/", ".") + "_pb2"
    return bytes(importlib.import_module(module).DESCRIPTOR.serialized_pb)


def main(out: str) -> None:
    files = with_imports(validate_pb.desc(), set())
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_bytes(descriptor_pb2.FileDescriptorSet(file=files).SerializeToString())


if __name__ == "__main__":
    main(sys.argv[1])
