"""Writers: the document tree into HTML (for WeasyPrint) and into Word."""
