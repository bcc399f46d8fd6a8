-- One row per calendar date spanning the trades loaded, flagged business day or not.
-- Weekends only for now; market holiday calendars from refdata will mark holidays here.
with recursive

date_bounds as (
    select
        min(trade_date) as first_date,
        max(greatest(trade_date, coalesce(settlement_date, trade_date))) as last_date
    from {{ ref('stg_oms__execution_reports') }}
),

calendar_dates (calendar_date, last_date) as (
    select
        cast(first_date - 10 as date),
        cast(last_date + 10 as date)
    from date_bounds
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
        calendar_date,
        cast(extract(isodow from calendar_date) as integer) as iso_day_of_week,
        extract(isodow from calendar_date) <= 5 as is_business_day
    from calendar_dates
)

select * from final
