-- One row per break, across every recon: the DESIGN.md contract analysts and BI tools read.
-- break_id is stable across runs: a hash of what the difference is about, not of its values.
with

trade_vs_confirmation as (
    select * from {{ ref('recon_trade_vs_confirmation') }}
),

settlement as (
    select * from {{ ref('recon_settlement') }}
),

cash as (
    select * from {{ ref('recon_cash') }}
),

trade_vs_clearing as (
    select * from {{ ref('recon_trade_vs_clearing') }}
),

regulatory as (
    select * from {{ ref('recon_regulatory') }}
),

position as (
    select * from {{ ref('recon_position') }}
),

reference as (
    select * from {{ ref('recon_reference') }}
),

-- Every recon's differences in one shape; a recon may name a root cause finer than its
-- break type's (e.g. a fail's, from its reason code).
recon_differences as (
    select
        recon,
        break_type,
        business_date,
        trade_ref,
        field,
        left_value,
        right_value,
        difference,
        root_cause,
        allocation_line_id,
        confirm_id
    from trade_vs_confirmation
    union all
    select
        recon,
        break_type,
        business_date,
        trade_ref,
        field,
        left_value,
        right_value,
        difference,
        root_cause,
        allocation_line_id,
        cast(null as varchar) as confirm_id
    from settlement
    union all
    select
        recon,
        break_type,
        business_date,
        trade_ref,
        field,
        left_value,
        right_value,
        difference,
        cast(null as varchar) as root_cause,
        cast(null as varchar) as allocation_line_id,
        cast(null as varchar) as confirm_id
    from cash
    union all
    select
        recon,
        break_type,
        business_date,
        trade_ref,
        field,
        left_value,
        right_value,
        difference,
        cast(null as varchar) as root_cause,
        cast(null as varchar) as allocation_line_id,
        cast(null as varchar) as confirm_id
    from trade_vs_clearing
    union all
    select
        recon,
        break_type,
        business_date,
        trade_ref,
        field,
        left_value,
        right_value,
        difference,
        cast(null as varchar) as root_cause,
        cast(null as varchar) as allocation_line_id,
        cast(null as varchar) as confirm_id
    from regulatory
    union all
    select
        recon,
        break_type,
        business_date,
        trade_ref,
        field,
        left_value,
        right_value,
        difference,
        cast(null as varchar) as root_cause,
        cast(null as varchar) as allocation_line_id,
        cast(null as varchar) as confirm_id
    from position
    union all
    select
        recon,
        break_type,
        business_date,
        trade_ref,
        field,
        left_value,
        right_value,
        difference,
        cast(null as varchar) as root_cause,
        cast(null as varchar) as allocation_line_id,
        cast(null as varchar) as confirm_id
    from reference
),

break_types as (
    select * from {{ ref('break_types') }}
),

resolutions as (
    select * from {{ ref('recon_break_resolutions') }}
),

severity_levels as (
    select * from {{ ref('severity_levels') }}
),

escalations as (
    select * from {{ ref('break_severity_escalations') }}
),

business_days as (
    select * from {{ ref('int_business_days') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

-- A break is open until the event that ended it (recon_break_resolutions), as of the as-of
-- date: re-running a day derives the same lifecycle from the same data.
lifecycle as (
    select
        recon_differences.*,
        recon_differences.business_date as first_seen_date,
        resolutions.resolved_date,
        resolutions.resolving_event,
        coalesce(resolutions.resolved_date, as_of.as_of_date) as aged_until_date
    from recon_differences
    cross join as_of
    left join resolutions
        on
            recon_differences.recon = resolutions.recon
            and recon_differences.break_type = resolutions.break_type
            and recon_differences.trade_ref = resolutions.trade_ref
            and as_of.as_of_date >= resolutions.resolved_date
),

aged as (
    select
        lifecycle.*,
        {{ business_days_after('lifecycle.first_seen_date', 'lifecycle.aged_until_date') }}
            as age_business_days
    from lifecycle
),

-- The break type's severity, raised by every escalation rule the break's age and size meet.
severity_ranks as (
    select
        aged.recon,
        aged.break_type,
        aged.business_date,
        aged.trade_ref,
        aged.field,
        max(severity_levels.severity_rank) as severity_rank
    from aged
    inner join break_types
        on aged.recon = break_types.recon and aged.break_type = break_types.break_type
    left join escalations
        on
            escalations.recon in (aged.recon, '*')
            and escalations.field in (coalesce(aged.field, ''), '*')
            and aged.age_business_days >= escalations.min_age_business_days
            and (
                escalations.min_abs_difference is null
                or abs(aged.difference) >= escalations.min_abs_difference
            )
    inner join severity_levels
        on severity_levels.severity in (break_types.severity, escalations.severity)
    group by aged.recon, aged.break_type, aged.business_date, aged.trade_ref, aged.field
),

final as (
    select
        cast(md5(
            aged.recon || '|' || aged.break_type || '|' || aged.trade_ref
            || '|' || coalesce(aged.field, '')
            -- A holding or a reference snapshot is checked afresh each day, and cash is due
            -- per settlement date (each part of a partial settlement pays its own): the
            -- break is the day's (the same key can break again on another day).
            || case
                when aged.recon in ('position', 'reference', 'cash')
                    then '|' || cast(aged.business_date as varchar)
                else ''
            end
        ) as varchar) as break_id,
        cast(aged.recon as varchar) as recon,
        cast(aged.break_type as varchar) as break_type,
        aged.business_date,
        cast(aged.trade_ref as varchar) as trade_ref,
        cast(aged.field as varchar) as field,
        cast(aged.left_value as varchar) as left_value,
        cast(aged.right_value as varchar) as right_value,
        cast(aged.difference as decimal(28, 10)) as difference,
        aged.first_seen_date,
        cast(aged.age_business_days as integer) as age_business_days,
        cast(severity_levels.severity as varchar) as severity,
        cast(
            case when aged.resolved_date is null then 'open' else 'auto-resolved' end as varchar
        ) as status,
        cast(coalesce(aged.root_cause, break_types.root_cause) as varchar) as root_cause,
        cast(aged.allocation_line_id as varchar) as allocation_line_id,
        cast(aged.confirm_id as varchar) as confirm_id,
        cast(aged.resolved_date as date) as resolved_date,
        cast(aged.resolving_event as varchar) as resolving_event
    from aged
    left join break_types
        on aged.recon = break_types.recon and aged.break_type = break_types.break_type
    left join severity_ranks
        on
            aged.recon = severity_ranks.recon
            and aged.break_type = severity_ranks.break_type
            and aged.business_date = severity_ranks.business_date
            and aged.trade_ref = severity_ranks.trade_ref
            and coalesce(aged.field, '') = coalesce(severity_ranks.field, '')
    left join severity_levels on severity_ranks.severity_rank = severity_levels.severity_rank
)

select * from final
