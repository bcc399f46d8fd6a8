-- One row per confirmation message (35=AK), with its latest affirmation status; is_current
-- marks the confirmations that stand (not replaced or cancelled).
-- Incremental: a partitioned run rewrites the confirmations its window's files touch (the
-- ConfirmIDs they deliver, the ones those messages or an earlier delivery of them replace or
-- cancel, and the ones an affirmation or rejection names), plus every confirmation whose
-- match to an allocation line (or that line's trade) came out differently from the stored
-- row: the matching pairs records only when each is the other's only candidate across the
-- whole history, so another day's allocation or confirmation can make or break an earlier
-- pair; that comparison reads the whole matching, the rewrite stays small. Without the
-- window it builds in full.
-- depends_on: {{ ref('stg_ingestion__files') }}
-- depends_on: {{ ref('stg_ctm__confirmations') }}
-- depends_on: {{ ref('stg_ctm__confirmation_acks') }}
{{
    config(
        materialized='incremental',
        unique_key='confirm_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
    )
}}

with

confirmations as (
    select * from {{ ref('int_confirmations_versioned') }}
),

matches as (
    select * from {{ ref('int_confirmations_matched_to_allocations') }}
),

allocations as (
    select * from {{ ref('int_allocations_versioned') }}
),

final as (
    select
        cast(confirmations.confirm_id as varchar) as confirm_id,
        cast(confirmations.confirm_trans_type as varchar) as confirm_trans_type,
        cast(confirmations.confirm_ref_id as varchar) as confirm_ref_id,
        cast(confirmations.confirmation_status as varchar) as confirmation_status,
        confirmations.is_current,
        cast(confirmations.confirm_status as varchar) as confirm_status,
        cast(confirmations.affirm_status as varchar) as affirm_status,
        cast(confirmations.reject_reason_code as varchar) as reject_reason_code,
        cast(confirmations.alloc_id as varchar) as alloc_id,
        cast(confirmations.individual_alloc_id as varchar) as individual_alloc_id,
        cast(matches.allocation_line_id as varchar) as matched_allocation_line_id,
        cast(allocations.trade_id as varchar) as trade_id,
        cast(matches.match_rule as varchar) as match_rule,
        confirmations.trade_date,
        confirmations.settlement_date,
        confirmations.business_date,
        cast(confirmations.side as varchar) as side,
        cast(confirmations.isin as varchar) as isin,
        cast(confirmations.market_mic as varchar) as market_mic,
        cast(confirmations.currency_code as varchar) as currency_code,
        cast(confirmations.executing_broker_lei as varchar) as executing_broker_lei,
        cast(confirmations.alloc_account as varchar) as account,
        cast(confirmations.confirmed_quantity as decimal(28, 6)) as quantity,
        cast(confirmations.confirmed_price as decimal(28, 10)) as price,
        -- GrossTradeAmt (381) and NetMoney (118) as sent, else derived as FIX defines them.
        cast(confirmations.gross_amount as decimal(28, 6)) as gross_amount,
        cast(confirmations.gross_amount_source as varchar) as gross_amount_source,
        cast(confirmations.net_amount as decimal(28, 6)) as net_amount,
        cast(confirmations.net_amount_source as varchar) as net_amount_source,
        cast(confirmations.commission_amount as decimal(28, 6)) as commission_amount,
        confirmations.confirmed_at,
        confirmations.affirm_status_at
    from confirmations
    left join matches on confirmations.confirm_id = matches.confirm_id
    left join allocations on matches.allocation_line_id = allocations.allocation_line_id
),

scoped as (
    select
        final.*,
        {{ run_loaded_at() }} as loaded_at
    from final
    {% if is_incremental() and has_partition_window() %}
        where
            final.confirm_id in (
                {{ versions_touched_in_window(
                    ref('stg_ctm__confirmations'), 'confirm_id', 'confirm_ref_id'
                ) }}
                union all
                select window_acks.confirm_id
                from {{ ref('stg_ctm__confirmation_acks') }} as window_acks
                where {{ delivered_in_window('window_acks.file_sha256') }}
            )
            or final.confirm_id in (
                select previous.confirm_id
                from {{ this }} as previous
                inner join final as recomputed on previous.confirm_id = recomputed.confirm_id
                where
                    previous.matched_allocation_line_id
                    is distinct from recomputed.matched_allocation_line_id
                    or previous.match_rule is distinct from recomputed.match_rule
                    or previous.trade_id is distinct from recomputed.trade_id
            )
    {% endif %}
)

select * from scoped
