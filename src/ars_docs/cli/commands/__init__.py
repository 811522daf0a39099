"""One module per command of `arsdocs`, as mkdocs' `commands/`."""
