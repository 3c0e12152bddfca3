"""Health, slow models, failure analysis, anomalies, alerts."""
