"""The base every family stands on, below the engine: `Builder` and its items, the registry of
families by name, the records of out/."""
