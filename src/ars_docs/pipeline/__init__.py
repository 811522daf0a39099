"""Running builds: the engine, fingerprints, workers, the release gate, signing, the index page
and the preview server."""
