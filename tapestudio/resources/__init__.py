"""Package data: example projects and bundled data sets, read with importlib.resources."""
