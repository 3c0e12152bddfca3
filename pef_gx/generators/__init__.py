"""CheckSpec producers: dbt tests, constraints, freshness, inference, hand-written suites, natural language."""
