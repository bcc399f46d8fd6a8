-- One row per settlement event the custodian reported: a status advice (sese.024, MT548)
-- or a settlement confirmation (sese.025, MT545/MT547), ordered per instruction by the
-- event's own time, not by arrival. An MT's :98C::PREP has no UTC offset and only whole
-- seconds, so messages of one instruction often tie on it: ties go to the custodian's own
-- message reference (BizMsgIdr, :20C::SEME), which it numbers in sending order.
-- Incremental: a partitioned run rewrites the events of the instructions its window's files
-- touch (all of their history, since a late event renumbers the ones after it); the rows of
-- other instructions are left as they are. Without the window it builds in full.
-- depends_on: {{ ref('stg_ingestion__files') }}
{{
    config(
        materialized='incremental',
        unique_key='settlement_event_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
    )
}}

with

statuses as (
    select * from {{ ref('stg_custodian__settlement_statuses') }}
),

confirmations as (
    select * from {{ ref('stg_custodian__settlement_confirmations') }}
),

events as (
    select
        instruction_ref,
        custodian_ref,
        'status' as event_type,
        message_format,
        processing_status,
        matching_status,
        settlement_status,
        coalesce(settlement_reason_codes, matching_reason_codes, processing_reason_codes)
            as reason_codes,
        place_of_settlement,
        cast(null as decimal(28, 6)) as settled_quantity,
        cast(null as decimal(28, 6)) as remaining_quantity,
        cast(null as date) as effective_settlement_date,
        cast(null as boolean) as is_partial,
        status_at as event_at,
        business_date,
        message_id,
        source_file,
        file_sha256,
        message_index
    from statuses
    union all
    select
        instruction_ref,
        custodian_ref,
        case when is_reversal then 'settlement_reversal' else 'settlement' end as event_type,
        message_format,
        cast(null as varchar) as processing_status,
        cast(null as varchar) as matching_status,
        cast(null as varchar) as settlement_status,
        cast(null as varchar) as reason_codes,
        place_of_settlement,
        settled_quantity,
        remaining_quantity,
        effective_settlement_date,
        is_partial,
        confirmed_at as event_at,
        business_date,
        message_id,
        source_file,
        file_sha256,
        message_index
    from confirmations
),

scoped as (
    select * from events
    {% if is_incremental() and has_partition_window() %}
        where coalesce(instruction_ref, '') in (
            select coalesce(window_events.instruction_ref, '') as scope_ref
            from events as window_events
            where {{ delivered_in_window('window_events.file_sha256') }}
        )
    {% endif %}
),

final as (
    select
        cast(md5(
            coalesce(instruction_ref, '') || '|' || source_file || '|'
            || cast(message_index as varchar) || '|' || event_type
        ) as varchar) as settlement_event_id,
        cast(instruction_ref as varchar) as instruction_ref,
        cast(custodian_ref as varchar) as custodian_ref,
        cast(event_type as varchar) as event_type,
        cast(message_format as varchar) as message_format,
        cast(processing_status as varchar) as processing_status,
        cast(matching_status as varchar) as matching_status,
        cast(settlement_status as varchar) as settlement_status,
        cast(reason_codes as varchar) as reason_codes,
        cast(place_of_settlement as varchar) as place_of_settlement,
        cast(settled_quantity as decimal(28, 6)) as settled_quantity,
        cast(remaining_quantity as decimal(28, 6)) as remaining_quantity,
        effective_settlement_date,
        is_partial,
        event_at,
        cast(row_number() over (
            partition by instruction_ref
            order by
                coalesce(event_at, cast(business_date as timestamp)),
                business_date,
                message_id,
                source_file,
                message_index
        ) as integer) as event_sequence,
        business_date,
        cast(source_file as varchar) as source_file,
        cast(message_index as bigint) as message_index,
        {{ run_loaded_at() }} as loaded_at
    from scoped
)

select * from final
