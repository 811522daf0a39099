from ars_docs.cli import main

main()
