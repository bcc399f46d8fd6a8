-- Control totals, oms: per business date, the trades' net quantity and gross amount equal
-- those of the raw ExecutionReports, each fill taken as its last correction (150=G) says,
-- or 0 once busted (150=H). Returns the dates that differ.
with

reports as (
    select distinct
        exec_id,
        exec_ref_id,
        exec_type,
        last_qty,
        last_px,
        transact_at,
        msg_seq_num,
        business_date
    from {{ source('oms', 'oms_execution_reports') }}
),

last_amendments as (
    select *
    from (
        select
            reports.*,
            row_number() over (
                partition by reports.exec_ref_id
                order by reports.transact_at desc, reports.msg_seq_num desc
            ) as amendment_rank
        from reports
        where reports.exec_type in ('G', 'H')
    ) as ranked
    where amendment_rank = 1
),

raw_totals as (
    select
        fills.business_date,
        sum(case
            when last_amendments.exec_type = 'H' then 0
            when last_amendments.exec_type = 'G' then last_amendments.last_qty
            else fills.last_qty
        end) as quantity,
        sum(case
            when last_amendments.exec_type = 'H' then 0
            when last_amendments.exec_type = 'G'
                then last_amendments.last_qty * last_amendments.last_px
            else fills.last_qty * fills.last_px
        end) as gross_amount
    from reports as fills
    left join last_amendments on fills.exec_id = last_amendments.exec_ref_id
    where fills.exec_type = 'F'
    group by fills.business_date
),

mart_totals as (
    select
        business_date,
        sum(quantity) as quantity,
        sum(gross_amount) as gross_amount
    from {{ ref('fct_trades') }}
    group by business_date
)

{{ control_total_differences(['business_date'], ['quantity', 'gross_amount']) }}
