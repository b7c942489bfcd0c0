"""The claims registry: the tabs' schema, untrusted cells parsed, and the files and sheets backends."""
