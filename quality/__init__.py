"""Great Expectations suites for the raw and mart data that matter (run as Dagster checks).

Nothing here imports great_expectations at module level: it is imported when a suite runs,
so loading the Dagster code location does not pay for it.
"""
