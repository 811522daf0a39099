"""Draft statutes of the DSR association: numbered articles, references, drafts and comparisons."""
