-- One row per market and calendar date, from the earliest to the latest date of the trading
-- calendar (int_business_days) and the refdata holiday calendars: whether the market is open
-- (a weekday that is not a full-day closure in the latest holidays snapshot) and the
-- holiday's name.
with recursive

markets as (
    select * from {{ ref('markets') }}
),

trading_calendar as (
    select * from {{ ref('int_business_days') }}
),

holiday_snapshots as (
    select * from {{ ref('stg_refdata__holidays') }}
),

-- The latest snapshot's description of each market's closure.
holidays as (
    select
        market_mic,
        holiday_date,
        description
    from (
        select
            holiday_snapshots.market_mic,
            holiday_snapshots.holiday_date,
            holiday_snapshots.description,
            row_number() over (
                partition by holiday_snapshots.market_mic, holiday_snapshots.holiday_date
                order by holiday_snapshots.as_of_date desc, holiday_snapshots.source_file desc
            ) as snapshot_rank
        from holiday_snapshots
    ) as ranked
    where snapshot_rank = 1
),

bounds as (
    select
        min(first_date) as first_date,
        max(last_date) as last_date
    from (
        select
            min(calendar_date) as first_date,
            max(calendar_date) as last_date
        from trading_calendar
        union all
        select
            min(holiday_date) as first_date,
            max(holiday_date) as last_date
        from holidays
    ) as spans
),

calendar_dates (calendar_date, last_date) as (
    select
        first_date,
        last_date
    from bounds
    where first_date is not null
    union all
    select
        cast(calendar_date + 1 as date),
        last_date
    from calendar_dates
    where calendar_date < last_date
),

final as (
    select
        cast(markets.market_mic as varchar) as market_mic,
        calendar_dates.calendar_date,
        cast(extract(isodow from calendar_dates.calendar_date) as integer) as iso_day_of_week,
        (
            extract(isodow from calendar_dates.calendar_date) <= 5
            and holidays.holiday_date is null
        ) as is_business_day,
        holidays.holiday_date is not null as is_holiday,
        cast(holidays.description as varchar) as holiday_name
    from markets
    cross join calendar_dates
    left join holidays
        on
            markets.market_mic = holidays.market_mic
            and calendar_dates.calendar_date = holidays.holiday_date
)

select * from final
