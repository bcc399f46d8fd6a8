-- One row per market and lifecycle stage (execution -> allocation -> confirmation ->
-- affirmation -> settlement): how many trades passed it and the 50th, 90th and 99th
-- percentile of the time it took, in seconds.
with

trades as (
    select * from {{ ref('int_trades_traced') }}
    where trade_status = 'active'
),

stages as (
    select
        market_mic,
        'execution_to_allocation' as stage,
        1 as stage_order,
        first_executed_at as started_at,
        allocated_at as ended_at
    from trades
    union all
    select
        market_mic,
        'allocation_to_confirmation' as stage,
        2 as stage_order,
        allocated_at as started_at,
        confirmed_at as ended_at
    from trades
    union all
    select
        market_mic,
        'confirmation_to_affirmation' as stage,
        3 as stage_order,
        confirmed_at as started_at,
        affirmed_at as ended_at
    from trades
    union all
    select
        market_mic,
        'affirmation_to_settlement' as stage,
        4 as stage_order,
        affirmed_at as started_at,
        settled_at as ended_at
    from trades
    where is_fully_settled
    union all
    select
        market_mic,
        'execution_to_settlement' as stage,
        5 as stage_order,
        first_executed_at as started_at,
        settled_at as ended_at
    from trades
    where is_fully_settled
),

durations as (
    select
        market_mic,
        stage,
        stage_order,
        extract(epoch from (ended_at - started_at)) as seconds
    from stages
    where started_at is not null and ended_at is not null
),

final as (
    select
        cast(market_mic as varchar) as market_mic,
        cast(stage as varchar) as stage,
        cast(stage_order as integer) as stage_order,
        cast(count(*) as integer) as trade_count,
        cast(percentile_cont(0.5) within group (order by seconds) as decimal(18, 3))
            as p50_seconds,
        cast(percentile_cont(0.9) within group (order by seconds) as decimal(18, 3))
            as p90_seconds,
        cast(percentile_cont(0.99) within group (order by seconds) as decimal(18, 3))
            as p99_seconds
    from durations
    group by market_mic, stage, stage_order
)

select * from final
