-- One row per market and calendar date: business day or not on that market's own calendar
-- (weekends and the refdata vendor's holidays), numbered so "N business days after" is a
-- difference of numbers.
with

calendar_dates as (
    select * from {{ ref('int_business_days') }}
),

markets as (
    select * from {{ ref('markets') }}
),

holidays as (
    select distinct
        market_mic,
        holiday_date
    from {{ ref('stg_refdata__holidays') }}
),

flagged as (
    select
        markets.market_mic,
        markets.timezone as market_timezone,
        calendar_dates.calendar_date,
        calendar_dates.is_business_day and holidays.holiday_date is null as is_business_day
    from markets
    cross join calendar_dates
    left join holidays
        on
            markets.market_mic = holidays.market_mic
            and calendar_dates.calendar_date = holidays.holiday_date
),

final as (
    select
        market_mic,
        market_timezone,
        calendar_date,
        is_business_day,
        -- The count of business days up to and including this date: a non-business date
        -- carries the number of the business day before it.
        cast(sum(case when is_business_day then 1 else 0 end) over (
            partition by market_mic order by calendar_date
            rows between unbounded preceding and current row
        ) as integer) as business_day_number
    from flagged
)

select * from final
