"""Business-date partitions: the dates the platforms' deliveries carry.

Dynamic, not a clock-driven DailyPartitionsDefinition: a business date comes from the
content of the files (loaders.delivery_dates), markets keep different holiday calendars (a
weekday that is a holiday in Singapore is a business day in Frankfurt, a weekend is one
nowhere), and a sandbox world or a late platform can carry dates the wall clock has not
reached. A clock calendar would invent empty partitions and could not hold those dates.
The partitions are registered in date order when files are found (`register_business_dates`:
the arrival sensors and `posttrade run`), so a range `A...C` covers the dates in between.
Runs over a range are single runs (BackfillPolicy.single_run()): one ingestion pass and one
`dbt build` for the whole window (its bounds in dbt's environment, transformation.py).
"""

from collections.abc import Iterable
from datetime import date

import dagster as dg

BUSINESS_DATES = dg.DynamicPartitionsDefinition(name="business_date")
SINGLE_RUN = dg.BackfillPolicy.single_run()


def register_business_dates(instance: dg.DagsterInstance, dates: Iterable[date]) -> list[str]:
    """Add the dates the instance does not know yet, oldest first; returns the new keys."""
    known = set(instance.get_dynamic_partitions(BUSINESS_DATES.name or ""))
    new = sorted({day.isoformat() for day in dates} - known)
    if new:
        instance.add_dynamic_partitions(BUSINESS_DATES.name or "", new)
    return new


def window(context: dg.AssetExecutionContext) -> tuple[str, str]:
    """(min_date, max_date) of the partition or partition range this run materializes."""
    keys = sorted(context.partition_keys)
    return keys[0], keys[-1]
