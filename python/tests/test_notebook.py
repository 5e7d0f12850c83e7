"""The teaching notebook executes end to end (its outputs are not committed)."""

import json

import nbformat
from nbclient import NotebookClient

NB = "docs/notebooks/autoscaling-in-a-notebook.ipynb"


def test_notebook_has_no_committed_outputs(root):
    nb = json.loads((root / NB).read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_notebook_executes(root):
    nb = nbformat.read(root / NB, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(root / "docs/notebooks")}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outputs if o.output_type == "execute_result" and "text/html" in o.get("data", {})]
    # The comparisons render as a table with the overlay charts.
    assert any("<svg" in h and "stratus compare" in h for h in html)
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 3  # the capacity plot, the sweep plot, the sticky bars
