-- One row per calendar date spanning everything loaded (the business dates of every
-- delivered file, the trade and settlement dates of the trades and allocations), flagged
-- business day or not. Weekends only: a market's own holidays are in int_market_business_days.
-- Bounds from every platform, not only the oms: a day may bring no trades at all.
with recursive

files as (
    select * from {{ ref('stg_ingestion__files') }}
),

executions as (
    select * from {{ ref('stg_oms__execution_reports') }}
),

allocations as (
    select * from {{ ref('stg_oms__allocations') }}
),

known_dates as (
    select business_date as known_date from files
    union all
    select trade_date as known_date from executions
    union all
    select settlement_date as known_date from executions
    union all
    select settlement_date as known_date from allocations
),

date_bounds as (
    select
        min(known_date) as first_date,
        max(known_date) as last_date
    from known_dates
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
