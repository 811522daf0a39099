"""The people and establishments every family shares: who receives the letters
(`data/recipients.yaml`) and who answered them (`data/membres.yaml`)."""
