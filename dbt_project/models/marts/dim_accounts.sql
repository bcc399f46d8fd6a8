-- One row per account we allocate to (AllocAccount, FIX 79), with when it was first and last
-- used and how many markets it traded in.
with

allocations as (
    select * from {{ ref('fct_allocations') }}
),

final as (
    select
        cast(account as varchar) as account,
        min(trade_date) as first_trade_date,
        max(trade_date) as last_trade_date,
        cast(count(distinct market_mic) as integer) as market_count,
        cast(count(*) as integer) as allocation_line_count
    from allocations
    where account is not null
    group by account
)

select * from final
