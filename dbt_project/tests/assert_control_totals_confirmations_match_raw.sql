-- Control totals, ctm: per business date, the confirmations' quantity, gross and net
-- amounts and commission equal those of the raw Confirmations (35=AK), a message delivered
-- twice counted once. Returns the dates that differ.
with

raw_confirmations as (
    select distinct
        confirm_id,
        alloc_qty,
        gross_trade_amount,
        net_money,
        commission,
        business_date
    from {{ source('ctm', 'ctm_confirmations') }}
),

raw_totals as (
    select
        business_date,
        sum(alloc_qty) as quantity,
        sum(gross_trade_amount) as gross_amount,
        sum(net_money) as net_amount,
        sum(commission) as commission_amount
    from raw_confirmations
    group by business_date
),

mart_totals as (
    select
        business_date,
        sum(quantity) as quantity,
        -- What ctm stated: amounts derived where it left them out have no raw twin.
        sum(case when gross_amount_source = 'stated' then gross_amount end) as gross_amount,
        sum(case when net_amount_source = 'stated' then net_amount end) as net_amount,
        sum(commission_amount) as commission_amount
    from {{ ref('fct_confirmations') }}
    group by business_date
)

{{ control_total_differences(
    ['business_date'], ['quantity', 'gross_amount', 'net_amount', 'commission_amount']
) }}
