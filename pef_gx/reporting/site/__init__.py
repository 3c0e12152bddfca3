"""The pef-gx site: one navigation bar and one style over Data Docs, scores, health and model pages."""
