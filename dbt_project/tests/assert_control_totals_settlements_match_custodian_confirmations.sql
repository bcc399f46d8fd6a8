-- Control totals, custodian: per business date, the settled quantity of the settlement
-- events equals that of the raw settlement confirmations (sese.025, MT545/547), a message
-- delivered twice counted once; and over all dates, the settlements' settled quantity equals
-- that of the confirmations of our instructions. Returns what differs.
with

raw_confirmations as (
    select distinct
        message_format,
        message_id,
        account_owner_tx_id,
        settled_quantity,
        business_date
    from {{ source('custodian', 'custodian_settlement_confirmations') }}
),

raw_totals as (
    select
        business_date,
        sum(settled_quantity) as settled_quantity
    from raw_confirmations
    group by business_date
),

event_totals as (
    select
        business_date,
        sum(settled_quantity) as settled_quantity
    from {{ ref('fct_settlement_events') }}
    where event_type = 'settlement'
    group by business_date
),

settlement_total as (
    select sum(settled_quantity) as settled_quantity
    from {{ ref('fct_settlements') }}
),

-- Settlements are per instruction of ours: a confirmation of a reference we never
-- instructed (booked before go-live, or on a date not loaded yet) is an unknown_instruction
-- break, not a settlement.
raw_total as (
    select sum(raw_confirmations.settled_quantity) as settled_quantity
    from raw_confirmations
    where raw_confirmations.account_owner_tx_id in (
        select instructions.instruction_ref
        from {{ ref('fct_settlement_instructions') }} as instructions
    )
),

final as (
    select
        coalesce(raw_totals.business_date, event_totals.business_date) as business_date,
        raw_totals.settled_quantity as raw_settled_quantity,
        event_totals.settled_quantity as mart_settled_quantity
    from raw_totals
    full outer join event_totals on raw_totals.business_date = event_totals.business_date
    where coalesce(raw_totals.settled_quantity, 0) <> coalesce(event_totals.settled_quantity, 0)
    union all
    select
        cast(null as date) as business_date,
        raw_total.settled_quantity as raw_settled_quantity,
        settlement_total.settled_quantity as mart_settled_quantity
    from settlement_total
    cross join raw_total
    where coalesce(settlement_total.settled_quantity, 0) <> coalesce(raw_total.settled_quantity, 0)
)

select * from final
