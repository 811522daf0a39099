"""The project as read from disk: settings, YAML with its places, validation, safe file reading."""
