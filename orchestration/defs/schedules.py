"""End-of-day schedules, one per region, in the region's own time zone."""

import dagster as dg

from orchestration.defs.jobs import PIPELINE_JOB

# Region -> (time zone the cut-off is set in, cron in that zone): after the markets close
# and the platforms' end-of-day files are due, weekdays.
END_OF_DAY = {
    "europe": ("Europe/London", "30 18 * * 1-5"),
    "asia": ("Asia/Singapore", "30 18 * * 1-5"),
}


def build_defs() -> dg.Definitions:
    return dg.Definitions(
        schedules=[
            dg.ScheduleDefinition(
                name=f"end_of_day_{region}",
                job_name=PIPELINE_JOB,
                cron_schedule=cron,
                execution_timezone=timezone,
                tags={"posttrade/trigger": f"end_of_day_{region}"},
                description=f"The whole pipeline at the {region} end-of-day cut-off ({timezone}).",
            )
            for region, (timezone, cron) in END_OF_DAY.items()
        ]
    )
