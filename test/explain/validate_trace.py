#!/usr/bin/env python3
"""Validates interlace's trace files.

validate_trace.py json FILE THREADS: FILE must be Chrome trace-event JSON (the format Perfetto
UI and chrome://tracing load): an object with a traceEvents array whose events have the fields
their phase requires, a thread_name track for each of THREADS threads with slices on it, and
flow events that pair up (one start, one finish per id, the start not after the finish).

validate_trace.py svg FILE THREADS: FILE must be a well-formed, self-contained SVG with a
column header per thread and at least one conflict arrow.
"""
import json
import sys
import xml.etree.ElementTree as ET


def fail(message):
    print("invalid trace: " + message)
    sys.exit(1)


def validate_json(path, threads):
    with open(path, encoding="utf-8") as f:
        document = json.load(f)
    if not isinstance(document, dict) or not isinstance(document.get("traceEvents"), list):
        fail("the top level must be an object with a traceEvents array")
    named, sliced, flows = set(), set(), {}
    for event in document["traceEvents"]:
        phase = event.get("ph")
        if phase not in ("M", "X", "s", "f"):
            fail(f"unexpected phase {phase!r} in {event}")
        if not isinstance(event.get("pid"), int) or not isinstance(event.get("tid"), int):
            fail(f"pid and tid must be integers: {event}")
        if phase == "M":
            if event.get("name") not in ("process_name", "thread_name"):
                fail(f"unknown metadata event {event}")
            if not isinstance(event.get("args", {}).get("name"), str):
                fail(f"metadata without args.name: {event}")
            if event["name"] == "thread_name":
                named.add(event["tid"])
            continue
        if not isinstance(event.get("ts"), (int, float)) or event["ts"] < 0:
            fail(f"ts must be a non-negative number: {event}")
        if not isinstance(event.get("name"), str):
            fail(f"events need a name: {event}")
        if phase == "X":
            if not isinstance(event.get("dur"), (int, float)) or event["dur"] < 0:
                fail(f"complete events need a non-negative dur: {event}")
            sliced.add(event["tid"])
        else:
            if "id" not in event:
                fail(f"flow events need an id: {event}")
            flows.setdefault(event["id"], []).append(event)
    for tid in range(threads):
        if tid not in named:
            fail(f"no thread_name track for thread {tid}")
        if tid not in sliced:
            fail(f"no slices on thread {tid}'s track")
    if not flows:
        fail("no flow arrows for the conflicting accesses")
    for flow_id, events in flows.items():
        phases = sorted(e["ph"] for e in events)
        if phases != ["f", "s"]:
            fail(f"flow {flow_id} must have one start and one finish, has {phases}")
        start = next(e for e in events if e["ph"] == "s")
        finish = next(e for e in events if e["ph"] == "f")
        if start["ts"] > finish["ts"]:
            fail(f"flow {flow_id} finishes before it starts")
    print(f"valid trace-event JSON: {len(document['traceEvents'])} events, "
          f"{len(named)} threads, {len(flows)} flows")


def validate_svg(path, threads):
    tree = ET.parse(path)
    root = tree.getroot()
    namespace = "{http://www.w3.org/2000/svg}"
    if root.tag != namespace + "svg":
        fail(f"the root element is {root.tag}, not svg")
    texts = [element.text or "" for element in root.iter(namespace + "text")]
    for thread in range(threads):
        if f"thread {thread}" not in texts:
            fail(f"no column header for thread {thread}")
    arrows = [line for line in root.iter(namespace + "line") if line.get("marker-end")]
    if not arrows:
        fail("no conflict arrows")
    for element in root.iter():
        for attribute, value in element.attrib.items():
            if attribute.endswith("href") and not value.startswith("#"):
                fail(f"external reference {value}: the picture must be self-contained")
    print(f"valid SVG: {len(texts)} texts, {len(arrows)} arrows")


def main():
    kind, path, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if kind == "json":
        validate_json(path, threads)
    elif kind == "svg":
        validate_svg(path, threads)
    else:
        fail(f"unknown kind {kind}")


if __name__ == "__main__":
    main()
