"""The one place that runs Great Expectations: context, data sources, checkpoints, Data Docs."""
