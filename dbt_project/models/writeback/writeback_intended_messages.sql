-- One row per message we intend to send back to a platform (the writeback_rules seed says
-- which break or status produces which message). The outbox (written by writers/, not by
-- dbt) keys each row by platform, object, target state and a version of its content, so a
-- rebuild that intends the same messages sends nothing new.
with

rules as (
    select * from {{ ref('writeback_rules') }}
    where is_enabled
),

open_breaks as (
    select * from {{ ref('breaks') }}
    where status = 'open'
),

confirmations as (
    select * from {{ ref('fct_confirmations') }}
    where is_current
),

settlements as (
    select * from {{ ref('fct_settlements') }}
),

instructions as (
    select * from {{ ref('fct_settlement_instructions') }}
),

trades as (
    select * from {{ ref('fct_trades') }}
),

report_acks as (
    select * from {{ ref('stg_arm__report_acks') }}
),

-- A confirmation's open break: named by confirm_id (unexpected) or by the allocation line
-- the confirmation matched (field differences). Two equi-joins, not one join on an OR: the
-- two ways are disjoint (a break names a confirm_id or not), and a join on an OR runs as a
-- nested loop, quadratic in breaks x confirmations.
trade_vs_confirmation_breaks as (
    select * from open_breaks
    where recon = 'trade_vs_confirmation'
),

confirmation_breaks as (
    select
        trade_vs_confirmation_breaks.break_id,
        trade_vs_confirmation_breaks.break_type,
        trade_vs_confirmation_breaks.business_date,
        trade_vs_confirmation_breaks.field,
        trade_vs_confirmation_breaks.left_value,
        trade_vs_confirmation_breaks.right_value,
        confirmations.confirm_id,
        confirmations.affirm_status
    from trade_vs_confirmation_breaks
    inner join confirmations
        on trade_vs_confirmation_breaks.confirm_id = confirmations.confirm_id
    union all
    select
        trade_vs_confirmation_breaks.break_id,
        trade_vs_confirmation_breaks.break_type,
        trade_vs_confirmation_breaks.business_date,
        trade_vs_confirmation_breaks.field,
        trade_vs_confirmation_breaks.left_value,
        trade_vs_confirmation_breaks.right_value,
        confirmations.confirm_id,
        confirmations.affirm_status
    from trade_vs_confirmation_breaks
    inner join confirmations
        on
            trade_vs_confirmation_breaks.allocation_line_id
            = confirmations.matched_allocation_line_id
    where trade_vs_confirmation_breaks.confirm_id is null
),

-- ctm: reject a confirmation with an open break (the highest-priority break names the reason).
ctm_rejections as (
    select
        rules.rule_id,
        rules.priority,
        'confirmation' as object_type,
        confirmation_breaks.confirm_id as object_id,
        confirmation_breaks.business_date,
        confirmation_breaks.break_id,
        confirmation_breaks.break_type as trigger_value,
        confirmation_breaks.confirm_id,
        cast(null as varchar) as instruction_ref,
        cast(null as varchar) as report_ref,
        cast(null as varchar) as corrected_value,
        cast(null as varchar) as previous_value,
        confirmation_breaks.field as break_field,
        confirmation_breaks.left_value as our_value,
        confirmation_breaks.right_value as their_value
    from confirmation_breaks
    inner join rules
        on
            rules.trigger_type = 'break'
            and rules.recon = 'trade_vs_confirmation'
            and confirmation_breaks.break_type = rules.trigger_value
    where confirmation_breaks.affirm_status in ('pending', 'received')
),

-- ctm: affirm a matched confirmation that no open break touches.
ctm_affirmations as (
    select
        rules.rule_id,
        rules.priority,
        'confirmation' as object_type,
        confirmations.confirm_id as object_id,
        confirmations.business_date,
        cast(null as varchar) as break_id,
        rules.trigger_value,
        confirmations.confirm_id,
        cast(null as varchar) as instruction_ref,
        cast(null as varchar) as report_ref,
        cast(null as varchar) as corrected_value,
        cast(null as varchar) as previous_value,
        cast(null as varchar) as break_field,
        cast(null as varchar) as our_value,
        cast(null as varchar) as their_value
    from confirmations
    inner join rules
        on rules.trigger_type = 'confirmation' and rules.trigger_value = 'no_open_break'
    where
        confirmations.matched_allocation_line_id is not null
        and confirmations.affirm_status in ('pending', 'received')
        and not exists (
            select 1 from confirmation_breaks
            where confirmation_breaks.confirm_id = confirmations.confirm_id
        )
),

ctm_decisions as (
    select *
    from (
        select
            candidates.*,
            row_number() over (
                partition by candidates.object_id order by candidates.priority, candidates.rule_id
            ) as decision_rank
        from (
            select * from ctm_rejections
            union all
            select * from ctm_affirmations
        ) as candidates
    ) as ranked
    where decision_rank = 1
),

-- oms: a matched confirmation's resulting status (our decision, else ctm's record).
confirmation_statuses as (
    select
        confirmations.confirm_id,
        confirmations.business_date,
        ctm_decisions.break_id,
        coalesce(
            ctm_rules.target_state, confirmations.affirm_status
        ) as resulting_status
    from confirmations
    left join ctm_decisions on confirmations.confirm_id = ctm_decisions.object_id
    left join rules as ctm_rules on ctm_decisions.rule_id = ctm_rules.rule_id
    where confirmations.matched_allocation_line_id is not null
),

oms_confirmation_messages as (
    select
        rules.rule_id,
        rules.priority,
        'confirmation' as object_type,
        confirmation_statuses.confirm_id as object_id,
        confirmation_statuses.business_date,
        confirmation_statuses.break_id,
        confirmation_statuses.resulting_status as trigger_value,
        confirmation_statuses.confirm_id,
        cast(null as varchar) as instruction_ref,
        cast(null as varchar) as report_ref,
        cast(null as varchar) as corrected_value,
        cast(null as varchar) as previous_value,
        cast(null as varchar) as break_field,
        cast(null as varchar) as our_value,
        cast(null as varchar) as their_value
    from confirmation_statuses
    inner join rules
        on
            rules.trigger_type = 'confirmation_status'
            and confirmation_statuses.resulting_status = rules.trigger_value
),

oms_settlement_messages as (
    select
        rules.rule_id,
        rules.priority,
        'settlement_instruction' as object_type,
        settlements.instruction_ref as object_id,
        settlements.business_date,
        cast(null as varchar) as break_id,
        settlements.settlement_state as trigger_value,
        cast(null as varchar) as confirm_id,
        settlements.instruction_ref,
        cast(null as varchar) as report_ref,
        cast(null as varchar) as corrected_value,
        cast(null as varchar) as previous_value,
        cast(null as varchar) as break_field,
        cast(null as varchar) as our_value,
        cast(null as varchar) as their_value
    from settlements
    inner join rules
        on
            rules.trigger_type = 'settlement_state'
            and settlements.settlement_state = rules.trigger_value
),

-- custodian: re-instruct with our SSI's place of settlement (left: ours, right: theirs).
custodian_messages as (
    select
        rules.rule_id,
        rules.priority,
        'settlement_instruction' as object_type,
        open_breaks.trade_ref as object_id,
        open_breaks.business_date,
        open_breaks.break_id,
        open_breaks.break_type as trigger_value,
        cast(null as varchar) as confirm_id,
        open_breaks.trade_ref as instruction_ref,
        cast(null as varchar) as report_ref,
        open_breaks.left_value as corrected_value,
        open_breaks.right_value as previous_value,
        open_breaks.field as break_field,
        open_breaks.left_value as our_value,
        open_breaks.right_value as their_value
    from open_breaks
    inner join rules
        on
            rules.trigger_type = 'break'
            and open_breaks.recon = rules.recon
            and open_breaks.break_type = rules.trigger_value
    where rules.platform = 'custodian'
),

latest_report_acks as (
    select *
    from (
        select
            report_acks.*,
            row_number() over (
                partition by report_acks.transaction_reference
                order by report_acks.acknowledged_at desc, report_acks.arm_report_id desc
            ) as recency_rank
        from report_acks
    ) as ranked
    where recency_rank = 1
),

arm_messages as (
    select
        rules.rule_id,
        rules.priority,
        'regulatory_report' as object_type,
        latest_report_acks.transaction_reference as object_id,
        latest_report_acks.business_date,
        cast(null as varchar) as break_id,
        latest_report_acks.status as trigger_value,
        cast(null as varchar) as confirm_id,
        cast(null as varchar) as instruction_ref,
        latest_report_acks.transaction_reference as report_ref,
        cast(null as varchar) as corrected_value,
        cast(null as varchar) as previous_value,
        'error_codes' as break_field,
        cast(null as varchar) as our_value,
        latest_report_acks.error_codes as their_value
    from latest_report_acks
    inner join rules
        on
            rules.trigger_type = 'report_status'
            and latest_report_acks.status = rules.trigger_value
),

messages as (
    select * from ctm_decisions
    union all
    select
        *,
        1 as decision_rank
    from oms_confirmation_messages
    union all
    select
        *,
        1 as decision_rank
    from oms_settlement_messages
    union all
    select
        *,
        1 as decision_rank
    from custodian_messages
    union all
    select
        *,
        1 as decision_rank
    from arm_messages
),

final as (
    select
        cast(messages.rule_id as varchar) as rule_id,
        cast(rules.platform as varchar) as platform,
        cast(rules.message_kind as varchar) as message_kind,
        cast(rules.message_format as varchar) as message_format,
        cast(rules.target_state as varchar) as target_state,
        cast(rules.reason_code as varchar) as reason_code,
        cast(rules.description as varchar) as rule_description,
        cast(messages.object_type as varchar) as object_type,
        cast(messages.object_id as varchar) as object_id,
        messages.business_date,
        cast(messages.break_id as varchar) as break_id,
        cast(messages.trigger_value as varchar) as trigger_value,
        cast(messages.break_field as varchar) as break_field,
        cast(messages.our_value as varchar) as our_value,
        cast(messages.their_value as varchar) as their_value,
        cast(messages.corrected_value as varchar) as corrected_value,
        cast(messages.previous_value as varchar) as previous_value,
        cast(messages.confirm_id as varchar) as confirm_id,
        cast(coalesce(messages.instruction_ref, confirmations.individual_alloc_id) as varchar)
            as instruction_ref,
        cast(messages.report_ref as varchar) as report_ref,
        cast(latest_report_acks.arm_report_id as varchar) as report_id,
        cast(latest_report_acks.report_type as varchar) as report_type,
        cast(coalesce(confirmations.trade_id, instructions.trade_id, trades.trade_id) as varchar)
            as trade_id,
        cast(coalesce(confirmations.account, instructions.account) as varchar) as account,
        cast(coalesce(confirmations.isin, instructions.isin, trades.isin) as varchar) as isin,
        cast(coalesce(confirmations.side, trades.side) as varchar) as side,
        cast(
            coalesce(
                confirmations.market_mic, instructions.market_mic, trades.market_mic
            ) as varchar
        )
            as market_mic,
        coalesce(confirmations.trade_date, instructions.trade_date, trades.trade_date)
            as trade_date,
        coalesce(confirmations.settlement_date, instructions.intended_settlement_date)
            as settlement_date,
        cast(
            coalesce(instructions.quantity, confirmations.quantity, trades.quantity) as decimal(
                28, 6
            )
        )
            as quantity,
        cast(coalesce(confirmations.price, trades.average_price) as decimal(28, 10)) as price,
        cast(instructions.settlement_amount as decimal(28, 6)) as settlement_amount,
        cast(
            coalesce(
                confirmations.currency_code, instructions.currency_code, trades.currency_code
            ) as varchar
        )
            as currency_code,
        cast(
            coalesce(
                instructions.counterparty_lei,
                confirmations.executing_broker_lei,
                trades.executing_broker_lei
            ) as varchar
        )
            as counterparty_lei,
        cast(instructions.securities_movement_type as varchar) as securities_movement_type,
        cast(instructions.payment_type as varchar) as payment_type,
        cast(settlements.settled_quantity as decimal(28, 6)) as settled_quantity,
        cast(settlements.remaining_quantity as decimal(28, 6)) as remaining_quantity,
        settlements.actual_settlement_date,
        cast(settlements.reason_codes as varchar) as status_reason_codes,
        cast(confirmations.affirm_status as varchar) as platform_affirm_status
    from messages
    inner join rules on messages.rule_id = rules.rule_id
    left join confirmations on messages.confirm_id = confirmations.confirm_id
    left join instructions
        on
            coalesce(messages.instruction_ref, confirmations.individual_alloc_id)
            = instructions.instruction_ref
    left join settlements on messages.instruction_ref = settlements.instruction_ref
    left join latest_report_acks on messages.report_ref = latest_report_acks.transaction_reference
    -- A report's transaction reference is <OrderID>-<version>.
    left join trades
        on
            messages.report_ref is not null
            and left(
                messages.report_ref,
                length(messages.report_ref) - strpos(reverse(messages.report_ref), '-')
            )
            = trades.trade_id
)

select * from final
