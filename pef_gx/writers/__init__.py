"""Writers of the two forms of the checks: GX suite JSON and dbt schema YAML."""
