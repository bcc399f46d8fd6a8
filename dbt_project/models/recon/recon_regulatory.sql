-- One row per transaction report due (fct_regulatory_reports) that the ARM rejected (its
-- latest acknowledgement is RJCT; right_value the error codes) or never acknowledged.
-- trade_ref is the report's transaction reference; breaks carry the trade date.
with

reports as (
    select * from {{ ref('fct_regulatory_reports') }}
),

final as (
    select
        'report_rejected' as break_type,
        trade_date as business_date,
        transaction_reference as trade_ref,
        'error_code' as field,
        cast(null as varchar) as left_value,
        error_codes as right_value,
        cast(null as decimal(28, 10)) as difference
    from reports
    where report_status = 'rejected'
    union all
    select
        'report_missing' as break_type,
        trade_date as business_date,
        transaction_reference as trade_ref,
        cast(null as varchar) as field,
        cast(null as varchar) as left_value,
        cast(null as varchar) as right_value,
        cast(null as decimal(28, 10)) as difference
    from reports
    where report_status = 'unacknowledged'
)

select
    'regulatory' as recon,
    final.*
from final
