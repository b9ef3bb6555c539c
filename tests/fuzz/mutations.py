"""Mutated requests, driven by the message descriptors so that any request type can be fuzzed:
fields set to hostile strings (unicode, control and look-alike characters, number-like text),
out-of-range numbers and undefined enum values, fields dropped or filled, list items duplicated,
dropped or multiplied; then, on the wire, fields repeated, payloads cut short, bytes flipped,
or random bytes instead of a message. Every choice comes from the `random.Random` passed in,
so a seed replays the same bytes."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

Field = tuple[Message, FieldDescriptor]

INT_RANGES = {
    FieldDescriptor.CPPTYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.CPPTYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.CPPTYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.CPPTYPE_UINT64: (0, 2**64 - 1),
    FieldDescriptor.CPPTYPE_ENUM: (-(2**31), 2**31 - 1),
}
CONTROL = [chr(c) for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0))] + [
    "\u202e",
    "\u202a",
    "\u2066",
    "\u2069",
]
LOOK_ALIKE = [
    "\u200b",  # zero-width space
    "\u200d",
    "\ufeff",
    "\u00a0",
    "\u0301",  # combining acute accent
    "\u0430",  # Cyrillic a
    "\u0391",  # Greek capital alpha
    "\uff21",  # full-width A
    "\uff10",  # full-width 0
    "\u2160",  # Roman numeral one
    "\u212a",  # Kelvin sign
    "\ufb01",  # fi ligature
]
NUMBER_LIKE = [
    "0", "-0", "1e3", "1E-2", "NaN", "Infinity", "-1", "+1", " 1", "1 ", "1_000", "0x10",
    "\u0661\u0662", "\u0967", "1.", ".5", "1.2.3", "99999999999999999999999999999.999",
    "0.0000000001", "24.01", "7.5", "1,5", "", "-", "USD", "usd", "XXX", "JPY", "KWD", "EUR",
]  # fmt: skip
TEXT_KINDS = (
    "plain",
    "nearby",
    "ascii",
    "unicode",
    "control",
    "look_alike",
    "number_like",
    "long",
    "empty",
)
PLAIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."


def text(rng: random.Random, around: str = "") -> str:
    kind = rng.choice(TEXT_KINDS)
    if kind == "plain":
        return "".join(rng.choice(PLAIN) for _ in range(rng.randint(1, 20)))
    if kind == "nearby":
        return inserted(around, rng.choice(PLAIN), rng)
    if kind == "ascii":
        return "".join(chr(rng.randint(0x20, 0x7E)) for _ in range(rng.randint(0, 40)))
    if kind == "unicode":
        return "".join(code_point(rng) for _ in range(rng.randint(1, 30)))
    if kind == "number_like":
        return rng.choice(NUMBER_LIKE)
    if kind == "long":
        return rng.choice("xX9é") * rng.choice((63, 64, 65, 127, 128, 129, 255, 256, 1000, 5000))
    if kind == "empty":
        return ""
    alphabet = CONTROL if kind == "control" else LOOK_ALIKE
    return inserted(around or "ABC-123", rng.choice(alphabet), rng)


def code_point(rng: random.Random) -> str:
    while True:
        value = rng.randint(0, rng.choice((0x2FF, 0xFFFF, 0x10FFFF)))
        if not 0xD800 <= value <= 0xDFFF:  # a lone surrogate is no text at all
            return chr(value)


def inserted(value: str, piece: str, rng: random.Random) -> str:
    at = rng.randint(0, len(value))
    return value[:at] + piece + value[at:]


def number(rng: random.Random, field: FieldDescriptor) -> int:
    low, high = INT_RANGES[field.cpp_type]
    interesting = [low, high, 0, 1, -1, 2, 12, 13, 24, 25, 31, 32, 366, 9999, 10000, 2**31]
    value = rng.choice((rng.choice(interesting), rng.randint(low, high), rng.randint(-5, 50)))
    return min(max(value, low), high)


def scalar(rng: random.Random, field: FieldDescriptor, current: object = None) -> object:
    kind = field.cpp_type
    if kind == FieldDescriptor.CPPTYPE_STRING and field.type == FieldDescriptor.TYPE_STRING:
        return text(rng, current if isinstance(current, str) else "")
    if kind == FieldDescriptor.CPPTYPE_STRING:
        return rng.randbytes(rng.randint(0, 64))
    if kind == FieldDescriptor.CPPTYPE_BOOL:
        return rng.random() < 0.5
    if kind in (FieldDescriptor.CPPTYPE_DOUBLE, FieldDescriptor.CPPTYPE_FLOAT):
        return rng.choice((0.0, -1.0, 1e308, float("nan"), float("inf"), rng.uniform(-1e6, 1e6)))
    return number(rng, field)


def fill(message: Message, rng: random.Random, depth: int = 0) -> None:
    """Sets some of the message's fields to random values, descending a few levels."""
    for field in message.DESCRIPTOR.fields:
        if rng.random() < 0.5:
            set_random(message, field, rng, depth)


def set_random(message: Message, field: FieldDescriptor, rng: random.Random, depth: int) -> None:
    if field.message_type is not None and depth > 3:
        return
    if field.is_repeated:
        items = getattr(message, field.name)
        for _ in range(rng.choice((1, 1, 2, 3))):
            append(items, field, rng, depth)
    elif field.message_type is not None:
        child = getattr(message, field.name)
        child.SetInParent()
        fill(child, rng, depth + 1)
    else:
        setattr(message, field.name, scalar(rng, field, getattr(message, field.name)))


def append(items: object, field: FieldDescriptor, rng: random.Random, depth: int) -> None:
    if field.message_type is not None:
        fill(items.add(), rng, depth + 1)  # type: ignore[attr-defined]
    else:
        items.append(scalar(rng, field))  # type: ignore[attr-defined]


def fields(message: Message) -> Iterator[Field]:
    """Every field of the message and of the messages it holds, set or not."""
    for field in message.DESCRIPTOR.fields:
        yield message, field
        if field.message_type is None:
            continue
        if field.is_repeated:
            for item in getattr(message, field.name):
                yield from fields(item)
        elif message.HasField(field.name):
            yield from fields(getattr(message, field.name))


def mutate_field(message: Message, field: FieldDescriptor, rng: random.Random) -> None:
    if field.is_repeated:
        mutate_list(message, field, rng)
    elif rng.random() < 0.25:
        message.ClearField(field.name)
    else:
        set_random(message, field, rng, depth=1)


def mutate_list(message: Message, field: FieldDescriptor, rng: random.Random) -> None:
    items = getattr(message, field.name)
    choice = rng.randrange(5)
    if choice == 0 or not items:
        append(items, field, rng, depth=1)
    elif choice == 1:
        del items[rng.randrange(len(items))]
    elif choice == 2:
        message.ClearField(field.name)
    else:
        copies = 1 if choice == 3 else rng.choice((10, 49, 50, 51, 101))
        source = items[rng.randrange(len(items))]
        for _ in range(copies):
            if field.message_type is None:
                items.append(source)
            else:
                items.add().CopyFrom(source)


def mutated_message(start: Message, rng: random.Random) -> Message:
    message = type(start)()
    message.CopyFrom(start)
    if rng.random() < 0.1:
        fill(message, rng)
    for _ in range(rng.choice((0, 1, 1, 1, 2, 3))):  # none: the wire mutations alone
        candidates = list(fields(message))
        if not candidates:  # a request without fields: its bytes are mangled on the wire alone
            break
        holder, field = rng.choice(candidates)
        mutate_field(holder, field, rng)
    return message


def mutated_bytes(start: Message, rng: random.Random) -> bytes:
    """The bytes of one fuzz case: mostly a mutated message, sometimes mangled on the wire."""
    if rng.random() < 0.05:
        return rng.randbytes(rng.choice((0, 1, 2, 5, 17, 100, 1000)))
    data = mutated_message(start, rng).SerializeToString()
    wire: Callable[[bytes, random.Random], bytes] = rng.choice(WIRE_MUTATIONS)
    return wire(data, rng) if rng.random() < 0.25 else data


def truncated(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randint(0, max(len(data) - 1, 0))]


def flipped(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return bytes([rng.randrange(256)])
    changed = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        changed[rng.randrange(len(changed))] = rng.randrange(256)
    return bytes(changed)


def duplicated_field(data: bytes, rng: random.Random) -> bytes:
    """A top-level field sent twice (the last scalar wins, messages merge, lists grow)."""
    chunks = wire_fields(data)
    if not chunks:
        return data
    chunks.insert(rng.randint(0, len(chunks)), rng.choice(chunks))
    return b"".join(chunks)


def unknown_field(data: bytes, rng: random.Random) -> bytes:
    tag = (rng.randint(16, 536_870_911) << 3) | 0  # a varint field no request declares
    return data + varint(tag) + varint(rng.randint(0, 2**63))


WIRE_MUTATIONS = (truncated, flipped, duplicated_field, unknown_field)


def wire_fields(data: bytes) -> list[bytes]:
    """The encoded top-level fields of a message, each with its tag; [] if it does not parse."""
    chunks, at = [], 0
    try:
        while at < len(data):
            start = at
            tag, at = read_varint(data, at)
            at = skip_value(data, at, tag & 7)
            chunks.append(data[start:at])
    except (IndexError, ValueError):
        return []
    return chunks


def skip_value(data: bytes, at: int, wire_type: int) -> int:
    if wire_type == 0:
        return read_varint(data, at)[1]
    if wire_type in (1, 5):
        return at + (8 if wire_type == 1 else 4)
    if wire_type == 2:
        length, at = read_varint(data, at)
        return at + length
    raise ValueError(f"wire type {wire_type}")


def read_varint(data: bytes, at: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at, shift = at + 1, shift + 7
        if not byte & 0x80:
            return value, at


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)
