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
),

break_types as (
    select * from {{ ref('break_types') }}
),

business_days as (
    select * from {{ ref('int_business_days') }}
),

as_of as (
    select {{ as_of_date('business_date') }} as as_of_date
    from recon_differences
),

aged as (
    select
        recon_differences.*,
        recon_differences.business_date as first_seen_date,
        {{ business_days_after('recon_differences.business_date', 'as_of.as_of_date') }}
            as age_business_days
    from recon_differences
    cross join as_of
),

final as (
    select
        cast(md5(
            aged.recon || '|' || aged.break_type || '|' || aged.trade_ref
            || '|' || coalesce(aged.field, '')
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
        cast(break_types.severity as varchar) as severity,
        cast('open' as varchar) as status,
        cast(coalesce(aged.root_cause, break_types.root_cause) as varchar) as root_cause,
        cast(aged.allocation_line_id as varchar) as allocation_line_id,
        cast(aged.confirm_id as varchar) as confirm_id
    from aged
    left join break_types
        on aged.recon = break_types.recon and aged.break_type = break_types.break_type
)

select * from final
