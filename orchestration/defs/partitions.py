"""Business-date partitions: the dates the platforms' deliveries carry.

Dynamic, not a clock-driven DailyPartitionsDefinition: a business date comes from the
content of the files (loaders.delivery_dates), markets keep different holiday calendars (a
weekday that is a holiday in Singapore is a business day in Frankfurt, a weekend is one
nowhere), and a sandbox world or a late platform can carry dates the wall clock has not
reached. A clock calendar would invent empty partitions and could not hold those dates.
The partitions are kept in business-date order whatever order the dates arrive in
(`register_business_dates`: the arrival sensors and `posttrade run`), so a range `A...C`
covers every known date in between.
Runs over a range are single runs (BackfillPolicy.single_run()): one ingestion pass and one
`dbt build` for the whole window (its bounds in dbt's environment, transformation.py).
"""

from collections.abc import Iterable
from datetime import date

import dagster as dg

BUSINESS_DATES = dg.DynamicPartitionsDefinition(name="business_date")
SINGLE_RUN = dg.BackfillPolicy.single_run()


def register_business_dates(instance: dg.DagsterInstance, dates: Iterable[date]) -> list[str]:
    """Add the dates the instance does not know yet; returns the new keys.

    A dynamic partitions definition keeps its keys in the order they were added, and a
    range `A...C` means the keys between A and C in that order. Dates do not arrive in
    order (a late file for last week, a backfill, a go-live day run before its history),
    so the keys are kept in business-date order: a date older than a known one takes its
    place by re-adding the newer keys after it. Materializations are recorded by key, so
    re-adding a key loses nothing.
    """
    name = BUSINESS_DATES.name or ""
    known = list(instance.get_dynamic_partitions(name))
    new = sorted({day.isoformat() for day in dates} - set(known))
    if not new:
        return []
    # Keys the new ones must precede, and any already out of order, are put back in order.
    displaced = [key for key in known if key > new[0]]
    if known != sorted(known):
        displaced = known
    for key in displaced:
        instance.delete_dynamic_partition(name, key)
    instance.add_dynamic_partitions(name, sorted({*new, *displaced}))
    return new


def window(context: dg.AssetExecutionContext) -> tuple[str, str]:
    """(min_date, max_date) of the partition or partition range this run materializes."""
    keys = sorted(context.partition_keys)
    return keys[0], keys[-1]
