"""End-of-day schedules, one per region, in the region's own time zone."""

import dagster as dg

from orchestration.defs.jobs import PIPELINE_JOB
from orchestration.defs.partitions import register_business_dates

# Region -> (time zone the cut-off is set in, cron in that zone): after the markets close
# and the platforms' end-of-day files are due, weekdays.
END_OF_DAY = {
    "europe": ("Europe/London", "30 18 * * 1-5"),
    "asia": ("Asia/Singapore", "30 18 * * 1-5"),
}


def build_end_of_day(region: str, timezone: str, cron: str) -> dg.ScheduleDefinition:
    @dg.schedule(
        name=f"end_of_day_{region}",
        job_name=PIPELINE_JOB,
        cron_schedule=cron,
        execution_timezone=timezone,
        description=f"The whole pipeline at the {region} end-of-day cut-off ({timezone}).",
    )
    def end_of_day(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        # The region's business date is the scheduled day in the region's own time zone.
        day = context.scheduled_execution_time.date()
        register_business_dates(context.instance, [day])
        return dg.RunRequest(
            partition_key=day.isoformat(), tags={"posttrade/trigger": f"end_of_day_{region}"}
        )

    return end_of_day


def build_defs() -> dg.Definitions:
    return dg.Definitions(
        schedules=[
            build_end_of_day(region, timezone, cron)
            for region, (timezone, cron) in END_OF_DAY.items()
        ]
    )
