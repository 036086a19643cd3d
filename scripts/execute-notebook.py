#!/usr/bin/python3
"""Execute one notebook headless with the committed tslab kernel (nbclient), write it atomically.

Usage: execute-notebook.py NOTEBOOK OUT_DIR [--timeout SECONDS]

Writes OUT_DIR/NAME.ipynb (executed) and OUT_DIR/NAME/NN-K.png (every PNG output) on success.
On failure: exit 1, print the failing cell and its stderr/error output (tslab reports compile and
runtime errors there, nbconvert alone shows an empty "<Error>:"), and keep the partial notebook
as OUT_DIR/NAME.failed.ipynb. Nothing half-written replaces a previous good output.
"""
import base64, os, shutil, sys, tempfile, time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError, CellTimeoutError

def main():
    args = sys.argv[1:]
    timeout = 1200
    if "--timeout" in args:
        i = args.index("--timeout")
        timeout = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    src, out_dir = args
    name = os.path.splitext(os.path.basename(src))[0]
    os.makedirs(out_dir, exist_ok=True)
    nb = nbformat.read(src, as_version=4)
    root = os.path.dirname(os.path.abspath(src))
    client = NotebookClient(nb, timeout=timeout, kernel_name="tslab", resources={"metadata": {"path": root}})
    t0 = time.time()
    try:
        client.execute()
    except (CellExecutionError, DeadKernelError, CellTimeoutError) as e:
        failed = os.path.join(out_dir, name + ".failed.ipynb")
        nbformat.write(nb, failed)
        print(f"{src}: execution failed after {time.time() - t0:.1f} s ({type(e).__name__})", file=sys.stderr)
        for n, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            errs = [o for o in cell.get("outputs", []) if o.get("output_type") == "error" or o.get("name") == "stderr"]
            if errs:
                print(f"--- cell {n} ---\n{cell.source}\n--- its error output ---", file=sys.stderr)
                for o in errs:
                    print(o.get("text") or (o.get("ename", "") + ": " + o.get("evalue", "") + "\n" + "\n".join(o.get("traceback", []))), file=sys.stderr)
        print(str(e)[:2000], file=sys.stderr)
        print(f"partial notebook kept in {failed}", file=sys.stderr)
        return 1
    # Write images to a temp folder first, then swap in atomically.
    tmp_dir = tempfile.mkdtemp(prefix=f".{name}.", dir=out_dir)
    count = 0
    for n, cell in enumerate(nb.cells):
        for k, o in enumerate(cell.get("outputs", [])):
            png = o.get("data", {}).get("image/png")
            if png:
                with open(os.path.join(tmp_dir, f"{n:02d}-{k}.png"), "wb") as f:
                    f.write(base64.b64decode(png))
                count += 1
    img_dir = os.path.join(out_dir, name)
    if os.path.exists(img_dir):
        shutil.rmtree(img_dir)
    os.rename(tmp_dir, img_dir)
    tmp_nb = os.path.join(out_dir, f".{name}.ipynb.tmp")
    nbformat.write(nb, tmp_nb)
    os.replace(tmp_nb, os.path.join(out_dir, name + ".ipynb"))
    failed = os.path.join(out_dir, name + ".failed.ipynb")
    if os.path.exists(failed):
        os.remove(failed)
    print(f"{src}: executed in {time.time() - t0:.1f} s, {count} image(s) in {img_dir}")
    return 0

if __name__ == "__main__":
    sys.exit(main())
