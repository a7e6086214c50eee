#!/usr/bin/env python3
"""Reads a TensorBoard run directory with TensorBoard's own reader and prints its scalars as JSON.

    python3 scripts/read_tensorboard_events.py RUN_DIR
    -> {"loss": [[0, 0.5], [1, 0.25]], "val_loss": [[0, 0.6], ...]}

Used by Recur's tests to check that TensorBoardWriter's event files load in TensorBoard. It uses
`tensorboard.backend.event_processing.event_accumulator.EventAccumulator` for the scalars (the
same code path `tensorboard --logdir` uses) and `event_file_loader.EventFileLoader` to check that
every event file starts with a `file_version` event ("brain.Event:...") and that each event has a
wall time. TensorBoard's loaders skip a record with a bad CRC with only a logged warning, so
this script first walks each file's TFRecord framing itself and checks every length and data
checksum with TensorBoard's own `masked_crc32c`; any mismatch or truncation fails.
Exit status: 0 on success, 1 on a malformed file, 2 for bad usage or a missing `tensorboard`
(install it with scripts/install-python-tools.sh).
"""
import glob
import json
import os
import struct
import sys


def check_framing(path, masked_crc32c):
    """Returns the number of records in `path`, or raises ValueError on bad framing."""
    data = open(path, "rb").read()
    offset, count = 0, 0
    while offset < len(data):
        if len(data) - offset < 16:
            raise ValueError(f"truncated record at byte {offset}")
        header = data[offset:offset + 8]
        (length,) = struct.unpack("<Q", header)
        (header_crc,) = struct.unpack("<I", data[offset + 8:offset + 12])
        if masked_crc32c(header) != header_crc:
            raise ValueError(f"length checksum mismatch at byte {offset}")
        end = offset + 12 + length
        if end + 4 > len(data):
            raise ValueError(f"truncated record data at byte {offset}")
        (data_crc,) = struct.unpack("<I", data[end:end + 4])
        if masked_crc32c(data[offset + 12:end]) != data_crc:
            raise ValueError(f"data checksum mismatch at byte {offset}")
        offset, count = end + 4, count + 1
    return count


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        print("usage: read_tensorboard_events.py RUN_DIR", file=sys.stderr)
        return 2
    run_dir = argv[1]
    try:
        from tensorboard.backend.event_processing import event_accumulator, event_file_loader
        from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c
    except ImportError as error:
        print(f"cannot import tensorboard ({error}); run scripts/install-python-tools.sh",
              file=sys.stderr)
        return 2

    files = sorted(glob.glob(os.path.join(run_dir, "events.out.tfevents.*")))
    if not files:
        print(f"no events.out.tfevents.* file in {run_dir}", file=sys.stderr)
        return 1
    for path in files:
        try:
            count = check_framing(path, masked_crc32c)
        except ValueError as error:
            print(f"{path}: {error}", file=sys.stderr)
            return 1
        events = list(event_file_loader.EventFileLoader(path).Load())
        if len(events) != count:
            print(f"{path}: TensorBoard loaded {len(events)} of {count} records", file=sys.stderr)
            return 1
        if not events or not events[0].file_version.startswith("brain.Event:"):
            print(f"{path}: first event has no file_version", file=sys.stderr)
            return 1
        if any(event.wall_time <= 0 for event in events):
            print(f"{path}: an event has no wall_time", file=sys.stderr)
            return 1

    accumulator = event_accumulator.EventAccumulator(
        run_dir, size_guidance={event_accumulator.SCALARS: 0})
    accumulator.Reload()
    scalars = {
        tag: [[event.step, event.value] for event in accumulator.Scalars(tag)]
        for tag in sorted(accumulator.Tags()["scalars"])
    }
    print(json.dumps(scalars))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
