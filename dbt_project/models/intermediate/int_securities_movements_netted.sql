-- One row per safekeeping account, ISIN and effective settlement date: the securities the
-- custodian confirmed as settled that day (sese.025, MT545 receipts / MT547 deliveries, each
-- part of a partial settlement on its own date), received and delivered, and their net
-- (received - delivered). A reversal (CANC) takes its movement back; a confirmation
-- delivered twice (same message id) counts once.
with

confirmations as (
    select * from {{ ref('stg_custodian__settlement_confirmations') }}
),

deduplicated as (
    select *
    from (
        select
            confirmations.*,
            row_number() over (
                partition by
                    confirmations.message_format,
                    coalesce(
                        confirmations.message_id,
                        confirmations.source_file || '#'
                        || cast(confirmations.message_index as varchar)
                    )
                order by confirmations.source_file, confirmations.message_index
            ) as delivery_rank
        from confirmations
    ) as ranked
    where delivery_rank = 1
),

signed as (
    select
        safekeeping_account,
        isin,
        effective_settlement_date,
        case when is_reversal then -settled_quantity else settled_quantity end as quantity,
        securities_movement_type
    from deduplicated
    where securities_movement_type in ('RECE', 'DELI')
),

final as (
    select
        safekeeping_account,
        isin,
        effective_settlement_date,
        sum(case when securities_movement_type = 'RECE' then quantity else 0 end)
            as received_quantity,
        sum(case when securities_movement_type = 'DELI' then quantity else 0 end)
            as delivered_quantity,
        sum(case when securities_movement_type = 'RECE' then quantity else -quantity end)
            as net_quantity,
        count(*) as movement_count
    from signed
    group by safekeeping_account, isin, effective_settlement_date
)

select * from final
