"""Evaluates one jsonnet file for lstmshape.read.formats.jsonnet, in a process of its own so that
it can be bounded: run as `python -I jsonnet_worker.py`, a JSON request on stdin, a JSON answer on
stdout. It imports nothing of lstmshape (a script: the standard library and the jsonnet library).

Bounds: the address space (RLIMIT_AS) and CPU seconds are limited before jsonnet is loaded (the
parent also kills the process at its deadline), the stack depth by jsonnet's max_stack, and an
answer larger than `max_output` characters is refused. Imports (`import`, `importstr`,
`importbin`) are read by `import_file` only: a relative path inside one of the request's roots
once symlinks are resolved, a regular file, at most `max_import_bytes` each and `max_imports` in all.
"""

import json
import os
import stat
import sys


def limit(memory: int, seconds: int) -> None:
    try:
        import resource
    except ImportError:  # not a POSIX system: the parent's deadline still holds
        return
    for kind, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, seconds)):
        hard = resource.getrlimit(kind)[1]
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(kind, (value, hard))


def inside(path: str, roots: list) -> bool:
    return any(os.path.commonpath([path, root]) == root for root in roots)


def importer(request: dict):
    roots = [os.path.realpath(root) for root in request["roots"]]
    count = [0]

    def import_file(directory: str, relative: str):
        if os.path.isabs(relative) or relative.startswith("~"):
            raise RuntimeError("an absolute path is not imported: lstmshape reads files inside the project only")
        path = os.path.realpath(os.path.join(directory, relative))
        if not inside(path, roots):
            raise RuntimeError("outside the project: lstmshape reads files inside the project only")
        count[0] += 1
        if count[0] > request["max_imports"]:
            raise RuntimeError(f"more than {request['max_imports']} imports")
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):
                raise RuntimeError("not a regular file")
            with open(path, "rb") as fh:
                content = fh.read(request["max_import_bytes"] + 1)
        except OSError as exc:
            raise RuntimeError(exc.strerror or "cannot read it") from None
        if len(content) > request["max_import_bytes"]:
            raise RuntimeError(f"larger than {request['max_import_bytes']} bytes")
        return path, content

    return import_file


def main() -> None:
    request = json.loads(sys.stdin.read())
    limit(request["memory"], request["cpu_seconds"])
    import _jsonnet

    try:
        output = _jsonnet.evaluate_snippet(request["filename"], request["text"], ext_vars=request["ext_vars"],
                                           max_stack=request["max_stack"], max_trace=request["max_trace"],
                                           import_callback=importer(request))
    except RuntimeError as exc:
        answer = {"error": str(exc)}
    else:
        too_long = len(output) > request["max_output"]
        answer = {"error": f"evaluated document too large: more than {request['max_output']} characters"} if too_long \
            else {"json": output}
    sys.stdout.write(json.dumps(answer))


if __name__ == "__main__":
    main()
