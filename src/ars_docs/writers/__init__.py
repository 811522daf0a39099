"""Writers: each owns a format. A document tree becomes a standalone HTML page (`html`), a PDF by
the engine the project chose (`pdfengine`: `weasyprint` or `typst`) and a Word file (`docx`), as the
format registry says (`formats`); a mailing's kit becomes e-mails (`email`), an invitation
(`invitation`), print files (`printfile`) and a manifest (`manifest`); a signed PDF comes from
`signing`."""
